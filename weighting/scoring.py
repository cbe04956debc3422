"""Pure weighting rules: factors into points, loads into bandwidth and promise statuses.

Nothing here touches Django or the database. Callers load rows, turn them into the plain
dataclasses below and get plain data back, so every rule can be tested from a table.

Conventions:

- FTE and points-per-FTE are ``Decimal``; case points and case counts are ``int``.
- A reduction's ``percent`` is 0..100; :func:`reduction_in_force` returns a fraction 0..1.
- Capacities, floors, headroom and FTE needed are quantized to 0.01, rounding half up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache

__all__ = [
    "Band",
    "BandwidthStatus",
    "CasePoints",
    "FactorLine",
    "Reduction",
    "SchemeVersion",
    "UnknownFactorOption",
    "WorkerLoad",
    "bandwidth_status",
    "capacity",
    "case_points",
    "caseload_promise",
    "effective_fte",
    "fte_needed",
    "over_capacity",
    "over_promise",
    "own_promise_problem",
    "ReductionChange",
    "next_reduction_change",
    "reduction_end_date",
    "reduction_in_force",
    "reduction_status",
    "status_after",
    "version_in_force",
    "worker_load",
    "worker_load_from_totals",
]

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def _to_cents(value: Decimal) -> Decimal:
    """Quantize a figure to 0.01, rounding half up (how capacities are shown and stored)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _check_fte(fte: Decimal) -> None:
    """Reject an FTE outside 0..1 (the database keeps a worker's FTE in (0, 1])."""
    if fte < ZERO or fte > ONE:
        raise ValueError(f"FTE must be between 0 and 1, got {fte}")


# --- Bandwidth -------------------------------------------------------------------------------


class BandwidthStatus(StrEnum):
    """Where a worker's weighted load sits against their band scaled by effective FTE."""

    BELOW = "below"
    WITHIN = "within"
    ABOVE = "above"


@dataclass(frozen=True)
class Band:
    """A bandwidth: the range of weighted points a 1.0 FTE worker should hold."""

    bottom: Decimal
    top: Decimal

    def __post_init__(self) -> None:
        if self.bottom < ZERO or self.top <= ZERO or self.bottom > self.top:
            raise ValueError(f"a band needs 0 <= bottom <= top and top > 0, got {self}")


@dataclass(frozen=True)
class Reduction:
    """A capacity reduction of ``percent`` (0..100) from ``starts_on`` to ``ends_on`` inclusive.

    ``ends_on`` of ``None`` means open-ended (e.g. a protected ASYE caseload with no end set yet).
    """

    percent: Decimal
    starts_on: date
    ends_on: date | None = None

    def __post_init__(self) -> None:
        if self.percent < ZERO or self.percent > HUNDRED:
            raise ValueError(f"a reduction is 0..100 percent, got {self.percent}")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError(f"a reduction cannot end ({self.ends_on}) before it starts")

    def covers(self, on: date) -> bool:
        """Whether this reduction is in force on the given day (both ends inclusive)."""
        return self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)


def reduction_status(starts_on: date, ends_on: date | None, on: date) -> str:
    """Where a reduction is on a day: "scheduled" before it starts, "in_force" from its first
    day to its last (both included), "ended" after. The values of ReductionStatus."""
    if on < starts_on:
        return "scheduled"
    if ends_on is not None and on > ends_on:
        return "ended"
    return "in_force"


def reduction_end_date(starts_on: date, days: int | None) -> date | None:
    """The last day of a reduction lasting `days` days from `starts_on` (the first day counts);
    None (open-ended) without a length."""
    if days is None:
        return None
    return starts_on + timedelta(days=days - 1)


@dataclass(frozen=True)
class ReductionChange:
    """A day a worker's capacity changes: a reduction starts, or ends (the day after its last)."""

    on: date
    starts: bool
    label: str
    percent: int


def next_reduction_change(
    reductions: Iterable[tuple[str, int, date, date | None]], today: date
) -> ReductionChange | None:
    """The first change after today to a worker's capacity from (label, percent, starts_on,
    ends_on) reductions: one starting, or one ending (capacity back the day after its last
    day). None if nothing is due to change."""
    changes = []
    for label, percent, starts_on, ends_on in reductions:
        if starts_on > today:
            changes.append(ReductionChange(starts_on, True, label, percent))
        if ends_on is not None and ends_on >= today:
            changes.append(ReductionChange(ends_on + timedelta(days=1), False, label, percent))
    return min(changes, key=lambda c: (c.on, c.starts, c.label), default=None)


def reduction_in_force(reductions: Iterable[Reduction], on: date) -> Decimal:
    """Return the fraction (0..1) of capacity removed on ``on``.

    Overlapping reductions add up, but never beyond 100%.
    """
    total = sum((r.percent for r in reductions if r.covers(on)), ZERO)
    return min(total, HUNDRED) / HUNDRED


def effective_fte(fte: Decimal, reductions: Iterable[Reduction], on: date) -> Decimal:
    """Return the FTE left after reductions in force: ``fte × (1 − reduction_in_force)``."""
    _check_fte(fte)
    return fte * (ONE - reduction_in_force(reductions, on))


def capacity(band: Band, fte: Decimal, reductions: Iterable[Reduction], on: date) -> Decimal:
    """Return a worker's capacity in weighted points: top of band × effective FTE, to 0.01."""
    return _limits(band, fte, tuple(reductions), on)[0]


def bandwidth_status(
    load: Decimal | int,
    band: Band,
    fte: Decimal,
    reductions: Iterable[Reduction],
    on: date,
) -> BandwidthStatus:
    """Classify a weighted load against the band scaled by effective FTE.

    Both band edges (capacity and floor, to 0.01, as shown) are inside the band, so a fully
    reduced worker holding nothing is within band and holding anything is above it.
    """
    cap, floor = _limits(band, fte, tuple(reductions), on)
    return _status(Decimal(load), cap, floor)


def over_capacity(points: Decimal | int, capacity: Decimal) -> bool:
    """Above bandwidth: more weighted points than the capacity (to 0.01). Exactly at capacity
    is within band."""
    return points > capacity


def _status(points: Decimal | int, cap: Decimal, floor: Decimal) -> BandwidthStatus:
    if over_capacity(points, cap):
        return BandwidthStatus.ABOVE
    if points < floor:
        return BandwidthStatus.BELOW
    return BandwidthStatus.WITHIN


# --- Caseload promise ------------------------------------------------------------------------


def caseload_promise(default_promise: int, fte: Decimal, own_promise: int | None = None) -> int:
    """Return the most cases a worker is asked to hold.

    A worker's own promise (set by a manager) wins as given; otherwise the role's default is
    scaled by FTE and rounded down, so a part-timer is never promised more than their share.
    """
    if own_promise is not None:
        if own_promise < 0:
            raise ValueError(f"a caseload promise cannot be negative, got {own_promise}")
        return own_promise
    _check_fte(fte)
    return int((Decimal(default_promise) * fte).to_integral_value(rounding=ROUND_FLOOR))


# The highest own promise a manager may set: above it a caseload is not a promise at all.
OWN_PROMISE_MOST = 25


def own_promise_problem(own: int | None, default: int, reason: str) -> tuple[str, str] | None:
    """What is wrong with a worker's own caseload promise, as (field, message), or None: it is
    at most OWN_PROMISE_MOST, and raising it above the default for the worker's role
    (`default`, already scaled by FTE) needs a reason. Exactly the default needs none."""
    if own is None:
        return None
    if own > OWN_PROMISE_MOST:
        return "caseload_promise", f"A caseload promise is at most {OWN_PROMISE_MOST} cases."
    if own > default and not reason.strip():
        return (
            "caseload_promise_reason",
            f"Say why this worker's promise is above the default of {default} cases for "
            "their role.",
        )
    return None


def over_promise(cases: int, promise: int) -> bool:
    """Above promise: more open cases than the promise. Holding exactly the promise is not."""
    return cases > promise


# --- Case points -----------------------------------------------------------------------------


class UnknownFactorOption(ValueError):
    """A chosen (factor, option) pair is not in the weighting scheme version being applied."""

    def __init__(self, factor: str, option: str) -> None:
        self.factor = factor
        self.option = option
        super().__init__(
            f"option {option!r} of factor {factor!r} is not in this weighting scheme version"
        )


@dataclass(frozen=True)
class FactorLine:
    """One agreed factor option and the points it carries, for showing how a weight was built."""

    factor: str
    option: str
    points: int


@dataclass(frozen=True)
class CasePoints:
    """A case's weight under one scheme version, with the lines that make it up."""

    total: int
    lines: tuple[FactorLine, ...]


def case_points(
    choices: Iterable[tuple[str, str]],
    points_table: Mapping[tuple[str, str], int],
) -> CasePoints:
    """Return the weight of a case from its (factor_code, option_code) choices.

    A multi-select factor (such as extra complexity) appears once per chosen option.
    ``points_table`` is one scheme version's (factor_code, option_code) → points.
    Raises :class:`UnknownFactorOption` for a pair the table does not know.
    """
    lines: list[FactorLine] = []
    for factor, option in choices:
        try:
            points = points_table[(factor, option)]
        except KeyError:
            raise UnknownFactorOption(factor, option) from None
        lines.append(FactorLine(factor=factor, option=option, points=points))
    return CasePoints(total=sum(line.points for line in lines), lines=tuple(lines))


# --- Scheme versions -------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeVersion:
    """A weighting scheme version and the day it comes into force."""

    id: int
    in_force_from: date


def version_in_force(versions: Iterable[SchemeVersion], on: date) -> SchemeVersion | None:
    """Return the version in force on ``on``: the latest ``in_force_from`` not after ``on``.

    Two versions in force from the same day resolve to the highest id (the later edit).
    Returns ``None`` when no version had come into force yet.
    """
    candidates = [v for v in versions if v.in_force_from <= on]
    if not candidates:
        return None
    return max(candidates, key=lambda v: (v.in_force_from, v.id))


# --- Worker and team load --------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerLoad:
    """A worker's load on one day against their bandwidth and caseload promise."""

    open_cases: int
    weighted_load: int
    capacity: Decimal
    band_floor: Decimal
    status: BandwidthStatus
    promise: int
    above_promise: bool
    headroom: Decimal  # capacity − weighted load; negative when above band


def _load_for(
    *,
    open_cases: int,
    weighted_load: int,
    band: Band,
    fte: Decimal,
    reductions: tuple[Reduction, ...],
    on: date,
    promise: int,
) -> WorkerLoad:
    """Build a WorkerLoad from counts already summed and a promise already resolved."""
    cap, floor = _limits(band, fte, reductions, on)
    return WorkerLoad(
        open_cases=open_cases,
        weighted_load=weighted_load,
        capacity=cap,
        band_floor=floor,
        status=_status(weighted_load, cap, floor),
        promise=promise,
        above_promise=over_promise(open_cases, promise),
        headroom=cap - weighted_load,
    )


@lru_cache(maxsize=4096)
def _limits(
    band: Band, fte: Decimal, reductions: tuple[Reduction, ...], on: date
) -> tuple[Decimal, Decimal]:
    """Capacity and band floor (to 0.01) for a band, FTE and reductions on a day. Most workers
    share these, so a whole organisation's loads work them out a few hundred times rather than
    once per worker."""
    eff = effective_fte(fte, reductions, on)
    return _to_cents(band.top * eff), _to_cents(band.bottom * eff)


def worker_load(
    *,
    case_points: Iterable[int],
    band: Band,
    fte: Decimal,
    reductions: Iterable[Reduction],
    on: date,
    default_promise: int,
    own_promise: int | None = None,
) -> WorkerLoad:
    """Return a worker's load from the points of each open case they hold on ``on``.

    Holding exactly the promise is not above it.
    """
    points = list(case_points)
    return worker_load_from_totals(
        open_cases=len(points),
        weighted_load=sum(points),
        band=band,
        fte=fte,
        reductions=reductions,
        on=on,
        default_promise=default_promise,
        own_promise=own_promise,
    )


def worker_load_from_totals(
    *,
    open_cases: int,
    weighted_load: int,
    band: Band,
    fte: Decimal,
    reductions: Iterable[Reduction],
    on: date,
    default_promise: int,
    own_promise: int | None = None,
) -> WorkerLoad:
    """Return a worker's load from their open-case count and points already summed (by the
    database, for the whole organisation at once); the same rules as :func:`worker_load`."""
    return _load_for(
        open_cases=open_cases,
        weighted_load=weighted_load,
        band=band,
        fte=fte,
        reductions=tuple(reductions),
        on=on,
        promise=caseload_promise(default_promise, fte, own_promise),
    )


def status_after(
    load: WorkerLoad,
    extra_points: int,
    extra_cases: int = 1,
    *,
    band: Band,
    fte: Decimal,
    reductions: Iterable[Reduction],
    on: date,
) -> WorkerLoad:
    """Return the load as if ``extra_cases`` more cases worth ``extra_points`` were held.

    For "after this case" previews when allocating; the promise is kept from ``load``.
    """
    return _load_for(
        open_cases=load.open_cases + extra_cases,
        weighted_load=load.weighted_load + extra_points,
        band=band,
        fte=fte,
        reductions=tuple(reductions),
        on=on,
        promise=load.promise,
    )


def fte_needed(loads: Iterable[tuple[WorkerLoad, Band]]) -> Decimal:
    """Return the FTE that would bring every worker within band ("where we need extra hands").

    The sum, over workers above band, of (weighted load − capacity) / top of their band,
    to 0.01; zero when nobody is above band.
    """
    needed = ZERO
    for load, band in loads:
        if load.status is BandwidthStatus.ABOVE:
            # Capacity is rounded to 0.01, so guard against a rounding-sized negative excess.
            excess = max(Decimal(load.weighted_load) - load.capacity, ZERO)
            needed += excess / band.top
    return _to_cents(needed)
