"""Days as the product counts them, each stated once.

- A day runs from local midnight to the next local midnight: `start_of_day`, `end_of_day`.
- A worker is *in post* on a day from their start date to their leave date, both included.
- A case is *open* on a day from the day it opened until the day it closed, that day excluded.
- A worker *holds* a case on a day from the allocation's start until the day it ended, that day
  excluded, while the case is open.

The Q builders take a `prefix` so that the same rule filters a related model, e.g.
`in_post_on(day, "workers__")` on teams.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone


def start_of_day(on: date) -> datetime:
    """The first moment of the local day."""
    return timezone.make_aware(datetime.combine(on, time.min))


def end_of_day(on: date) -> datetime:
    """The first moment after the local day (an exclusive bound)."""
    return start_of_day(on + timedelta(days=1))


def in_post_on(on: date, prefix: str = "") -> Q:
    """Workers in post on the day: started by then (or no start date) and not yet left."""
    return (Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": on})) & (
        Q(**{f"{prefix}leave_date__isnull": True}) | Q(**{f"{prefix}leave_date__gte": on})
    )


def open_on(on: date, prefix: str = "") -> Q:
    """Cases open on the day: opened by then and not closed by then."""
    return Q(**{f"{prefix}opened_on__lte": on}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": on})
    )


def held_on(on: date, prefix: str = "") -> Q:
    """Allocations in force on the day, of cases open that day."""
    return (
        Q(**{f"{prefix}started_on__lte": on})
        & (Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": on}))
        & open_on(on, f"{prefix}case__")
    )
