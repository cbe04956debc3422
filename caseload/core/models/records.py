"""What the application records about its own work: flags and their notifications, task runs
and their leases, import runs, one-time form tokens."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..choices import (
    IMPORT_IN_PROGRESS,
    FlagKind,
    ImportStatus,
    TaskOutcome,
)
from .casework import Case
from .people import Organisation, Team, User, Worker


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
    """An in-app message for a manager or director: about a flag that opened, or (with no
    flag) a `message` with a page to go to, e.g. a transfer between teams."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    flag = models.ForeignKey(
        Flag, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    message = models.CharField(
        max_length=300, blank=True, default="", help_text="Names no person supported."
    )
    url = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "flag"], name="one_notification_per_flag")
        ]

    def __str__(self) -> str:
        return f"{self.flag or self.message} → {self.recipient}"


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
