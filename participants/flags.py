"""Overdue visits as flag conditions for the background jobs (registered in apps.py)."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Q, Subquery
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


def visit_overdue_conditions_bulk(organisation_id, team_ids=None) -> dict[int, list[Condition]]:
    """`visit_overdue_conditions` for every team of the organisation (or `team_ids`) in one
    query: only the overdue cases leave the database."""
    today = timezone.localdate()
    cases = Case.objects.open()
    if team_ids is None:
        cases = cases.filter(team__service__organisation_id=organisation_id)
    else:
        cases = cases.filter(team_id__in=team_ids)
    frequencies = visit_frequencies(organisation_id)
    overdue = Q(pk__in=[])
    for case_type, frequency in frequencies.items():
        if not frequency:
            continue
        last_start = last_start_overdue(frequency, today)
        next_day = timezone.make_aware(datetime.combine(last_start + timedelta(days=1), time.min))
        overdue |= Q(
            case_type=case_type,
            opened_on__lte=last_start,
        ) & (Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=next_day))
    last_seen = (
        Contact.objects.current()
        .filter(case=OuterRef("pk"), seen=True)
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    rows = (
        cases.annotate(last_seen_at=Subquery(last_seen))
        .filter(overdue)
        .order_by("pk")
        .values_list("pk", "team_id", "reference", "case_type", "opened_on", "last_seen_at")
    )
    conditions: dict[int, list[Condition]] = defaultdict(list)
    for pk, team_id, reference, case_type, opened_on, last_seen_at in rows:
        status = visits.visit_status(
            last_seen=timezone.localtime(last_seen_at).date() if last_seen_at else None,
            opened_on=opened_on,
            frequency=frequencies[case_type],
            today=today,
        )
        if status.is_overdue:
            conditions[team_id].append(_condition(pk, reference, status.days_overdue))
    return conditions
