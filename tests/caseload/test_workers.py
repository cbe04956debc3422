"""Managers change a team member's FTE, own promise and leaving date."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.participants.factories import held_case
from weighting import services as weighting_services

pytestmark = pytest.mark.django_db


def _url(user):
    return reverse("worker_update", args=[user.worker.pk])


def test_a_manager_sets_fte_and_an_own_promise_which_the_load_uses(client_for, manager, caseworker):
    response = client_for(manager).post(
        _url(caseworker),
        {"fte": "0.6", "experience": "experienced", "caseload_promise": "8", "leave_date": ""},
    )
    assert response.status_code == 302
    caseworker.worker.refresh_from_db()
    assert caseworker.worker.fte == Decimal("0.60")
    page = client_for(manager).get(reverse("worker_detail", args=[caseworker.worker.pk]))
    assert "0 / 8" in page.content.decode()
    assert caseworker.worker.history.count() == 2


def test_an_fte_of_zero_is_refused_with_a_message_naming_the_field(client_for, manager, caseworker):
    response = client_for(manager).post(_url(caseworker), {"fte": "0", "experience": "experienced"})
    assert "FTE: FTE must be more than 0 and at most 1." in response.content.decode()
    caseworker.worker.refresh_from_db()
    assert caseworker.worker.fte == Decimal("1.00")


def test_caseworkers_and_other_teams_managers_cannot_change_a_worker(
    client_for, caseworker, outsider_manager, manager
):
    data = {"fte": "0.5", "experience": "experienced"}
    assert client_for(caseworker).post(_url(manager), data).status_code == 403
    assert client_for(outsider_manager).post(_url(caseworker), data).status_code == 404
    caseworker.worker.refresh_from_db()
    assert caseworker.worker.fte == Decimal("1.00")


def test_the_team_page_lists_cases_whose_factors_need_attention(
    client_for, manager, caseworker, team
):
    waiting = held_case(caseworker.worker)
    weighting_services.assessment_propose(
        case=waiting,
        by=caseworker,
        choices=[
            ("case_type", "child_in_need"),
            ("siblings", "none"),
            ("travel", "under_30"),
            ("court", "none"),
        ],
    )
    html = client_for(manager).get(reverse("team_detail", args=[team.pk])).content.decode()
    assert waiting.reference in html
    assert "Awaiting agreement" in html
