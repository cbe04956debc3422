"""Case and allocation services keep the records consistent."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from caseload.allocation import services as allocation_services
from caseload.casework import services
from caseload.core.models import Case
from tests.caseload.factories import TeamFactory, WorkerFactory
from tests.participants.factories import CaseFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_opening_a_case_puts_it_in_the_queue_with_a_reference(team, manager):
    person = ParticipantFactory(organisation=team.service.organisation)
    case = services.case_create(
        participant=person,
        team=team,
        case_type="child_in_need",
        need_level="low",
        court="none",
        opened_on=date(2026, 3, 1),
        by=manager,
    )
    assert case.status == "awaiting_allocation"
    assert case.reference.startswith("C")


def test_a_case_cannot_be_opened_in_another_organisations_team(team):
    person = ParticipantFactory()
    with pytest.raises(ValidationError, match="another organisation"):
        services.case_create(
            participant=person,
            team=team,
            case_type="adult",
            need_level="low",
            court="none",
            opened_on=date(2026, 3, 1),
        )


def test_allocating_and_reallocating_keeps_one_current_holder_and_the_history(team, manager):
    case = CaseFactory(team=team)
    first, second = WorkerFactory(team=team), WorkerFactory(team=team)
    made = allocation_services.allocation_create(
        case=case, worker=first, by=manager, started_on=date(2026, 2, 1)
    )
    allocation_services.allocation_create(
        case=case,
        worker=second,
        by=manager,
        reason="rebalance",
        started_on=date(2026, 3, 1),
        replacing=made.pk,
    )
    history = list(case.allocations.order_by("started_on"))
    assert [(a.worker, a.ended_on) for a in history] == [(first, date(2026, 3, 1)), (second, None)]
    case.refresh_from_db()
    assert case.status == "allocated"


def test_allocating_to_the_current_holder_again_is_refused(team, manager):
    case = CaseFactory(team=team)
    worker = WorkerFactory(team=team, name="Dee Holder")
    allocation_services.allocation_create(case=case, worker=worker, by=manager)
    with pytest.raises(ValidationError, match="already allocated to Dee Holder"):
        allocation_services.allocation_create(case=case, worker=worker, by=manager)


def test_a_worker_from_another_organisation_cannot_be_given_the_case(team, manager):
    case = CaseFactory(team=team)
    with pytest.raises(ValidationError, match="another organisation"):
        allocation_services.allocation_create(
            case=case, worker=WorkerFactory(team=TeamFactory()), by=manager
        )


def test_closing_a_case_ends_its_allocation_on_the_same_day(team, manager):
    case = CaseFactory(team=team)
    allocation_services.allocation_create(
        case=case, worker=WorkerFactory(team=team), by=manager, started_on=date(2026, 2, 1)
    )
    services.case_close(case=case, closed_on=date(2026, 4, 1), reason="needs_met", by=manager)
    case.refresh_from_db()
    assert case.status == "closed"
    assert case.allocations.get().ended_on == date(2026, 4, 1)


def test_closing_in_the_future_or_before_opening_is_refused_and_changes_nothing(team):
    case = CaseFactory(team=team)
    with pytest.raises(ValidationError):
        services.case_close(
            case=case, closed_on=timezone.localdate() + timedelta(days=1), reason="other"
        )
    with pytest.raises(ValidationError):
        services.case_close(case=case, closed_on=case.opened_on - timedelta(days=1), reason="other")
    assert Case.objects.get(pk=case.pk).status == "awaiting_allocation"


def test_changes_to_a_case_are_kept_in_its_history(team, manager):
    case = CaseFactory(team=team)
    services.case_update(case=case, need_level="high", by=manager)
    latest = case.history.first()
    assert latest.need_level == "high"
    assert case.history.count() == 2
