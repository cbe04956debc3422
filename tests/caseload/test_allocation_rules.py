"""Eligibility, queue priority, fit ordering and planned moves: pure rules, from tables."""

from datetime import date
from decimal import Decimal

import pytest

from caseload.allocation.rules import (
    Absence,
    Candidate,
    Holder,
    Move,
    PlannedCase,
    going_soon,
    plan_leaver,
    plan_rebalance,
    queue_priority,
    rank,
    recent_since,
)
from caseload.core.eligibility import ineligibility_reason


@pytest.mark.parametrize(
    ("case_type", "need", "court", "role", "qualified", "allowed"),
    [
        ("child_in_need", "low", "none", "support_worker", False, True),
        ("child_in_need", "medium", "none", "support_worker", False, True),
        ("early_help", "medium", "none", "support_worker", False, True),
        ("child_in_need", "high", "none", "support_worker", False, False),
        ("child_protection", "low", "none", "support_worker", False, False),
        ("looked_after", "medium", "none", "support_worker", False, False),
        ("child_in_need", "low", "pre_proceedings", "support_worker", False, False),
        ("child_protection", "high", "care_proceedings", "social_worker", True, True),
        ("child_protection", "low", "none", "caseworker", False, False),
        ("child_in_need", "high", "none", "caseworker", False, False),
        ("adult", "high", "none", "caseworker", False, True),
        ("looked_after", "low", "none", "advanced_practitioner", True, True),
        ("care_leaver", "medium", "none", "support_worker", False, False),
    ],
)
def test_eligibility_follows_the_brief(case_type, need, court, role, qualified, allowed):
    reason = ineligibility_reason(
        case_type=case_type, need_level=need, court=court, role=role, qualified=qualified
    )
    assert (reason is None) == allowed, reason


@pytest.mark.parametrize(
    ("case_type", "need", "role", "qualified"),
    [
        ("child_in_need", "low", "support_worker", False),  # eligible but for the exclusion
        ("child_protection", "high", "social_worker", True),
        ("child_protection", "low", "support_worker", False),  # ineligible anyway
    ],
)
def test_an_exclusion_makes_anyone_ineligible_and_is_said_first(case_type, need, role, qualified):
    facts = dict(case_type=case_type, need_level=need, court="none", role=role, qualified=qualified)
    reason = ineligibility_reason(**facts, excluded=True)
    assert reason is not None and reason.startswith("Excluded")
    assert not (ineligibility_reason(**facts) or "").startswith("Excluded")


def test_the_queue_puts_high_need_first_then_case_type_then_longest_waiting():
    today = date(2026, 11, 23)
    cases = {
        "cin-high-new": ("high", "child_in_need", date(2026, 11, 22)),
        "cp-high-old": ("high", "child_protection", date(2026, 11, 1)),
        "cp-high-new": ("high", "child_protection", date(2026, 11, 20)),
        "eh-low-oldest": ("low", "early_help", date(2026, 9, 1)),
        "cin-medium": ("medium", "child_in_need", date(2026, 11, 10)),
    }
    order = sorted(
        cases,
        key=lambda k: queue_priority(
            need_level=cases[k][0], case_type=cases[k][1], waiting_since=cases[k][2], today=today
        ),
    )
    assert order == ["cp-high-old", "cp-high-new", "cin-high-new", "cin-medium", "eh-low-oldest"]


def _candidate(name, **kw):
    base = dict(
        worker_id=hash(name) % 10000,
        name=name,
        ineligible_reason=None,
        holds_sibling=False,
        previous_holder=False,
        same_team=True,
        cases_now=5,
        cases_after=6,
        promise=15,
        points_now=20,
        points_after=24,
        capacity=Decimal("48"),
    )
    base.update(kw)
    return Candidate(**base)


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        (
            [
                _candidate("roomy", points_after=10),
                _candidate("ineligible", ineligible_reason="x", points_after=0),
            ],
            ["roomy", "ineligible"],
        ),
        (
            [
                _candidate("roomy", points_after=10),
                _candidate("sibling", holds_sibling=True, points_after=40),
            ],
            ["sibling", "roomy"],
        ),
        (
            [
                _candidate("roomy", points_after=10),
                _candidate("previous", previous_holder=True, points_after=40),
            ],
            ["previous", "roomy"],
        ),
        (
            [
                _candidate("previous", previous_holder=True),
                _candidate("sibling", holds_sibling=True),
            ],
            ["sibling", "previous"],
        ),
        (
            [
                _candidate("manager", is_manager=True, points_after=0),
                _candidate("worker", points_after=40),
            ],
            ["worker", "manager"],
        ),
        (
            [_candidate("tight", points_after=47), _candidate("roomy", points_after=12)],
            ["roomy", "tight"],
        ),
        (
            [
                _candidate("other team", same_team=False, points_after=0),
                _candidate("home", points_after=47),
            ],
            ["home", "other team"],
        ),
    ],
)
def test_candidates_are_ordered_by_fit(candidates, expected):
    assert [c.name for c in rank(candidates)] == expected


def test_a_leavers_plan_keeps_siblings_together_and_spreads_the_load():
    cases = [
        PlannedCase(1, 5, household=10),
        PlannedCase(2, 5, household=10),
        PlannedCase(3, 4, None),
        PlannedCase(4, 4, None),
    ]
    holders = [
        Holder(1, "A", cases=5, points=20, promise=15, capacity=Decimal(48), can_hold={1, 2, 3, 4}),
        Holder(2, "B", cases=5, points=30, promise=15, capacity=Decimal(48), can_hold={1, 2, 3, 4}),
    ]
    moves = {m.case_id: m.to_worker_id for m in plan_leaver(cases, holders)}
    assert moves[1] == moves[2] == 1  # siblings together, to the roomiest
    assert {moves[3], moves[4]} <= {1, 2}


def test_a_leavers_case_nobody_may_hold_is_left_without_a_destination():
    moves = plan_leaver(
        [PlannedCase(1, 4, None)],
        [Holder(1, "Support", 0, 0, 15, Decimal(30), can_hold=set())],
    )
    assert moves[0].to_worker_id is None


def test_rebalancing_moves_cases_from_the_worker_over_to_one_with_room():
    holders = [
        Holder(
            1, "Over", cases=17, points=60, promise=15, capacity=Decimal(48), can_hold={1, 2, 3}
        ),
        Holder(2, "Room", cases=6, points=20, promise=15, capacity=Decimal(48), can_hold={1, 2, 3}),
    ]
    held = {1: [PlannedCase(1, 6, None), PlannedCase(2, 4, None), PlannedCase(3, 3, None)], 2: []}
    moves = plan_rebalance(held, holders)
    assert moves and all(giver == 1 and taker == 2 for _, giver, taker in moves)
    assert len(moves) <= 3


def test_rebalancing_suggests_nothing_when_everyone_is_within():
    holders = [Holder(1, "Fine", 10, 30, 15, Decimal(48), can_hold={1})]
    assert plan_rebalance({1: [PlannedCase(1, 3, None)]}, holders) == []


def test_rebalancing_moves_siblings_one_worker_holds_together_to_one_worker():
    holders = [
        Holder(1, "Over", cases=17, points=60, promise=15, capacity=Decimal(48), can_hold={1, 2}),
        Holder(2, "Room", cases=6, points=20, promise=15, capacity=Decimal(48), can_hold={1, 2}),
        Holder(3, "Some", cases=14, points=44, promise=15, capacity=Decimal(48), can_hold={1, 2}),
    ]
    held = {1: [PlannedCase(1, 3, household=7), PlannedCase(2, 3, household=7)], 2: [], 3: []}
    moves = plan_rebalance(held, holders)
    assert moves == [(1, 1, 2), (2, 1, 2)]


def test_rebalancing_leaves_siblings_where_they_are_when_nobody_can_take_them_all():
    holders = [
        Holder(1, "Over", cases=16, points=50, promise=15, capacity=Decimal(48), can_hold={1, 2}),
        # Room for one case only: taking both would put them above their promise.
        Holder(
            2, "One more", cases=14, points=20, promise=15, capacity=Decimal(48), can_hold={1, 2}
        ),
    ]
    held = {1: [PlannedCase(1, 3, household=7), PlannedCase(2, 3, household=7)], 2: []}
    assert plan_rebalance(held, holders) == []


# --- Leaving or away within the allocation horizon ---------------------------------------------

TODAY = date(2026, 12, 1)
HORIZON = 56  # days: 26 January 2027 is the last day inside it


def _absence(percent, starts_on, ends_on=None):
    return Absence(percent, starts_on, ends_on, "Long-term absence")


@pytest.mark.parametrize(
    ("leave_date", "absences", "expected"),
    [
        pytest.param(None, [], "", id="staying"),
        pytest.param(date(2027, 1, 26), [], "Leaving 26 Jan 2027", id="leaves on the last day"),
        pytest.param(date(2027, 1, 27), [], "", id="leaves the day after the horizon"),
        pytest.param(TODAY, [], "Leaving 1 Dec 2026", id="leaves today"),
        pytest.param(
            None,
            [_absence(50, date(2027, 1, 26))],
            "Away from 26 Jan 2027 (long-term absence)",
            id="half away from the last day",
        ),
        pytest.param(None, [_absence(49, date(2026, 12, 10))], "", id="49 percent is lighter"),
        pytest.param(None, [_absence(100, date(2027, 1, 27))], "", id="away after the horizon"),
        pytest.param(
            None,
            [_absence(100, date(2026, 11, 1), date(2026, 12, 1))],
            "Away now (long-term absence)",
            id="away until today",
        ),
        pytest.param(
            None, [_absence(100, date(2026, 11, 1), date(2026, 11, 30))], "", id="back yesterday"
        ),
    ],
)
def test_a_worker_is_going_soon_when_they_leave_or_are_away_within_the_horizon(
    leave_date, absences, expected
):
    assert (
        going_soon(leave_date=leave_date, absences=absences, today=TODAY, horizon_days=HORIZON)
        == expected
    )


def test_a_candidate_who_is_leaving_ranks_after_everyone_who_stays_however_roomy():
    ranked = rank(
        [
            _candidate("leaving", going="Leaving 22 Dec 2026", points_after=0),
            _candidate("tight", points_after=47),
            _candidate("other team", same_team=False, points_after=30),
        ]
    )
    assert [c.name for c in ranked] == ["tight", "other team", "leaving"]


# --- Fairness: recent new allocations break ties within a headroom band -------------------------
# Capacity 48, so headroom after the case is 48 - points_after; bands are 5 points wide
# (FAIRNESS_BAND_POINTS): headroom 20 to 24.99 is one band, 15 to 19.99 the one below.


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # the same band (headroom 20 and 24): fewer new allocations in 30 days first
        (dict(points_after=28, recent_30=0), dict(points_after=24, recent_30=3), "first"),
        # one point less headroom crosses into the band below (19): headroom wins again
        (dict(points_after=29, recent_30=0), dict(points_after=24, recent_30=3), "second"),
        # the same band and the same 30 days: fewer in the last 7 days first
        (
            dict(points_after=24, recent_30=4, recent_7=1),
            dict(points_after=27, recent_30=4, recent_7=2),
            "first",
        ),
        # all the same but exact headroom: the roomier
        (
            dict(points_after=24, recent_30=2, recent_7=1),
            dict(points_after=23, recent_30=2, recent_7=1),
            "second",
        ),
        # 30 days outweigh 7: two this week but three in the month beats none this week, four
        (
            dict(points_after=24, recent_30=3, recent_7=2),
            dict(points_after=24, recent_30=4, recent_7=0),
            "first",
        ),
        # fairness never outranks the earlier reasons: the previous holder with more recent work
        (
            dict(points_after=24, recent_30=9, previous_holder=True),
            dict(points_after=24, recent_30=0),
            "first",
        ),
        # negative headroom: -1 is in the band below 0..4.99 (floor, not truncation)
        (dict(points_after=49, recent_30=0), dict(points_after=47, recent_30=5), "second"),
    ],
)
def test_recent_new_allocations_break_ties_in_the_fit_order(first, second, expected):
    ranked = rank([_candidate("second", **second), _candidate("first", **first)])
    assert ranked[0].name == expected


def test_recent_since_counts_today_and_the_days_before_it():
    assert recent_since(date(2026, 12, 1), 7) == date(2026, 11, 25)
    assert recent_since(date(2026, 12, 1), 30) == date(2026, 11, 2)


@pytest.mark.parametrize(
    ("recent", "points", "expected"),
    [
        ({1: (0, 3), 2: (0, 0)}, {1: 20, 2: 20}, 2),  # equal load: the one given less lately
        ({1: (0, 0), 2: (0, 3)}, {1: 20, 2: 20}, 1),
        ({1: (0, 0), 2: (0, 3)}, {1: 25, 2: 20}, 2),  # a band roomier beats fewer recent
        ({1: (0, 0), 2: (0, 3)}, {1: 22, 2: 21}, 1),  # within one band: fairness decides
    ],
)
def test_a_leavers_plan_uses_the_same_fair_order(recent, points, expected):
    holders = [
        Holder(
            w,
            f"W{w}",
            cases=5,
            points=points[w],
            promise=15,
            capacity=Decimal(48),
            can_hold={1},
            recent_7=recent[w][0],
            recent_30=recent[w][1],
        )
        for w in (1, 2)
    ]
    assert plan_leaver([PlannedCase(1, 3, None)], holders) == [Move(1, expected)]


def test_a_leavers_plan_counts_its_own_moves_as_recent_work_and_takes_turns():
    holders = [
        Holder(w, f"W{w}", cases=0, points=0, promise=15, capacity=Decimal(48), can_hold={1, 2})
        for w in (1, 2)
    ]
    moves = plan_leaver([PlannedCase(1, 1, None), PlannedCase(2, 1, None)], holders)
    assert {m.to_worker_id for m in moves} == {1, 2}


@pytest.mark.parametrize(("recent_of_2", "expected"), [(0, 2), (5, 3)])
def test_a_rebalance_gives_to_the_taker_first_in_the_fair_order(recent_of_2, expected):
    holders = [
        Holder(1, "Over", cases=17, points=60, promise=15, capacity=Decimal(48), can_hold={1}),
        Holder(
            2,
            "A",
            cases=6,
            points=20,
            promise=15,
            capacity=Decimal(48),
            can_hold={1},
            recent_30=recent_of_2,
        ),
        Holder(
            3,
            "B",
            cases=6,
            points=22,
            promise=15,
            capacity=Decimal(48),
            can_hold={1},
            recent_30=1,
        ),
    ]
    moves = plan_rebalance({1: [PlannedCase(1, 3, None)]}, holders, max_moves=1)
    assert moves == [(1, 1, expected)]
