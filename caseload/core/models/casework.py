"""Cases and who holds them: allocations."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..choices import (
    AllocationReason,
    CaseStatus,
    CaseType,
    ClosureReason,
    Court,
    NeedLevel,
    OverrideReason,
)
from ..dates import held_on, open_on
from .people import Team, User, Worker


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CaseQuerySet":
        """Cases in the teams the user may see (a caseworker sees their team's, read-only)."""
        return self.filter(team__in=Team.objects.visible_to(user))

    def open(self) -> "CaseQuerySet":
        return self.exclude(status=CaseStatus.CLOSED)

    def open_on(self, on) -> "CaseQuerySet":
        """Cases open on a past or present day (`dates.open_on`)."""
        return self.filter(open_on(on))

    def in_queue(self) -> "CaseQuerySet":
        """Open cases in a team's queue: waiting for allocation, or needing reallocation."""
        return self.open().filter(
            Q(status=CaseStatus.AWAITING_ALLOCATION) | Q(needs_reallocation=True)
        )

    def held_by(self, worker) -> "CaseQuerySet":
        return self.filter(allocations__worker=worker, allocations__ended_on__isnull=True)


class Case(models.Model):
    """One participant's open episode of work with a team."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="cases"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=50, blank=True, default="")
    case_type = models.CharField(max_length=20, choices=CaseType.choices)
    need_level = models.CharField("level of need", max_length=10, choices=NeedLevel.choices)
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.AWAITING_ALLOCATION
    )
    court = models.CharField("court work", max_length=20, choices=Court.choices, default=Court.NONE)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(
        max_length=20, choices=ClosureReason.choices, blank=True, default=""
    )
    needs_reallocation = models.BooleanField(
        default=False, help_text="The holder is no longer eligible for this case."
    )
    waiting_since = models.DateField(
        null=True, blank=True, help_text="When the case joined the team's queue."
    )
    expected_end = models.DateField(
        "expected to end",
        null=True,
        blank=True,
        help_text="When the work is planned to end (used by the forecast); leave blank if not "
        "planned yet.",
    )
    history = HistoricalRecords()
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_not_before_opened",
            ),
            models.CheckConstraint(
                condition=(Q(status=CaseStatus.CLOSED) & Q(closed_on__isnull=False))
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_on__isnull=True)),
                name="case_closed_date_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(expected_end__isnull=True) | Q(expected_end__gte=models.F("opened_on")),
                name="case_expected_end_not_before_opened",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["reference"]),
        ]

    def __str__(self) -> str:
        return self.reference or f"Case {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("case_detail", args=[self.pk])

    def clean(self) -> None:
        """The constraints a person can hit on a form, said on the field they are about."""
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            raise ValidationError(
                {"closed_on": f"A case cannot close before it opened ({self.opened_on:%d/%m/%Y})."}
            )
        if self.expected_end and self.opened_on and self.expected_end < self.opened_on:
            raise ValidationError(
                {
                    "expected_end": "A case cannot be expected to end before it opened "
                    f"({self.opened_on:%d/%m/%Y})."
                }
            )

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class AllocationQuerySet(models.QuerySet):
    def current(self) -> "AllocationQuerySet":
        return self.filter(ended_on__isnull=True)

    def held_on(self, on) -> "AllocationQuerySet":
        """Allocations in force on the day, of cases open that day (`dates.held_on`)."""
        return self.filter(held_on(on))


class Allocation(models.Model):
    """Who held a case, from when to when, and why. Never deleted; at most one current."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="allocations")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="allocations")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=20, choices=AllocationReason.choices)
    made_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations_made"
    )
    made_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True, default="")
    override_category = models.CharField(
        "override reason",
        max_length=20,
        choices=OverrideReason.choices,
        blank=True,
        default="",
        help_text="Why the worker's promise or bandwidth was exceeded, from the list.",
    )
    override_reason = models.TextField(
        "more about the override",
        blank=True,
        default="",
        help_text="Why the worker's promise or bandwidth was exceeded, in words.",
    )
    history = HistoricalRecords()
    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(ended_on__isnull=True),
                name="one_current_allocation_per_case",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="allocation_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["worker", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.case} → {self.worker}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None
