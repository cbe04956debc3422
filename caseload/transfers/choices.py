"""Why a case moves to another team, and where a transfer stands."""

from django.db import models


class TransferReason(models.TextChoices):
    """Why the sending manager asks for the move; free text says more."""

    MOVED_AREA = "moved_area", "The family moved into the other team's area"
    SPECIALISM = "specialism", "Needs the other team's specialism"
    STEP_UP = "step_up", "Stepping up"
    STEP_DOWN = "step_down", "Stepping down"
    WORKLOAD = "workload", "Balancing work between teams"
    OTHER = "other", "Other"


class TransferStatus(models.TextChoices):
    """A transfer is pending until the receiving team accepts or declines it, or the sender
    withdraws it."""

    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
