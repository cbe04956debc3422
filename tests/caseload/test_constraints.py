"""Invariants the database itself enforces, whatever code writes to it."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from caseload.core.models import Allocation, CapacityReduction, Worker
from tests.caseload.factories import ReductionTypeFactory, WorkerFactory
from tests.participants.factories import AllocationFactory, CaseFactory

pytestmark = pytest.mark.django_db


def test_a_second_current_allocation_for_a_case_is_refused_by_the_database(team):
    case = CaseFactory(team=team)
    AllocationFactory(case=case, worker=WorkerFactory(team=team))
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(
            case=case, worker=WorkerFactory(team=team), started_on=date(2026, 2, 1), reason="new"
        )


def test_ended_allocations_do_not_count_against_the_one_current_rule(team):
    case = CaseFactory(team=team)
    AllocationFactory(case=case, ended_on=date(2026, 1, 20))
    AllocationFactory(case=case, started_on=date(2026, 1, 20))
    assert case.allocations.count() == 2


@pytest.mark.parametrize("fte", ["0", "-0.5", "1.01"])
def test_fte_outside_zero_to_one_is_refused_by_the_database(team, fte):
    with pytest.raises(IntegrityError), transaction.atomic():
        Worker.objects.create(team=team, name="X", role="social_worker", fte=Decimal(fte))


@pytest.mark.parametrize("fte", ["0.1", "1"])
def test_fte_inside_zero_to_one_is_accepted(team, fte):
    Worker.objects.create(team=team, name="X", role="social_worker", fte=Decimal(fte))


def test_a_case_cannot_close_before_it_opened(team):
    case = CaseFactory(team=team)
    case.status, case.closed_on = "closed", date(2025, 12, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()


def test_a_closed_case_must_have_a_closing_date(team):
    case = CaseFactory(team=team)
    case.status = "closed"
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()


def test_an_allocation_cannot_end_before_it_started(team):
    allocation = AllocationFactory(case=CaseFactory(team=team))
    allocation.ended_on = date(2025, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        allocation.save()


def test_a_reduction_must_be_between_1_and_100_percent_and_end_after_it_starts(team):
    worker = WorkerFactory(team=team)
    kind = ReductionTypeFactory(organisation=team.service.organisation)
    with pytest.raises(IntegrityError), transaction.atomic():
        CapacityReduction.objects.create(
            worker=worker, percent=101, type=kind, starts_on=date(2026, 1, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CapacityReduction.objects.create(
            worker=worker,
            percent=50,
            type=kind,
            starts_on=date(2026, 2, 1),
            ends_on=date(2026, 1, 1),
        )


def test_a_worker_cannot_leave_before_starting(team):
    with pytest.raises(IntegrityError), transaction.atomic():
        Worker.objects.create(
            team=team,
            name="X",
            role="social_worker",
            start_date=date(2026, 2, 1),
            leave_date=date(2026, 1, 1),
        )


def test_allocation_history_is_protected_from_deletion(team):
    allocation = AllocationFactory(case=CaseFactory(team=team))
    with pytest.raises(ProtectedError):
        allocation.case.delete()
    with pytest.raises(ProtectedError):
        allocation.worker.delete()
