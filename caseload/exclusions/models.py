"""An exclusion: a named worker must not hold one case, or any case of one household."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from caseload.core.models import Case, User, Worker

from .choices import ExclusionReason


class ExclusionQuerySet(models.QuerySet):
    def in_force(self) -> "ExclusionQuerySet":
        return self.filter(removed_at__isnull=True)

    def for_cases(self, cases) -> "ExclusionQuerySet":
        """Exclusions (in force or not) that touch these cases: the case itself, or its
        household."""
        return self.filter(
            Q(case__in=cases)
            | Q(household__in=Case.objects.filter(pk__in=cases).values("participant__household"))
        )


class Exclusion(models.Model):
    """A worker who must not hold a case (or a whole household's cases), and why. Removing it
    keeps the row, with who removed it, when and why; the history keeps every change."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="exclusions")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="exclusions"
    )
    household = models.ForeignKey(
        "participants.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exclusions",
    )
    reason = models.CharField(max_length=30, choices=ExclusionReason.choices)
    detail = models.TextField("more about the reason", blank=True, default="")
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removal_reason = models.TextField(blank=True, default="")

    history = HistoricalRecords()
    objects = ExclusionQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(household__isnull=True))
                | (Q(case__isnull=True) & Q(household__isnull=False)),
                name="exclusion_is_of_a_case_or_a_household",
            ),
            models.UniqueConstraint(
                fields=["worker", "case"],
                condition=Q(removed_at__isnull=True, case__isnull=False),
                name="one_exclusion_in_force_per_worker_and_case",
            ),
            models.UniqueConstraint(
                fields=["worker", "household"],
                condition=Q(removed_at__isnull=True, household__isnull=False),
                name="one_exclusion_in_force_per_worker_and_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} excluded ({self.get_reason_display()})"

    @property
    def in_force(self) -> bool:
        return self.removed_at is None

    @property
    def scope(self) -> str:
        return "The whole household" if self.household_id else "This case"
