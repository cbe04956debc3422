"""Read paths for weighting: the scheme in force, standards, case weights and worker loads.

Every function here loads in bulk with a fixed number of queries, whatever the number of
cases or workers, and hands plain data to the pure rules in `scoring.py`.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from caseload.core.access import manages_team
from caseload.core.choices import ExperienceBand, WorkerRole
from caseload.core.dates import end_of_day
from caseload.core.models import CapacityReduction, Case, ReductionType, Team, Worker
from caseload.core.selectors import current_allocations

from . import scoring
from .choices import AssessmentStatus, Stage, StandardKind
from .models import (
    AssessmentFactor,
    CaseAssessment,
    Factor,
    LoadStandard,
    WeightingScheme,
)

# --- Schemes -----------------------------------------------------------------------------------


def schemes_for(organisation_id) -> list[WeightingScheme]:
    """Every version that applies to the organisation, newest first: the product default
    until the organisation's own first version starts, then its own versions. One query."""
    rows = list(
        WeightingScheme.objects.filter(
            Q(organisation_id=organisation_id) | Q(organisation__isnull=True)
        )
    )
    own = [s for s in rows if s.organisation_id is not None]
    defaults = [s for s in rows if s.organisation_id is None]
    if own:
        first = min(s.in_force_from for s in own)
        own += [s for s in defaults if s.in_force_from < first]
    else:
        own = defaults
    return sorted(own, key=lambda s: (s.in_force_from, s.version), reverse=True)


def scheme_in_force(
    organisation_id, on: date | None = None, *, factors: bool = True
) -> WeightingScheme:
    """The version in force for the organisation on the date, with factors and options
    (unless `factors=False`)."""
    on = on or timezone.localdate()
    versions = schemes_for(organisation_id)
    candidates = [s for s in versions if s.in_force_from <= on] or versions[-1:]
    chosen = max(candidates, key=lambda s: (s.in_force_from, s.version))
    return with_factors(chosen) if factors else chosen


def with_factors(scheme: WeightingScheme) -> WeightingScheme:
    """Attach factors and their options to a scheme (two queries the first time this process
    reads the version, none after: see `_factors_of`)."""
    scheme.factor_list = _factors_of(scheme.pk, scheme.created_at)
    return scheme


@lru_cache(maxsize=64)
def _factors_of(scheme_pk: int, created_at) -> list[Factor]:
    """A version's factors with their options, read once per process. A version never changes
    once saved (`services.scheme_version_create` writes it whole in one transaction; a change
    of points is a new version), so what was read stays true; the creation time in the key
    keeps a database that reuses ids (SQLite after a rollback) from being served another
    version's factors. Callers only read the list."""
    return list(
        Factor.objects.filter(scheme_id=scheme_pk).prefetch_related("options").order_by("order")
    )


def points_table(scheme: WeightingScheme) -> dict[tuple[str, str], int]:
    """(factor code, option code) → points for a scheme version with factors attached."""
    return {
        (factor.code, option.code): option.points
        for factor in scheme.factor_list
        for option in factor.options.all()
    }


def labels_table(scheme: WeightingScheme) -> dict[tuple[str, str], tuple[str, str]]:
    """(factor code, option code) → (factor label, option label)."""
    return {
        (factor.code, option.code): (factor.label, option.label)
        for factor in scheme.factor_list
        for option in factor.options.all()
    }


# --- Standards ---------------------------------------------------------------------------------


def standards_for(organisation_id) -> dict[str, LoadStandard]:
    """Bandwidth and promise per kind of worker: the organisation's own, else the default."""
    rows = LoadStandard.objects.filter(
        Q(organisation_id=organisation_id) | Q(organisation__isnull=True)
    )
    chosen: dict[str, LoadStandard] = {}
    for row in sorted(rows, key=lambda r: r.organisation_id is not None):
        chosen[row.kind] = row  # the organisation's row, sorted last, wins
    return chosen


def standard_kind(worker: Worker) -> str:
    """Which standard applies to a worker, from their role and experience."""
    if worker.role in (WorkerRole.TEAM_MANAGER, WorkerRole.HEAD_OF_SERVICE):
        return StandardKind.MANAGER
    if worker.role == WorkerRole.SUPPORT_WORKER:
        return StandardKind.SUPPORT_WORKER
    if worker.role == WorkerRole.CASEWORKER:
        return StandardKind.ADULT_CASEWORKER
    if worker.experience == ExperienceBand.NEWLY_QUALIFIED:
        return StandardKind.NEWLY_QUALIFIED
    return StandardKind.EXPERIENCED


def default_promise(worker: Worker) -> int:
    """The promise the worker would have without one of their own: their role's default
    scaled by their FTE."""
    standard = standards_for(worker.team.service.organisation_id)[standard_kind(worker)]
    return scoring.caseload_promise(standard.caseload_promise, worker.fte)


# --- Case weights ------------------------------------------------------------------------------


@dataclass
class CaseWeight:
    """A case's points on a date and why: the breakdown, the stage and any prompts."""

    points: scoring.CasePoints
    assessment: CaseAssessment | None
    scheme: WeightingScheme
    status: str  # "none", or an AssessmentStatus value
    needs_review: bool = False
    stale: bool = False
    labels: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.points.total

    @property
    def awaiting_agreement(self) -> bool:
        return self.status == AssessmentStatus.PROPOSED

    @property
    def breakdown(self) -> list[tuple[str, str, int]]:
        """(factor label, option label, points) lines, for the "why" table."""
        return [
            (*self.labels.get((line.factor, line.option), (line.factor, line.option)), line.points)
            for line in self.points.lines
        ]


def stale_after() -> timedelta:
    """How old an agreed assessment may be before it is stale (ASSESSMENT_STALE_WEEKS)."""
    return timedelta(weeks=settings.ASSESSMENT_STALE_WEEKS)


def assessments_on(case_ids, on: date) -> dict[int, CaseAssessment]:
    """The assessment in force for each case on the date, with its factor lines attached."""
    rows = list(CaseAssessment.objects.in_force_on(on).filter(case_id__in=case_ids))
    lines = AssessmentFactor.objects.filter(assessment__in=[r.pk for r in rows]).values_list(
        "assessment_id", "stage", "factor", "option"
    )
    by_assessment: dict[int, dict[str, list[tuple[str, str]]]] = {}
    for assessment_id, stage, factor, option in lines:
        by_assessment.setdefault(assessment_id, {}).setdefault(stage, []).append((factor, option))
    for row in rows:
        stages = by_assessment.get(row.pk, {})
        row.choices_on = stages.get(row.stage_on, [])
        row.proposed_choices = stages.get(Stage.PROPOSED, [])
        row.agreed_choices = stages.get(Stage.AGREED, [])
        row.agreed_by_then = row.stage_on == Stage.AGREED
    return {row.case_id: row for row in rows}


def _score(choices, table) -> scoring.CasePoints:
    """Points for the choices the version knows, in the scheme's own factor order."""
    order = {pair: index for index, pair in enumerate(table)}
    known = sorted((pair for pair in choices if pair in table), key=order.__getitem__)
    return scoring.case_points(known, table)


def case_weights(cases, organisation_id, on: date | None = None) -> dict[int, CaseWeight]:
    """Each case's weight on the date under the scheme then in force (five queries)."""
    on = on or timezone.localdate()
    case_ids = [c.pk if hasattr(c, "pk") else c for c in cases]
    scheme = scheme_in_force(organisation_id, on)
    table, labels = points_table(scheme), labels_table(scheme)
    assessments = assessments_on(case_ids, on)
    weights = {}
    for case_id in case_ids:
        assessment = assessments.get(case_id)
        if assessment is None:
            weights[case_id] = CaseWeight(
                scoring.CasePoints(0, ()), None, scheme, "none", labels=labels
            )
            continue
        status = assessment.status if assessment.agreed_by_then else AssessmentStatus.PROPOSED
        stale = bool(
            assessment.agreed_by_then and assessment.agreed_at < end_of_day(on) - stale_after()
        )
        weights[case_id] = CaseWeight(
            points=_score(assessment.choices_on, table),
            assessment=assessment,
            scheme=scheme,
            status=status,
            needs_review=assessment.needs_review,
            stale=stale,
            labels=labels,
        )
    return weights


# --- Who may do what ---------------------------------------------------------------------------


def can_propose(user, case: Case) -> bool:
    """The case holder, a caseworker in the team, or the team's manager may propose factors."""
    if not case.is_open:
        return False
    if manages_team(user, case.team_id):
        return True
    return user.is_caseworker and Worker.objects.filter(user=user, team_id=case.team_id).exists()


def can_agree(user, case: Case) -> bool:
    """Only a manager of the case's team (the supervisor) may agree or amend factors."""
    return case.is_open and manages_team(user, case.team_id)


def case_assessment_history(case: Case, labels: dict | None = None) -> list[CaseAssessment]:
    """Every assessment of a case, newest first, with both stages' choices as readable
    "Factor: option" text (labels from `labels_table`)."""
    labels = labels or {}

    def readable(pairs):
        return ["{}: {}".format(*labels.get(pair, pair)) for pair in sorted(pairs)]

    rows = list(
        case.assessments.select_related("proposed_by", "agreed_by").prefetch_related(
            Prefetch("factor_lines", queryset=AssessmentFactor.objects.order_by("factor", "option"))
        )
    )
    for row in rows:
        lines = list(row.factor_lines.all())
        row.proposed_choices = [(x.factor, x.option) for x in lines if x.stage == Stage.PROPOSED]
        row.agreed_choices = [(x.factor, x.option) for x in lines if x.stage == Stage.AGREED]
        row.disagrees = row.is_agreed and sorted(row.proposed_choices) != sorted(row.agreed_choices)
        row.proposed_text = readable(row.proposed_choices)
        row.agreed_text = readable(row.agreed_choices)
    return rows


def weight_under_versions(
    case: Case, weight: CaseWeight
) -> list[tuple[WeightingScheme, int, bool]]:
    """The case's current choices scored under every version in force during its life (and any
    version starting later): (version, points, is the one in force today)."""
    if weight.assessment is None:
        return []
    versions = sorted(schemes_for(case.team.service.organisation_id), key=lambda s: s.in_force_from)
    rows = []
    for index, version in enumerate(versions):
        ends = versions[index + 1].in_force_from if index + 1 < len(versions) else None
        if ends is not None and ends <= case.opened_on:
            continue
        table = points_table(with_factors(version))
        rows.append(
            (
                version,
                _score(weight.assessment.choices_on, table).total,
                version.pk == weight.scheme.pk,
            )
        )
    return rows if len(rows) > 1 else []


def team_cases_needing_attention(team: Team, *, today: date | None = None) -> list[Case]:
    """The team's open cases whose factors are not settled today, each with `weight` and
    `current` (holder); those needing review first, then the oldest proposal.

    Settled: the assessment in force today was agreed (or amended) by today, needs no review
    and was agreed within `stale_after()`; anything else (no factors, awaiting agreement,
    review, stale) needs attention. The database picks the cases, so only they are weighed."""
    today = today or timezone.localdate()
    end = end_of_day(today)
    settled = (
        CaseAssessment.objects.current()
        .filter(case_id=OuterRef("pk"), needs_review=False)
        .filter(agreed_at__lt=end, agreed_at__gte=end - stale_after())
        .exclude(status=AssessmentStatus.PROPOSED)
    )
    cases = list(
        Case.objects.open().filter(team=team).filter(~Exists(settled)).select_related("participant")
    )
    weights = case_weights(cases, team.service.organisation_id, today)
    holders = current_allocations([c.pk for c in cases])
    for case in cases:
        case.weight = weights[case.pk]
        case.current = holders.get(case.pk)
    return sorted(
        cases,
        key=lambda c: (
            not c.weight.needs_review,
            c.weight.assessment.proposed_at if c.weight.assessment else timezone.now(),
            c.pk,
        ),
    )


def estimated_points(case: Case, weight: CaseWeight) -> int:
    """The case's points, or before any factors are proposed an estimate from its type and
    court work under the scheme in force (so a new case is not treated as weightless)."""
    if weight.assessment is not None:
        return weight.total
    table = points_table(weight.scheme)
    return table.get(("case_type", case.case_type), 0) + table.get(("court", case.court), 0)


# --- Capacity reductions: their types, and the changes coming ----------------------------------

# A manager's team page lists reductions starting or ending within this many days.
REDUCTION_LOOKAHEAD_DAYS = 28


def reduction_types_for(organisation_id: int, *, active_only: bool = False):
    """The organisation's reduction types, by name (only those offered, with `active_only`)."""
    types = ReductionType.objects.filter(organisation_id=organisation_id).order_by("name")
    return types.filter(active=True) if active_only else types


def next_reduction_change(worker: Worker, *, today: date | None = None):
    """The next day the worker's capacity changes because a reduction starts or ends
    (`scoring.next_reduction_change`), or None. One query."""
    today = today or timezone.localdate()
    rows = worker.reductions.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).values_list(
        "type__name", "percent", "starts_on", "ends_on"
    )
    return scoring.next_reduction_change(rows, today)


@dataclass(frozen=True)
class ComingReduction:
    """A reduction of a team member that starts or ends soon, on `on`."""

    on: date
    starts: bool
    reduction: CapacityReduction


def reductions_changing(team: Team, *, today: date | None = None) -> list[ComingReduction]:
    """Reductions of the team's workers in post that start, or end (the day after their last
    day), after today and within REDUCTION_LOOKAHEAD_DAYS, soonest first. One query."""
    today = today or timezone.localdate()
    until = today + timedelta(days=REDUCTION_LOOKAHEAD_DAYS)
    rows = (
        CapacityReduction.objects.filter(worker__in=team.workers.in_post(today))
        .filter(
            Q(starts_on__gt=today, starts_on__lte=until) | Q(ends_on__gte=today, ends_on__lt=until)
        )
        .select_related("worker", "type")
    )
    coming = []
    for row in rows:
        if today < row.starts_on <= until:
            coming.append(ComingReduction(row.starts_on, True, row))
        if row.ends_on is not None and today <= row.ends_on < until:
            coming.append(ComingReduction(row.ends_on + timedelta(days=1), False, row))
    return sorted(coming, key=lambda c: (c.on, c.reduction.worker.name))
