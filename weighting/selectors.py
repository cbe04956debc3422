"""Read paths for weighting: the scheme in force, standards, case weights and worker loads.

Every function here loads in bulk with a fixed number of queries, whatever the number of
cases or workers, and hands plain data to the pure rules in `scoring.py`.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone

from caseload.access import manages_team
from caseload.choices import CaseStatus, ExperienceBand, WorkerRole
from caseload.models import Allocation, CapacityReduction, Case, Service, Team, Worker

from . import scoring
from .choices import AssessmentStatus, Stage, StandardKind
from .models import (
    AssessmentFactor,
    CaseAssessment,
    Factor,
    FactorOption,
    LoadStandard,
    WeightingScheme,
)

# --- Schemes -----------------------------------------------------------------------------------


def schemes_for(organisation_id) -> list[WeightingScheme]:
    """Every version that applies to the organisation, newest first: the product default
    until the organisation's own first version starts, then its own versions."""
    own = list(WeightingScheme.objects.filter(organisation_id=organisation_id))
    defaults = WeightingScheme.objects.filter(organisation__isnull=True)
    if own:
        first = min(s.in_force_from for s in own)
        own += list(defaults.filter(in_force_from__lt=first))
    else:
        own = list(defaults)
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
    """Attach factors and their options to a scheme (two queries)."""
    scheme.factor_list = list(
        Factor.objects.filter(scheme=scheme).prefetch_related("options").order_by("order")
    )
    return scheme


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


def _end_of(on: date) -> datetime:
    return timezone.make_aware(datetime.combine(on + timedelta(days=1), time.min))


def stale_after() -> timedelta:
    """How old an agreed assessment may be before it is stale (ASSESSMENT_STALE_WEEKS)."""
    return timedelta(weeks=settings.ASSESSMENT_STALE_WEEKS)


def assessments_on(case_ids, on: date) -> dict[int, CaseAssessment]:
    """The assessment in force for each case on the date, with its factor lines attached."""
    today = timezone.localdate()
    query = CaseAssessment.objects.filter(case_id__in=case_ids)
    if on >= today:
        rows = list(query.filter(is_current=True))
    else:
        latest: dict[int, CaseAssessment] = {}
        for row in query.filter(proposed_at__lt=_end_of(on)).order_by("proposed_at", "pk"):
            latest[row.case_id] = row
        rows = list(latest.values())
    lines = AssessmentFactor.objects.filter(assessment__in=[r.pk for r in rows]).values_list(
        "assessment_id", "stage", "factor", "option"
    )
    by_assessment: dict[int, dict[str, list[tuple[str, str]]]] = {}
    for assessment_id, stage, factor, option in lines:
        by_assessment.setdefault(assessment_id, {}).setdefault(stage, []).append((factor, option))
    for row in rows:
        stages = by_assessment.get(row.pk, {})
        agreed_by_then = row.agreed_at is not None and row.agreed_at < _end_of(on)
        row.choices_on = stages.get(Stage.AGREED if agreed_by_then else Stage.PROPOSED, [])
        row.proposed_choices = stages.get(Stage.PROPOSED, [])
        row.agreed_choices = stages.get(Stage.AGREED, [])
        row.agreed_by_then = agreed_by_then
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
            assessment.agreed_by_then and assessment.agreed_at < _end_of(on) - stale_after()
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


# --- Worker loads ------------------------------------------------------------------------------


@dataclass
class LoadRow:
    """A worker's load with the standard used, for pages and reports."""

    worker: Worker
    load: scoring.WorkerLoad
    band: scoring.Band
    kind: str
    case_ids: list[int]

    @property
    def promise_percent(self) -> int:
        return _percent(self.load.open_cases, self.load.promise)

    @property
    def band_percent(self) -> int:
        return _percent(self.load.weighted_load, self.load.capacity)


def _percent(value, limit) -> int:
    if not limit:
        return 100 if value else 0
    return int(min(Decimal(value) / Decimal(limit) * 100, Decimal(150)))


def held_on(workers, on: date) -> dict[int, list[int]]:
    """Open case ids each worker held on the date, in one query."""
    allocations = Allocation.objects.filter(worker__in=workers, started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)
    )
    allocations = allocations.filter(
        Q(case__closed_on__isnull=True) | Q(case__closed_on__gt=on)
    ).exclude(case__status=CaseStatus.CLOSED, case__closed_on__isnull=True)
    held: dict[int, list[int]] = {}
    for worker_id, case_id in allocations.values_list("worker_id", "case_id"):
        held.setdefault(worker_id, []).append(case_id)
    return held


def reductions_for(workers) -> dict[int, list[scoring.Reduction]]:
    """Capacity reductions per worker as plain data."""
    rows = CapacityReduction.objects.filter(worker__in=workers).values_list(
        "worker_id", "percent", "starts_on", "ends_on"
    )
    reductions: dict[int, list[scoring.Reduction]] = {}
    for worker_id, percent, starts_on, ends_on in rows:
        reductions.setdefault(worker_id, []).append(
            scoring.Reduction(Decimal(percent), starts_on, ends_on)
        )
    return reductions


def worker_loads(
    workers,
    organisation_id,
    on: date | None = None,
    weights: dict | None = None,
    *,
    with_case_ids: bool = True,
) -> dict[int, LoadRow]:
    """Cases against promise and points against bandwidth for each worker on the date.
    With `with_case_ids=False`, today's loads are summed by the database (`summed_loads`)
    and the rows' `case_ids` are left empty: for dashboards over many workers."""
    on = on or timezone.localdate()
    workers = list(workers)
    if not with_case_ids and weights is None and on == timezone.localdate():
        team_ids = sorted({worker.team_id for worker in workers})
        return summed_loads(workers, organisation_id, team_ids=team_ids, on=on)
    held = held_on(workers, on)
    if weights is None:
        weights = case_weights([c for ids in held.values() for c in ids], organisation_id, on)
    standards = standards_for(organisation_id)
    reductions = reductions_for(workers)
    rows = {}
    for worker in workers:
        kind = standard_kind(worker)
        standard = standards[kind]
        band = scoring.Band(Decimal(standard.band_bottom), Decimal(standard.band_top))
        case_ids = held.get(worker.pk, [])
        load = scoring.worker_load(
            case_points=[weights[c].total for c in case_ids if c in weights],
            band=band,
            fte=worker.fte,
            reductions=reductions.get(worker.pk, []),
            on=on,
            default_promise=standard.caseload_promise,
            own_promise=worker.caseload_promise,
        )
        rows[worker.pk] = LoadRow(worker, load, band, kind, case_ids)
    return rows


@dataclass
class TeamBandwidth:
    """A team's total capacity against total weighted load, and where it needs extra hands."""

    capacity: Decimal
    weighted_load: int
    headroom: Decimal
    fte_needed: Decimal
    open_cases: int
    above_bandwidth: int
    above_promise: int
    workers: int


def team_bandwidth(rows: dict[int, LoadRow]) -> TeamBandwidth:
    """Totals over a team's load rows (from `worker_loads`)."""
    loads = list(rows.values())
    capacity = sum((r.load.capacity for r in loads), Decimal("0"))
    weighted = sum(r.load.weighted_load for r in loads)
    return TeamBandwidth(
        capacity=capacity,
        weighted_load=weighted,
        headroom=capacity - weighted,
        fte_needed=scoring.fte_needed((r.load, r.band) for r in loads),
        open_cases=sum(r.load.open_cases for r in loads),
        above_bandwidth=sum(r.load.status == scoring.BandwidthStatus.ABOVE for r in loads),
        above_promise=sum(r.load.above_promise for r in loads),
        workers=len(loads),
    )


def team_loads(
    team: Team, on: date | None = None, *, with_case_ids: bool = True
) -> tuple[list[LoadRow], TeamBandwidth]:
    """Every worker in post in the team with their load, and the team's totals. Pages that
    show only the figures pass `with_case_ids=False` (summed by the database for today)."""
    from caseload.selectors import team_members

    members = list(team_members(team, on=on))
    rows = worker_loads(members, team.service.organisation_id, on, with_case_ids=with_case_ids)
    ordered = [rows[m.pk] for m in members]
    return ordered, team_bandwidth(rows)


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


def team_cases_needing_attention(team: Team) -> list[Case]:
    """The team's open cases whose factors await agreement, need review or are stale, each
    with `weight` and `current` (holder); oldest proposal first."""
    from caseload.selectors import current_allocations

    cases = list(Case.objects.open().filter(team=team).select_related("participant"))
    weights = case_weights(cases, team.service.organisation_id)
    flagged = [
        case
        for case in cases
        if (w := weights[case.pk]).awaiting_agreement
        or w.needs_review
        or w.stale
        or w.status == "none"
    ]
    holders = current_allocations([c.pk for c in flagged])
    for case in flagged:
        case.weight = weights[case.pk]
        case.current = holders.get(case.pk)
    return sorted(
        flagged,
        key=lambda c: (
            not c.weight.needs_review,
            c.weight.assessment.proposed_at if c.weight.assessment else timezone.now(),
        ),
    )


def estimated_points(case: Case, weight: CaseWeight) -> int:
    """The case's points, or before any factors are proposed an estimate from its type and
    court work under the scheme in force (so a new case is not treated as weightless)."""
    if weight.assessment is not None:
        return weight.total
    table = points_table(weight.scheme)
    return table.get(("case_type", case.case_type), 0) + table.get(("court", case.court), 0)


# --- Loads summed by the database (whole organisation at once) ----------------------------------

_WORKER_TOTALS_SQL = """
WITH held AS (
    SELECT al.worker_id, al.case_id
    FROM {allocation} al
    JOIN {case} c ON c.id = al.case_id
    JOIN {worker} w ON w.id = al.worker_id
    WHERE w.team_id IN ({team_scope})
      AND al.started_on <= %s AND (al.ended_on IS NULL OR al.ended_on > %s)
      AND (c.closed_on IS NULL OR c.closed_on > %s)
      AND NOT (c.status = %s AND c.closed_on IS NULL)
),
counts AS (SELECT worker_id, COUNT(*) AS open_cases FROM held GROUP BY worker_id),
points AS (
    SELECT h.worker_id, SUM(p.points) AS points
    FROM held h
    JOIN {assessment} a ON a.case_id = h.case_id AND a.is_current = %s
    JOIN {factor} f ON f.assessment_id = a.id
      AND f.stage = CASE WHEN a.agreed_at IS NOT NULL AND a.agreed_at < %s THEN %s ELSE %s END
    JOIN {scheme_factor} sf ON sf.scheme_id = %s AND sf.code = f.factor
    JOIN {scheme_option} p ON p.factor_id = sf.id AND p.code = f."option"
    GROUP BY h.worker_id
)
SELECT c.worker_id, c.open_cases, COALESCE(p.points, 0)
FROM counts c LEFT JOIN points p ON p.worker_id = c.worker_id
"""


_ORGANISATION_TEAMS_SQL = (
    "SELECT t.id FROM {team} t JOIN {service} s ON s.id = t.service_id WHERE s.organisation_id = %s"
)


def worker_totals(
    *, organisation_id, team_ids=None, on: date | None = None
) -> dict[int, tuple[int, int]]:
    """Open cases held and their summed points, per worker of the organisation's teams (or of
    `team_ids`), in one SQL aggregate: the same figures as `worker_loads` computes case by case
    in Python. Only for today: past dates need the assessment history (`assessments_on`)."""
    from django.db import connection

    on = on or timezone.localdate()
    if on < timezone.localdate():
        raise ValueError("worker_totals sums today's assessments; use worker_loads for the past")
    scheme_id = scheme_in_force(organisation_id, on, factors=False).pk
    ops = connection.ops
    if team_ids is None:
        team_scope = _ORGANISATION_TEAMS_SQL.format(
            team=Team._meta.db_table, service=Service._meta.db_table
        )
        scope_params = [organisation_id]
    else:
        team_ids = [int(pk) for pk in team_ids] or [0]
        team_scope = ", ".join(["%s"] * len(team_ids))
        scope_params = team_ids
    sql = _WORKER_TOTALS_SQL.format(
        allocation=Allocation._meta.db_table,
        case=Case._meta.db_table,
        worker=Worker._meta.db_table,
        team_scope=team_scope,
        assessment=CaseAssessment._meta.db_table,
        factor=AssessmentFactor._meta.db_table,
        scheme_factor=Factor._meta.db_table,
        scheme_option=FactorOption._meta.db_table,
    )
    day = ops.adapt_datefield_value(on)
    params = [
        *scope_params,
        day,
        day,
        day,
        CaseStatus.CLOSED,
        True,
        ops.adapt_datetimefield_value(_end_of(on)),
        Stage.AGREED,
        Stage.PROPOSED,
        scheme_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)  # noqa: S608 - only table names are formatted in
        return {worker_id: (int(n), int(points)) for worker_id, n, points in cursor.fetchall()}


def summed_loads(
    workers, organisation_id, *, team_ids=None, on: date | None = None
) -> dict[int, LoadRow]:
    """`worker_loads` for today with the counting and summing done by the database
    (`worker_totals`), for pages and jobs over many workers. The rows' `case_ids` are empty:
    use `worker_loads` where the cases themselves are needed."""
    on = on or timezone.localdate()
    workers = list(workers)
    totals = worker_totals(organisation_id=organisation_id, team_ids=team_ids, on=on)
    standards = standards_for(organisation_id)
    reductions = (
        reductions_for(workers)
        if len(workers) < 1000
        else _organisation_reductions(organisation_id)
    )
    rows = {}
    for worker in workers:
        kind = standard_kind(worker)
        standard = standards[kind]
        band = scoring.Band(Decimal(standard.band_bottom), Decimal(standard.band_top))
        open_cases, points = totals.get(worker.pk, (0, 0))
        load = scoring.worker_load_from_totals(
            open_cases=open_cases,
            weighted_load=points,
            band=band,
            fte=worker.fte,
            reductions=reductions.get(worker.pk, []),
            on=on,
            default_promise=standard.caseload_promise,
            own_promise=worker.caseload_promise,
        )
        rows[worker.pk] = LoadRow(worker, load, band, kind, [])
    return rows


def _organisation_reductions(organisation_id) -> dict[int, list[scoring.Reduction]]:
    return reductions_for(Worker.objects.filter(team__service__organisation_id=organisation_id))
