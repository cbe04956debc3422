"""The figures a director needs, from plain rows: no database here.

Every definition is in `docs/figures.md`; the names below are the report's field names, in the
order the report prints them. The database work (who held what on a date, loads, waiting cases,
overdue visits) is in `reports.selectors`, which turns it into the rows this module reads.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from caseload.checkins.choices import Manageability
from caseload.core.choices import MANAGER_ROLES
from caseload.core.staffing import team_staffing
from weighting import scoring

FIELDS = (
    "caseload_per_fte",
    "practitioner_caseload_per_fte",
    "all_staff_caseload_per_fte",
    "caseload_per_fte_incl_unallocated",
    "vacancy_adjusted_caseload_per_fte",
    "vacancy_adjusted_incl_unallocated_per_fte",
    "median_caseload",
    "max_caseload",
    "share_20_plus",
    "share_25_plus",
    "weighted_load",
    "capacity",
    "share_above_bandwidth",
    "fte_needed",
    "share_above_promise",
    "agency_fte_share",
    "cases_unallocated",
    "median_days_unallocated",
    "overdue_visits",
    "share_checkins_manageable",
    "share_checkins_stretched",
    "share_checkins_unmanageable",
    "supervision_overdue",
    "workers",
    "case_holding_fte",
    "cases_allocated",
    "establishment_fte",
    "in_post_fte",
    "agency_fte",
    "vacant_fte",
)

# How each figure is shown and rounded: (label, kind). Kinds: ratio (2 dp), share (3 dp, a
# fraction), fte (2 dp), count, points, days (1 dp, a median).
LABELS = {
    "caseload_per_fte": ("Caseload per FTE (DfE method)", "ratio"),
    "practitioner_caseload_per_fte": ("Practitioner caseload per FTE", "ratio"),
    "all_staff_caseload_per_fte": ("All case holders' caseload per FTE", "ratio"),
    "caseload_per_fte_incl_unallocated": ("Caseload per FTE with unallocated cases", "ratio"),
    "vacancy_adjusted_caseload_per_fte": ("Caseload per establishment FTE", "ratio"),
    "vacancy_adjusted_incl_unallocated_per_fte": (
        "Caseload per establishment FTE with unallocated cases",
        "ratio",
    ),
    "median_caseload": ("Median caseload", "days"),
    "max_caseload": ("Highest caseload", "count"),
    "share_20_plus": ("Case holders with 20 or more cases", "share"),
    "share_25_plus": ("Case holders with 25 or more cases", "share"),
    "weighted_load": ("Weighted load (points)", "count"),
    "capacity": ("Capacity (points)", "fte"),
    "share_above_bandwidth": ("Workers above bandwidth", "share"),
    "fte_needed": ("FTE needed to bring everyone within band", "fte"),
    "share_above_promise": ("Workers above their caseload promise", "share"),
    "agency_fte_share": ("Agency share of FTE", "share"),
    "cases_unallocated": ("Open cases unallocated", "count"),
    "median_days_unallocated": ("Median days unallocated", "days"),
    "overdue_visits": ("Cases with a visit overdue", "count"),
    "share_checkins_manageable": ("Say their caseload is manageable", "share"),
    "share_checkins_stretched": ("Say their caseload is stretched", "share"),
    "share_checkins_unmanageable": ("Say their caseload is unmanageable", "share"),
    "supervision_overdue": ("Workers whose supervision is overdue", "count"),
    "workers": ("Workers in post", "count"),
    "case_holding_fte": ("Case-holding FTE", "fte"),
    "cases_allocated": ("Open cases allocated", "count"),
    "establishment_fte": ("Establishment FTE", "fte"),
    "in_post_fte": ("FTE in post (permanent and agency)", "fte"),
    "agency_fte": ("Agency FTE in post", "fte"),
    "vacant_fte": ("Vacant FTE (agency cover is still vacant)", "fte"),
}

RATIO = Decimal("0.01")
SHARE = Decimal("0.001")
TENTH = Decimal("0.1")
ZERO = Decimal("0")


@dataclass(frozen=True)
class StaffRow:
    """One worker on the date: who they are, what they held and (if in post) their load."""

    worker_id: int
    team_id: int
    service_id: int
    role: str
    qualified: bool
    agency: bool
    fte: Decimal
    in_post: bool
    open_cases: int
    load: scoring.WorkerLoad | None = None
    band: scoring.Band | None = None
    checkin: str | None = None  # their latest "is my caseload manageable?" answer still counting
    supervision_overdue: bool = False

    @property
    def holds_cases(self) -> bool:
        return self.open_cases > 0

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES


@dataclass(frozen=True)
class WaitingCase:
    """An open case nobody held on the date, and how many days it had waited by then."""

    team_id: int
    service_id: int
    days_waiting: int


def _round(value: Decimal | None, step: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(step, rounding=ROUND_HALF_UP)


def _ratio(numerator, denominator) -> Decimal | None:
    """numerator ÷ denominator to 0.01; None (shown as "–") when there is nothing to divide by."""
    if not denominator:
        return None
    return _round(Decimal(numerator) / Decimal(denominator), RATIO)


def _share(count: int, total: int) -> Decimal | None:
    if not total:
        return None
    return _round(Decimal(count) / Decimal(total), SHARE)


def _median(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return _round(Decimal(str(median(values))), TENTH)


def scope_figures(
    staff: Iterable[StaffRow],
    waiting: Iterable[WaitingCase],
    *,
    overdue_visits: int,
    establishment_fte: Decimal,
    vacant_fte: Decimal | None = None,
) -> dict:
    """Every figure in FIELDS for one scope (organisation, service or team). `vacant_fte` is
    the scope's teams' vacancies added up (`staffing.added_up`); for one team it may be left
    out and is worked out from the staff."""
    # One pass over the staff (a national organisation's row has 25,000): each sum below is
    # over the same workers as its definition in docs/figures.md says.
    counts: list[int] = []  # case holders' open cases
    holders_fte = qualified_fte = practitioner_fte = ZERO
    qualified_cases = practitioner_cases = 0
    loads: list[tuple[scoring.WorkerLoad, scoring.Band]] = []
    answers: list[str] = []
    workers = supervision_overdue = above_bandwidth = above_promise = weighted_load = 0
    fte_in_post = agency_fte = capacity = ZERO
    for s in staff:
        if s.open_cases > 0:
            counts.append(s.open_cases)
            holders_fte += s.fte
            if s.qualified:
                qualified_cases += s.open_cases
                qualified_fte += s.fte
                if not s.is_manager:
                    practitioner_cases += s.open_cases
                    practitioner_fte += s.fte
        load = s.load
        if not s.in_post or load is None:
            continue
        workers += 1
        fte_in_post += s.fte
        if s.agency:
            agency_fte += s.fte
        if s.checkin:
            answers.append(s.checkin)
        supervision_overdue += s.supervision_overdue
        if s.band is not None:
            loads.append((load, s.band))
            weighted_load += load.weighted_load
            capacity += load.capacity
            above_bandwidth += load.status is scoring.BandwidthStatus.ABOVE
            above_promise += load.above_promise
    waiting = list(waiting)
    unallocated = len(waiting)
    staffing = team_staffing(
        establishment=establishment_fte, in_post=fte_in_post, agency=agency_fte
    )
    if vacant_fte is not None:
        staffing = replace(staffing, vacant=vacant_fte)
    return {
        "caseload_per_fte": _ratio(qualified_cases, qualified_fte),
        "practitioner_caseload_per_fte": _ratio(practitioner_cases, practitioner_fte),
        "all_staff_caseload_per_fte": _ratio(sum(counts), holders_fte),
        "caseload_per_fte_incl_unallocated": _ratio(qualified_cases + unallocated, qualified_fte),
        "vacancy_adjusted_caseload_per_fte": _ratio(qualified_cases, establishment_fte),
        "vacancy_adjusted_incl_unallocated_per_fte": _ratio(
            qualified_cases + unallocated, establishment_fte
        ),
        "median_caseload": _median(counts),
        "max_caseload": max(counts, default=0),
        "share_20_plus": _share(sum(c >= 20 for c in counts), len(counts)),
        "share_25_plus": _share(sum(c >= 25 for c in counts), len(counts)),
        "weighted_load": weighted_load,
        "capacity": _round(capacity, RATIO),
        "share_above_bandwidth": _share(above_bandwidth, workers),
        "fte_needed": scoring.fte_needed(loads),
        "share_above_promise": _share(above_promise, workers),
        "agency_fte_share": _share_of_fte(agency_fte, fte_in_post),
        "cases_unallocated": unallocated,
        "median_days_unallocated": _median([w.days_waiting for w in waiting]),
        "overdue_visits": overdue_visits,
        "share_checkins_manageable": _share(answers.count(Manageability.MANAGEABLE), len(answers)),
        "share_checkins_stretched": _share(answers.count(Manageability.STRETCHED), len(answers)),
        "share_checkins_unmanageable": _share(
            answers.count(Manageability.UNMANAGEABLE), len(answers)
        ),
        "supervision_overdue": supervision_overdue,
        "workers": workers,
        "case_holding_fte": _round(holders_fte, RATIO),
        "cases_allocated": sum(counts),
        "establishment_fte": _round(staffing.establishment, RATIO),
        "in_post_fte": _round(staffing.in_post, RATIO),
        "agency_fte": _round(staffing.agency, RATIO),
        "vacant_fte": _round(staffing.vacant, RATIO),
    }


def _share_of_fte(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return _round(part / whole, SHARE)


def distribution(counts: Iterable[int], *, width: int = 5, top: int = 40) -> list[tuple[str, int]]:
    """Case holders by caseload in bins of `width` ("1–4", "5–9", …, "40+"), for the chart.
    A case holder holds at least one case, so the first bin starts at 1."""
    bins = [0] * (top // width + 1)
    # Tallied first: a national organisation has 25,000 case holders but a few dozen counts.
    for count, holders in Counter(counts).items():
        bins[min(count // width, len(bins) - 1)] += holders
    labels = [f"{max(i * width, 1)}–{i * width + width - 1}" for i in range(len(bins) - 1)]
    labels.append(f"{top}+")
    return list(zip(labels, bins, strict=True))


# What a page shows for a figure that is missing (nothing to divide by), said aloud too.
NO_FIGURE_HTML = '–<span class="visually-hidden"> (no figure)</span>'


def shown(value, kind: str) -> str | None:
    """A figure as people read it, by its kind (LABELS): shares as percentages to 0.1, ratios
    and FTE to 0.01 with thousands separated, medians to 0.1 without a trailing ".0", counts
    whole; None when there is no figure."""
    if value is None:
        return None
    value = Decimal(str(value))
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind in ("ratio", "fte"):
        return f"{value:,.2f}"
    if kind == "days":
        return f"{value:.1f}".removesuffix(".0")
    return f"{int(value):,}"


def as_plain(figures: dict) -> dict:
    """Figures with Decimals as floats, for JSON, snapshots and charts."""
    return {
        name: (float(value) if isinstance(value, Decimal) else value)
        for name, value in figures.items()
    }
