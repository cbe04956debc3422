"""Factories for people, households, cases and allocations."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from caseload.core.models import Allocation, Case
from participants.models import Contact, Household, Participant
from tests.caseload.factories import OrganisationFactory, TeamFactory, WorkerFactory


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"H{n:05d}")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"P{n:05d}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = date(2015, 6, 1)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    team = factory.SubFactory(TeamFactory)
    participant = factory.SubFactory(
        ParticipantFactory, organisation=factory.SelfAttribute("..team.service.organisation")
    )
    reference = factory.Sequence(lambda n: f"C{n:05d}")
    case_type = "child_in_need"
    need_level = "medium"
    court = "none"
    status = "awaiting_allocation"
    opened_on = date(2026, 1, 5)


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    case = factory.SubFactory(CaseFactory)
    worker = factory.SubFactory(WorkerFactory, team=factory.SelfAttribute("..case.team"))
    started_on = factory.SelfAttribute("case.opened_on")
    reason = "new"


def held_case(worker, **kwargs) -> Case:
    """An open case in the worker's team, allocated to them."""
    case = CaseFactory(team=worker.team, status="allocated", **kwargs)
    AllocationFactory(case=case, worker=worker)
    return case


class ContactFactory(factory.django.DjangoModelFactory):
    """A seen home visit yesterday at 10:00, recorded an hour later (bypasses the services)."""

    class Meta:
        model = Contact

    case = factory.SubFactory(CaseFactory)
    occurred_at = factory.LazyFunction(
        lambda: (
            timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=1)
        )
    )
    contact_type = "home_visit"
    seen = True
    duration_minutes = 45
    travel_minutes = 20
    recorded_at = factory.LazyAttribute(lambda c: c.occurred_at + timedelta(hours=1))
