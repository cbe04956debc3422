"""Overdue visits as flag conditions for the background jobs (registered in apps.py)."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Case as DBCase
from django.db.models import DateField, DateTimeField, Exists, F, OuterRef, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from caseload.choices import FlagKind
from caseload.jobs import Condition
from caseload.models import Case, Team

from . import visits
from .models import Contact
from .selectors import visit_frequencies, with_visit_status


def visit_overdue_conditions(team: Team) -> list[Condition]:
    """A condition for every open case in the team whose statutory visit is overdue."""
    cases = list(Case.objects.open().filter(team=team).order_by("pk"))
    with_visit_status(cases, organisation_id=team.service.organisation_id)
    return [
        _condition(case.pk, case.reference, case.visit.days_overdue)
        for case in cases
        if case.visit and case.visit.is_overdue
    ]


def _condition(case_id: int, reference: str, days_overdue: int) -> Condition:
    return Condition(
        FlagKind.VISIT_OVERDUE,
        f"case:{case_id}",
        case_id=case_id,
        detail=f"Case {reference}: visit {days_overdue} days overdue",
    )


def last_start_overdue(frequency: visits.Frequency, today: date) -> date:
    """The latest day a case could have been last seen (or opened) and be overdue today. Due
    dates never move earlier when the start moves later, so a case is overdue exactly when its
    start is on or before this day, and the database can filter on it."""
    day = today - timedelta(days=1)
    while visits.due_after(day, frequency) >= today:
        day -= timedelta(days=1)
    return day


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def overdue_visit_cases(cases, organisation_id, on: date, *, seen_until=None):
    """The cases in `cases` whose statutory visit is overdue on the date, in one query, each
    with `last_seen` (the day last seen, or None). `cases` should hold only cases open on the
    date; `seen_until`, if given, ignores contacts from then on (for a past date)."""
    frequencies = {t: f for t, f in visit_frequencies(organisation_id).items() if f}
    last_starts = {t: last_start_overdue(f, on) for t, f in frequencies.items()}
    # Overdue: opened on or before the type's last start, and not seen since (no standing
    # contact with the person seen from the day after it).
    last_start = DBCase(
        *[When(case_type=t, then=Value(day)) for t, day in last_starts.items()],
        output_field=DateField(),
    )
    seen_after = DBCase(
        *[
            When(case_type=t, then=Value(_start_of(day + timedelta(days=1))))
            for t, day in last_starts.items()
        ],
        output_field=DateTimeField(),
    )
    earliest = _start_of(min(last_starts.values(), default=on) + timedelta(days=1))
    seen = Contact.objects.current().filter(case=OuterRef("pk"), seen=True)
    if seen_until is not None:
        seen = seen.filter(occurred_at__lt=seen_until)
    # The constant lower bound only narrows the scan (every threshold is on or after it).
    seen_since = seen.filter(occurred_at__gte=earliest).filter(
        occurred_at__gte=OuterRef("seen_after")
    )
    last_seen = seen.order_by("-occurred_at").values(day=TruncDate("occurred_at"))[:1]
    return (
        cases.filter(case_type__in=list(last_starts))
        .annotate(last_start=last_start, seen_after=seen_after)
        .filter(opened_on__lte=F("last_start"))
        .filter(~Exists(seen_since))
        .annotate(last_seen=Subquery(last_seen, output_field=DateField()))
    ), frequencies


def visit_overdue_conditions_bulk(organisation_id, team_ids=None) -> dict[int, list[Condition]]:
    """`visit_overdue_conditions` for every team of the organisation (or `team_ids`) in one
    query: only the overdue cases leave the database."""
    today = timezone.localdate()
    cases = Case.objects.open()
    if team_ids is None:
        cases = cases.filter(team__service__organisation_id=organisation_id)
    else:
        cases = cases.filter(team_id__in=team_ids)
    overdue, frequencies = overdue_visit_cases(cases, organisation_id, today)
    rows = overdue.order_by("pk").values_list(
        "pk", "team_id", "reference", "case_type", "opened_on", "last_seen"
    )
    conditions: dict[int, list[Condition]] = defaultdict(list)
    for pk, team_id, reference, case_type, opened_on, last_seen_day in rows:
        status = visits.visit_status(
            last_seen=last_seen_day,
            opened_on=opened_on,
            frequency=frequencies[case_type],
            today=today,
        )
        if status.is_overdue:
            conditions[team_id].append(_condition(pk, reference, status.days_overdue))
    return conditions
