"""A change to what kind of case this is flows everywhere it matters: the factors the case
determines follow it, an ineligible holder puts it in the queue, and the pages say so."""

import pytest
from django.urls import reverse

from caseload.casework import services
from caseload.core.models import Case
from tests.caseload.factories import UserFactory, WorkerFactory
from tests.participants.factories import held_case
from weighting import selectors as weighting
from weighting import services as weighting_services

pytestmark = pytest.mark.django_db

CHOICES = [
    ("case_type", "child_in_need"),
    ("siblings", "one_or_two"),
    ("travel", "30_60"),
    ("court", "none"),
    ("extras", "interpreter"),
]


@pytest.fixture
def support_worker(team):
    user = UserFactory(username="sam", role="caseworker", organisation=team.service.organisation)
    return WorkerFactory(
        team=team, user=user, name="Sam Support", role="support_worker", qualified=False
    )


@pytest.fixture
def agreed_case(support_worker, manager):
    """A child-in-need case held by the support worker, its factors agreed (2+1+1+0+1 = 5)."""
    case = held_case(support_worker, case_type="child_in_need", need_level="medium")
    proposal = weighting_services.assessment_propose(case=case, by=manager, choices=CHOICES)
    weighting_services.assessment_agree(assessment=proposal, by=manager)
    return case


def _weight(case):
    return weighting.case_weights([case.pk], case.team.service.organisation_id)[case.pk]


def test_the_case_page_edit_to_child_protection_with_care_proceedings_follows_everywhere(
    client_for, manager, agreed_case
):
    assert _weight(agreed_case).total == 5
    response = client_for(manager).post(
        reverse("case_update", args=[agreed_case.pk]),
        {"case_type": "child_protection", "need_level": "medium", "court": "care_proceedings"},
    )
    assert response.status_code == 302
    weight = _weight(agreed_case)
    assert weight.awaiting_agreement and weight.needs_review
    assert sorted(weight.assessment.choices_on) == sorted(
        [
            ("case_type", "child_protection"),
            ("siblings", "one_or_two"),
            ("travel", "30_60"),
            ("court", "care_proceedings"),
            ("extras", "interpreter"),
        ]
    )
    assert weight.total == 4 + 1 + 1 + 4 + 1
    case = Case.objects.get(pk=agreed_case.pk)
    assert case.needs_reallocation and case.waiting_since is not None
    assert case in Case.objects.in_queue()
    page = client_for(manager).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Child protection" in page and "Care proceedings" in page
    queue = client_for(manager).get(reverse("team_queue", args=[case.team_id]))
    assert case in queue.context["cases"]


def test_a_support_worker_raising_need_to_high_puts_their_case_in_the_queue(
    client_for, support_worker, agreed_case
):
    response = client_for(support_worker.user).post(
        reverse("case_update", args=[agreed_case.pk]),
        {"case_type": "child_in_need", "need_level": "high", "court": "none"},
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=agreed_case.pk)
    assert case.needs_reallocation
    weight = _weight(case)
    assert weight.needs_review and not weight.awaiting_agreement  # need is not a factor


def test_lowering_need_again_takes_the_case_back_out_of_the_queue(manager, agreed_case):
    services.case_update(case=agreed_case, need_level="high", by=manager)
    assert Case.objects.get(pk=agreed_case.pk).needs_reallocation
    services.case_update(case=agreed_case, need_level="medium", by=manager)
    case = Case.objects.get(pk=agreed_case.pk)
    assert not case.needs_reallocation and case.waiting_since is None


def test_saving_the_same_values_changes_nothing(manager, agreed_case):
    before = _weight(agreed_case).assessment.pk
    services.case_update(
        case=agreed_case, case_type="child_in_need", need_level="medium", court="none", by=manager
    )
    assert _weight(agreed_case).assessment.pk == before
    assert not Case.objects.get(pk=agreed_case.pk).needs_reallocation


def test_the_service_compares_with_the_saved_case_not_the_instance_it_was_given(
    manager, agreed_case
):
    stale = Case.objects.get(pk=agreed_case.pk)
    stale.case_type = "child_protection"  # as a bound model form would have done
    services.case_update(case=stale, case_type="child_protection", by=manager)
    assert _weight(agreed_case).awaiting_agreement
    assert Case.objects.get(pk=agreed_case.pk).needs_reallocation


def test_another_teams_manager_cannot_change_the_case(client_for, outsider_manager, agreed_case):
    response = client_for(outsider_manager).post(
        reverse("case_update", args=[agreed_case.pk]),
        {"case_type": "child_protection", "need_level": "high", "court": "none"},
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=agreed_case.pk).case_type == "child_in_need"


def test_the_case_history_shows_fields_and_factor_proposals_and_agreements_before_and_after(
    client_for, manager, agreed_case, outsider
):
    proposal = weighting_services.assessment_propose(
        case=agreed_case,
        by=manager,
        choices=[c if c[0] != "travel" else ("travel", "over_60") for c in CHOICES],
    )
    weighting_services.assessment_agree(
        assessment=proposal,
        by=manager,
        choices=[c if c[0] != "extras" else ("extras", "high_risk") for c in CHOICES],
        note="Travel is under an hour; risk of exploitation",
    )
    services.case_update(case=agreed_case, need_level="high", by=manager)
    response = client_for(manager).get(reverse("case_detail", args=[agreed_case.pk]))
    rows = response.context["history"]
    kinds = [row.kind for row in rows]
    assert kinds[0] == "Changed"
    assert ("Level of need", "Medium", "High") in rows[0].changes
    amended = next(r for r in rows if r.kind.startswith("Factors amended and agreed"))
    assert "(Travel is under an hour; risk of exploitation)" in amended.kind
    assert ("Travel", "Over 60 minutes", "30 to 60 minutes") in amended.changes
    extras = ("Extra complexity", "Interpreter needed", "Exploitation or high risk")
    assert extras in amended.changes
    proposed = [r for r in rows if r.kind == "Factors proposed"]
    assert ("Travel", "30 to 60 minutes", "Over 60 minutes") in proposed[0].changes
    assert len(proposed) == 2
    page = response.content.decode()
    assert "Over 60 minutes → 30 to 60 minutes" in page
    refused = client_for(outsider).get(reverse("case_detail", args=[agreed_case.pk]))
    assert refused.status_code == 404
