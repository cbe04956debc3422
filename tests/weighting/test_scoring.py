"""Table-driven tests for the pure weighting rules (no database, no Django)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from weighting.scoring import (
    Band,
    BandwidthStatus,
    CasePoints,
    FactorLine,
    Reduction,
    SchemeVersion,
    UnknownFactorOption,
    WorkerLoad,
    bandwidth_status,
    capacity,
    case_points,
    caseload_promise,
    effective_fte,
    fte_needed,
    reduction_in_force,
    status_after,
    version_in_force,
    worker_load,
)

D = Decimal
TODAY = date(2025, 3, 10)
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)

# The default scheme shipped with the product, as (factor_code, option_code) -> points.
DEFAULT_SCHEME: dict[tuple[str, str], int] = {
    ("case_type", "early_help"): 1,
    ("case_type", "child_in_need"): 2,
    ("case_type", "child_protection"): 4,
    ("case_type", "looked_after"): 3,
    ("case_type", "care_leaver"): 2,
    ("case_type", "adult"): 3,
    ("siblings", "none"): 0,
    ("siblings", "one_or_two"): 1,
    ("siblings", "three_or_more"): 2,
    ("travel", "under_30"): 0,
    ("travel", "30_60"): 1,
    ("travel", "over_60"): 2,
    ("court", "none"): 0,
    ("court", "pre_proceedings"): 2,
    ("court", "care_proceedings"): 4,
    ("extras", "interpreter"): 1,
    ("extras", "disability"): 1,
    ("extras", "high_risk"): 2,
}

# Default bandwidths (points per 1.0 FTE) and caseload promises.
NEWLY_QUALIFIED = Band(bottom=D("25"), top=D("36"))
EXPERIENCED = Band(bottom=D("36"), top=D("48"))
SUPPORT_WORKER = Band(bottom=D("20"), top=D("30"))
ADULT_CASEWORKER = Band(bottom=D("28"), top=D("48"))

PROMISE_EXPERIENCED = 15
PROMISE_NEWLY_QUALIFIED = 12
PROMISE_SUPPORT_WORKER = 15
PROMISE_ADULT_CASEWORKER = 12


def reduction(percent: str, starts_on: date = YESTERDAY, ends_on: date | None = TOMORROW):
    """A reduction in force today unless told otherwise."""
    return Reduction(percent=D(percent), starts_on=starts_on, ends_on=ends_on)


# --- Reductions and effective FTE --------------------------------------------------------------


@pytest.mark.parametrize(
    ("reductions", "expected"),
    [
        pytest.param([], D("0"), id="none"),
        pytest.param([reduction("20")], D("0.2"), id="one 20%"),
        pytest.param([reduction("100")], D("1"), id="full"),
        pytest.param([reduction("20"), reduction("30")], D("0.5"), id="20% + 30% overlap"),
        pytest.param([reduction("60"), reduction("70")], D("1"), id="60% + 70% capped"),
        pytest.param(
            [reduction("50", starts_on=TODAY - timedelta(days=30), ends_on=YESTERDAY)],
            D("0"),
            id="ended yesterday",
        ),
        pytest.param(
            [reduction("50", starts_on=TOMORROW, ends_on=None)], D("0"), id="starts tomorrow"
        ),
        pytest.param([reduction("40", starts_on=TODAY, ends_on=TODAY)], D("0.4"), id="today only"),
        pytest.param([reduction("25", ends_on=None)], D("0.25"), id="open-ended"),
        pytest.param(
            [
                reduction("30"),
                reduction("50", starts_on=date(2025, 1, 1), ends_on=date(2025, 2, 28)),
            ],
            D("0.3"),
            id="only the one in force counts",
        ),
    ],
)
def test_reductions_in_force_add_up_to_at_most_everything(reductions, expected):
    assert reduction_in_force(reductions, TODAY) == expected


@pytest.mark.parametrize(
    ("fte", "reductions", "expected"),
    [
        (D("1.0"), [], D("1")),
        (D("0.1"), [], D("0.1")),
        (D("1.0"), [reduction("100")], D("0")),
        (D("0.1"), [reduction("100")], D("0")),
        (D("1.0"), [reduction("20"), reduction("30")], D("0.5")),
        (D("0.8"), [reduction("20")], D("0.64")),
        (D("0.5"), [reduction("60"), reduction("70")], D("0")),
    ],
)
def test_effective_fte_is_fte_less_the_reductions_in_force(fte, reductions, expected):
    assert effective_fte(fte, reductions, TODAY) == expected


@pytest.mark.parametrize("percent", ["-1", "100.01", "150"])
def test_a_reduction_must_be_between_none_and_all(percent):
    with pytest.raises(ValueError, match="percent"):
        reduction(percent)


def test_a_reduction_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="before it starts"):
        Reduction(percent=D("10"), starts_on=TODAY, ends_on=YESTERDAY)


@pytest.mark.parametrize("fte", [D("-0.1"), D("1.1")])
def test_an_fte_outside_zero_to_one_is_refused(fte):
    with pytest.raises(ValueError, match="FTE"):
        effective_fte(fte, [], TODAY)


# --- Capacity ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("band", "fte", "reductions", "expected"),
    [
        pytest.param(EXPERIENCED, D("1.0"), [], D("48.00"), id="experienced full time"),
        pytest.param(EXPERIENCED, D("0.1"), [], D("4.80"), id="experienced 0.1"),
        pytest.param(NEWLY_QUALIFIED, D("1.0"), [], D("36.00"), id="NQ full time"),
        pytest.param(NEWLY_QUALIFIED, D("0.1"), [], D("3.60"), id="NQ 0.1"),
        pytest.param(SUPPORT_WORKER, D("0.5"), [], D("15.00"), id="support half time"),
        pytest.param(ADULT_CASEWORKER, D("0.1"), [], D("4.80"), id="adult caseworker 0.1"),
        pytest.param(
            EXPERIENCED, D("1.0"), [reduction("20"), reduction("30")], D("24.00"), id="20%+30%"
        ),
        pytest.param(
            EXPERIENCED, D("1.0"), [reduction("60"), reduction("70")], D("0.00"), id="capped"
        ),
        pytest.param(NEWLY_QUALIFIED, D("0.8"), [reduction("20")], D("23.04"), id="NQ ASYE"),
        pytest.param(
            Band(D("25"), D("36.5")), D("0.25"), [], D("9.13"), id="rounds half up, not to even"
        ),
    ],
)
def test_capacity_is_top_of_band_times_effective_fte(band, fte, reductions, expected):
    assert capacity(band, fte, reductions, TODAY) == expected


def test_a_full_reduction_leaves_no_capacity():
    assert capacity(EXPERIENCED, D("1.0"), [reduction("100")], TODAY) == D("0.00")


def test_a_reduction_that_ended_yesterday_leaves_full_capacity():
    ended = reduction("50", starts_on=TODAY - timedelta(days=90), ends_on=YESTERDAY)
    assert capacity(EXPERIENCED, D("1.0"), [ended], TODAY) == D("48.00")


def test_a_reduction_that_starts_tomorrow_leaves_full_capacity():
    upcoming = reduction("50", starts_on=TOMORROW, ends_on=None)
    assert capacity(EXPERIENCED, D("1.0"), [upcoming], TODAY) == D("48.00")


@pytest.mark.parametrize(
    ("bottom", "top"), [(D("-1"), D("10")), (D("10"), D("0")), (D("40"), D("30"))]
)
def test_a_band_needs_a_bottom_no_higher_than_a_positive_top(bottom, top):
    with pytest.raises(ValueError, match="band"):
        Band(bottom=bottom, top=top)


# --- Bandwidth status --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("load", "band", "fte", "reductions", "expected"),
    [
        # Experienced, full time: 36-48.
        (35, EXPERIENCED, D("1.0"), [], BandwidthStatus.BELOW),
        (36, EXPERIENCED, D("1.0"), [], BandwidthStatus.WITHIN),
        (48, EXPERIENCED, D("1.0"), [], BandwidthStatus.WITHIN),
        (49, EXPERIENCED, D("1.0"), [], BandwidthStatus.ABOVE),
        # Experienced, half time: 18-24.
        (17, EXPERIENCED, D("0.5"), [], BandwidthStatus.BELOW),
        (18, EXPERIENCED, D("0.5"), [], BandwidthStatus.WITHIN),
        (24, EXPERIENCED, D("0.5"), [], BandwidthStatus.WITHIN),
        (25, EXPERIENCED, D("0.5"), [], BandwidthStatus.ABOVE),
        # Newly qualified at 0.1 FTE: 2.5-3.6.
        (2, NEWLY_QUALIFIED, D("0.1"), [], BandwidthStatus.BELOW),
        (3, NEWLY_QUALIFIED, D("0.1"), [], BandwidthStatus.WITHIN),
        (4, NEWLY_QUALIFIED, D("0.1"), [], BandwidthStatus.ABOVE),
        (D("3.6"), NEWLY_QUALIFIED, D("0.1"), [], BandwidthStatus.WITHIN),
        # Support worker, full time, 20% + 30% reduced: 10-15.
        (9, SUPPORT_WORKER, D("1.0"), [reduction("20"), reduction("30")], BandwidthStatus.BELOW),
        (10, SUPPORT_WORKER, D("1.0"), [reduction("20"), reduction("30")], BandwidthStatus.WITHIN),
        (15, SUPPORT_WORKER, D("1.0"), [reduction("20"), reduction("30")], BandwidthStatus.WITHIN),
        (16, SUPPORT_WORKER, D("1.0"), [reduction("20"), reduction("30")], BandwidthStatus.ABOVE),
        # Adult caseworker at 0.1 FTE: 2.8-4.8.
        (2, ADULT_CASEWORKER, D("0.1"), [], BandwidthStatus.BELOW),
        (3, ADULT_CASEWORKER, D("0.1"), [], BandwidthStatus.WITHIN),
        (4, ADULT_CASEWORKER, D("0.1"), [], BandwidthStatus.WITHIN),
        (5, ADULT_CASEWORKER, D("0.1"), [], BandwidthStatus.ABOVE),
        # Fully reduced: nothing held is within, anything held is above.
        (0, EXPERIENCED, D("1.0"), [reduction("100")], BandwidthStatus.WITHIN),
        (1, EXPERIENCED, D("1.0"), [reduction("100")], BandwidthStatus.ABOVE),
        (0, EXPERIENCED, D("1.0"), [reduction("60"), reduction("70")], BandwidthStatus.WITHIN),
        (1, NEWLY_QUALIFIED, D("0.1"), [reduction("100")], BandwidthStatus.ABOVE),
    ],
)
def test_bandwidth_status_compares_load_with_the_band_scaled_by_effective_fte(
    load, band, fte, reductions, expected
):
    assert bandwidth_status(load, band, fte, reductions, TODAY) is expected


def test_a_fully_reduced_worker_holding_nothing_is_within_band():
    assert bandwidth_status(0, EXPERIENCED, D("1.0"), [reduction("100")], TODAY) == "within"


# --- Caseload promise --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("default", "fte", "expected"),
    [
        (PROMISE_EXPERIENCED, D("1.0"), 15),
        (PROMISE_EXPERIENCED, D("0.5"), 7),
        (PROMISE_EXPERIENCED, D("0.1"), 1),
        (PROMISE_EXPERIENCED, D("0.8"), 12),
        (PROMISE_NEWLY_QUALIFIED, D("1.0"), 12),
        (PROMISE_NEWLY_QUALIFIED, D("0.1"), 1),
        (PROMISE_NEWLY_QUALIFIED, D("0.75"), 9),
        (PROMISE_SUPPORT_WORKER, D("0.6"), 9),
        (PROMISE_ADULT_CASEWORKER, D("0.5"), 6),
        (PROMISE_ADULT_CASEWORKER, D("0.05"), 0),
    ],
)
def test_the_default_promise_scales_with_fte_and_rounds_down(default, fte, expected):
    assert caseload_promise(default, fte) == expected


@pytest.mark.parametrize(
    ("default", "fte", "own", "expected"),
    [
        (PROMISE_EXPERIENCED, D("1.0"), 10, 10),
        (PROMISE_EXPERIENCED, D("0.5"), 10, 10),
        (PROMISE_NEWLY_QUALIFIED, D("1.0"), 0, 0),
        (PROMISE_SUPPORT_WORKER, D("0.1"), 18, 18),
    ],
)
def test_a_workers_own_promise_overrides_the_default(default, fte, own, expected):
    assert caseload_promise(default, fte, own_promise=own) == expected


def test_a_negative_own_promise_is_refused():
    with pytest.raises(ValueError, match="negative"):
        caseload_promise(PROMISE_EXPERIENCED, D("1.0"), own_promise=-1)


# --- Case points -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        pytest.param(
            [
                ("case_type", "child_protection"),
                ("siblings", "one_or_two"),
                ("court", "care_proceedings"),
                ("travel", "over_60"),
            ],
            11,
            id="child protection in care proceedings, far away",
        ),
        pytest.param(
            [
                ("case_type", "early_help"),
                ("siblings", "none"),
                ("travel", "under_30"),
                ("court", "none"),
            ],
            1,
            id="early help close by",
        ),
        pytest.param(
            [
                ("case_type", "adult"),
                ("siblings", "none"),
                ("travel", "30_60"),
                ("court", "none"),
                ("extras", "interpreter"),
                ("extras", "disability"),
                ("extras", "high_risk"),
            ],
            8,
            id="adult with every extra complexity",
        ),
        pytest.param(
            [
                ("case_type", "child_in_need"),
                ("siblings", "three_or_more"),
                ("travel", "under_30"),
                ("court", "pre_proceedings"),
                ("extras", "disability"),
            ],
            7,
            id="child in need, large sibling group, pre-proceedings",
        ),
    ],
)
def test_the_default_scheme_worked_examples(choices, expected):
    assert case_points(choices, DEFAULT_SCHEME).total == expected


def test_no_factors_score_no_points():
    assert case_points([], DEFAULT_SCHEME) == CasePoints(total=0, lines=())


def test_each_agreed_option_is_shown_as_a_line_in_the_order_given():
    result = case_points(
        [("case_type", "looked_after"), ("extras", "interpreter"), ("extras", "high_risk")],
        DEFAULT_SCHEME,
    )
    assert result.lines == (
        FactorLine(factor="case_type", option="looked_after", points=3),
        FactorLine(factor="extras", option="interpreter", points=1),
        FactorLine(factor="extras", option="high_risk", points=2),
    )
    assert result.total == 6


@pytest.mark.parametrize(
    ("factor", "option"),
    [("case_type", "unknown_type"), ("no_such_factor", "none"), ("travel", "care_proceedings")],
)
def test_an_option_not_in_the_scheme_is_refused_by_name(factor, option):
    with pytest.raises(UnknownFactorOption) as caught:
        case_points([("case_type", "early_help"), (factor, option)], DEFAULT_SCHEME)
    assert factor in str(caught.value)
    assert option in str(caught.value)
    assert isinstance(caught.value, ValueError)


# --- Scheme versions, and a scheme change mid-case ---------------------------------------------

ORIGINAL = SchemeVersion(id=1, in_force_from=date(2024, 4, 1))
REVISED = SchemeVersion(id=2, in_force_from=date(2025, 1, 1))
VERSIONS = [REVISED, ORIGINAL]  # order given does not matter


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param(date(2024, 3, 31), None, id="before any scheme"),
        pytest.param(date(2024, 4, 1), ORIGINAL, id="first day of the original"),
        pytest.param(date(2024, 10, 1), ORIGINAL, id="case opened under the original"),
        pytest.param(date(2024, 12, 31), ORIGINAL, id="day before the change"),
        pytest.param(date(2025, 1, 1), REVISED, id="day of the change"),
        pytest.param(date(2025, 2, 1), REVISED, id="same case after the change"),
    ],
)
def test_the_version_in_force_is_the_latest_to_have_started(on, expected):
    assert version_in_force(VERSIONS, on) == expected


def test_two_versions_from_the_same_day_resolve_to_the_later_edit():
    same_day = date(2025, 1, 1)
    versions = [SchemeVersion(4, same_day), SchemeVersion(3, same_day), ORIGINAL]
    assert version_in_force(versions, TODAY) == SchemeVersion(4, same_day)


def test_no_versions_means_none_in_force():
    assert version_in_force([], TODAY) is None


def test_the_same_case_weighs_differently_before_and_after_a_scheme_change():
    revised_scheme = {**DEFAULT_SCHEME, ("court", "care_proceedings"): 5, ("travel", "over_60"): 3}
    tables = {ORIGINAL.id: DEFAULT_SCHEME, REVISED.id: revised_scheme}
    choices = [
        ("case_type", "child_protection"),
        ("siblings", "one_or_two"),
        ("court", "care_proceedings"),
        ("travel", "over_60"),
    ]

    before = version_in_force(VERSIONS, date(2024, 12, 31))
    after = version_in_force(VERSIONS, date(2025, 1, 1))
    assert before is not None and after is not None

    assert case_points(choices, tables[before.id]).total == 11
    assert case_points(choices, tables[after.id]).total == 13


# --- Worker load -------------------------------------------------------------------------------


def test_a_worker_load_sums_case_points_against_band_and_promise():
    load = worker_load(
        case_points=[11, 1, 8, 7, 6],
        band=EXPERIENCED,
        fte=D("1.0"),
        reductions=[],
        on=TODAY,
        default_promise=PROMISE_EXPERIENCED,
    )
    assert load == WorkerLoad(
        open_cases=5,
        weighted_load=33,
        capacity=D("48.00"),
        band_floor=D("36.00"),
        status=BandwidthStatus.BELOW,
        promise=15,
        above_promise=False,
        headroom=D("15.00"),
    )


def test_a_worker_holding_nothing_has_their_whole_capacity_as_headroom():
    load = worker_load(
        case_points=[],
        band=NEWLY_QUALIFIED,
        fte=D("0.1"),
        reductions=[],
        on=TODAY,
        default_promise=PROMISE_NEWLY_QUALIFIED,
    )
    assert (load.open_cases, load.weighted_load) == (0, 0)
    assert load.capacity == D("3.60")
    assert load.band_floor == D("2.50")
    assert load.headroom == D("3.60")
    assert load.status is BandwidthStatus.BELOW
    assert load.promise == 1


def test_a_worker_above_band_has_negative_headroom():
    load = worker_load(
        case_points=[11] * 5,
        band=EXPERIENCED,
        fte=D("1.0"),
        reductions=[reduction("20")],
        on=TODAY,
        default_promise=PROMISE_EXPERIENCED,
    )
    assert load.capacity == D("38.40")
    assert load.band_floor == D("28.80")
    assert load.status is BandwidthStatus.ABOVE
    assert load.headroom == D("-16.60")


@pytest.mark.parametrize(
    ("open_cases", "fte", "own_promise", "expected_promise", "above"),
    [
        pytest.param(14, D("1.0"), None, 15, False, id="below promise"),
        pytest.param(15, D("1.0"), None, 15, False, id="holding exactly the promise"),
        pytest.param(16, D("1.0"), None, 15, True, id="one over the promise"),
        pytest.param(7, D("0.5"), None, 7, False, id="half time at promise"),
        pytest.param(8, D("0.5"), None, 7, True, id="half time over promise"),
        pytest.param(2, D("0.1"), None, 1, True, id="0.1 FTE over promise"),
        pytest.param(10, D("1.0"), 10, 10, False, id="at own promise"),
        pytest.param(11, D("1.0"), 10, 10, True, id="over own promise"),
    ],
)
def test_a_worker_is_above_promise_only_when_holding_more_than_it(
    open_cases, fte, own_promise, expected_promise, above
):
    load = worker_load(
        case_points=[1] * open_cases,
        band=EXPERIENCED,
        fte=fte,
        reductions=[],
        on=TODAY,
        default_promise=PROMISE_EXPERIENCED,
        own_promise=own_promise,
    )
    assert load.promise == expected_promise
    assert load.above_promise is above


def test_worker_load_accepts_one_shot_iterables():
    load = worker_load(
        case_points=iter([4, 4]),
        band=SUPPORT_WORKER,
        fte=D("1.0"),
        reductions=iter([reduction("20"), reduction("30")]),
        on=TODAY,
        default_promise=PROMISE_SUPPORT_WORKER,
    )
    assert load.weighted_load == 8
    assert load.capacity == D("15.00")
    assert load.band_floor == D("10.00")
    assert load.status is BandwidthStatus.BELOW


# --- After this case ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("points_held", "extra_points", "expected_status", "expected_above_promise"),
    [
        pytest.param([3] * 14, 4, BandwidthStatus.WITHIN, False, id="reaches band and promise"),
        pytest.param([3] * 14 + [3], 4, BandwidthStatus.ABOVE, True, id="tips over both"),
        pytest.param([3] * 9, 11, BandwidthStatus.WITHIN, False, id="lifts into band"),
    ],
)
def test_status_after_previews_one_more_case(
    points_held, extra_points, expected_status, expected_above_promise
):
    kwargs = {"band": EXPERIENCED, "fte": D("1.0"), "reductions": [], "on": TODAY}
    before = worker_load(case_points=points_held, default_promise=PROMISE_EXPERIENCED, **kwargs)
    after = status_after(before, extra_points, **kwargs)

    assert after.open_cases == before.open_cases + 1
    assert after.weighted_load == before.weighted_load + extra_points
    assert after.status is expected_status
    assert after.above_promise is expected_above_promise
    assert after.promise == before.promise
    assert after.capacity == before.capacity
    assert after.headroom == before.headroom - extra_points


def test_status_after_keeps_a_workers_own_promise():
    kwargs = {"band": NEWLY_QUALIFIED, "fte": D("0.5"), "reductions": [], "on": TODAY}
    before = worker_load(
        case_points=[2] * 9, default_promise=PROMISE_NEWLY_QUALIFIED, own_promise=9, **kwargs
    )
    after = status_after(before, 2, **kwargs)
    assert (before.above_promise, after.above_promise) == (False, True)
    assert after.promise == 9


def test_status_after_can_preview_several_cases_at_once():
    kwargs = {"band": SUPPORT_WORKER, "fte": D("1.0"), "reductions": [], "on": TODAY}
    before = worker_load(case_points=[2] * 5, default_promise=PROMISE_SUPPORT_WORKER, **kwargs)
    after = status_after(before, 12, extra_cases=3, **kwargs)
    assert (after.open_cases, after.weighted_load) == (8, 22)
    assert after.status is BandwidthStatus.WITHIN


# --- FTE needed --------------------------------------------------------------------------------


def _load(points: list[int], band: Band, fte: str, reductions=()) -> tuple[WorkerLoad, Band]:
    load = worker_load(
        case_points=points,
        band=band,
        fte=D(fte),
        reductions=list(reductions),
        on=TODAY,
        default_promise=PROMISE_EXPERIENCED,
    )
    return load, band


@pytest.mark.parametrize(
    ("loads", "expected"),
    [
        pytest.param([], D("0.00"), id="no workers"),
        pytest.param(
            [_load([10] * 4, EXPERIENCED, "1.0"), _load([5] * 3, NEWLY_QUALIFIED, "0.5")],
            D("0.00"),
            id="everyone within or below",
        ),
        pytest.param([_load([12] * 5, EXPERIENCED, "1.0")], D("0.25"), id="12 points over 48"),
        pytest.param(
            [
                _load([12] * 5, EXPERIENCED, "1.0"),  # 60 vs 48: 12 / 48 = 0.25
                _load([6] * 4, NEWLY_QUALIFIED, "0.5"),  # 24 vs 18: 6 / 36 = 0.1667
                _load([10] * 4, EXPERIENCED, "1.0"),  # within: not counted
                _load([1] * 2, SUPPORT_WORKER, "1.0"),  # below: its spare room is not netted off
            ],
            D("0.42"),
            id="two above, one within, one below",
        ),
        pytest.param(
            [_load([1], EXPERIENCED, "1.0", [reduction("100")])],
            D("0.02"),
            id="a fully reduced worker holding a 1-point case",
        ),
        pytest.param(
            [_load([4, 4], NEWLY_QUALIFIED, "0.1")],  # 8 vs 3.6: 4.4 / 36 = 0.1222
            D("0.12"),
            id="0.1 FTE worker above band",
        ),
    ],
)
def test_fte_needed_is_the_excess_over_capacity_in_band_tops(loads, expected):
    assert fte_needed(loads) == expected
