"""When a worker is asked "Is my caseload manageable?" and which answers count: plain dates in
and out, no Django.

- A worker is asked again (the prompt on My caseload) when their last answer is `ASK_EVERY_DAYS`
  or more days old, or they have never answered.
- An answer counts in the figures and the flags for `COUNTS_FOR_DAYS` days (a month and a few
  days' grace, so a monthly answer given a little late still counts): answered on day d, it
  counts on days d to d + COUNTS_FOR_DAYS − 1.
"""

from datetime import date, timedelta

ASK_EVERY_DAYS = 30
COUNTS_FOR_DAYS = 35


def is_due(last_answered_on: date | None, today: date) -> bool:
    """Whether to ask the worker today."""
    return last_answered_on is None or (today - last_answered_on).days >= ASK_EVERY_DAYS


def counts_since(today: date) -> date:
    """The first answer day that still counts on `today`."""
    return today - timedelta(days=COUNTS_FOR_DAYS - 1)
