"""Managers change a team member's FTE, own promise and leaving date."""

from datetime import date
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


@pytest.mark.parametrize(
    ("own", "reason", "problem_field"),
    [
        (None, "", None),
        (15, "", None),  # exactly the default needs no reason
        (14, "", None),
        (16, "", "caseload_promise_reason"),
        (16, "Protected caseload ended; agreed in supervision", None),
        (25, "Agreed in supervision", None),
        (26, "Agreed in supervision", "caseload_promise"),
        (999, "", "caseload_promise"),
    ],
)
def test_an_own_promise_is_at_most_25_and_above_the_default_needs_a_reason(
    own, reason, problem_field
):
    from weighting.scoring import own_promise_problem

    problem = own_promise_problem(own, 15, reason)
    assert (problem[0] if problem else None) == problem_field


def test_a_promise_of_999_is_refused_on_the_field_and_nothing_is_saved(
    client_for, manager, caseworker
):
    response = client_for(manager).post(
        _url(caseworker),
        {"fte": "1", "experience": "experienced", "caseload_promise": "999", "leave_date": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["caseload_promise"] == [
        "A caseload promise is at most 25 cases."
    ]
    caseworker.worker.refresh_from_db()
    assert caseworker.worker.caseload_promise is None


def test_raising_a_promise_above_the_default_asks_why_and_keeps_the_reason(
    client_for, manager, caseworker
):
    data = {"fte": "1", "experience": "experienced", "caseload_promise": "18", "leave_date": ""}
    refused = client_for(manager).post(_url(caseworker), data)
    assert "caseload_promise_reason" in refused.context["form"].errors
    reason = "Covering a colleague's maternity leave; agreed in supervision"
    saved = client_for(manager).post(_url(caseworker), data | {"caseload_promise_reason": reason})
    assert saved.status_code == 302
    caseworker.worker.refresh_from_db()
    assert (caseworker.worker.caseload_promise, caseworker.worker.caseload_promise_reason) == (
        18,
        reason,
    )


def test_a_leaving_date_before_the_start_is_one_message_on_the_field(
    client_for, manager, caseworker
):
    caseworker.worker.start_date = date(2024, 6, 27)
    caseworker.worker.save()
    response = client_for(manager).post(
        _url(caseworker),
        {
            "fte": "1",
            "experience": "experienced",
            "caseload_promise": "",
            "leave_date": "2024-01-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "leave_date": ["The leaving date cannot be before the start date (27/06/2024)."]
    }
    page = response.content.decode()
    assert "Constraint" not in page
    assert page.count("The leaving date cannot be before the start date") <= 2  # summary + field
