"""The API's writes: logging a contact and proposing a case's factors, through the services the
forms call, with the same rules, the same refusals (the outsider above all) and errors that name
the field, never a 500."""

from datetime import timedelta

import pytest
from django.utils import timezone

from caseload.core.models import Case
from participants.models import Contact
from security.choices import AuditAction
from security.models import AuditEvent
from tests.caseload.factories import UserFactory, WorkerFactory
from tests.participants.factories import held_case
from weighting.models import CaseAssessment

pytestmark = pytest.mark.django_db

CHOICES = [
    {"factor": "case_type", "option": "child_in_need"},
    {"factor": "siblings", "option": "one_or_two"},
    {"factor": "travel", "option": "under_30"},
    {"factor": "court", "option": "none"},
]  # 2 + 1 + 0 + 0 = 3 points


@pytest.fixture
def own_case(caseworker):
    return held_case(
        caseworker.worker, reference="C-OWN", opened_on=timezone.localdate() - timedelta(days=30)
    )


def _visit(**changes) -> dict:
    body = {
        "occurred_at": (timezone.now() - timedelta(hours=3)).isoformat(),
        "contact_type": "home_visit",
        "seen": True,
        "seen_alone": True,
        "duration_minutes": 45,
        "travel_minutes": 20,
        "notes": "Saw the child at home.",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def _post(client, path: str, body):
    return client.post(path, body, content_type="application/json")


# --- Logging a contact -------------------------------------------------------------------------


def test_the_holder_logs_a_visit_as_the_contact_form_would(api_for, caseworker, own_case):
    response = _post(api_for(caseworker), f"/api/cases/{own_case.pk}/contacts/", _visit())

    assert response.status_code == 201
    contact = Contact.objects.get(case=own_case)
    assert response.json()["id"] == contact.pk and "notes" not in response.json()
    assert contact.recorded_by == caseworker and contact.worker == caseworker.worker
    assert contact.seen and contact.seen_alone is True and contact.notes == "Saw the child at home."
    assert AuditEvent.objects.filter(
        user=caseworker, action=AuditAction.CREATE, subject_id=own_case.participant_id
    ).exists()


def test_a_colleague_in_the_team_and_the_manager_may_log_too(api_for, manager, team, own_case):
    colleague = UserFactory(
        username="cora", role="caseworker", organisation=team.service.organisation
    )
    WorkerFactory(team=team, user=colleague)

    for user in (colleague, manager):
        response = _post(api_for(user), f"/api/cases/{own_case.pk}/contacts/", _visit())
        assert response.status_code == 201
    assert Contact.objects.filter(case=own_case).count() == 2


def test_another_teams_case_is_not_found_and_nothing_is_logged(
    api_for, outsider, outsider_manager, own_case
):
    for user in (outsider, outsider_manager):
        response = _post(api_for(user), f"/api/cases/{own_case.pk}/contacts/", _visit())
        assert response.status_code == 404
    assert not Contact.objects.filter(case=own_case).exists()


def test_a_director_does_not_log_contacts_as_on_the_pages(api_for, director, own_case):
    response = _post(api_for(director), f"/api/cases/{own_case.pk}/contacts/", _visit())

    assert response.status_code == 403
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"occurred_at": (timezone.now() + timedelta(hours=1)).isoformat()}, "occurred_at"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"contact_type": "carrier_pigeon"}, "contact_type"),
        ({"contact_type": "phone", "seen": True}, "seen"),
        ({"duration_minutes": 721}, "duration_minutes"),
        ({"duration_minutes": -1}, "duration_minutes"),
        ({"duration_minutes": ...}, "duration_minutes"),
        ({"travel_minutes": 721}, "travel_minutes"),
        ({"seen": ...}, "seen"),
    ],
)
def test_a_bad_contact_is_a_400_naming_the_field(api_for, caseworker, own_case, changes, field):
    response = _post(api_for(caseworker), f"/api/cases/{own_case.pk}/contacts/", _visit(**changes))

    assert response.status_code == 400
    assert field in response.json()
    assert not Contact.objects.exists()


def test_a_contact_before_the_case_opened_is_refused_by_the_service(api_for, caseworker, own_case):
    before = timezone.now() - timedelta(days=31)

    response = _post(
        api_for(caseworker),
        f"/api/cases/{own_case.pk}/contacts/",
        _visit(occurred_at=before.isoformat()),
    )

    assert response.status_code == 400
    assert "cannot be before" in response.json()["occurred_at"][0]


def test_an_attempt_is_logged_as_not_seen(api_for, caseworker, own_case):
    response = _post(
        api_for(caseworker),
        f"/api/cases/{own_case.pk}/contacts/",
        _visit(contact_type="phone", seen=False, seen_alone=True),
    )

    assert response.status_code == 201
    assert response.json()["seen"] is False and response.json()["seen_alone"] is None


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [("{not json", "application/json", 400), ("a=b", "application/x-www-form-urlencoded", 415)],
)
def test_a_body_that_is_not_json_is_refused(
    api_for, caseworker, own_case, body, content_type, status
):
    response = api_for(caseworker).post(
        f"/api/cases/{own_case.pk}/contacts/", body, content_type=content_type
    )

    assert response.status_code == status


# --- Proposing factors -------------------------------------------------------------------------


def test_the_holder_proposes_factors_and_gets_the_cases_new_weight(api_for, caseworker, own_case):
    response = _post(
        api_for(caseworker), f"/api/cases/{own_case.pk}/factors/", {"choices": CHOICES}
    )

    assert response.status_code == 201
    body = response.json()
    assessment = CaseAssessment.objects.get(case=own_case, is_current=True)
    assert body["id"] == assessment.pk and assessment.proposed_by == caseworker
    assert body["status"] == "proposed" and body["weight"]["points"] == 3
    assert sorted((c["factor"], c["option"]) for c in body["choices"]) == sorted(
        (c["factor"], c["option"]) for c in CHOICES
    )
    detail = api_for(caseworker).get(f"/api/cases/{own_case.pk}/").json()
    assert detail["weight"]["points"] == 3 and detail["weight"]["status"] == "proposed"


@pytest.mark.parametrize(
    "choices",
    [
        CHOICES[:-1],  # court work not chosen
        [*CHOICES, {"factor": "court", "option": "care_proceedings"}],  # two for a single factor
        [*CHOICES[:-1], {"factor": "court", "option": "sometimes"}],
        [*CHOICES, {"factor": "horoscope", "option": "leo"}],
    ],
)
def test_choices_the_scheme_does_not_allow_are_a_400(api_for, caseworker, own_case, choices):
    response = _post(
        api_for(caseworker), f"/api/cases/{own_case.pk}/factors/", {"choices": choices}
    )

    assert response.status_code == 400 and response.json()["choices"]
    assert not CaseAssessment.objects.filter(case=own_case).exists()


@pytest.mark.parametrize(
    "body", [{}, {"choices": []}, {"choices": "all"}, {"choices": [{"factor": "x"}]}]
)
def test_a_proposal_of_the_wrong_shape_is_a_400(api_for, caseworker, own_case, body):
    response = _post(api_for(caseworker), f"/api/cases/{own_case.pk}/factors/", body)

    assert response.status_code == 400 and "choices" in response.json()


def test_another_teams_case_cannot_be_weighted(api_for, outsider, outsider_manager, own_case):
    for user in (outsider, outsider_manager):
        path = f"/api/cases/{own_case.pk}/factors/"
        assert _post(api_for(user), path, {"choices": CHOICES}).status_code == 404
    assert not CaseAssessment.objects.filter(case=own_case).exists()


def test_a_director_and_a_closed_case_are_refused(api_for, director, caseworker, own_case):
    path = f"/api/cases/{own_case.pk}/factors/"
    assert _post(api_for(director), path, {"choices": CHOICES}).status_code == 403

    Case.objects.filter(pk=own_case.pk).update(status="closed", closed_on=timezone.localdate())
    assert _post(api_for(caseworker), path, {"choices": CHOICES}).status_code == 403
    assert not CaseAssessment.objects.filter(case=own_case).exists()


# --- Sent twice --------------------------------------------------------------------------------


def test_a_contact_sent_again_with_the_same_key_is_logged_once(api_for, caseworker, own_case):
    client, path = api_for(caseworker), f"/api/cases/{own_case.pk}/contacts/"
    key = {"HTTP_IDEMPOTENCY_KEY": "visit-2026-12-01-a"}

    first = client.post(path, _visit(), content_type="application/json", **key)
    again = client.post(path, _visit(), content_type="application/json", **key)

    assert first.status_code == 201 and again.status_code == 200
    contact = Contact.objects.get(case=own_case)
    assert again.json()["url"] == contact.get_absolute_url()
    other = client.post(
        path, _visit(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="visit-b"
    )
    assert other.status_code == 201 and Contact.objects.filter(case=own_case).count() == 2


def test_two_users_keys_never_meet(api_for, caseworker, manager, own_case):
    path = f"/api/cases/{own_case.pk}/contacts/"
    for user in (caseworker, manager):
        response = api_for(user).post(
            path, _visit(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="same"
        )
        assert response.status_code == 201
    assert Contact.objects.filter(case=own_case).count() == 2


def test_factors_sent_again_with_the_same_key_are_proposed_once(api_for, caseworker, own_case):
    client, path = api_for(caseworker), f"/api/cases/{own_case.pk}/factors/"
    key = {"HTTP_IDEMPOTENCY_KEY": "factors-1"}

    first = client.post(path, {"choices": CHOICES}, content_type="application/json", **key)
    again = client.post(path, {"choices": CHOICES}, content_type="application/json", **key)

    assert (first.status_code, again.status_code) == (201, 200)
    assert CaseAssessment.objects.filter(case=own_case).count() == 1


def test_a_key_too_long_is_a_400_naming_it(api_for, caseworker, own_case):
    response = api_for(caseworker).post(
        f"/api/cases/{own_case.pk}/contacts/",
        _visit(),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k" * 201,
    )

    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not Contact.objects.exists()
