"""Demo inputs for the forecast: about two in five open cases have a planned end in the next
six months, and the first team has a starter in five weeks (the leaver in three weeks is set up
with the demo sign-ins, the reductions that start and end with the reduction types)."""

from datetime import timedelta
from decimal import Decimal

from caseload.core import bulk
from caseload.core.choices import CaseStatus, ExperienceBand, WorkerRole
from caseload.core.models import Case, Worker


def seed_forecast(*, rng, organisation, teams, today) -> int:
    """Set expected ends and add a starter; returns how many cases got an end."""
    open_cases = list(
        Case.objects.filter(team__service__organisation=organisation)
        .exclude(status=CaseStatus.CLOSED)
        .values_list("pk", "opened_on")
    )
    by_end: dict = {}
    for pk, opened_on in open_cases:
        if rng.random() < 0.4:
            end = max(today + timedelta(days=rng.randrange(3, 182)), opened_on)
            by_end.setdefault(end, []).append(pk)
    for end, pks in by_end.items():
        Case.objects.filter(pk__in=pks).update(expected_end=end)
    first = teams[0]
    starter = Worker(
        team_id=first.pk,
        reference="W-STARTER",
        name="Noor Newstart",
        role=WorkerRole.SOCIAL_WORKER,
        qualified=True,
        experience=ExperienceBand.NEWLY_QUALIFIED,
        fte=Decimal("1.00"),
        start_date=today + timedelta(weeks=5),
    )
    bulk.insert(Worker, [starter], history=True, reason="Demo data")
    return sum(len(pks) for pks in by_end.values())
