"""Pure allocation rules: queue priority, best-fit ordering, and suggested moves for leavers
and rebalancing. Plain data in and out; the ORM stays in selectors and services."""

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from caseload.core.choices import CaseStatus, CaseType, NeedLevel
from weighting import scoring

NEED_PRIORITY: dict[str, int] = {NeedLevel.HIGH: 0, NeedLevel.MEDIUM: 1, NeedLevel.LOW: 2}
TYPE_PRIORITY: dict[str, int] = {
    CaseType.CHILD_PROTECTION: 0,
    CaseType.LOOKED_AFTER: 1,
    CaseType.CHILD_IN_NEED: 2,
    CaseType.ADULT: 3,
    CaseType.CARE_LEAVER: 4,
    CaseType.EARLY_HELP: 5,
}


def queue_state(
    *, held: bool, needs_reallocation: bool = False, waiting_since: date | None = None
) -> dict:
    """An open case's status and place in its team's queue, as Case field values.

    Held, by someone eligible: allocated, not waiting. Held by someone no longer eligible:
    allocated and needing reallocation, waiting since `waiting_since` (the holder keeps it until
    a qualified worker takes over). Not held: awaiting allocation, waiting since `waiting_since`.
    """
    if not held:
        return {
            "status": CaseStatus.AWAITING_ALLOCATION,
            "needs_reallocation": False,
            "waiting_since": waiting_since,
        }
    if needs_reallocation:
        return {
            "status": CaseStatus.ALLOCATED,
            "needs_reallocation": True,
            "waiting_since": waiting_since,
        }
    return {"status": CaseStatus.ALLOCATED, "needs_reallocation": False, "waiting_since": None}


def queue_priority(*, need_level: str, case_type: str, waiting_since: date, today: date) -> tuple:
    """Sort key for the queue: higher need first, then case type, then longest waiting."""
    return (
        NEED_PRIORITY.get(need_level, 9),
        TYPE_PRIORITY.get(case_type, 9),
        -(today - waiting_since).days,
    )


# A capacity reduction of at least this much is an absence: the worker is away, not lighter.
ABSENCE_PERCENT = 50


@dataclass(frozen=True)
class Absence:
    """A reduction as the allocation rules see it: how much, when, and what it is called."""

    percent: int
    starts_on: date
    ends_on: date | None
    label: str


def going_soon(
    *, leave_date: date | None, absences: list[Absence], today: date, horizon_days: int
) -> str:
    """Why a worker will not be there to carry a new case, in words for the allocate page, or
    "" if they will be: they leave within the horizon (today to `horizon_days` ahead, both
    included), or an absence of at least ABSENCE_PERCENT covers a day of it."""
    until = today + timedelta(days=horizon_days)
    if leave_date is not None and leave_date <= until:
        return f"Leaving {_day(leave_date)}"
    for absence in sorted(absences, key=lambda a: a.starts_on):
        ends = absence.ends_on
        if (
            absence.percent >= ABSENCE_PERCENT
            and absence.starts_on <= until
            and (ends is None or ends >= today)
        ):
            if absence.starts_on <= today:
                return f"Away now ({absence.label.lower()})"
            return f"Away from {_day(absence.starts_on)} ({absence.label.lower()})"
    return ""


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


# --- Fairness: who has had new work lately -------------------------------------------------------

# The two windows the allocate page shows: new allocations in the last 7 and the last 30 days.
RECENT_WINDOWS = (7, 30)
# Workers whose headroom after the case is in the same band of this many points count as equally
# roomy, and the one given fewer new cases lately comes first; a bigger difference in headroom
# still wins. Without the band a fraction of a point would always decide, and the same capable
# worker would be picked every time.
FAIRNESS_BAND_POINTS = 5


def recent_since(today: date, days: int) -> date:
    """The first day of "the last `days` days": today and the `days - 1` days before it."""
    return today - timedelta(days=days - 1)


def fairness_key(*, headroom: Decimal, recent_30: int, recent_7: int) -> tuple:
    """Sort key, roomiest and least recently given work first: the headroom band
    (FAIRNESS_BAND_POINTS wide), then fewer new allocations in the last 30 days, then in the
    last 7, then the exact headroom. The allocate page, the leaver plan and the rebalance plan
    all order by it."""
    return (-math.floor(headroom / FAIRNESS_BAND_POINTS), recent_30, recent_7, -headroom)


class LoadAfterMoves:
    """Above promise or bandwidth after a move, for anything with `cases_after`,
    `points_after`, `promise` and `capacity` (a candidate, a receiving worker's preview)."""

    cases_after: int
    points_after: int
    promise: int
    capacity: Decimal

    @property
    def above_promise_after(self) -> bool:
        return scoring.over_promise(self.cases_after, self.promise)

    @property
    def above_bandwidth_after(self) -> bool:
        return scoring.over_capacity(self.points_after, self.capacity)


@dataclass(frozen=True)
class Candidate(LoadAfterMoves):
    """A worker considered for a case, with what the case would do to their load."""

    worker_id: int
    name: str
    ineligible_reason: str | None
    holds_sibling: bool
    previous_holder: bool
    same_team: bool
    cases_now: int
    cases_after: int
    promise: int
    points_now: int
    points_after: int
    capacity: Decimal
    role: str = ""
    team_name: str = ""
    is_manager: bool = False
    going: str = ""  # `going_soon`: leaving or away within the allocation horizon
    recent_7: int = 0  # new allocations in the last 7 days (`recent_since`)
    recent_30: int = 0  # ... and in the last 30

    @property
    def eligible(self) -> bool:
        return self.ineligible_reason is None

    @property
    def headroom_after(self) -> Decimal:
        return self.capacity - self.points_after

    @property
    def needs_override(self) -> bool:
        return self.above_promise_after or self.above_bandwidth_after


def fit_key(candidate: Candidate) -> tuple:
    """Best fit first: eligible; staying (not leaving or away soon); same team; holds a
    sibling; the previous holder; practitioners before managers; then `fairness_key` (most
    headroom after the case, with fewer recent new allocations breaking ties within a band);
    then by name so the order is stable."""
    return (
        not candidate.eligible,
        bool(candidate.going),
        not candidate.same_team,
        not candidate.holds_sibling,
        not candidate.previous_holder,
        candidate.is_manager,
        *fairness_key(
            headroom=candidate.headroom_after,
            recent_30=candidate.recent_30,
            recent_7=candidate.recent_7,
        ),
        candidate.name,
    )


def rank(candidates: list[Candidate]) -> list[Candidate]:
    """Candidates sorted by fit."""
    return sorted(candidates, key=fit_key)


# --- Moving many cases: leavers and rebalancing --------------------------------------------------


@dataclass
class Holder:
    """A worker's load while moves are planned."""

    worker_id: int
    name: str
    cases: int
    points: int
    promise: int
    capacity: Decimal
    can_hold: set[int] = field(default_factory=set)  # case ids this worker is eligible for
    is_manager: bool = False
    recent_7: int = 0  # new allocations in the last 7 days, and the planned moves to them
    recent_30: int = 0

    def fairness(self, *, points: int = 0) -> tuple:
        """`fairness_key` for this worker if they also took `points`."""
        return fairness_key(
            headroom=self.capacity - self.points - points,
            recent_30=self.recent_30,
            recent_7=self.recent_7,
        )

    def take(self, cases: int, points: int) -> None:
        """Count planned cases as theirs: their load and their recent new allocations."""
        self.cases += cases
        self.points += points
        self.recent_7 += cases
        self.recent_30 += cases

    def fits(self, cases: int, points: int) -> bool:
        return not (
            scoring.over_promise(self.cases + cases, self.promise)
            or scoring.over_capacity(self.points + points, self.capacity)
        )

    @property
    def over(self) -> bool:
        return not self.fits(0, 0)


@dataclass(frozen=True)
class PlannedCase:
    """A case to place: its id, points and household (siblings move together)."""

    case_id: int
    points: int
    household: int | None


@dataclass(frozen=True)
class Move:
    """One planned move of a case to a worker."""

    case_id: int
    to_worker_id: int | None  # None: no eligible worker found; it goes to the queue


def _groups(cases: list[PlannedCase]) -> list[list[PlannedCase]]:
    groups: dict[object, list[PlannedCase]] = {}
    for case in cases:
        key = ("h", case.household) if case.household else ("c", case.case_id)
        groups.setdefault(key, []).append(case)
    return sorted(groups.values(), key=lambda g: (-sum(c.points for c in g), g[0].case_id))


def plan_leaver(cases: list[PlannedCase], holders: list[Holder]) -> list[Move]:
    """A destination per case that keeps siblings together and spreads the load: each sibling
    group (heaviest first) goes to the eligible worker who stays within promise and bandwidth,
    practitioners before managers, in `fairness_key` order (most headroom after it, fewer
    recent new allocations breaking ties)."""
    holders = [replace(h, can_hold=set(h.can_hold)) for h in holders]
    moves: list[Move] = []
    for group in _groups(cases):
        ids = {c.case_id for c in group}
        points = sum(c.points for c in group)
        eligible = [h for h in holders if ids <= h.can_hold]
        if not eligible:  # split the group rather than leave a child with nobody
            if len(group) > 1:
                moves += plan_leaver(group_split(group), holders)
                continue
            moves.append(Move(group[0].case_id, None))
            continue
        best = min(
            eligible,
            key=lambda h: (
                not h.fits(len(group), points),
                h.is_manager,
                *h.fairness(points=points),
                h.cases,
            ),
        )
        best.take(len(group), points)
        moves += [Move(c.case_id, best.worker_id) for c in group]
    return moves


def group_split(group: list[PlannedCase]) -> list[PlannedCase]:
    """The same cases with their household link dropped, to place one by one."""
    return [PlannedCase(c.case_id, c.points, None) for c in group]


def plan_rebalance(
    held: dict[int, list[PlannedCase]], holders: list[Holder], *, max_moves: int = 10
) -> list[tuple[int, int, int]]:
    """Suggest a short list of (case id, from worker, to worker) moves that brings the most
    workers within promise and bandwidth: repeatedly move a case from the worker furthest over
    to the eligible worker who stays within both afterwards, in `fairness_key` order. Siblings
    a worker holds (the same household) move together, to one worker, or not at all; a
    group's cases come one after another in the list. At most `max_moves` groups move."""
    by_id = {h.worker_id: replace(h, can_hold=set(h.can_hold)) for h in holders}
    groups = {w: _held_groups(cs) for w, cs in held.items()}
    moves: list[tuple[int, int, int]] = []
    made = 0
    while made < max_moves:
        move = _next_group_move(by_id, groups)
        if move is None:
            break
        group, giver, taker = move
        groups[giver.worker_id].remove(group)
        groups.setdefault(taker.worker_id, []).append(group)
        points = sum(c.points for c in group)
        giver.cases -= len(group)
        giver.points -= points
        taker.take(len(group), points)
        moves += [(c.case_id, giver.worker_id, taker.worker_id) for c in group]
        made += 1
    return moves


def _held_groups(cases: list[PlannedCase]) -> list[list[PlannedCase]]:
    """A worker's cases as groups that move together: a household's, or one case alone."""
    by_key: dict[object, list[PlannedCase]] = {}
    for case in cases:
        key = ("h", case.household) if case.household else ("c", case.case_id)
        by_key.setdefault(key, []).append(case)
    return list(by_key.values())


def _next_group_move(by_id: dict[int, Holder], groups: dict[int, list[list[PlannedCase]]]):
    """The lightest group of the worker furthest over that someone eligible can take and stay
    within promise and bandwidth, and the first such taker in `fairness_key` order; None when
    there is none."""
    over = sorted(
        (h for h in by_id.values() if h.over),
        key=lambda h: (-(h.points - h.capacity), -(h.cases - h.promise)),
    )
    for giver in over:
        for group in sorted(
            groups.get(giver.worker_id, []), key=lambda g: (sum(c.points for c in g), len(g))
        ):
            ids = {c.case_id for c in group}
            points = sum(c.points for c in group)
            takers = [
                h
                for h in by_id.values()
                if h.worker_id != giver.worker_id
                and ids <= h.can_hold
                and h.fits(len(group), points)
            ]
            if takers:
                taker = min(takers, key=lambda h: (h.is_manager, *h.fairness(), h.cases))
                return group, giver, taker
    return None
