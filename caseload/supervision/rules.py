"""How often a worker is supervised and when it is overdue: plain dates in and out, no Django.

- Every `DEFAULT_WEEKS` (4) weeks; every `FIRST_YEAR_WEEKS` (2) in the first year after
  qualifying (from the qualifying date to the day before its first anniversary). With no
  qualifying date recorded, a newly qualified worker counts as in their first year. A manager
  may set a worker's own frequency, which wins.
- The next supervision is due `every` weeks after the last one; with none recorded, `every`
  weeks after the worker started. With neither, nothing is known and nothing is overdue.
- Supervision is overdue from the day after it was due.
"""

from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_WEEKS = 4
FIRST_YEAR_WEEKS = 2


def _anniversary(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def every_weeks(
    *, own: int | None, qualified_on: date | None, newly_qualified: bool, on: date
) -> int:
    """The weeks between supervisions for the worker on the day."""
    if own:
        return own
    if qualified_on is not None:
        in_first_year = qualified_on <= on < _anniversary(qualified_on)
        return FIRST_YEAR_WEEKS if in_first_year else DEFAULT_WEEKS
    return FIRST_YEAR_WEEKS if newly_qualified else DEFAULT_WEEKS


@dataclass(frozen=True)
class SupervisionStatus:
    """Where a worker's supervision stands on a day."""

    every_weeks: int
    last_held_on: date | None
    due_on: date | None
    on: date

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.on > self.due_on

    @property
    def days_overdue(self) -> int:
        return (self.on - self.due_on).days if self.overdue and self.due_on else 0


def status(
    *,
    last_held_on: date | None,
    started_on: date | None,
    own: int | None,
    qualified_on: date | None,
    newly_qualified: bool,
    on: date,
) -> SupervisionStatus:
    """The worker's supervision on the day: its frequency, the last one and when the next is
    due."""
    weeks = every_weeks(own=own, qualified_on=qualified_on, newly_qualified=newly_qualified, on=on)
    since = last_held_on or started_on
    due = since + timedelta(weeks=weeks) if since is not None else None
    return SupervisionStatus(weeks, last_held_on, due, on)
