"""Choices for weighting: assessment stages and the kinds of worker a standard applies to."""

from django.db import models


class AssessmentStatus(models.TextChoices):
    """Where a case assessment is: proposed by a worker, then agreed (as is, or amended)."""

    PROPOSED = "proposed", "Awaiting agreement"
    AGREED = "agreed", "Agreed"
    AMENDED = "amended", "Agreed with changes"


class StandardKind(models.TextChoices):
    """Which bandwidth and caseload promise apply to a worker."""

    EXPERIENCED = "experienced", "Experienced social worker"
    NEWLY_QUALIFIED = "newly_qualified", "Newly qualified social worker"
    SUPPORT_WORKER = "support_worker", "Support worker"
    ADULT_CASEWORKER = "adult_caseworker", "Multiple-disadvantage caseworker"
    MANAGER = "manager", "Team manager or head of service"


class Stage(models.TextChoices):
    """Whose choice a factor line records."""

    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
