"""Subject access requests: an administrator exports everything held on one person, and the
export is recorded."""

import json

import pytest
from django.urls import reverse

from security.choices import AuditAction
from security.models import AuditEvent
from tests.caseload.factories import OrganisationFactory, TeamFactory, WorkerFactory
from tests.participants.factories import AllocationFactory, HouseholdFactory, held_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_with_history(caseworker, team):
    case = held_case(caseworker.worker, participant__family_name="Requester")
    AllocationFactory(
        case=case, worker=WorkerFactory(team=team), started_on="2026-01-01", ended_on="2026-01-04"
    )
    household = HouseholdFactory(organisation=case.participant.organisation)
    person = case.participant
    person.household = household
    person.save()
    sibling = held_case(caseworker.worker, participant__family_name="Siblingson").participant
    sibling.household = household
    sibling.save()
    return person


def _export(client, person):
    response = client.post(reverse("subject_access_export", args=[person.pk]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def test_an_administrator_finds_the_person_and_confirms_before_downloading(
    client_for, administrator, person_with_history
):
    client = client_for(administrator)
    found = client.get(reverse("subject_access"), {"reference": "Requester"}).content.decode()
    assert reverse("subject_access_export", args=[person_with_history.pk]) in found
    confirm = client.get(reverse("subject_access_export", args=[person_with_history.pk]))
    assert "Download the file" in confirm.content.decode()


def test_the_file_holds_the_record_cases_allocations_history_and_access_log(
    client_for, caseworker, administrator, person_with_history
):
    client_for(caseworker).get(reverse("participant_detail", args=[person_with_history.pk]))
    data = _export(client_for(administrator), person_with_history)
    assert data["reference"] == person_with_history.reference
    records = data["records"]
    assert records["participants.Participant"][0]["fields"]["family_name"] == "Requester"
    assert len(records["caseload.Case"]) == 1
    assert len(records["caseload.Allocation"]) == 2
    assert data["history"]["participants.Participant"], "the change history is included"
    viewers = {row["user"] for row in data["access_log"]}
    assert "alice" in viewers


def test_the_file_leaves_out_other_members_of_the_household(
    client_for, administrator, person_with_history
):
    data = _export(client_for(administrator), person_with_history)
    assert "Siblingson" not in json.dumps(data)


def test_the_export_is_recorded_in_the_audit_trail(client_for, administrator, person_with_history):
    data = _export(client_for(administrator), person_with_history)
    event = AuditEvent.objects.get(action=AuditAction.SUBJECT_ACCESS_EXPORT)
    assert event.user == administrator
    assert event.subject_id == person_with_history.pk
    assert data["exported_by"] == administrator.username


@pytest.mark.parametrize("role", ["caseworker", "manager", "director"])
def test_only_administrators_may_export(client_for, request, role, person_with_history):
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("subject_access")).status_code == 403
    url = reverse("subject_access_export", args=[person_with_history.pk])
    assert client.post(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_EXPORT).exists()


def test_an_administrator_of_another_organisation_cannot_export(client_for, person_with_history):
    from tests.caseload.factories import UserFactory

    stranger = UserFactory(
        role="administrator",
        organisation=TeamFactory(
            service__organisation=OrganisationFactory(name="Far Away")
        ).service.organisation,
    )
    url = reverse("subject_access_export", args=[person_with_history.pk])
    assert client_for(stranger).post(url).status_code == 404
