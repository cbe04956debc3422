"""The answers to "Is my caseload manageable?"."""

from django.db import models


class Manageability(models.TextChoices):
    """A worker's own view of their caseload."""

    MANAGEABLE = "manageable", "Manageable"
    STRETCHED = "stretched", "Stretched"
    UNMANAGEABLE = "unmanageable", "Unmanageable"
