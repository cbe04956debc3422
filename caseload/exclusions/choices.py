"""Why a worker is kept away from a case or a household."""

from django.db import models


class ExclusionReason(models.TextChoices):
    """The reason an exclusion is recorded; free text says more."""

    CONFLICT_OF_INTEREST = "conflict_of_interest", "Conflict of interest"
    RISK_TO_STAFF = "risk_to_staff", "Risk to staff"
    FAMILY_REQUEST = "family_request", "The family's request"
    PREVIOUS_COMPLAINT = "previous_complaint", "A previous complaint"
    OTHER = "other", "Other"
