"""The figures from plain rows: published figures reproduced, and the edge cases."""

from datetime import date
from decimal import Decimal

import pytest

from reports import figures as F
from weighting import scoring

TODAY = date(2026, 11, 23)
BAND = scoring.Band(Decimal("70"), Decimal("90"))


def staff(n, cases, *, role="social_worker", qualified=True, fte="1.00", agency=False, points=0,
          in_post=True, start=0):  # fmt: skip
    """n workers holding `cases` open cases each, with loads against the experienced band."""
    rows = []
    for i in range(n):
        load = scoring.worker_load(
            case_points=[points] * cases,
            band=BAND,
            fte=Decimal(fte),
            reductions=[],
            on=TODAY,
            default_promise=15,
        )
        rows.append(
            F.StaffRow(
                worker_id=start + i,
                team_id=1,
                service_id=1,
                role=role,
                qualified=qualified,
                agency=agency,
                fte=Decimal(fte),
                in_post=in_post,
                open_cases=cases,
                load=load if in_post else None,
                band=BAND if in_post else None,
            )
        )
    return rows


def waiting(n, days=3):
    return [F.WaitingCase(team_id=1, service_id=1, days_waiting=days) for _ in range(n)]


def test_northern_irelands_published_ratios_are_reproduced():
    # 100 qualified workers at 1.0 FTE with 18 cases each, 200 unallocated cases and an
    # establishment of 128.87 FTE (22.4% vacant): 1:18, 1:20, 1:14 and 1:16.
    figures = F.scope_figures(
        staff(100, 18), waiting(200), overdue_visits=0, establishment_fte=Decimal("128.87")
    )
    assert figures["caseload_per_fte"] == Decimal("18.00")
    assert figures["caseload_per_fte_incl_unallocated"] == Decimal("20.00")
    assert figures["vacancy_adjusted_caseload_per_fte"] == Decimal("13.97")
    assert figures["vacancy_adjusted_incl_unallocated_per_fte"] == Decimal("15.52")
    assert figures["cases_unallocated"] == 200
    assert figures["cases_allocated"] == 1800


def test_cafcass_january_2025_shares_are_reproduced():
    # 1,000 workers, 349 holding 20 or more and 55 of those 25 or more, 18,000 cases in all.
    rows = (
        staff(55, 25, start=0)
        + staff(294, 20, start=55)
        + staff(329, 17, start=349)
        + staff(322, 16, start=678)
    )
    assert (len(rows), sum(r.open_cases for r in rows)) == (1000, 18000)
    figures = F.scope_figures(rows, [], overdue_visits=0, establishment_fte=Decimal("1000"))
    assert figures["share_20_plus"] == Decimal("0.349")
    assert figures["share_25_plus"] == Decimal("0.055")
    assert figures["caseload_per_fte"] == Decimal("18.00")
    assert figures["max_caseload"] == 25


def test_managers_count_in_the_dfe_figure_but_not_the_practitioner_figure():
    rows = staff(4, 15) + staff(1, 5, role="team_manager", start=10)
    figures = F.scope_figures(rows, [], overdue_visits=0, establishment_fte=Decimal("5"))
    assert figures["caseload_per_fte"] == Decimal("13.00")  # 65 cases / 5 FTE
    assert figures["practitioner_caseload_per_fte"] == Decimal("15.00")  # 60 / 4


def test_part_time_staff_count_by_their_fte():
    rows = staff(2, 10, fte="0.50") + staff(1, 20, start=5)
    figures = F.scope_figures(rows, [], overdue_visits=0, establishment_fte=Decimal("3"))
    assert figures["caseload_per_fte"] == Decimal("20.00")  # 40 cases / 2.0 FTE
    assert figures["case_holding_fte"] == Decimal("2.00")
    assert figures["median_caseload"] == Decimal("10.0")


def test_support_workers_count_only_in_the_all_staff_figure():
    rows = staff(2, 10) + staff(2, 6, role="support_worker", qualified=False, start=5)
    figures = F.scope_figures(rows, waiting(4), overdue_visits=0, establishment_fte=Decimal("4"))
    assert figures["caseload_per_fte"] == Decimal("10.00")
    assert figures["all_staff_caseload_per_fte"] == Decimal("8.00")  # 32 / 4
    assert figures["caseload_per_fte_incl_unallocated"] == Decimal("12.00")  # (20 + 4) / 2
    assert figures["vacancy_adjusted_caseload_per_fte"] == Decimal("5.00")  # 20 / 4


def test_agency_staff_are_included_and_their_share_of_fte_is_shown():
    rows = staff(3, 12) + staff(1, 12, agency=True, start=5)
    figures = F.scope_figures(rows, [], overdue_visits=0, establishment_fte=Decimal("4"))
    assert figures["caseload_per_fte"] == Decimal("12.00")
    assert figures["agency_fte_share"] == Decimal("0.250")


def test_workers_without_cases_are_workers_but_not_case_holders():
    rows = staff(2, 10) + staff(2, 0, start=5)
    figures = F.scope_figures(rows, [], overdue_visits=0, establishment_fte=Decimal("4"))
    assert figures["workers"] == 4
    assert figures["case_holding_fte"] == Decimal("2.00")
    assert figures["median_caseload"] == Decimal("10.0")
    assert figures["caseload_per_fte"] == Decimal("10.00")


def test_someone_gone_but_still_holding_cases_counts_as_a_case_holder_not_a_worker():
    rows = staff(1, 10) + staff(1, 4, in_post=False, start=5)
    figures = F.scope_figures(rows, [], overdue_visits=0, establishment_fte=Decimal("1"))
    assert figures["cases_allocated"] == 14
    assert figures["workers"] == 1


def test_bandwidth_promise_and_fte_needed_follow_the_loads():
    # 18 cases of 6 points = 108 points against a band of 70–90: above band by 18 points,
    # which is 0.2 FTE at 90 points per FTE; 18 cases is above the promise of 15.
    rows = staff(1, 18, points=6) + staff(1, 10, points=6, start=5)
    figures = F.scope_figures(rows, [], overdue_visits=0, establishment_fte=Decimal("2"))
    assert figures["weighted_load"] == 168
    assert figures["capacity"] == Decimal("180.00")
    assert figures["share_above_bandwidth"] == Decimal("0.500")
    assert figures["share_above_promise"] == Decimal("0.500")
    assert figures["fte_needed"] == Decimal("0.20")


def test_nothing_to_divide_by_gives_no_figure_rather_than_zero():
    figures = F.scope_figures([], [], overdue_visits=0, establishment_fte=Decimal("0"))
    for name in (
        "caseload_per_fte",
        "practitioner_caseload_per_fte",
        "vacancy_adjusted_caseload_per_fte",
        "median_caseload",
        "share_20_plus",
        "share_above_promise",
        "agency_fte_share",
        "median_days_unallocated",
    ):
        assert figures[name] is None, name
    assert figures["workers"] == 0
    assert figures["cases_unallocated"] == 0


def test_the_median_days_unallocated_is_over_the_waiting_cases():
    figures = F.scope_figures(
        [], waiting(1, days=2) + waiting(2, days=9), overdue_visits=0, establishment_fte=Decimal(1)
    )
    assert figures["median_days_unallocated"] == Decimal("9.0")


def test_every_field_is_reported_in_the_documented_order():
    figures = F.scope_figures(staff(1, 1), [], overdue_visits=3, establishment_fte=Decimal("1"))
    assert tuple(figures) == F.FIELDS
    assert figures["overdue_visits"] == 3


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (
            [1, 4, 5, 19, 20, 24, 25, 40, 60],
            {"1–4": 2, "5–9": 1, "15–19": 1, "20–24": 2, "25–29": 1, "40+": 2},
        ),  # fmt: skip
        ([], {}),
    ],
)
def test_the_distribution_puts_20_and_25_at_the_start_of_their_bands(counts, expected):
    bins = dict(F.distribution(counts))
    assert {k: v for k, v in bins.items() if v} == expected
    assert list(bins)[4] == "20–24" and list(bins)[5] == "25–29"
