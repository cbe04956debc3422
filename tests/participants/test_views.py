"""Who may see and change people and cases: an access matrix, search and the forms."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.core.models import Case
from participants.models import Participant
from tests.caseload.factories import WorkerFactory
from tests.participants.factories import (
    AllocationFactory,
    CaseFactory,
    HouseholdFactory,
    held_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_case(caseworker):
    case = held_case(caseworker.worker)
    # A surname no generated user can share, so "not on the page" cannot be fooled by the
    # signed-in user's own name in the header (a Faker "Smith" once was).
    case.participant.family_name = "Quillingford"
    case.participant.save(update_fields=["family_name"])
    return case


@pytest.fixture
def colleague_case(team):
    return held_case(WorkerFactory(team=team))


@pytest.fixture
def foreign_case(other_team):
    return held_case(WorkerFactory(team=other_team))


PAGES = {
    "participant_detail": lambda c: reverse("participant_detail", args=[c.participant_id]),
    "participant_update": lambda c: reverse("participant_update", args=[c.participant_id]),
    "case_create": lambda c: reverse("case_create", args=[c.participant_id]),
    "case_detail": lambda c: reverse("case_detail", args=[c.pk]),
    "case_update": lambda c: reverse("case_update", args=[c.pk]),
    "case_close": lambda c: reverse("case_close", args=[c.pk]),
}

# role fixture → expected status for own-team case held by the caseworker
OWN = {
    "caseworker": dict.fromkeys(PAGES, 200),
    "manager": dict.fromkeys(PAGES, 200),
    "director": {
        "participant_detail": 200,
        "participant_update": 403,
        "case_create": 403,
        "case_detail": 200,
        "case_update": 403,
        "case_close": 403,
    },
    "administrator": {
        "participant_detail": 200,
        "participant_update": 403,
        "case_create": 403,
        "case_detail": 200,
        "case_update": 403,
        "case_close": 403,
    },
    "outsider": dict.fromkeys(PAGES, 404),
    "outsider_manager": dict.fromkeys(PAGES, 404),
}


@pytest.mark.parametrize("role", OWN)
@pytest.mark.parametrize("page", PAGES)
def test_each_role_gets_the_right_answer_for_each_record_page(
    request, client_for, role, page, own_case
):
    user = request.getfixturevalue(role)
    response = client_for(user).get(PAGES[page](own_case))
    assert response.status_code == OWN[role][page]
    if response.status_code == 200:
        assert own_case.participant.family_name in response.content.decode()
    else:
        assert own_case.participant.family_name not in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_a_caseworker_gets_not_found_for_every_page_of_another_teams_case(
    client_for, caseworker, page, foreign_case
):
    response = client_for(caseworker).get(PAGES[page](foreign_case))
    assert response.status_code == 404


@pytest.mark.parametrize("page", ["case_update", "case_close"])
def test_a_caseworker_reads_a_colleagues_case_but_cannot_change_it(
    client_for, caseworker, colleague_case, page
):
    client = client_for(caseworker)
    assert client.get(PAGES["case_detail"](colleague_case)).status_code == 200
    assert client.get(PAGES[page](colleague_case)).status_code == 403
    assert client.post(PAGES[page](colleague_case), {"need_level": "high"}).status_code == 403


def test_an_outsider_cannot_post_changes_to_another_teams_case(
    client_for, outsider_manager, own_case
):
    client = client_for(outsider_manager)
    response = client.post(
        PAGES["case_update"](own_case),
        {"case_type": "child_protection", "need_level": "high", "court": "none"},
    )
    assert response.status_code == 404
    own_case.refresh_from_db()
    assert own_case.case_type == "child_in_need"


def test_my_caseload_lists_only_the_open_cases_i_hold(
    client_for, caseworker, own_case, colleague_case, foreign_case
):
    response = client_for(caseworker).get(reverse("my_caseload"))
    html = response.content.decode()
    assert own_case.reference in html
    assert colleague_case.reference not in html
    assert foreign_case.reference not in html


def test_my_caseload_makes_the_same_number_of_queries_for_more_cases(
    client_for, caseworker, django_assert_max_num_queries
):
    client = client_for(caseworker)
    held_case(caseworker.worker)
    # 16 with the check-in prompt's one query (the worker's last answer)
    with django_assert_max_num_queries(16):
        client.get(reverse("my_caseload"))
    for _ in range(10):
        held_case(caseworker.worker)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("my_caseload"))
    assert len(re.findall(r'href="/cases/\d+/"', response.content.decode())) == 11


class TestSearch:
    def test_search_finds_people_by_name_reference_and_date_of_birth(
        self, client_for, caseworker, own_case
    ):
        person = own_case.participant
        client = client_for(caseworker)
        for params in (
            {"q": person.family_name},
            {"q": person.given_name.lower()},
            {"q": person.reference},
            {"date_of_birth": person.date_of_birth.isoformat()},
        ):
            response = client.get(reverse("participant_list"), params)
            assert person.full_name.split()[0] in response.content.decode(), params

    def test_search_never_returns_another_teams_people_to_a_caseworker(
        self, client_for, caseworker, foreign_case, own_case
    ):
        foreign = foreign_case.participant
        foreign.family_name = own_case.participant.family_name
        foreign.given_name = "Zebedee"
        foreign.save()
        client = client_for(caseworker)
        for params in ({"q": foreign.family_name}, {"q": foreign.reference}, {}):
            html = client.get(reverse("participant_list"), params).content.decode()
            assert "Zebedee" not in html, params

    def test_a_search_with_no_match_says_so(self, client_for, caseworker, own_case):
        response = client_for(caseworker).get(reverse("participant_list"), {"q": "Nobodyhere"})
        assert b"Nobody you can see matches" in response.content

    def test_the_list_is_paginated(self, client_for, manager, team, settings):
        settings.PAGE_SIZE = 5
        for _ in range(12):
            CaseFactory(team=team)
        response = client_for(manager).get(reverse("participant_list"), {"page": 3})
        assert b"Page 3 of 3" in response.content


class TestForms:
    def test_a_caseworker_records_a_person_who_is_then_visible_to_their_team_only(
        self, client_for, caseworker, outsider
    ):
        response = client_for(caseworker).post(
            reverse("participant_create"),
            {"given_name": "Ada", "family_name": "Lovelace", "date_of_birth": "2014-03-02"},
        )
        person = Participant.objects.get(family_name="Lovelace")
        assert response.status_code == 302
        assert Participant.objects.visible_to(caseworker).filter(pk=person.pk).exists()
        assert not Participant.objects.visible_to(outsider).filter(pk=person.pk).exists()

    def test_a_future_date_of_birth_is_refused_with_a_message_naming_the_field(
        self, client_for, caseworker
    ):
        tomorrow = timezone.localdate() + timedelta(days=1)
        response = client_for(caseworker).post(
            reverse("participant_create"),
            {"given_name": "Ada", "family_name": "Lovelace", "date_of_birth": tomorrow.isoformat()},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in html
        assert "Date of birth: Date of birth cannot be in the future." in html
        assert not Participant.objects.filter(family_name="Lovelace").exists()

    def test_adding_a_sibling_puts_both_in_one_household(self, client_for, caseworker, own_case):
        person = own_case.participant
        client_for(caseworker).post(
            reverse("participant_create") + f"?sibling_of={person.pk}",
            {"given_name": "Sib", "family_name": person.family_name, "date_of_birth": "2018-01-01"},
        )
        person.refresh_from_db()
        sibling = Participant.objects.get(given_name="Sib")
        assert person.household_id is not None
        assert sibling.household_id == person.household_id
        page = client_for(caseworker).get(reverse("participant_detail", args=[person.pk]))
        assert "Sib" in page.content.decode()

    def test_the_household_list_only_offers_households_the_user_may_see(
        self, client_for, caseworker, own_case, foreign_case
    ):
        foreign_household = HouseholdFactory(organisation=foreign_case.participant.organisation)
        foreign_case.participant.household = foreign_household
        foreign_case.participant.save()
        response = client_for(caseworker).get(reverse("participant_create"))
        assert foreign_household.reference not in response.content.decode()
        response = client_for(caseworker).post(
            reverse("participant_create"),
            {
                "given_name": "A",
                "family_name": "B",
                "date_of_birth": "2015-01-01",
                "household": foreign_household.pk,
            },
        )
        assert response.status_code == 200
        assert not Participant.objects.filter(given_name="A", family_name="B").exists()

    def test_a_manager_opens_a_case_which_waits_for_allocation(
        self, client_for, manager, own_case, team
    ):
        person = own_case.participant
        response = client_for(manager).post(
            reverse("case_create", args=[person.pk]),
            {
                "team": team.pk,
                "case_type": "child_protection",
                "need_level": "high",
                "court": "none",
                "opened_on": "2026-03-01",
            },
        )
        case = Case.objects.filter(participant=person).exclude(pk=own_case.pk).get()
        assert response.status_code == 302
        assert case.status == "awaiting_allocation"

    def test_a_manager_cannot_open_a_case_in_a_team_they_do_not_manage(
        self, client_for, manager, own_case, other_team
    ):
        response = client_for(manager).post(
            reverse("case_create", args=[own_case.participant_id]),
            {
                "team": other_team.pk,
                "case_type": "adult",
                "need_level": "low",
                "court": "none",
                "opened_on": "2026-03-01",
            },
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert not Case.objects.filter(team=other_team).exists()

    def test_closing_a_case_needs_a_reason_and_a_date_not_before_it_opened(
        self, client_for, caseworker, own_case
    ):
        client = client_for(caseworker)
        response = client.post(
            reverse("case_close", args=[own_case.pk]), {"closed_on": "2020-01-01"}
        )
        html = response.content.decode()
        assert "Reason for closing: This field is required." in html
        assert "Closed on: A case cannot close before it opened" in html
        response = client.post(
            reverse("case_close", args=[own_case.pk]),
            {"closed_on": date(2026, 2, 1).isoformat(), "closure_reason": "needs_met"},
        )
        own_case.refresh_from_db()
        assert response.status_code == 302
        assert own_case.status == "closed"

    def test_the_case_page_shows_the_holder_history_and_changes(
        self, client_for, manager, own_case, caseworker
    ):
        client = client_for(manager)
        client.post(
            reverse("case_update", args=[own_case.pk]),
            {"case_type": "child_in_need", "need_level": "high", "court": "none"},
        )
        html = client.get(reverse("case_detail", args=[own_case.pk])).content.decode()
        assert "Alice Social" in html
        assert "Level of need: Medium → High" in html


def test_a_participant_page_shows_siblings_and_who_holds_them(
    client_for, manager, team, caseworker
):
    household = HouseholdFactory(organisation=team.service.organisation)
    first = held_case(
        caseworker.worker,
        participant__household=household,
        participant__organisation=team.service.organisation,
    )
    second = CaseFactory(
        team=team,
        participant__household=household,
        participant__organisation=team.service.organisation,
        participant__given_name="Younger",
    )
    AllocationFactory(case=second, worker=caseworker.worker)
    html = (
        client_for(manager)
        .get(reverse("participant_detail", args=[first.participant_id]))
        .content.decode()
    )
    assert "Younger" in html
    assert "Alice Social" in html
