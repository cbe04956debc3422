"""Weighting schemes (versioned), case assessments, and the bandwidth and promise standards."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Case as DBCase
from django.db.models import OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from simple_history.models import HistoricalRecords

from caseload.core.dates import end_of_day
from caseload.core.models import Case, Organisation

from .choices import AssessmentStatus, Stage, StandardKind


class WeightingScheme(models.Model):
    """One version of a weighting scheme, in force from a date until the next version.

    A version is never edited once saved: a change is a new version, so past weights stay as
    they were. `organisation` is empty for the product's default scheme.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="schemes"
    )
    version = models.PositiveIntegerField()
    in_force_from = models.DateField()
    note = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Attached by `selectors.with_factors`: the version's factors, their options prefetched.
    factor_list: list["Factor"]

    class Meta:
        ordering = ["-in_force_from", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="scheme_version_unique_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(organisation__isnull=True),
                name="default_scheme_version_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.version} (from {self.in_force_from:%d %b %Y})"


class Factor(models.Model):
    """A factor in a scheme version, e.g. case type or travel; `multiple` allows several
    options at once (extra complexity)."""

    scheme = models.ForeignKey(WeightingScheme, on_delete=models.CASCADE, related_name="factors")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=100)
    multiple = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="factor_code_unique_in_scheme")
        ]

    def __str__(self) -> str:
        return self.label


class FactorOption(models.Model):
    """One answer to a factor and the points it carries in this version."""

    factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="options")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=100)
    points = models.PositiveSmallIntegerField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["factor", "code"], name="option_code_unique_in_factor"),
            models.CheckConstraint(condition=Q(points__lte=50), name="option_points_at_most_50"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.points})"


class CaseAssessmentQuerySet(models.QuerySet):
    def current(self) -> "CaseAssessmentQuerySet":
        return self.filter(is_current=True)

    def in_force_on(self, on: date) -> "CaseAssessmentQuerySet":
        """Each case's assessment in force on the day, annotated with `stage_on`: the stage
        whose choices count then (agreed once agreed by the end of the day, else proposed).

        The newest proposal is the one in force; for today that is the current row (kept so by
        the services), for a past day the last one proposed by then."""
        end = end_of_day(on)
        if on >= timezone.localdate():
            rows = self.filter(is_current=True)
        else:
            latest = (
                CaseAssessment.objects.filter(case_id=OuterRef("case_id"), proposed_at__lt=end)
                .order_by("-proposed_at", "-pk")
                .values("pk")[:1]
            )
            rows = self.filter(proposed_at__lt=end, pk=Subquery(latest))
        return rows.annotate(
            stage_on=DBCase(
                When(agreed_at__lt=end, then=Value(Stage.AGREED.value)),
                default=Value(Stage.PROPOSED.value),
                output_field=models.CharField(),
            )
        )


class CaseAssessment(models.Model):
    """The factors chosen for a case: proposed by a worker, agreed or amended by a supervisor.

    A new proposal makes a new row and the previous one stops being current, so every
    assessment is kept. Factor choices are stored as codes so any scheme version can score them.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    is_current = models.BooleanField(default=True)
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField()
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreement_note = models.TextField(blank=True, default="")
    needs_review = models.BooleanField(default=False)
    review_reason = models.CharField(max_length=200, blank=True, default="")

    history = HistoricalRecords()
    objects = CaseAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(is_current=True),
                name="one_current_assessment_per_case",
            ),
            models.CheckConstraint(
                condition=Q(status=AssessmentStatus.PROPOSED) | (Q(agreed_at__isnull=False)),
                name="agreed_assessment_has_a_date",
            ),
        ]
        indexes = [models.Index(fields=["case", "is_current"])]

    def __str__(self) -> str:
        return f"Assessment of {self.case} ({self.get_status_display()})"

    @property
    def is_agreed(self) -> bool:
        return self.status != AssessmentStatus.PROPOSED


class AssessmentFactor(models.Model):
    """One factor choice in an assessment, at the proposed or agreed stage."""

    assessment = models.ForeignKey(
        CaseAssessment, on_delete=models.CASCADE, related_name="factor_lines"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices)
    factor = models.SlugField(max_length=40)
    option = models.SlugField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "stage", "factor", "option"], name="assessment_choice_once"
            )
        ]
        indexes = [models.Index(fields=["assessment", "stage"])]

    def __str__(self) -> str:
        return f"{self.factor}={self.option} ({self.stage})"


class LoadStandard(models.Model):
    """The bandwidth (points per 1.0 FTE) and caseload promise for one kind of worker.

    Rows without an organisation are the product defaults; an organisation's own rows override
    them. Every change is kept with who made it and when.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="standards"
    )
    kind = models.CharField(max_length=20, choices=StandardKind.choices)
    band_bottom = models.PositiveSmallIntegerField("bandwidth from (points per FTE)")
    band_top = models.PositiveSmallIntegerField("bandwidth to (points per FTE)")
    caseload_promise = models.PositiveSmallIntegerField("caseload promise (cases per FTE)")

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind"], name="standard_unique_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(organisation__isnull=True),
                name="default_standard_unique",
            ),
            models.CheckConstraint(
                condition=Q(band_top__gt=models.F("band_bottom")), name="band_top_above_bottom"
            ),
        ]

    def __str__(self) -> str:
        band = f"{self.band_bottom}–{self.band_top}"
        return f"{self.get_kind_display()}: {band}, promise {self.caseload_promise}"
