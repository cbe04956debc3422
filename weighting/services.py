"""Writes for weighting: scheme versions, case assessments and the load standards."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from caseload.core import bulk
from caseload.core.choices import DEFAULT_REDUCTION_TYPES, ReductionStatus
from caseload.core.models import (
    CapacityReduction,
    Case,
    Organisation,
    ReductionType,
    User,
    Worker,
)
from caseload.core.recompute import request_team_recompute

from . import scoring, selectors
from .choices import AssessmentStatus, Stage
from .models import (
    AssessmentFactor,
    CaseAssessment,
    Factor,
    FactorOption,
    LoadStandard,
    WeightingScheme,
)

Choice = tuple[str, str]


def check_choices(scheme: WeightingScheme, choices: list[Choice]) -> list[Choice]:
    """Validate factor choices against a scheme version: one option for each single factor,
    any number for a multiple one, nothing unknown. Returns them de-duplicated and sorted."""
    factors = {factor.code: factor for factor in scheme.factor_list}
    options = {
        factor.code: {option.code for option in factor.options.all()}
        for factor in scheme.factor_list
    }
    errors = []
    chosen: dict[str, set[str]] = {}
    for factor, option in choices:
        if factor not in factors or option not in options[factor]:
            errors.append(f"'{option}' is not an option for '{factor}' in this scheme.")
            continue
        chosen.setdefault(factor, set()).add(option)
    for code, scheme_factor in factors.items():
        picked = chosen.get(code, set())
        if not scheme_factor.multiple and len(picked) != 1:
            errors.append(f"Choose one option for {scheme_factor.label.lower()}.")
    if errors:
        raise ValidationError(errors)
    return sorted((f, o) for f, picked in chosen.items() for o in picked)


def _write_lines(assessment: CaseAssessment, stage: str, choices: list[Choice]) -> None:
    AssessmentFactor.objects.bulk_create(
        [
            AssessmentFactor(assessment=assessment, stage=stage, factor=f, option=o)
            for f, o in choices
        ]
    )


def _no_longer_current(case_ids: list[int]) -> None:
    """The cases' current assessments stop being current (a newer one is about to be saved)."""
    CaseAssessment.objects.filter(case_id__in=case_ids, is_current=True).update(is_current=False)


@transaction.atomic
def assessment_propose(*, case: Case, by: User | None, choices: list[Choice]) -> CaseAssessment:
    """A worker proposes the case's factors. The new proposal becomes the current assessment;
    earlier ones are kept. Until a supervisor agrees, the proposed points count."""
    case = Case.objects.select_for_update().select_related("team__service").get(pk=case.pk)
    if by is not None and not selectors.can_propose(by, case):
        raise PermissionDenied("Only the team's workers and manager can propose factors.")
    scheme = selectors.scheme_in_force(case.team.service.organisation_id)
    choices = check_choices(scheme, choices)
    _no_longer_current([case.pk])
    assessment = CaseAssessment(
        case=case, is_current=True, proposed_by=by, proposed_at=timezone.now()
    )
    assessment.full_clean()
    assessment.save()
    _write_lines(assessment, Stage.PROPOSED, choices)
    request_team_recompute(case.team_id)
    return assessment


@transaction.atomic
def assessment_agree(
    *,
    assessment: CaseAssessment,
    by: User | None,
    choices: list[Choice] | None = None,
    note: str = "",
) -> CaseAssessment:
    """The supervisor agrees the proposal, or amends it with a note. Both are kept."""
    assessment = (
        CaseAssessment.objects.select_for_update()
        .select_related("case__team__service")
        .get(pk=assessment.pk)
    )
    case = assessment.case
    if by is not None and not selectors.can_agree(by, case):
        raise PermissionDenied("Only the team's manager can agree factors.")
    if not assessment.is_current:
        raise ValidationError("A newer assessment has been proposed; agree that one instead.")
    if assessment.is_agreed and not assessment.needs_review:
        raise ValidationError("This assessment is already agreed.")
    proposed = sorted(
        assessment.factor_lines.filter(stage=Stage.PROPOSED).values_list("factor", "option")
    )
    scheme = selectors.scheme_in_force(case.team.service.organisation_id)
    agreed = check_choices(scheme, choices) if choices is not None else list(proposed)
    amended = agreed != [tuple(p) for p in proposed]
    if amended and not note.strip():
        raise ValidationError({"note": "Say why you changed the proposed factors."})
    assessment.factor_lines.filter(stage=Stage.AGREED).delete()
    _write_lines(assessment, Stage.AGREED, agreed)
    assessment.status = AssessmentStatus.AMENDED if amended else AssessmentStatus.AGREED
    assessment.agreed_by = by
    assessment.agreed_at = timezone.now()
    assessment.agreement_note = note.strip()
    assessment.needs_review = False
    assessment.review_reason = ""
    assessment.full_clean()
    assessment.save()
    request_team_recompute(case.team_id)
    return assessment


def assessments_record_agreed(
    *, choices: dict[int, list[Choice]], by: User | None, at, note: str
) -> None:
    """The bulk form of proposing and agreeing factors in one step, for the import: for each
    case id, a new assessment with these choices both proposed and agreed becomes the current
    one; earlier ones are kept. The caller has checked the choices against the scheme in force
    (`check_choices` one case at a time) and requests the teams' recompute."""
    if not choices:
        return
    _no_longer_current(list(choices))
    rows = [
        CaseAssessment(
            case_id=case_id,
            is_current=True,
            status=AssessmentStatus.AGREED,
            proposed_by=by,
            proposed_at=at,
            agreed_by=by,
            agreed_at=at,
            agreement_note=note,
        )
        for case_id in choices
    ]
    bulk.insert(CaseAssessment, rows, history=True, user=by, reason=note)
    lines = [
        (row.pk, stage, factor, option)
        for row in rows
        for stage in (Stage.PROPOSED.value, Stage.AGREED.value)
        for factor, option in choices[row.case_id]
    ]
    bulk.insert_rows(AssessmentFactor, ["assessment_id", "stage", "factor", "option"], lines)


# The factors whose option the case itself determines: they follow the case when it changes.
CASE_FACTORS = {"case_type": "case_type", "court": "court"}


@transaction.atomic
def assessment_follow_case(*, case: Case, by: User | None, reason: str) -> CaseAssessment | None:
    """When a case's type or court work changes, its current factors follow: a new proposal
    with the case-determined options replaced and every other choice kept, marked for review
    with `reason`, for the supervisor to agree. Until then its points count (as any proposal's
    do). Returns the new proposal, or None when there is no assessment or nothing differs."""
    current = (
        CaseAssessment.objects.filter(case=case, is_current=True).prefetch_related("factor_lines")
    ).first()
    if current is None:
        return None
    stage = Stage.AGREED if current.is_agreed else Stage.PROPOSED
    counted = sorted((x.factor, x.option) for x in current.factor_lines.all() if x.stage == stage)
    scheme = selectors.scheme_in_force(case.team.service.organisation_id)
    known = {factor.code for factor in scheme.factor_list}
    follows = {code: getattr(case, attr) for code, attr in CASE_FACTORS.items() if code in known}
    choices = sorted([(f, o) for f, o in counted if f not in follows] + list(follows.items()))
    if choices == counted:
        return None
    _no_longer_current([case.pk])
    proposal = CaseAssessment(
        case=case,
        is_current=True,
        proposed_by=by,
        proposed_at=timezone.now(),
        needs_review=True,
        review_reason=reason[:200],
    )
    proposal.full_clean()
    proposal.save()
    _write_lines(proposal, Stage.PROPOSED, check_choices(scheme, choices))
    request_team_recompute(case.team_id)
    return proposal


@transaction.atomic
def assessment_mark_needs_review(*, case: Case, reason: str) -> int:
    """Flag the case's current assessment for review (its type, need or court changed)."""
    return CaseAssessment.objects.filter(case=case, is_current=True).update(
        needs_review=True, review_reason=reason[:200]
    )


@transaction.atomic
def scheme_version_create(
    *,
    organisation: Organisation,
    by: User | None,
    in_force_from: date,
    points: dict[Choice, int],
    note: str = "",
) -> WeightingScheme:
    """Save a new version of the organisation's scheme, in force from a date (today or later).

    The structure is copied from the version in force now; only the points change. Earlier
    versions are untouched, so past weights and reports stay as they were.
    """
    if in_force_from < timezone.localdate():
        raise ValidationError(
            {"in_force_from": "A new version cannot start in the past: that would rewrite history."}
        )
    base = selectors.scheme_in_force(organisation.pk)
    if any(value < 0 or value > 50 for value in points.values()):
        raise ValidationError("Points must be between 0 and 50.")
    latest = WeightingScheme.objects.filter(organisation=organisation).order_by("-version").first()
    default_latest = (
        WeightingScheme.objects.filter(organisation__isnull=True).order_by("-version").first()
    )
    version = (
        max(latest.version if latest else 0, default_latest.version if default_latest else 0) + 1
    )
    scheme = WeightingScheme(
        organisation=organisation,
        version=version,
        in_force_from=in_force_from,
        note=note,
        created_by=by,
    )
    scheme.full_clean()
    scheme.save()
    for factor in base.factor_list:
        new_factor = Factor.objects.create(
            scheme=scheme,
            code=factor.code,
            label=factor.label,
            multiple=factor.multiple,
            order=factor.order,
        )
        FactorOption.objects.bulk_create(
            [
                FactorOption(
                    factor=new_factor,
                    code=option.code,
                    label=option.label,
                    order=option.order,
                    points=points.get((factor.code, option.code), option.points),
                )
                for option in factor.options.all()
            ]
        )
    return scheme


@transaction.atomic
def standard_update(
    *,
    organisation: Organisation,
    kind: str,
    band_bottom: int,
    band_top: int,
    caseload_promise: int,
    by: User | None = None,
) -> LoadStandard:
    """Set the organisation's bandwidth and promise for one kind of worker (history kept)."""
    standard, _ = LoadStandard.objects.get_or_create(
        organisation=organisation,
        kind=kind,
        defaults={
            "band_bottom": band_bottom,
            "band_top": band_top,
            "caseload_promise": caseload_promise,
        },
    )
    standard.band_bottom, standard.band_top = band_bottom, band_top
    standard.caseload_promise = caseload_promise
    if band_top <= band_bottom:
        raise ValidationError({"band_top": "The top of the band must be above its bottom."})
    standard.full_clean()
    standard.save()
    return standard


@transaction.atomic
def reduction_create(
    *,
    worker: Worker,
    by: User | None,
    type: ReductionType,
    starts_on: date,
    percent: int | None = None,
    ends_on: date | None = None,
    note: str = "",
) -> CapacityReduction:
    """Reduce a worker's capacity by a percentage over a date range, of a type: the type's
    default percentage and length where none is given, never above its maximum. Its status is
    set from the dates; the team's recompute is asked for."""
    if type.organisation_id != worker.team.service.organisation_id or not type.active:
        raise ValidationError({"type": "Choose one of your organisation's reduction types."})
    percent = type.default_percent if percent is None else percent
    if percent > type.maximum_percent:
        raise ValidationError(
            {"percent": f"A {type.name.lower()} reduction is at most {type.maximum_percent}%."}
        )
    if ends_on is None:
        ends_on = scoring.reduction_end_date(starts_on, type.default_days)
    reduction = CapacityReduction(
        worker=worker,
        type=type,
        percent=percent,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        status=scoring.reduction_status(starts_on, ends_on, timezone.localdate()),
    )
    reduction.full_clean()
    reduction.save()
    request_team_recompute(worker.team_id)
    return reduction


@transaction.atomic
def reduction_end(*, reduction, ends_on: date, by: User | None = None):
    """End a capacity reduction on a date (kept in history, never deleted)."""
    if ends_on < reduction.starts_on:
        raise ValidationError({"ends_on": "The reduction cannot end before it starts."})
    reduction.ends_on = ends_on
    reduction.status = scoring.reduction_status(reduction.starts_on, ends_on, timezone.localdate())
    reduction.full_clean()
    reduction.save()
    request_team_recompute(reduction.worker.team_id)
    return reduction


def reductions_advance(*, today: date | None = None) -> dict:
    """The scheduled job: move every reduction whose day has come from scheduled to in force,
    and from in force (or scheduled, if it was short) to ended, each change written with its
    history; then ask for the recompute of every team touched. Running it twice changes
    nothing the second time."""
    today = today or timezone.localdate()
    due = CapacityReduction.objects.filter(
        Q(status=ReductionStatus.SCHEDULED, starts_on__lte=today)
        | Q(status__in=[ReductionStatus.SCHEDULED, ReductionStatus.IN_FORCE], ends_on__lt=today)
    ).select_related("worker")
    moved: list[CapacityReduction] = []
    counts = {"started": 0, "ended": 0}
    for reduction in due:
        status = scoring.reduction_status(reduction.starts_on, reduction.ends_on, today)
        if status == reduction.status:
            continue
        counts["ended" if status == ReductionStatus.ENDED else "started"] += 1
        reduction.status = status
        moved.append(reduction)
    with transaction.atomic():
        if moved:
            bulk_update_with_history(
                moved,
                CapacityReduction,
                ["status"],
                default_change_reason="The scheduled job: the reduction's day came.",
            )
        for team_id in sorted({r.worker.team_id for r in moved}):
            request_team_recompute(team_id)
    return {**counts, "teams": len({r.worker.team_id for r in moved})}


@transaction.atomic
def reduction_types_install_defaults(*, organisation: Organisation) -> int:
    """Give an organisation the default reduction types it does not have yet (by name)."""
    have = set(organisation.reduction_types.values_list("name", flat=True))
    made = [
        ReductionType(
            organisation=organisation,
            name=name,
            default_percent=default,
            maximum_percent=maximum,
            default_days=days,
        )
        for name, default, maximum, days in DEFAULT_REDUCTION_TYPES
        if name not in have
    ]
    for kind in made:
        kind.full_clean()
        kind.save()
    return len(made)


@transaction.atomic
def reduction_type_save(
    *,
    organisation: Organisation,
    by: User | None,
    name: str,
    default_percent: int,
    maximum_percent: int,
    default_days: int | None,
    active: bool,
    kind: ReductionType | None = None,
) -> ReductionType:
    """Add a reduction type, or change one (`kind`); existing reductions keep their percentage
    and dates. Directors and administrators only (the caller checks)."""
    if kind is not None and kind.organisation_id != organisation.pk:
        raise PermissionDenied("That type belongs to another organisation.")
    kind = kind or ReductionType(organisation=organisation)
    clash = ReductionType.objects.filter(organisation=organisation, name__iexact=name.strip())
    if clash.exclude(pk=kind.pk).exists():
        raise ValidationError({"name": "There is already a type of this name."})
    kind.name = name.strip()
    kind.default_percent = default_percent
    kind.maximum_percent = maximum_percent
    kind.default_days = default_days
    kind.active = active
    kind.full_clean()
    kind.save()
    return kind
