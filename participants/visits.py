"""When a statutory visit is next due, and by how much it is overdue. Pure: plain dates in and
out, no ORM, so the rules can be tested table-driven without a database.

Working days are Monday to Friday. Bank holidays are *not* skipped
(docs/decisions/0010-contacts-and-visits.md): a due date may land on one, which errs on the side
of visiting early.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WORKING_DAYS = "working_days"
DAYS = "days"
WEEKS = "weeks"
UNITS = (WORKING_DAYS, DAYS, WEEKS)

SATURDAY = 5  # date.weekday(): Monday is 0


@dataclass(frozen=True)
class Frequency:
    """How often a case must be seen: every `every` units."""

    every: int
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown visit unit {self.unit!r}")
        if self.every < 1:
            raise ValueError("a visit frequency must be at least 1")

    def __str__(self) -> str:
        label = {WORKING_DAYS: "working day", DAYS: "day", WEEKS: "week"}[self.unit]
        return f"every {self.every} {label}{'' if self.every == 1 else 's'}"


@dataclass(frozen=True)
class VisitStatus:
    """A case's visit position on a day: last seen, next due, and days overdue (0 if not)."""

    last_seen: date | None
    next_due: date
    days_overdue: int
    days_until_due: int

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def is_due_soon(self) -> bool:
        """Due today or within the next three days, and not yet overdue."""
        return not self.is_overdue and self.days_until_due <= 3


def is_working_day(day: date) -> bool:
    """Monday to Friday."""
    return day.weekday() < SATURDAY


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start`. `start` itself never counts, so a visit on
    a Saturday with 1 working day to go is due on the Monday."""
    if count < 0:
        raise ValueError("count must not be negative")
    weeks, rest = divmod(count, 5)
    day = start + timedelta(weeks=weeks)
    while rest:
        day += timedelta(days=1)
        if is_working_day(day):
            rest -= 1
    # Whole weeks from a weekend day land on a weekend day: move to the working day it means.
    while count and not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    day = start + timedelta(weeks=weeks)
    for _ in range(rest):
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def due_after(start: date, frequency: Frequency) -> date:
    """The date the next visit is due when the person was last seen (or the case opened) on
    `start`."""
    if frequency.unit == WORKING_DAYS:
        return add_working_days(start, frequency.every)
    if frequency.unit == WEEKS:
        return start + timedelta(weeks=frequency.every)
    return start + timedelta(days=frequency.every)


def visit_status(
    *, last_seen: date | None, opened_on: date, frequency: Frequency, today: date
) -> VisitStatus:
    """Where a case stands on `today`. Never seen: the clock runs from the day it opened.
    Days overdue and days until due are calendar days, as people count them."""
    start = max(last_seen, opened_on) if last_seen else opened_on
    due = due_after(start, frequency)
    return VisitStatus(
        last_seen=last_seen,
        next_due=due,
        days_overdue=max(0, (today - due).days),
        days_until_due=max(0, (due - today).days),
    )


def last_start_overdue(frequency: Frequency, today: date) -> date:
    """The latest day a case could have been last seen (or opened) and be overdue today. Due
    dates never move earlier when the start moves later, so a case is overdue exactly when its
    start is on or before this day, and the database can filter on it."""
    day = today - timedelta(days=1)
    while due_after(day, frequency) >= today:
        day -= timedelta(days=1)
    return day


def days_since(day: date | None, today: date) -> int | None:
    """Calendar days from `day` to `today`, or None if there is no day."""
    return None if day is None else (today - day).days


# The brief's default frequencies by case type. The data migration ships them as rows that
# directors can override; these are the fallback when no row exists for a case type.
DEFAULT_FREQUENCIES: dict[str, Frequency] = {
    "child_protection": Frequency(10, WORKING_DAYS),
    "looked_after": Frequency(6, WEEKS),
    "child_in_need": Frequency(4, WEEKS),
    "early_help": Frequency(4, WEEKS),
    "adult": Frequency(4, WEEKS),
    "care_leaver": Frequency(8, WEEKS),
}
