"""Read paths for allocation: the team's queue, the candidates for a case, and the plans for a
leaver's caseload and for rebalancing a team."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from caseload.core.choices import MANAGER_ROLES
from caseload.core.eligibility import ineligibility_reason
from caseload.core.models import Allocation, CapacityReduction, Case, Team, Worker
from caseload.core.selectors import current_allocations, team_members
from caseload.exclusions.selectors import excluded_worker_ids
from weighting import loads
from weighting import selectors as weighting

from . import rules


def _ineligibility(case: Case, worker: Worker, excluded: dict[int, set[int]]) -> str | None:
    """`core.eligibility`, with the exclusions (`excluded_worker_ids`) of the cases asked about."""
    return ineligibility_reason(
        case_type=case.case_type,
        need_level=case.need_level,
        court=case.court,
        role=worker.role,
        qualified=worker.qualified,
        excluded=worker.pk in excluded.get(case.pk, ()),
    )


def going(workers, *, today: date | None = None) -> dict[int, str]:
    """For each worker who will not be there to carry new work (leaving, or away, within
    ALLOCATION_HORIZON_DAYS): why, in words (`rules.going_soon`). One query."""
    today = today or timezone.localdate()
    workers = list(workers)
    absences: dict[int, list[rules.Absence]] = {}
    rows = (
        CapacityReduction.objects.filter(worker__in=workers, percent__gte=rules.ABSENCE_PERCENT)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("type")
    )
    for row in rows:
        absences.setdefault(row.worker_id, []).append(
            rules.Absence(row.percent, row.starts_on, row.ends_on, row.type.name)
        )
    found = {}
    for worker in workers:
        why = rules.going_soon(
            leave_date=worker.leave_date,
            absences=absences.get(worker.pk, []),
            today=today,
            horizon_days=settings.ALLOCATION_HORIZON_DAYS,
        )
        if why:
            found[worker.pk] = why
    return found


def recent_allocations(workers, *, today: date | None = None) -> dict[int, tuple[int, int]]:
    """For each worker, the allocations they were given that started in the last 7 and the
    last 30 days (`rules.recent_since`), whatever became of them since. One query."""
    today = today or timezone.localdate()
    short, long = (rules.recent_since(today, days) for days in rules.RECENT_WINDOWS)
    rows = (
        Allocation.objects.filter(worker__in=list(workers), started_on__gte=long)
        .filter(started_on__lte=today)
        .values("worker_id")
        .annotate(
            recent_7=Count("pk", filter=Q(started_on__gte=short)),
            recent_30=Count("pk"),
        )
    )
    return {row["worker_id"]: (row["recent_7"], row["recent_30"]) for row in rows}


def _holder(
    row: loads.LoadRow,
    cases,
    excluded: dict[int, set[int]],
    recent: dict[int, tuple[int, int]],
    *,
    can_hold: bool = True,
) -> rules.Holder:
    """A receiving worker for planning, with the cases (of `cases`) they may hold and their
    recent new allocations (`recent_allocations`)."""
    worker = row.worker
    recent_7, recent_30 = recent.get(worker.pk, (0, 0))
    return rules.Holder(
        worker_id=worker.pk,
        name=worker.name,
        cases=row.load.open_cases,
        points=row.load.weighted_load,
        promise=row.load.promise,
        capacity=row.load.capacity,
        is_manager=worker.role in MANAGER_ROLES,
        recent_7=recent_7,
        recent_30=recent_30,
        can_hold=(
            {c.pk for c in cases if not _ineligibility(c, worker, excluded)} if can_hold else set()
        ),
    )


def team_queue(team: Team, today: date | None = None) -> list[Case]:
    """Open cases waiting for allocation or needing reallocation, highest priority first,
    each with `days_waiting`, `points` and `current` (for reallocations)."""
    today = today or timezone.localdate()
    cases = list(Case.objects.in_queue().filter(team=team).select_related("participant"))
    weights = weighting.case_weights(cases, team.service.organisation_id)
    holders = current_allocations([c.pk for c in cases])
    for case in cases:
        case.days_waiting = (today - (case.waiting_since or case.opened_on)).days
        case.weight = weights[case.pk]
        case.points = weighting.estimated_points(case, case.weight)
        case.current = holders.get(case.pk)
    return sorted(
        cases,
        key=lambda c: rules.queue_priority(
            need_level=c.need_level,
            case_type=c.case_type,
            waiting_since=c.waiting_since or c.opened_on,
            today=today,
        ),
    )


@dataclass
class CandidateList:
    """Everyone who could take a case, best fit first, and the case's points."""

    case: Case
    points: int
    candidates: list[rules.Candidate]
    wider: bool


def _siblings_holders(case: Case) -> set[int]:
    if not case.participant.household_id:
        return set()
    return set(
        Allocation.objects.current()
        .filter(
            case__participant__household_id=case.participant.household_id,
            case__closed_on__isnull=True,
        )
        .exclude(case=case)
        .values_list("worker_id", flat=True)
    )


def candidates_for(
    case: Case, *, wider: bool = False, exclude: set[int] | None = None
) -> CandidateList:
    """Workers in the case's team (and, if `wider`, the rest of its service) with their load
    now and after taking the case, eligibility and fit; sorted by fit."""
    organisation_id = case.team.service.organisation_id
    workers = list(team_members(case.team))
    if wider:
        others = (
            Worker.objects.in_post()
            .filter(team__service_id=case.team.service_id)
            .exclude(team=case.team)
            .select_related("team")
        )
        workers += list(others)
    exclude = exclude or set()
    workers = [w for w in workers if w.pk not in exclude]
    weight = weighting.case_weights([case.pk], organisation_id)[case.pk]
    points = weighting.estimated_points(case, weight)
    rows = loads.worker_loads(workers, organisation_id)
    away = going(workers)
    siblings = _siblings_holders(case)
    excluded = excluded_worker_ids([case])
    recent = recent_allocations(workers)
    # The case's allocations, as `case_for_user` has already read them, or read here.
    history = getattr(case, "allocation_history", None)
    if history is None:
        history = list(case.allocations.only("worker_id", "ended_on"))
    previous = {a.worker_id for a in history if a.ended_on is not None}
    current = next((a.worker_id for a in history if a.ended_on is None), None)
    candidates = []
    for worker in workers:
        if worker.pk == current:
            continue
        now, after = rows[worker.pk].load, rows[worker.pk].after(points)
        recent_7, recent_30 = recent.get(worker.pk, (0, 0))
        candidates.append(
            rules.Candidate(
                worker_id=worker.pk,
                name=worker.name,
                ineligible_reason=_ineligibility(case, worker, excluded),
                holds_sibling=worker.pk in siblings,
                previous_holder=worker.pk in previous,
                same_team=worker.team_id == case.team_id,
                cases_now=now.open_cases,
                cases_after=after.open_cases,
                promise=after.promise,
                points_now=now.weighted_load,
                points_after=after.weighted_load,
                capacity=after.capacity,
                role=worker.get_role_display(),
                team_name=worker.team.name,
                is_manager=worker.role in MANAGER_ROLES,
                going=away.get(worker.pk, ""),
                recent_7=recent_7,
                recent_30=recent_30,
            )
        )
    return CandidateList(case=case, points=points, candidates=rules.rank(candidates), wider=wider)


@dataclass
class LeaverPlan:
    """A leaving worker's open cases, each with `points`, `suggested` (a worker id or None),
    `eligible_ids` and `excluded_ids`; the team members who could take them, and each one's
    planning load."""

    cases: list[Case]
    members: list[Worker]
    holders: dict[int, rules.Holder]


def leaver_plan(worker: Worker) -> LeaverPlan:
    """Suggested destinations for every open case the worker holds (siblings kept together)."""
    organisation_id = worker.team.service.organisation_id
    cases = list(Case.objects.open().held_by(worker).select_related("participant").order_by("pk"))
    weights = weighting.case_weights(cases, organisation_id)
    # Receivers: everyone else in post in the team who is not leaving or away soon too.
    others = [m for m in team_members(worker.team) if m.pk != worker.pk]
    away = going(others)
    members = [m for m in others if m.pk not in away]
    rows = loads.worker_loads(members, organisation_id)
    excluded = excluded_worker_ids(cases)
    recent = recent_allocations(members)
    holders = [_holder(rows[m.pk], cases, excluded, recent) for m in members]
    for case in cases:
        case.points = weighting.estimated_points(case, weights[case.pk])
    planned = [rules.PlannedCase(c.pk, c.points, c.participant.household_id) for c in cases]
    moves = {m.case_id: m.to_worker_id for m in rules.plan_leaver(planned, holders)}
    for case in cases:
        case.suggested = moves.get(case.pk)
        case.eligible_ids = [h.worker_id for h in holders if case.pk in h.can_hold]
        case.excluded_ids = excluded[case.pk]
    return LeaverPlan(cases, members, {h.worker_id: h for h in holders})


@dataclass
class LoadAfter(rules.LoadAfterMoves):
    """A receiving worker's cases and points now and after a set of moves, for the preview."""

    worker: Worker
    cases: int
    points: int
    promise: int
    capacity: Decimal
    cases_after: int
    points_after: int


def loads_after(
    workers: list[Worker],
    holders: dict[int, rules.Holder],
    moves: list[tuple[int, int | None, int | None]],
) -> list[LoadAfter]:
    """Every worker's load now and after the moves, each a (points, from worker id or None,
    to worker id or None)."""
    rows = {
        w.pk: LoadAfter(
            w,
            holders[w.pk].cases,
            holders[w.pk].points,
            holders[w.pk].promise,
            holders[w.pk].capacity,
            holders[w.pk].cases,
            holders[w.pk].points,
        )
        for w in workers
        if w.pk in holders
    }
    for points, giver, taker in moves:
        if giver in rows:
            rows[giver].cases_after -= 1
            rows[giver].points_after -= points
        if taker in rows:
            rows[taker].cases_after += 1
            rows[taker].points_after += points
    return list(rows.values())


def split_households(cases: list[Case], chosen: dict[int, int | None]) -> list[list[Case]]:
    """The households whose cases (of `cases`) the chosen destinations send to more than one
    worker: each a list of its cases, so the page can say plainly which siblings a move splits."""
    by_household: dict[int, list[Case]] = {}
    for case in cases:
        if case.participant.household_id:
            by_household.setdefault(case.participant.household_id, []).append(case)
    return [
        group
        for group in by_household.values()
        if len(group) > 1 and len({chosen.get(c.pk) for c in group}) > 1
    ]


@dataclass
class RebalancePlan:
    """Suggested moves (each a dict of its cases — a household's together —, points, from, to,
    a form key, and the names of the team's workers excluded from them), the team's load rows,
    and every worker's load after all the moves."""

    moves: list[dict]
    rows: list[loads.LoadRow]
    preview: list[LoadAfter]


def rebalance_plan(team: Team) -> RebalancePlan:
    """A short list of moves that brings the most workers within promise and bandwidth; a
    household's cases that one worker holds move together (one row, one tick), and the preview
    shows every worker's load if all the suggested moves are made."""
    rows, _ = loads.team_loads(team)
    organisation_id = team.service.organisation_id
    held = loads.held_case_ids([row.worker for row in rows])
    case_ids = [c for ids in held.values() for c in ids]
    cases = {c.pk: c for c in Case.objects.filter(pk__in=case_ids).select_related("participant")}
    weights = weighting.case_weights(list(cases.values()), organisation_id)
    away = going([row.worker for row in rows])
    excluded = excluded_worker_ids(cases.values())
    recent = recent_allocations(row.worker for row in rows)
    holders = [
        _holder(row, cases.values(), excluded, recent, can_hold=row.worker.pk not in away)
        for row in rows
    ]
    planned = {
        row.worker.pk: [
            rules.PlannedCase(c, weights[c].total, cases[c].participant.household_id)
            for c in held.get(row.worker.pk, [])
        ]
        for row in rows
    }
    workers = {row.worker.pk: row.worker for row in rows}
    suggested = rules.plan_rebalance(planned, holders)
    moves: list[dict] = []
    for case_id, giver, taker in suggested:
        case = cases[case_id]
        last = moves[-1] if moves else None
        household = case.participant.household_id
        if last and household and last["household"] == household and last["to"].pk == taker:
            last["cases"].append(case)
            last["excluded"] |= {workers[w].name for w in excluded[case_id] if w in workers}
            last["points"] += weights[case_id].total
            last["key"] = f"{last['key'].split('-')[0]}_{case_id}-{taker}"
            continue
        moves.append(
            {
                "cases": [case],
                "household": household,
                "points": weights[case_id].total,
                "from": workers[giver],
                "to": workers[taker],
                "key": f"{case_id}-{taker}",
                "excluded": {workers[w].name for w in excluded[case_id] if w in workers},
            }
        )
    for move in moves:
        move["excluded"] = sorted(move["excluded"])
    preview = loads_after(
        [row.worker for row in rows],
        {h.worker_id: h for h in holders},
        [(weights[c].total, f, t) for c, f, t in suggested],
    )
    return RebalancePlan(moves, rows, preview)
