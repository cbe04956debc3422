"""Transfers between teams: a whole life each way (accepted, declined, withdrawn), one pending
transfer per case however many ask at once, a household's open cases together, and what the
receiving team sees before it accepts: nothing of the case until a transfer to it is pending,
then only the summary."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from caseload.core.models import Notification
from caseload.transfers import services
from caseload.transfers.models import Transfer, TransferCase
from participants.models import Contact
from security.models import AuditEvent
from tests.caseload.factories import WorkerFactory
from tests.participants.factories import CaseFactory, HouseholdFactory, held_case
from tests.race import race

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(team):
    return WorkerFactory(team=team, name="Hana Holder")


@pytest.fixture
def case(holder):
    return held_case(
        holder, reference="C-MOVE", participant__given_name="Priya", participant__family_name="Zed"
    )


def _ask(case, to_team, by, **kw):
    return services.transfer_request(
        case=case,
        to_team=to_team,
        reason=kw.pop("reason", "moved_area"),
        detail=kw.pop("detail", ""),
        whole_household=kw.pop("whole_household", False),
        by=by,
    )


def _messages(user):
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


def test_asked_then_accepted_into_the_queue_the_holder_keeps_it_until_then(
    client_for, case, holder, team, other_team, manager, outsider_manager
):
    sender = client_for(manager)
    response = sender.post(
        reverse("case_transfer", args=[case.pk]),
        {"to_team": other_team.pk, "reason": "moved_area", "detail": "Moved to Southtown"},
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    case.refresh_from_db()
    assert transfer.is_pending and case.team == team
    assert case.allocations.current().get().worker == holder
    assert any(
        "asks Child Protection South to take C-MOVE" in m for m in _messages(outsider_manager)
    )
    receiver = client_for(outsider_manager)
    response = receiver.post(
        reverse("transfer_accept", args=[transfer.pk]), {f"t{transfer.pk}-worker": ""}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    transfer.refresh_from_db()
    assert transfer.status == "accepted" and transfer.decided_by == outsider_manager
    assert case.team == other_team and case.status == "awaiting_allocation"
    assert case.waiting_since == timezone.localdate()
    assert not case.allocations.current().exists()
    assert any("accepted C-MOVE into its queue" in m for m in _messages(manager))
    assert not TransferCase.objects.filter(pending=True).exists()
    audit = set(AuditEvent.objects.filter(object_id=case.pk).values_list("detail", flat=True))
    assert {"transfer to Child Protection South asked", "transfer accepted"} <= audit
    page = receiver.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Transfer to Child Protection South asked" in page
    assert "Transfer to Child Protection South accepted" in page
    assert "Assessment North → Child Protection South" in page  # the team change, by name
    assert client_for(manager).get(reverse("case_detail", args=[case.pk])).status_code == 404


def test_accepted_and_allocated_at_once_to_a_worker_in_the_receiving_team(
    case, other_team, manager, outsider_manager
):
    taker = WorkerFactory(team=other_team, name="Tia Taker")
    transfer = _ask(case, other_team, manager)
    services.transfer_accept(transfer=transfer, by=outsider_manager, worker=taker)
    case.refresh_from_db()
    current = case.allocations.current().get()
    assert current.worker == taker and current.reason == "transfer"
    assert case.team == other_team and case.status == "allocated"
    assert case.allocations.count() == 2


def test_an_allocation_at_once_that_fails_its_checks_leaves_everything_as_it_was(
    case, holder, team, other_team, manager, outsider_manager
):
    case.case_type = "child_protection"
    case.save()
    support = WorkerFactory(team=other_team, role="support_worker", name="Sid Support")
    transfer = _ask(case, other_team, manager)
    with pytest.raises(Exception, match="Sid Support cannot hold this case"):
        services.transfer_accept(transfer=transfer, by=outsider_manager, worker=support)
    case.refresh_from_db()
    transfer.refresh_from_db()
    assert transfer.is_pending and case.team == team
    assert case.allocations.current().get().worker == holder


def test_asked_then_declined_with_a_reason_the_case_stays(
    client_for, case, holder, team, other_team, manager, outsider_manager
):
    transfer = _ask(case, other_team, manager)
    receiver = client_for(outsider_manager)
    receiver.post(reverse("transfer_decline", args=[transfer.pk]), {"reason": ""})
    transfer.refresh_from_db()
    assert transfer.is_pending
    receiver.post(reverse("transfer_decline", args=[transfer.pk]), {"reason": "Not our area"})
    transfer.refresh_from_db()
    case.refresh_from_db()
    assert transfer.status == "declined" and transfer.decision_note == "Not our area"
    assert case.team == team and case.allocations.current().get().worker == holder
    assert any("declined C-MOVE: Not our area" in m for m in _messages(manager))
    assert receiver.get(reverse("case_detail", args=[case.pk])).status_code == 404
    history = client_for(manager).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Transfer to Child Protection South declined: Not our area" in history


def test_asked_then_withdrawn_by_the_sender_only_while_pending(
    client_for, case, team, other_team, manager, outsider_manager
):
    transfer = _ask(case, other_team, manager)
    url = reverse("transfer_withdraw", args=[transfer.pk])
    assert client_for(outsider_manager).post(url).status_code == 404  # not theirs to withdraw
    assert (
        client_for(manager)
        .post(reverse("transfer_accept", args=[transfer.pk]), {f"t{transfer.pk}-worker": ""})
        .status_code
        == 404
    )  # nor the sender's to accept
    assert client_for(manager).post(url).status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "withdrawn"
    assert any("withdrew the transfer of C-MOVE" in m for m in _messages(outsider_manager))
    with pytest.raises(Exception, match="was withdrawn already"):
        services.transfer_accept(transfer=transfer, by=outsider_manager)
    case.refresh_from_db()
    assert case.team == team


def test_a_second_transfer_of_a_pending_case_is_refused_by_the_service_and_the_database(
    case, team, other_team, manager, organisation
):
    from tests.caseload.factories import TeamFactory

    third = TeamFactory(service__organisation=organisation, name="Third Team")
    first = _ask(case, other_team, manager)
    with pytest.raises(Exception, match="C-MOVE is already pending"):
        _ask(case, third, manager)
    second = Transfer.objects.create(from_team=team, to_team=third, reason="other")
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferCase.objects.create(transfer=second, case=case)
    assert list(TransferCase.objects.filter(pending=True).values_list("transfer", flat=True)) == [
        first.pk
    ]
    services.transfer_decline(transfer=first, by=manager, reason="No room")
    assert _ask(case, third, manager).is_pending  # answered: a new one may be asked


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_transfers_of_the_same_case_at_once_make_exactly_one(
    require_postgres, case, other_team, manager, organisation
):
    from tests.caseload.factories import TeamFactory

    third = TeamFactory(service__organisation=organisation, name="Third Team")
    results = race([lambda: _ask(case, other_team, manager), lambda: _ask(case, third, manager)])
    made = [r for r in results if isinstance(r, Transfer)]
    assert len(made) == 1, results
    assert "already pending" in str(next(r for r in results if not isinstance(r, Transfer)))
    assert TransferCase.objects.filter(case=case, pending=True).count() == 1


def test_a_households_open_cases_in_the_team_move_together(
    team, other_team, manager, outsider_manager, holder
):
    household = HouseholdFactory(organisation=team.service.organisation)
    cases = [held_case(holder, participant__household=household) for _ in range(2)]
    elsewhere = CaseFactory(team=other_team, participant__household=household)
    closed = CaseFactory(
        team=team, participant__household=household, status="closed", closed_on=timezone.localdate()
    )
    transfer = _ask(cases[0], other_team, manager, whole_household=True)
    assert set(transfer.cases.all()) == set(cases)
    services.transfer_accept(transfer=transfer, by=outsider_manager)
    for c in [*cases, elsewhere]:
        c.refresh_from_db()
        assert c.team == other_team
    closed.refresh_from_db()
    assert closed.team == team


def test_another_teams_manager_sees_nothing_until_a_transfer_to_them_is_pending_then_the_summary(
    client_for, case, holder, other_team, manager, outsider_manager
):
    Contact.objects.create(
        case_id=case.pk,
        worker=holder,
        occurred_at=timezone.now(),
        contact_type="home_visit",
        seen=True,
        duration_minutes=30,
        travel_minutes=10,
        notes="Private visit notes",
    )
    receiver = client_for(outsider_manager)
    before = receiver.get(reverse("transfers")).content.decode()
    assert "C-MOVE" not in before
    assert receiver.get(reverse("case_detail", args=[case.pk])).status_code == 404
    team_page = receiver.get(reverse("team_detail", args=[other_team.pk])).content.decode()
    assert "C-MOVE" not in team_page
    _ask(case, other_team, manager, reason="specialism", detail="Needs court work experience")
    page = receiver.get(reverse("transfers")).content.decode()
    assert "C-MOVE" in page and "Child in need" in page and "medium need" in page
    assert "points" in page and "Needs court work experience" in page
    for private in ("Priya", "Zed", "Private visit notes", "Hana Holder"):
        assert private not in page
    for url in (
        reverse("case_detail", args=[case.pk]),
        reverse("case_contact_list", args=[case.pk]),
        reverse("participant_detail", args=[case.participant_id]),
    ):
        assert receiver.get(url).status_code in (403, 404), url
    team_page = receiver.get(reverse("team_detail", args=[other_team.pk])).content.decode()
    assert "Transfers pending" in team_page and "C-MOVE" in team_page
    assert "Priya" not in team_page
    sender_team_page = (
        client_for(manager).get(reverse("team_detail", args=[case.team_id])).content.decode()
    )
    assert (
        "Transfers pending" in sender_team_page and "To Child Protection South" in sender_team_page
    )


@pytest.mark.parametrize("who", ["caseworker", "outsider", "outsider_manager", "director"])
def test_only_the_cases_team_manager_asks_for_a_transfer(
    request, client_for, case, other_team, who
):
    client = client_for(request.getfixturevalue(who))
    url = reverse("case_transfer", args=[case.pk])
    assert client.get(url).status_code in (403, 404)
    posted = client.post(url, {"to_team": other_team.pk, "reason": "moved_area"})
    assert posted.status_code in (403, 404)
    assert not Transfer.objects.exists()


@pytest.mark.parametrize("who", ["caseworker", "outsider"])
def test_caseworkers_do_not_see_transfers(request, client_for, who):
    assert client_for(request.getfixturevalue(who)).get(reverse("transfers")).status_code == 403


def test_a_director_reads_every_transfer_in_the_organisation_but_answers_none(
    client_for, case, other_team, manager, director
):
    transfer = _ask(case, other_team, manager)
    client = client_for(director)
    assert "C-MOVE" in client.get(reverse("transfers")).content.decode()
    for name in ("transfer_accept", "transfer_decline", "transfer_withdraw"):
        response = client.post(reverse(name, args=[transfer.pk]), {"reason": "x"})
        assert response.status_code == 403, name
    transfer.refresh_from_db()
    assert transfer.is_pending


def test_accepting_straight_to_an_excluded_worker_is_refused_and_nothing_moves(
    case, team, other_team, manager, outsider_manager
):
    from caseload.exclusions.services import exclusion_create

    kept = WorkerFactory(team=other_team, name="Kim Kept")
    exclusion_create(
        case=case, worker=kept, whole_household=False, reason="risk_to_staff", detail="", by=manager
    )
    transfer = _ask(case, other_team, manager)
    with pytest.raises(Exception, match="Kim Kept cannot hold this case: Excluded"):
        services.transfer_accept(transfer=transfer, by=outsider_manager, worker=kept)
    case.refresh_from_db()
    transfer.refresh_from_db()
    assert case.team == team and transfer.is_pending


def test_accepting_to_a_full_worker_from_the_page_needs_an_override_reason_from_the_list(
    client_for, case, other_team, manager, outsider_manager
):
    full = WorkerFactory(team=other_team, name="Fran Full")
    for _ in range(15):
        held_case(full)
    transfer = _ask(case, other_team, manager)
    client = client_for(outsider_manager)
    url = reverse("transfer_accept", args=[transfer.pk])
    prefix = f"t{transfer.pk}-"
    client.post(url, {prefix + "worker": full.pk})
    transfer.refresh_from_db()
    assert transfer.is_pending
    client.post(url, {prefix + "worker": full.pk, prefix + "override_category": "urgent"})
    transfer.refresh_from_db()
    made = case.allocations.current().get()
    assert transfer.status == "accepted" and made.worker == full
    assert made.override_category == "urgent"


def test_the_transfers_page_makes_the_same_number_of_queries_however_many_are_pending(
    client_for, team, other_team, manager, outsider_manager, holder
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(outsider_manager)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("transfers")).status_code == 200
        return len(captured)

    _ask(held_case(holder), other_team, manager)
    one = queries()
    for _ in range(3):
        _ask(held_case(holder), other_team, manager)
    assert queries() == one
