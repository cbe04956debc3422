"""The projection from plain data, against examples worked by hand (no database)."""

from datetime import date
from decimal import Decimal as D

import pytest

from caseload.forecast import projection as P
from weighting.scoring import Band, Reduction

START = date(2026, 3, 2)
EXPERIENCED, NEWLY = Band(D(36), D(48)), Band(D(25), D(36))


def rows(weeks):
    return [(str(w.week_start), w.cases, w.points, w.capacity, w.fte_needed) for w in weeks]


def test_a_team_with_planned_ends_a_leaver_a_starter_a_reduction_and_new_cases():
    # Cases: A 10 points open-ended; B 6 points planned to end 10 March (counts on 2 and 9
    # March); C 4 points whose planned end (20 Feb) has passed (this week only). New cases:
    # 1.5 a week at 4 points. Staff: W1 1.0 FTE (48); W2 0.5 FTE (24) leaving 12 March; W3
    # newly qualified 1.0 FTE (36) from 16 March, at 50% that week.
    inputs = P.Inputs(
        start=START,
        cases=[
            P.CaseIn(10, "adult"),
            P.CaseIn(6, "adult", date(2026, 3, 10)),
            P.CaseIn(4, "adult", date(2026, 2, 20)),
        ],
        workers=[
            P.WorkerIn(D("1.00"), EXPERIENCED),
            P.WorkerIn(D("0.50"), EXPERIENCED, leaves_on=date(2026, 3, 12)),
            P.WorkerIn(
                D("1.00"),
                NEWLY,
                starts_on=date(2026, 3, 16),
                reductions=(Reduction(D(50), date(2026, 3, 16), date(2026, 3, 22)),),
            ),
        ],
        arrivals=[P.Arrivals("child_in_need", D("1.5"), D(4))],
    )
    assert rows(P.project(inputs, weeks=4)) == [
        # week 0: A+B+C = 3 cases, 20 points; 48 + 24 capacity
        ("2026-03-02", D("3.0"), D("20.0"), D("72.00"), D("0.00")),
        # week 1: A+B and 1.5 new (6 points) = 3.5 cases, 22 points
        ("2026-03-09", D("3.5"), D("22.0"), D("72.00"), D("0.00")),
        # week 2: A and 3 new (12) = 22 points; W2 gone, W3 at half: 48 + 18
        ("2026-03-16", D("4.0"), D("22.0"), D("66.00"), D("0.00")),
        # week 3: A and 4.5 new (18) = 28 points; W3 in full: 48 + 36
        ("2026-03-23", D("5.5"), D("28.0"), D("84.00"), D("0.00")),
    ]


OVER = P.Inputs(
    start=START,
    cases=[P.CaseIn(30, "adult")],
    workers=[P.WorkerIn(D("0.50"), EXPERIENCED)],
    arrivals=[P.Arrivals("child_in_need", D(2), D(3))],
)


def test_fte_needed_is_the_points_above_capacity_over_the_average_top_of_band():
    # 30, 36, 42 points against 24: 6/48 = 0.125 → 0.13, 12/48 = 0.25, 18/48 = 0.375 → 0.38
    assert [w.fte_needed for w in P.project(OVER, weeks=3)] == [D("0.13"), D("0.25"), D("0.38")]


def test_a_scenario_adding_fte_from_week_one_brings_the_load_within_capacity():
    scenario = P.Scenario(fte_changes=(P.FteChange("experienced", D("0.5"), D(48), from_week=1),))
    weeks = P.project(OVER, weeks=3, scenario=scenario)
    assert [w.capacity for w in weeks] == [D("24.00"), D("48.00"), D("48.00")]
    assert [w.fte_needed for w in weeks] == [D("0.13"), D("0.00"), D("0.00")]


def test_a_scenario_moving_half_of_a_case_type_halves_its_cases_and_points():
    scenario = P.Scenario(moves=(P.Move("adult", D("0.5")), P.Move("child_in_need", D(1))))
    weeks = P.project(OVER, weeks=2, scenario=scenario)
    assert [(w.cases, w.points) for w in weeks] == [(D("0.5"), D("15.0")), (D("0.5"), D("15.0"))]


def test_removing_more_fte_than_there_is_leaves_no_capacity_and_no_fte_figure():
    scenario = P.Scenario(fte_changes=(P.FteChange("experienced", D(-1), D(48)),))
    week = P.project(OVER, weeks=1, scenario=scenario)[0]
    assert (week.capacity, week.fte_needed) == (D("0.00"), None)


@pytest.mark.parametrize(("end", "counted"), [(date(2026, 3, 9), True), (date(2026, 3, 8), False)])
def test_a_case_counts_in_the_week_its_planned_end_falls_on_its_first_day(end, counted):
    inputs = P.Inputs(start=START, cases=[P.CaseIn(5, "adult", end)], workers=[])
    assert P.project(inputs, weeks=2)[1].cases == (D("1.0") if counted else D("0.0"))


@pytest.mark.parametrize(
    ("starts", "leaves", "capacity"),
    [
        (date(2026, 3, 9), None, D("48.00")),
        (date(2026, 3, 10), None, D("0.00")),
        (None, date(2026, 3, 9), D("48.00")),
        (None, date(2026, 3, 8), D("0.00")),
    ],
)
def test_a_worker_counts_from_their_start_day_to_their_leaving_day(starts, leaves, capacity):
    worker = P.WorkerIn(D(1), EXPERIENCED, starts_on=starts, leaves_on=leaves)
    inputs = P.Inputs(start=START, cases=[], workers=[worker])
    assert P.project(inputs, weeks=2)[1].capacity == capacity


def test_with_nobody_in_post_fte_needed_is_empty():
    inputs = P.Inputs(start=START, cases=[P.CaseIn(5, "adult")], workers=[])
    assert P.project(inputs, weeks=1)[0].fte_needed is None
