"""Contacts in the browser: who may log, read, edit and correct; the case, My caseload and team
pages; the CSV export; the visit policy page. The outsider is always refused."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.models import Contact, ContactExport
from tests.caseload.factories import UserFactory, WorkerFactory
from tests.participants.factories import CaseFactory, ContactFactory, held_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _at(days_ago: int, hour: int = 10):
    moment = timezone.localtime() - timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _form(**overrides) -> dict:
    yesterday = timezone.localdate() - timedelta(days=1)
    data = {
        "occurred_on": yesterday.isoformat(),
        "occurred_time": "10:30",
        "contact_type": "home_visit",
        "seen": "yes",
        "seen_alone": "on",
        "duration_minutes": "45",
        "travel_minutes": "20",
        "notes": "Seen at home.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def own_case(caseworker):
    return held_case(caseworker.worker, opened_on=TODAY() - timedelta(days=120))


@pytest.fixture
def own_contact(own_case, caseworker):
    return services.contact_log(
        case=own_case,
        by=caseworker,
        occurred_at=_at(1),
        contact_type="home_visit",
        seen=True,
        duration_minutes=30,
        notes="First visit.",
    )


PAGES = {
    "case_contact_list": lambda c: reverse("case_contact_list", args=[c.case_id]),
    "contact_create": lambda c: reverse("contact_create", args=[c.case_id]),
    "contact_detail": lambda c: reverse("contact_detail", args=[c.pk]),
    "contact_update": lambda c: reverse("contact_update", args=[c.pk]),
    "contact_correct": lambda c: reverse("contact_correct", args=[c.pk]),
}
READ_ONLY = {
    "case_contact_list": 200,
    "contact_create": 403,
    "contact_detail": 200,
    "contact_update": 403,
    "contact_correct": 403,
}
EXPECTED = {
    "caseworker": dict.fromkeys(PAGES, 200),
    "manager": dict(dict.fromkeys(PAGES, 200), contact_update=403),
    "director": READ_ONLY,
    "administrator": READ_ONLY,
    "outsider": dict.fromkeys(PAGES, 404),
    "outsider_manager": dict.fromkeys(PAGES, 404),
}


@pytest.mark.parametrize("role", EXPECTED)
@pytest.mark.parametrize("page", PAGES)
def test_each_role_gets_the_right_answer_for_each_contact_page(
    request, client_for, role, page, own_contact
):
    user = request.getfixturevalue(role)
    response = client_for(user).get(PAGES[page](own_contact))
    assert response.status_code == EXPECTED[role][page]
    if response.status_code == 200:
        assert own_contact.case.participant.family_name in response.content.decode()


def test_a_colleague_in_the_team_may_log_a_contact_on_a_case_they_do_not_hold(
    client_for, own_case, team
):
    user = UserFactory(username="dev", organisation=team.service.organisation)
    colleague = WorkerFactory(team=team, user=user)
    response = client_for(user).post(reverse("contact_create", args=[own_case.pk]), _form())
    assert response.status_code == 302
    assert Contact.objects.get(case=own_case).worker == colleague


class TestLogging:
    def test_a_caseworker_logs_a_visit_and_an_attempt_and_sees_their_due_list_update(
        self, client_for, caseworker, own_case
    ):
        client = client_for(caseworker)
        before = client.get(reverse("my_caseload") + "?sort=due").content.decode()
        assert "Not seen yet" in before
        assert "overdue" in before
        next_url = reverse("my_caseload") + "?sort=due"
        response = client.post(
            reverse("contact_create", args=[own_case.pk]),
            _form(occurred_on=(TODAY() - timedelta(days=3)).isoformat(), next=next_url),
        )
        assert response.status_code == 302
        assert response["Location"] == next_url
        client.post(
            reverse("contact_create", args=[own_case.pk]),
            _form(contact_type="phone", seen="no", seen_alone="", duration_minutes="5"),
        )
        after = client.get(next_url).content.decode()
        seen_on = TODAY() - timedelta(days=3)
        assert seen_on.strftime("%-d %b %Y") in after
        assert (seen_on + timedelta(weeks=4)).strftime("%-d %b") in after
        assert "Not seen yet" not in after
        contacts = Contact.objects.filter(case=own_case).order_by("occurred_at")
        assert [(c.seen, c.contact_type) for c in contacts] == [
            (True, "home_visit"),
            (False, "phone"),
        ]
        assert contacts[0].seen_alone is True
        assert contacts[1].seen_alone is None
        assert contacts[0].recorded_by == caseworker

    def test_the_form_defaults_to_today_and_offers_child_seen_alone_for_children_only(
        self, client_for, caseworker, own_case
    ):
        html = client_for(caseworker).get(reverse("contact_create", args=[own_case.pk]))
        html = html.content.decode()
        assert f'value="{TODAY().isoformat()}"' in html
        assert "The child was seen alone" in html
        adult = held_case(caseworker.worker, case_type="adult")
        html = client_for(caseworker).get(reverse("contact_create", args=[adult.pk]))
        assert "The child was seen alone" not in html.content.decode()

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"occurred_on": (TODAY() + timedelta(days=1)).isoformat()}, "cannot be in the future"),
            ({"duration_minutes": "721"}, "less than or equal to 720"),
            ({"travel_minutes": "-5"}, "greater than or equal to 0"),
            ({"contact_type": "phone"}, "cannot count as seeing the person"),
            ({"seen": ""}, "This field is required"),
            ({"occurred_on": (TODAY() - timedelta(days=400)).isoformat()}, "The case opened on"),
        ],
    )
    def test_a_bad_contact_is_refused_with_an_error_summary(
        self, client_for, caseworker, own_case, overrides, message
    ):
        response = client_for(caseworker).post(
            reverse("contact_create", args=[own_case.pk]), _form(**overrides)
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in html
        assert message in html
        assert not Contact.objects.exists()

    def test_a_time_later_today_is_in_the_future(self, client_for, caseworker, own_case):
        later = timezone.localtime() + timedelta(minutes=10)
        if later.date() != TODAY():
            pytest.skip("too close to midnight")
        response = client_for(caseworker).post(
            reverse("contact_create", args=[own_case.pk]),
            _form(occurred_on=TODAY().isoformat(), occurred_time=later.strftime("%H:%M")),
        )
        assert "cannot be in the future" in response.content.decode()

    def test_next_must_be_a_page_on_this_site(self, client_for, caseworker, own_case):
        response = client_for(caseworker).post(
            reverse("contact_create", args=[own_case.pk]), _form(next="https://evil.example/")
        )
        assert response["Location"] == reverse("case_detail", args=[own_case.pk])

    def test_a_caseworker_cannot_log_or_read_contacts_on_another_teams_case(
        self, client_for, outsider, own_contact
    ):
        client = client_for(outsider)
        url = reverse("contact_create", args=[own_contact.case_id])
        assert client.post(url, _form()).status_code == 404
        assert client.get(reverse("contact_detail", args=[own_contact.pk])).status_code == 404
        response = client.get(reverse("case_contact_list", args=[own_contact.case_id]))
        assert response.status_code == 404
        assert Contact.objects.count() == 1

    def test_a_director_may_read_but_not_log(self, client_for, director, own_case):
        response = client_for(director).post(reverse("contact_create", args=[own_case.pk]), _form())
        assert response.status_code == 403
        assert not Contact.objects.exists()


class TestEditingAndCorrecting:
    def test_the_author_edits_within_24_hours(self, client_for, caseworker, own_contact):
        response = client_for(caseworker).post(
            reverse("contact_update", args=[own_contact.pk]), _form(duration_minutes="55")
        )
        assert response.status_code == 302
        own_contact.refresh_from_db()
        assert own_contact.duration_minutes == 55
        detail = client_for(caseworker).get(reverse("contact_detail", args=[own_contact.pk]))
        assert "Duration (minutes): 30 → 55" in detail.content.decode()

    def test_editing_after_24_hours_is_refused_and_sends_the_author_to_correct_it(
        self, client_for, caseworker, own_contact
    ):
        Contact.objects.filter(pk=own_contact.pk).update(
            recorded_at=timezone.now() - timedelta(hours=25)
        )
        client = client_for(caseworker)
        response = client.post(
            reverse("contact_update", args=[own_contact.pk]), _form(duration_minutes="55")
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("contact_correct", args=[own_contact.pk])
        own_contact.refresh_from_db()
        assert own_contact.duration_minutes == 30

        response = client.post(
            reverse("contact_correct", args=[own_contact.pk]),
            _form(duration_minutes="55", correction_reason="Typed 30 for 55."),
        )
        assert response.status_code == 302
        correction = Contact.objects.get(corrects=own_contact)
        assert correction.duration_minutes == 55
        own_contact.refresh_from_db()
        assert own_contact.duration_minutes == 30
        html = client.get(reverse("contact_detail", args=[own_contact.pk])).content.decode()
        assert "Typed 30 for 55." in html
        assert "Superseded" in html and "Counts" in html
        assert "<td>Correction 1</td>" in html and "<td>Original</td>" in html

    def test_the_case_page_shows_the_correction_not_the_original(
        self, client_for, caseworker, own_contact
    ):
        services.contact_correct(
            contact=own_contact, by=caseworker, reason="Notes", notes="Corrected note."
        )
        html = client_for(caseworker).get(reverse("case_detail", args=[own_contact.case_id]))
        html = html.content.decode()
        assert "Corrected note." in html
        assert "First visit." not in html

    def test_a_correction_needs_a_reason(self, client_for, caseworker, own_contact):
        response = client_for(caseworker).post(
            reverse("contact_correct", args=[own_contact.pk]), _form()
        )
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
        assert Contact.objects.count() == 1


class TestCasePage:
    def test_the_case_page_shows_last_seen_next_due_and_the_log_button_to_the_holder(
        self, client_for, caseworker, own_case, director
    ):
        ContactFactory(case=own_case, occurred_at=_at(30), notes="Seen in the kitchen.")
        ContactFactory(case=own_case, occurred_at=_at(2), seen=False, contact_type="phone")
        html = client_for(caseworker).get(reverse("case_detail", args=[own_case.pk]))
        html = html.content.decode()
        assert "Last seen" in html
        assert _at(30).strftime("%-d %b %Y") in html
        assert "2 days overdue" in html
        assert "Seen in the kitchen." in html
        assert reverse("contact_create", args=[own_case.pk]) in html
        html = client_for(director).get(reverse("case_detail", args=[own_case.pk]))
        assert reverse("contact_create", args=[own_case.pk]) not in html.content.decode()

    def test_an_adult_case_shows_engagement(self, client_for, caseworker):
        case = held_case(caseworker.worker, case_type="adult", opened_on=_at(60).date())
        ContactFactory(case=case, occurred_at=_at(10))
        for days in (5, 4, 3):
            ContactFactory(case=case, occurred_at=_at(days), seen=False, contact_type="message")
        html = client_for(caseworker).get(reverse("case_detail", args=[case.pk])).content.decode()
        assert "Engagement over the life of the case" in html
        assert "25% of 4" in html

    def test_the_case_page_makes_the_same_number_of_queries_for_more_contacts(
        self, client_for, caseworker, own_case, django_assert_max_num_queries
    ):
        client = client_for(caseworker)
        ContactFactory(case=own_case)
        with django_assert_max_num_queries(18):
            client.get(reverse("case_detail", args=[own_case.pk]))
        for days in range(2, 40):
            ContactFactory(case=own_case, occurred_at=_at(days))
        with django_assert_max_num_queries(18):
            response = client.get(reverse("case_detail", args=[own_case.pk]))
        assert reverse("case_contact_list", args=[own_case.pk]) in response.content.decode()


class TestMyCaseload:
    def test_sorting_by_due_date_puts_the_most_overdue_first(self, client_for, caseworker):
        cases = {}
        for name, days_ago in (("Alpha", 3), ("Bravo", 40), ("Charlie", 20)):
            case = held_case(
                caseworker.worker, participant__family_name=name, opened_on=_at(100).date()
            )
            ContactFactory(case=case, occurred_at=_at(days_ago))
            cases[name] = case
        client = client_for(caseworker)
        by_name = client.get(reverse("my_caseload")).content.decode()
        by_due = client.get(reverse("my_caseload") + "?sort=due").content.decode()

        def order(html):
            return _first_each(re.findall(r"Alpha|Bravo|Charlie", html))

        assert order(by_name) == ["Alpha", "Bravo", "Charlie"]
        assert order(by_due) == ["Bravo", "Charlie", "Alpha"]
        assert 'text-bg-danger fs-6">12</span>' in by_due  # seen 40 days ago, every 28
        assert "soonest visit due first" in by_due

    def test_my_caseload_makes_the_same_number_of_queries_with_contacts(
        self, client_for, caseworker, django_assert_max_num_queries
    ):
        client = client_for(caseworker)
        case = held_case(caseworker.worker)
        ContactFactory(case=case)
        with django_assert_max_num_queries(17):
            client.get(reverse("my_caseload") + "?sort=due")
        for _ in range(12):
            case = held_case(caseworker.worker)
            for days in (1, 5, 9):
                ContactFactory(case=case, occurred_at=_at(days), seen=days != 1)
        with django_assert_max_num_queries(17):
            response = client.get(reverse("my_caseload") + "?sort=due")
        assert response.content.decode().count("Log contact") == 13


def _first_each(names: list[str]) -> list[str]:
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen


class TestTeamPage:
    def test_the_team_page_lists_overdue_visits_most_overdue_first(
        self, client_for, manager, caseworker, team
    ):
        late = held_case(caseworker.worker, opened_on=_at(100).date(), reference="LATE1")
        ContactFactory(case=late, occurred_at=_at(40))
        CaseFactory(team=team, opened_on=_at(60).date(), reference="LATER2")
        fine = held_case(caseworker.worker, opened_on=_at(100).date(), reference="FINE3")
        ContactFactory(case=fine, occurred_at=_at(3))
        html = client_for(manager).get(reverse("team_detail", args=[team.pk])).content.decode()
        section = html.split('id="overdue-visits"')[1]
        assert section.index("LATER2") < section.index("LATE1")
        assert "FINE3" not in section
        assert "Awaiting allocation" in section
        assert reverse("contact_export") + f"?team={team.pk}" in html

    def test_the_team_page_summarises_engagement_of_adult_cases(
        self, client_for, manager, caseworker, team
    ):
        case = held_case(caseworker.worker, case_type="adult", opened_on=_at(50).date())
        ContactFactory(case=case, occurred_at=_at(30))
        ContactFactory(case=case, occurred_at=_at(2), seen=False, contact_type="phone")
        html = client_for(manager).get(reverse("team_detail", args=[team.pk])).content.decode()
        assert "Engagement of adults supported" in html
        assert "50%" in html

    def test_another_teams_manager_cannot_see_the_overdue_list(
        self, client_for, outsider_manager, team
    ):
        response = client_for(outsider_manager).get(reverse("team_detail", args=[team.pk]))
        assert response.status_code == 404

    def test_the_team_page_makes_the_same_number_of_queries_for_more_cases(
        self, client_for, manager, caseworker, team, django_assert_max_num_queries
    ):
        client = client_for(manager)
        held_case(caseworker.worker, case_type="adult")
        with django_assert_max_num_queries(34):
            client.get(reverse("team_detail", args=[team.pk]))
        for index in range(15):
            case = held_case(
                WorkerFactory(team=team),
                case_type="adult" if index % 2 else "child_protection",
                opened_on=_at(90).date(),
            )
            ContactFactory(case=case, occurred_at=_at(index + 20))
        with django_assert_max_num_queries(34):
            response = client.get(reverse("team_detail", args=[team.pk]))
        assert "Overdue visits" in response.content.decode()


class TestExport:
    def _post(self, client, team, **extra):
        data = {
            "team": team.pk,
            "date_from": (TODAY() - timedelta(days=30)).isoformat(),
            "date_to": TODAY().isoformat(),
        }
        data.update(extra)
        return client.post(reverse("contact_export"), data)

    @staticmethod
    def _rows(response) -> list[list[str]]:
        body = b"".join(response.streaming_content).decode("utf-8")
        assert body.startswith("\ufeff")
        body = body.removeprefix("\ufeff")
        return list(csv.reader(io.StringIO(body)))

    def test_a_manager_downloads_the_teams_contacts_without_notes_and_it_is_recorded(
        self, client_for, manager, own_contact, team
    ):
        old = ContactFactory(case=own_contact.case, occurred_at=_at(45))
        response = self._post(client_for(manager), team)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = self._rows(response)
        assert "notes" not in rows[0]
        assert [row[0] for row in rows[1:]] == [str(own_contact.pk)]
        assert str(old.pk) not in {row[0] for row in rows[1:]}
        assert "First visit." not in str(rows)
        export = ContactExport.objects.get()
        assert (export.team, export.exported_by, export.row_count) == (team, manager, 1)
        assert export.include_notes is False

    def test_notes_come_only_when_ticked_and_formulas_are_neutralised(
        self, client_for, manager, own_case, team
    ):
        ContactFactory(case=own_case, occurred_at=_at(2), notes='=HYPERLINK("http://x","y")')
        ContactFactory(case=own_case, occurred_at=_at(3), notes="@SUM(A1)")
        rows = self._rows(self._post(client_for(manager), team, include_notes="on"))
        assert rows[0][-1] == "notes"
        assert [row[-1] for row in rows[1:]] == ["'@SUM(A1)", '\'=HYPERLINK("http://x","y")']
        assert ContactExport.objects.get().include_notes is True

    def test_a_correction_replaces_the_original_in_the_export(
        self, client_for, manager, caseworker, own_contact, team
    ):
        correction = services.contact_correct(
            contact=own_contact, by=caseworker, reason="Time", duration_minutes=90
        )
        rows = self._rows(self._post(client_for(manager), team))
        assert [(row[0], row[1]) for row in rows[1:]] == [(str(correction.pk), str(own_contact.pk))]

    def test_a_director_exports_without_notes_even_if_asked(
        self, client_for, director, own_contact, team
    ):
        page = client_for(director).get(reverse("contact_export")).content.decode()
        assert "Include notes" not in page
        rows = self._rows(self._post(client_for(director), team, include_notes="on"))
        assert "notes" not in rows[0]
        assert ContactExport.objects.get().include_notes is False

    def test_a_caseworker_is_refused_the_export(self, client_for, caseworker, team):
        assert client_for(caseworker).get(reverse("contact_export")).status_code == 403
        assert self._post(client_for(caseworker), team).status_code == 403
        assert not ContactExport.objects.exists()

    def test_another_teams_manager_cannot_export_the_team(
        self, client_for, outsider_manager, own_contact, team
    ):
        response = self._post(client_for(outsider_manager), team)
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert not ContactExport.objects.exists()

    def test_the_dates_must_be_in_order_and_not_in_the_future(self, client_for, manager, team):
        tomorrow = (TODAY() + timedelta(days=1)).isoformat()
        response = self._post(client_for(manager), team, date_to=tomorrow)
        assert "cannot be in the future" in response.content.decode()
        response = self._post(
            client_for(manager), team, date_from=TODAY().isoformat(), date_to="2020-01-01"
        )
        assert "on or after the start date" in response.content.decode()
        response = self._post(client_for(manager), team, date_from="2020-01-01")
        assert "at most 366 days" in response.content.decode()
        assert not ContactExport.objects.exists()

    def test_the_xlsx_has_a_title_headings_people_read_and_typed_cells(
        self, client_for, manager, own_contact, team
    ):
        from openpyxl import load_workbook

        response = self._post(client_for(manager), team, file_format="xlsx", include_notes="on")
        assert response["Content-Disposition"].endswith('.xlsx"')
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet["A1"].value == f"Contacts and attempts: {team.name}"
        header = int(sheet.freeze_panes[1:]) - 1
        headings = [c.value for c in sheet[header]]
        assert headings[:3] == ["Contact", "Correction of contact", "Case"]
        assert headings[-1] == "Notes"
        row = {h: c for h, c in zip(headings, sheet[header + 1], strict=True)}
        moment = timezone.localtime(own_contact.occurred_at)
        assert row["Contact"].value == own_contact.pk
        assert row["Date"].is_date and row["Date"].value.date() == moment.date()
        assert row["Date"].number_format == "d mmm yyyy"
        assert row["Time"].number_format == "hh:mm"
        assert row["Minutes"].value == own_contact.duration_minutes
        assert row["Recorded at"].is_date
        assert ContactExport.objects.get().include_notes is True

    def test_the_xlsx_is_refused_to_another_teams_manager_like_the_csv(
        self, client_for, outsider_manager, own_contact, team
    ):
        response = self._post(client_for(outsider_manager), team, file_format="xlsx")
        assert "Select a valid choice" in response.content.decode()
        assert not ContactExport.objects.exists()

    def test_the_export_page_lists_recent_exports(self, client_for, manager, own_contact, team):
        self._post(client_for(manager), team)
        html = client_for(manager).get(reverse("contact_export")).content.decode()
        assert "Recent exports" in html
        assert team.name in html


class TestVisitPolicyPage:
    def test_a_director_changes_a_frequency_and_the_change_is_kept(
        self, client_for, director, organisation
    ):
        services.visit_policies_ensure_defaults()
        client = client_for(director)
        page = client.get(reverse("visit_policies"))
        assert page.status_code == 200
        form = page.context["form"]
        data = {name: field.initial for name, field in form.fields.items()}
        data["child_in_need_every"] = 3
        response = client.post(reverse("visit_policies"), data)
        assert response.status_code == 302
        html = client.get(reverse("visit_policies")).content.decode()
        assert "Changed" in html
        assert "Visit: every 4 weeks → every 3 weeks" in html
        assert html.count("Visit: ") == 1  # the unchanged case types are not recorded

    def test_a_bad_frequency_is_refused(self, client_for, administrator):
        client = client_for(administrator)
        form = client.get(reverse("visit_policies")).context["form"]
        data = {name: field.initial for name, field in form.fields.items()}
        data["adult_every"] = 0
        response = client.post(reverse("visit_policies"), data)
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()

    @pytest.mark.parametrize("role", ["caseworker", "manager", "outsider"])
    def test_caseworkers_and_managers_are_refused(self, request, client_for, role):
        user = request.getfixturevalue(role)
        assert client_for(user).get(reverse("visit_policies")).status_code == 403
