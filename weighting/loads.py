"""Worker and team loads: open cases against the caseload promise and weighted points against
bandwidth, on any day.

The counting and summing is done by the database, in one aggregate for any number of workers
(`worker_totals`), and the pure rules in `scoring.py` turn the totals into statuses. Which cases
a worker held on a day is `Allocation.objects.held_on(day)`, and which assessment counted then is
`CaseAssessment.objects.in_force_on(day)`: the aggregate is built from those two querysets, so
each rule is stated once. The case-by-case statement of the same sums is kept in the tests as
the oracle (`tests/oracles.py`).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils import timezone

from caseload.core.models import Allocation, CapacityReduction, Team, Worker
from caseload.core.selectors import team_members

from . import scoring
from .models import AssessmentFactor, CaseAssessment, Factor, FactorOption
from .selectors import scheme_in_force, standard_kind, standards_for

# Above this many workers, reductions are read for the whole organisation in one scan rather
# than by a list of worker ids (a list of tens of thousands of ids is slower to send and plan).
WHOLE_ORGANISATION = 1000


@dataclass
class LoadRow:
    """A worker's load on a day with the standard used, for pages, flags and reports."""

    worker: Worker
    load: scoring.WorkerLoad
    band: scoring.Band
    kind: str
    reductions: tuple[scoring.Reduction, ...] = ()
    on: date | None = None

    @property
    def promise_percent(self) -> int:
        return _percent(self.load.open_cases, self.load.promise)

    @property
    def band_percent(self) -> int:
        return _percent(self.load.weighted_load, self.load.capacity)

    def after(self, points: int, cases: int = 1) -> scoring.WorkerLoad:
        """The load as if the worker also held `cases` more cases worth `points`."""
        return scoring.status_after(
            self.load,
            points,
            cases,
            band=self.band,
            fte=self.worker.fte,
            reductions=self.reductions,
            on=self.on or timezone.localdate(),
        )


def _percent(value, limit) -> int:
    if not limit:
        return 100 if value else 0
    return int(min(Decimal(value) / Decimal(limit) * 100, Decimal(150)))


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


def held_case_ids(workers, on: date | None = None) -> dict[int, list[int]]:
    """The case ids each worker held on the day (default today), in one query: for pages that
    list a worker's cases. Their load comes from `worker_loads`."""
    rows = Allocation.objects.held_on(on or timezone.localdate()).filter(worker__in=workers)
    held: dict[int, list[int]] = {}
    for worker_id, case_id in rows.order_by("case_id").values_list("worker_id", "case_id"):
        held.setdefault(worker_id, []).append(case_id)
    return held


def worker_loads(
    workers, organisation_id, on: date | None = None, *, team_ids=None
) -> dict[int, LoadRow]:
    """Cases against promise and points against bandwidth for each worker on the day (default
    today). Give `team_ids` when the workers are those teams' (a whole organisation: None and
    every team), so the database scans by team rather than by a list of workers."""
    on = on or timezone.localdate()
    workers = list(workers)
    if team_ids is None:
        team_ids = sorted({worker.team_id for worker in workers})
    totals = worker_totals(organisation_id=organisation_id, team_ids=team_ids, on=on)
    standards = standards_for(organisation_id)
    reductions = (
        reductions_for(workers)
        if len(workers) < WHOLE_ORGANISATION
        else reductions_for(Worker.objects.filter(team__service__organisation_id=organisation_id))
    )
    bands = {
        kind: scoring.Band(Decimal(standard.band_bottom), Decimal(standard.band_top))
        for kind, standard in standards.items()
    }
    rows = {}
    for worker in workers:
        kind = standard_kind(worker)
        standard, band = standards[kind], bands[kind]
        own = tuple(reductions.get(worker.pk, ()))
        open_cases, points = totals.get(worker.pk, (0, 0))
        load = scoring.worker_load_from_totals(
            open_cases=open_cases,
            weighted_load=points,
            band=band,
            fte=worker.fte,
            reductions=own,
            on=on,
            default_promise=standard.caseload_promise,
            own_promise=worker.caseload_promise,
        )
        rows[worker.pk] = LoadRow(worker, load, band, kind, own, on)
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


def team_loads(team: Team, on: date | None = None) -> tuple[list[LoadRow], TeamBandwidth]:
    """Every worker in post in the team with their load, and the team's totals."""
    members = list(team_members(team, on=on))
    rows = worker_loads(members, team.service.organisation_id, on, team_ids=[team.pk])
    return [rows[m.pk] for m in members], team_bandwidth(rows)


# --- The aggregate ----------------------------------------------------------------------------

_WORKER_TOTALS_SQL = """
WITH held AS ({held}),
counts AS (SELECT worker_id, COUNT(*) AS open_cases FROM held GROUP BY worker_id),
points AS (
    SELECT h.worker_id, SUM(p.points) AS points
    FROM held h
    JOIN ({assessed}) a ON a.case_id = h.case_id
    JOIN {factor} f ON f.assessment_id = a.id AND f.stage = a.stage_on
    JOIN {scheme_factor} sf ON sf.scheme_id = %s AND sf.code = f.factor
    JOIN {scheme_option} p ON p.factor_id = sf.id AND p.code = f."option"
    GROUP BY h.worker_id
)
SELECT c.worker_id, c.open_cases, COALESCE(p.points, 0)
FROM counts c LEFT JOIN points p ON p.worker_id = c.worker_id
"""


def worker_totals(*, organisation_id, team_ids=None, on: date | None = None) -> dict:
    """{worker id: (open cases held, their summed points)} on the day, for the workers of the
    organisation's teams (or of `team_ids`), in one SQL aggregate. A case's points are those of
    the options of its assessment in force then, under the scheme in force then; an option the
    scheme does not know counts nothing."""
    on = on or timezone.localdate()
    held = Allocation.objects.held_on(on)
    if team_ids is None:
        held = held.filter(worker__team__service__organisation_id=organisation_id)
    else:
        held = held.filter(worker__team_id__in=[int(pk) for pk in team_ids])
    try:
        held_sql, held_params = (
            held.order_by().values("worker_id", "case_id").query.sql_with_params()
        )
    except EmptyResultSet:  # no teams in scope: nobody holds anything
        return {}
    assessed = CaseAssessment.objects.in_force_on(on).order_by().values("id", "case_id", "stage_on")
    assessed_sql, assessed_params = assessed.query.sql_with_params()
    sql = _WORKER_TOTALS_SQL.format(
        held=held_sql,
        assessed=assessed_sql,
        factor=AssessmentFactor._meta.db_table,
        scheme_factor=Factor._meta.db_table,
        scheme_option=FactorOption._meta.db_table,
    )
    scheme_id = scheme_in_force(organisation_id, on, factors=False).pk
    with connection.cursor() as cursor:
        # Only table names and Django's own compiled SQL are formatted in; values are params.
        cursor.execute(sql, [*held_params, *assessed_params, scheme_id])  # noqa: S608
        return {worker_id: (int(n), int(points)) for worker_id, n, points in cursor.fetchall()}
