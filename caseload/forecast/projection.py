"""The next weeks of open cases, points, capacity and FTE needed: plain data in and out, no
Django (the database work is in `forecast.selectors`).

Conventions, each stated once:

- Week `w` (0, 1, …) starts on `start + 7·w` days; week 0 starts on the day the forecast is
  made, so it is the position measured that day. Each week's figures are those of its first day.
- An **existing case** counts in week `w` if it has no expected end, or its expected end is on
  or after the week's first day. A case still open after its expected end has passed is
  counted in week 0 only (its work is taken to end this week).
- **New cases** arrive at each type's average weekly rate (over the 12 weeks before the
  forecast): by week `w`, `w × rate` of them, each worth that type's average points. They stay
  open to the end of the forecast (nothing is known of their end).
- **Capacity** is the sum, over workers in post on the week's first day (started by then, not
  yet left), of top of band × FTE × (1 − reductions in force that day), as on the dashboards.
- **FTE needed** is the projected points above capacity ÷ the FTE-weighted average top of band
  of the workers in post that week: the FTE that would bring the scope's load within its
  capacity; 0 when within. Empty when nobody is in post.
- A **scenario** adds (or, negative, removes) FTE of a kind of worker from a week on, at that
  kind's top of band; or moves a share of a case type's work elsewhere (its existing cases and
  its new cases both count `1 − share`). Capacity never goes below zero.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from weighting import scoring

ZERO, ONE = Decimal("0"), Decimal("1")
TENTH, CENT = Decimal("0.1"), Decimal("0.01")


@dataclass(frozen=True)
class CaseIn:
    """An open case today: its points, type and expected end (if planned)."""

    points: int
    case_type: str
    expected_end: date | None = None


@dataclass(frozen=True)
class WorkerIn:
    """A worker in post now or starting later: their band, FTE, dates and reductions."""

    fte: Decimal
    band: scoring.Band
    kind: str = ""
    starts_on: date | None = None
    leaves_on: date | None = None
    reductions: tuple[scoring.Reduction, ...] = ()

    def in_post(self, on: date) -> bool:
        return (self.starts_on is None or self.starts_on <= on) and (
            self.leaves_on is None or self.leaves_on >= on
        )


@dataclass(frozen=True)
class Arrivals:
    """New cases of a type: how many a week on average, and what each is worth."""

    case_type: str
    per_week: Decimal
    points: Decimal


@dataclass(frozen=True)
class FteChange:
    """A scenario's change of staff: `fte` more (or fewer, negative) of a kind of worker, at
    that kind's top of band, from week `from_week` on."""

    kind: str
    fte: Decimal
    band_top: Decimal
    from_week: int = 0


@dataclass(frozen=True)
class Move:
    """A scenario's move of a share (0 to 1) of a case type's work elsewhere."""

    case_type: str
    share: Decimal


@dataclass(frozen=True)
class Scenario:
    """What if: staff changes and work moved elsewhere. The empty scenario is the baseline."""

    fte_changes: tuple[FteChange, ...] = ()
    moves: tuple[Move, ...] = ()

    def kept(self, case_type: str) -> Decimal:
        """The share of a case type's work that stays."""
        moved = sum((m.share for m in self.moves if m.case_type == case_type), ZERO)
        return max(ONE - moved, ZERO)


BASELINE = Scenario()


@dataclass(frozen=True)
class Inputs:
    """Everything the projection needs, for one scope, from the day it is made."""

    start: date
    cases: Sequence[CaseIn]
    workers: Sequence[WorkerIn]
    arrivals: Sequence[Arrivals] = field(default_factory=tuple)


@dataclass(frozen=True)
class Week:
    """One week of the projection."""

    week: int
    week_start: date
    cases: Decimal
    points: Decimal
    capacity: Decimal
    fte_needed: Decimal | None

    @property
    def headroom(self) -> Decimal:
        return self.capacity - self.points


def _round(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def _counts(case: CaseIn, week: int, on: date) -> bool:
    return week == 0 or case.expected_end is None or case.expected_end >= on


def _staff(
    workers: Iterable[WorkerIn], scenario: Scenario, week: int, on: date
) -> tuple[Decimal, Decimal]:
    """Capacity and FTE-weighted top of band × FTE (for the average) on the day."""
    capacity = top_fte = fte = ZERO
    for worker in workers:
        if worker.in_post(on):
            capacity += scoring.capacity(worker.band, worker.fte, worker.reductions, on)
            top_fte += worker.band.top * worker.fte
            fte += worker.fte
    for change in scenario.fte_changes:
        if week >= change.from_week:
            capacity += change.band_top * change.fte
            top_fte += change.band_top * change.fte
            fte += change.fte
    return max(capacity, ZERO), (top_fte / fte if fte > 0 and top_fte > 0 else ZERO)


def project(inputs: Inputs, *, weeks: int = 12, scenario: Scenario = BASELINE) -> list[Week]:
    """The projection, week by week, for `weeks` weeks from `inputs.start`."""
    rows = []
    for week in range(weeks):
        on = inputs.start + timedelta(weeks=week)
        cases = points = ZERO
        for case in inputs.cases:
            if _counts(case, week, on):
                kept = scenario.kept(case.case_type)
                cases += kept
                points += kept * case.points
        for arrival in inputs.arrivals:
            arrived = arrival.per_week * week * scenario.kept(arrival.case_type)
            cases += arrived
            points += arrived * arrival.points
        capacity, average_top = _staff(inputs.workers, scenario, week, on)
        needed = None
        if average_top > 0:
            needed = _round(max(points - capacity, ZERO) / average_top, CENT)
        rows.append(
            Week(
                week=week,
                week_start=on,
                cases=_round(cases, TENTH),
                points=_round(points, TENTH),
                capacity=_round(capacity, CENT),
                fte_needed=needed,
            )
        )
    return rows
