"""Organisation, services, teams, workers, the users who sign in, cases and allocations."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .choices import (
    IMPORT_IN_PROGRESS,
    AccessRole,
    AllocationReason,
    CaseStatus,
    CaseType,
    ClosureReason,
    Court,
    ExperienceBand,
    FlagKind,
    ImportStatus,
    NeedLevel,
    ReductionReason,
    TaskOutcome,
    WorkerRole,
)
from .dates import held_on, in_post_on, open_on


class Organisation(models.Model):
    """A council or programme: the top of the tree and the edge of what a director sees."""

    name = models.CharField(max_length=200, unique=True)

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in; `role` says what they may do, `organisation` where."""

    role = models.CharField(
        max_length=20, choices=AccessRole.choices, default=AccessRole.CASEWORKER
    )
    wants_daily_digest = models.BooleanField(
        default=False, help_text="Email a daily digest of open flags (managers and directors)."
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )

    @property
    def is_caseworker(self) -> bool:
        return self.role == AccessRole.CASEWORKER

    @property
    def is_manager(self) -> bool:
        return self.role == AccessRole.MANAGER

    @property
    def is_director(self) -> bool:
        return self.role == AccessRole.DIRECTOR

    @property
    def is_administrator(self) -> bool:
        return self.role == AccessRole.ADMINISTRATOR or self.is_superuser

    @property
    def sees_whole_organisation(self) -> bool:
        return self.is_director or self.is_administrator


class Service(models.Model):
    """A service within an organisation, e.g. children's safeguarding or adult multiple need."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="service_name_unique_in_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TeamQuerySet":
        """Teams the user may see: all in their organisation for directors and administrators,
        the teams they manage for managers, their own team for caseworkers."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser and user.organisation_id is None:
            return self.all()
        if user.sees_whole_organisation:
            return self.filter(service__organisation_id=user.organisation_id)
        if user.is_manager:
            return self.filter(managers=user)
        return self.filter(workers__user=user).distinct()

    def managed_by(self, user) -> "TeamQuerySet":
        """Teams the user may change: managed teams for managers, every team for directors."""
        if not user.is_authenticated:
            return self.none()
        if user.is_manager:
            return self.filter(managers=user)
        if user.sees_whole_organisation:
            return self.visible_to(user)
        return self.none()


class Team(models.Model):
    """A team of workers with a funded establishment, so vacancies are known."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    reference = models.CharField(max_length=50, blank=True, default="")
    establishment_fte = models.DecimalField(
        "establishment (FTE)", max_digits=7, decimal_places=2, default=Decimal("0")
    )
    managers = models.ManyToManyField(User, blank=True, related_name="managed_teams")
    flags_computed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the team's flags were last worked out."
    )

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["service__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="team_name_unique_in_service"),
            models.CheckConstraint(
                condition=Q(establishment_fte__gte=0), name="team_establishment_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("team_detail", args=[self.pk])

    def clean(self) -> None:
        if self.establishment_fte is not None and self.establishment_fte < 0:
            raise ValidationError({"establishment_fte": "The establishment cannot be negative."})


class WorkerQuerySet(models.QuerySet):
    def in_post(self, on=None) -> "WorkerQuerySet":
        """Workers who have started and not left on the date (default today)."""
        return self.filter(in_post_on(on or timezone.localdate()))

    def visible_to(self, user) -> "WorkerQuerySet":
        """Workers in the teams the user may see."""
        return self.filter(team__in=Team.objects.visible_to(user))

    def fte_total(self) -> Decimal:
        return self.aggregate(total=Sum("fte"))["total"] or Decimal("0")


class Worker(models.Model):
    """Someone who holds (or could hold) cases: their role, qualification, FTE and dates."""

    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="worker"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="workers")
    reference = models.CharField(max_length=50, blank=True, default="")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, default="")
    role = models.CharField(max_length=30, choices=WorkerRole.choices)
    qualified = models.BooleanField(
        "social work qualified", default=True, help_text="Holds a social work qualification."
    )
    experience = models.CharField(
        max_length=20, choices=ExperienceBand.choices, default=ExperienceBand.EXPERIENCED
    )
    fte = models.DecimalField("FTE", max_digits=3, decimal_places=2, default=Decimal("1.00"))
    agency = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    leave_date = models.DateField(null=True, blank=True)
    caseload_promise = models.PositiveSmallIntegerField(
        "own caseload promise",
        null=True,
        blank=True,
        help_text="Leave blank to use the default for the worker's role and experience.",
    )
    caseload_promise_reason = models.CharField(
        "why their promise is above the default",
        max_length=300,
        blank=True,
        default="",
        help_text="Needed when a worker's own promise is above the default for their role.",
    )

    history = HistoricalRecords()
    objects = WorkerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fte__gt=0) & Q(fte__lte=1), name="worker_fte_between_0_and_1"
            ),
            models.CheckConstraint(
                condition=Q(leave_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(leave_date__gte=models.F("start_date")),
                name="worker_leaves_after_starting",
            ),
        ]
        indexes = [models.Index(fields=["team", "role"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("worker_detail", args=[self.pk])

    def clean(self) -> None:
        """The constraints a person can hit on a form, said on the field they are about."""
        errors = {}
        if self.fte is not None and not (0 < self.fte <= 1):
            errors["fte"] = "FTE must be more than 0 and at most 1."
        if self.leave_date and self.start_date and self.leave_date < self.start_date:
            errors["leave_date"] = (
                f"The leaving date cannot be before the start date ({self.start_date:%d/%m/%Y})."
            )
        if errors:
            raise ValidationError(errors)


class CapacityReduction(models.Model):
    """A temporary cut to a worker's capacity, as a percentage over a date range."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="reductions")
    percent = models.PositiveSmallIntegerField(
        help_text="1 to 100: how much capacity is taken off."
    )
    reason = models.CharField(max_length=30, choices=ReductionReason.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Leave blank if open-ended.")
    note = models.CharField(max_length=200, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=1) & Q(percent__lte=100),
                name="reduction_percent_between_1_and_100",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="reduction_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.percent}% {self.get_reason_display()}"

    def clean(self) -> None:
        """The constraints a person can hit on a form, said on the field they are about."""
        errors = {}
        if self.percent is not None and not (1 <= self.percent <= 100):
            errors["percent"] = "A reduction is between 1% and 100%."
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The reduction cannot end before it starts."
        if errors:
            raise ValidationError(errors)


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
    override_reason = models.TextField(
        blank=True, default="", help_text="Why the worker's promise or bandwidth was exceeded."
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


class FlagQuerySet(models.QuerySet):
    def open(self) -> "FlagQuerySet":
        return self.filter(resolved_at__isnull=True)

    def visible_to(self, user) -> "FlagQuerySet":
        """Flags in the teams the user may see."""
        return self.filter(team__in=Team.objects.visible_to(user))


class Flag(models.Model):
    """A condition raised by the background jobs about a worker or a case. It opens, may be
    acknowledged by a manager, and resolves by itself when the condition clears. At most one
    open flag per condition per subject, enforced by the database."""

    kind = models.CharField(max_length=30, choices=FlagKind.choices)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="flags")
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    subject_key = models.CharField(max_length=40, help_text="worker:ID or case:ID")
    detail = models.CharField(max_length=200, blank=True, default="")
    opened_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledgement_note = models.TextField(blank=True, default="")
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_key"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_flag_per_condition_and_subject",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("opened_at")),
                name="flag_resolves_after_it_opens",
            ),
        ]
        indexes = [models.Index(fields=["team", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.subject_key})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Notification(models.Model):
    """An in-app message for a manager or director about a flag that opened."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "flag"], name="one_notification_per_flag")
        ]

    def __str__(self) -> str:
        return f"{self.flag} → {self.recipient}"


class TaskRun(models.Model):
    """A record of one background run: what, when, how it ended and what it counted."""

    task = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=TaskOutcome.choices)
    counts = models.JSONField(default=dict, blank=True)
    detail = models.TextField(blank=True, default="")
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Renewed while the run is alive (caseload/core/lease.py)."
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["task", "-started_at"]),
            models.Index(
                fields=["heartbeat_at"], name="taskrun_running", condition=Q(outcome="running")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class TaskLock(models.Model):
    """A claim on a scheduled job, so a second worker skips instead of running it twice. It is
    a lease: the holding run renews `locked_until` while it is alive, so it lapses soon after
    the run's worker dies (caseload/flags/runs.py)."""

    name = models.CharField(max_length=100, primary_key=True)
    locked_until = models.DateTimeField()
    holder = models.CharField(max_length=40, blank=True, default="")

    def __str__(self) -> str:
        return self.name


class ImportRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ImportRunQuerySet":
        """Runs in the administrator's organisation; nobody else sees imports."""
        if not user.is_authenticated or not user.is_administrator:
            return self.none()
        if user.is_superuser and user.organisation_id is None:
            return self.all()
        return self.filter(organisation_id=user.organisation_id)


class ImportRun(models.Model):
    """One import, from an upload or the command line: who, when, which files, what the check
    found (problems, counts) and how the import went. The files stay in IMPORT_DIR, private."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="import_runs"
    )
    started_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="import_runs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_names = models.JSONField(default=list, blank=True)
    stored_as = models.CharField(
        max_length=300, blank=True, default="", help_text="Inside IMPORT_DIR; never served."
    )
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    detail = models.TextField(blank=True, default="")
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the run starts waiting or working, renewed while a worker works on "
        "it; a run in progress whose heartbeat is older than IMPORT_STALE_MINUTES has stopped.",
    )

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("import_detail", args=[self.pk])

    @property
    def totals(self) -> dict:
        return self.counts.get("totals", {})

    @property
    def started_by_name(self) -> str:
        if self.started_by is None:
            return "the command line"
        return self.started_by.get_full_name() or self.started_by.username

    @property
    def has_problems(self) -> bool:
        return self.status == ImportStatus.PROBLEMS

    @property
    def has_failed(self) -> bool:
        return self.status == ImportStatus.FAILED

    @property
    def is_done(self) -> bool:
        return self.status == ImportStatus.DONE

    @property
    def in_progress(self) -> bool:
        return self.status in IMPORT_IN_PROGRESS


class FormToken(models.Model):
    """A one-time form token that has been used: the form it came with was submitted and did
    what it does, and `result_url` is where it led (caseload/core/once.py)."""

    token = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField(default=timezone.now)
    result_url = models.CharField(max_length=500)

    class Meta:
        indexes = [models.Index(fields=["user", "used_at"])]

    def __str__(self) -> str:
        return f"{self.token[:8]}… used {self.used_at:%Y-%m-%d %H:%M}"
