"""The organisation, its services and teams, the workers in them, their capacity reductions and
the users who sign in."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..choices import (
    AccessRole,
    ExperienceBand,
    ReductionStatus,
    WorkerRole,
)
from ..dates import in_post_on


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


class ReductionType(models.Model):
    """A kind of capacity reduction, kept by the organisation's directors: its default
    percentage, the most it may be, and how long it usually lasts (blank: open-ended)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="reduction_types"
    )
    name = models.CharField(max_length=100)
    default_percent = models.PositiveSmallIntegerField("default (%)")
    maximum_percent = models.PositiveSmallIntegerField("maximum (%)")
    default_days = models.PositiveSmallIntegerField(
        "default length (days)", null=True, blank=True, help_text="Leave blank if open-ended."
    )
    active = models.BooleanField(default=True, help_text="Offered for new reductions.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="reduction_type_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(default_percent__gte=1)
                & Q(default_percent__lte=models.F("maximum_percent"))
                & Q(maximum_percent__lte=100),
                name="reduction_type_default_within_maximum",
            ),
            models.CheckConstraint(
                condition=Q(default_days__isnull=True) | Q(default_days__gte=1),
                name="reduction_type_length_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The constraints a person can hit on a form, said on the field they are about."""
        errors = {}
        if self.maximum_percent is not None and not (1 <= self.maximum_percent <= 100):
            errors["maximum_percent"] = "The maximum is between 1% and 100%."
        if (
            self.default_percent is not None
            and self.maximum_percent is not None
            and not (1 <= self.default_percent <= self.maximum_percent)
        ):
            errors["default_percent"] = "The default is at least 1% and at most the maximum."
        if self.default_days is not None and self.default_days < 1:
            errors["default_days"] = "A length is at least one day; leave it blank if open-ended."
        if errors:
            raise ValidationError(errors)


class CapacityReduction(models.Model):
    """A temporary cut to a worker's capacity, as a percentage over a date range, of a type.
    `status` is kept by the scheduled job (scheduled, in force, ended)."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="reductions")
    type = models.ForeignKey(ReductionType, on_delete=models.PROTECT, related_name="reductions")
    percent = models.PositiveSmallIntegerField(
        help_text="1 to 100: how much capacity is taken off."
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Leave blank if open-ended.")
    status = models.CharField(
        max_length=20, choices=ReductionStatus.choices, default=ReductionStatus.SCHEDULED
    )
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
        return f"{self.percent}% {self.type}"

    def clean(self) -> None:
        """The constraints a person can hit on a form, said on the field they are about."""
        errors = {}
        if self.percent is not None and not (1 <= self.percent <= 100):
            errors["percent"] = "A reduction is between 1% and 100%."
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The reduction cannot end before it starts."
        if errors:
            raise ValidationError(errors)
