"""A transfer between teams: one request, for one case or a household's open cases."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from caseload.core.models import Case, Team, User

from .choices import TransferReason, TransferStatus


class TransferQuerySet(models.QuerySet):
    def pending(self) -> "TransferQuerySet":
        return self.filter(status=TransferStatus.PENDING)

    def of_teams(self, teams) -> "TransferQuerySet":
        """Transfers into or out of these teams."""
        return self.filter(Q(from_team__in=teams) | Q(to_team__in=teams))


class Transfer(models.Model):
    """A request to move cases from one team to another in the organisation, and its answer."""

    from_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="transfers_out")
    to_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="transfers_in")
    cases = models.ManyToManyField(Case, through="TransferCase", related_name="transfers")
    reason = models.CharField(max_length=20, choices=TransferReason.choices)
    detail = models.TextField("more about the reason", blank=True, default="")
    status = models.CharField(
        max_length=20, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(
        blank=True, default="", help_text="Why it was declined or withdrawn."
    )

    history = HistoricalRecords()
    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_team=models.F("to_team")), name="transfer_to_another_team"
            ),
            models.CheckConstraint(
                condition=Q(status=TransferStatus.PENDING, decided_at__isnull=True)
                | (~Q(status=TransferStatus.PENDING) & Q(decided_at__isnull=False)),
                name="transfer_decided_unless_pending",
            ),
        ]
        indexes = [models.Index(fields=["to_team", "status"])]

    def __str__(self) -> str:
        return f"Transfer {self.pk}: {self.from_team} → {self.to_team} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == TransferStatus.PENDING


class TransferCase(models.Model):
    """One case in a transfer. `pending` mirrors the transfer's status so that the database
    can hold each case to one pending transfer (a condition cannot reach across the join)."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="rows")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfer_rows")
    pending = models.BooleanField(default=True)

    class Meta:
        ordering = ["case_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(pending=True), name="one_pending_transfer_per_case"
            ),
            models.UniqueConstraint(fields=["transfer", "case"], name="a_case_once_per_transfer"),
        ]

    def __str__(self) -> str:
        return f"{self.case} in {self.transfer_id}"
