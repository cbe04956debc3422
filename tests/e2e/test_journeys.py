"""Each role's main journeys in a real browser, signing in through the form as people do."""

import re
from datetime import timedelta

from django.utils import timezone

from tests.e2e.ui import expect


def test_a_caseworker_finds_a_person_from_their_caseload_and_opens_their_case(open_browser):
    ui = open_browser()
    ui.login("caseworker")
    ui.expect_heading("My caseload")
    person = ui.row_headers("Open cases you hold")[0]
    family_name = person.split()[-1]

    ui.nav("People")
    ui.expect_heading("People")
    ui.fill_form({"Name or reference": family_name}, submit="Search")
    ui.expect_text("matching")
    ui.click_link(f"{family_name}, {person.rsplit(' ', 1)[0]}")
    ui.expect_heading(person)

    case_reference = ui.row_headers("Cases for")[0]
    ui.click_link(case_reference)
    ui.expect_heading(re.compile(f"Case {case_reference}"))
    ui.expect_text("Who has held this case")
    ui.logout()


def test_a_search_with_no_match_says_so(open_browser):
    ui = open_browser("caseworker")
    ui.goto("participant_list")
    ui.fill_form({"Name or reference": "Zzyzx"}, submit="Search")
    ui.expect_text("Nobody you can see matches")


def test_a_caseworker_records_a_person_after_fixing_a_mistake_and_opens_a_case(open_browser):
    ui = open_browser()
    ui.login("caseworker")
    ui.nav("People")
    ui.click_link("Record a person")
    ui.expect_heading("Record a person")
    tomorrow = timezone.localdate() + timedelta(days=1)
    ui.fill_form(
        {"Given name": "Robin", "Family name": "Testperson", "Date of birth": tomorrow.isoformat()},
        submit="Record person",
    )
    ui.expect_errors("Date of birth cannot be in the future")
    ui.expect_heading("Record a person")

    ui.fill_form({"Date of birth": "2016-03-14"}, submit="Record person")
    ui.expect_message("Robin Testperson recorded")
    ui.expect_heading("Robin Testperson")

    ui.click_link("Open a case")
    ui.expect_heading("Open a case for Robin Testperson")
    ui.fill_form(
        {"Case type": "Child in need", "Level of need": "Medium", "Court work": "None"},
        submit="Open case",
    )
    ui.expect_message("waiting for allocation")
    ui.expect_text("Nobody – awaiting allocation")
    ui.logout()


def test_a_caseworker_closes_a_case_they_hold(open_browser):
    ui = open_browser("caseworker")
    ui.goto("my_caseload")
    rows = ui.table("Open cases you hold").locator("tbody tr")
    held = rows.count()
    rows.last.locator("td a").first.click()  # the case reference
    ui.click_link("Close case")
    ui.expect_heading(re.compile("Close case"))
    ui.click_button("Close case")
    ui.expect_errors("Reason for closing")

    ui.fill_form({"Reason for closing": "Needs met / plan completed"}, submit="Close case")
    ui.expect_message("closed")
    ui.expect_text("Needs met / plan completed")
    ui.nav("My caseload")
    ui.expect_text(f"You hold {held - 1} open case")


def test_a_manager_sees_their_team_and_opens_its_page(open_browser):
    ui = open_browser()
    ui.login("manager")
    ui.expect_heading("Your teams")
    team = ui.page.locator("main h2 a").first.inner_text()

    ui.nav("My teams")
    ui.expect_heading("Teams")
    ui.click_link(team)
    ui.expect_heading(team)
    ui.expect_text("Members of")
    ui.expect_text("Cases against promise")
    ui.logout()


def test_a_director_drills_from_the_organisation_to_a_team(open_browser):
    ui = open_browser()
    ui.login("director")
    ui.expect_heading("Northshire County Council")
    ui.expect_text("Vacant FTE")
    service = ui.page.locator("main table tbody th a").first.inner_text()  # the services table
    ui.click_link(service)
    ui.expect_heading(f"Teams in {service}", level=2)
    team = ui.page.locator("main table.table-staffing tbody th a").nth(1).inner_text()

    ui.click_link(team)
    ui.expect_heading(team)
    ui.expect_text("FTE needed to bring everyone within band")
    ui.nav("Organisation")
    ui.expect_heading("Northshire County Council")
    ui.logout()


def test_a_director_drills_from_the_dashboard_to_a_team_and_downloads_an_export(open_browser):
    ui = open_browser()
    ui.login("director")
    ui.nav("Dashboard")
    ui.expect_heading("Northshire County Council")
    ui.expect_text("Caseload per FTE (DfE method)")
    expect(ui.page.locator("main svg.chart").first).to_be_visible()
    service = ui.page.locator("main table.compare-table tbody th a").first.inner_text()

    ui.click_link(service)
    ui.expect_heading(service)
    team = ui.page.locator("main table.compare-table tbody th a").first.inner_text()
    ui.click_link(team)
    ui.expect_heading(team)
    ui.expect_text("Members")

    with ui.page.expect_download() as download:
        ui.page.locator("main a", has_text="CSV").first.click()
    path = download.value.path()
    header = open(path, encoding="utf-8").readline()
    assert header.startswith("worker,role,fte,open_cases,promise")
    assert download.value.suggested_filename.endswith(".csv")
    ui.logout()


def test_after_signing_out_pages_ask_to_sign_in_again(open_browser):
    ui = open_browser("manager")
    ui.goto("home")
    ui.logout()
    ui.goto("team_list")
    ui.expect_heading("Sign in to Caseload")
    assert ui.path().startswith("/accounts/login/?next=")


def test_a_caseworker_logs_a_visit_and_a_failed_attempt_from_their_caseload(open_browser):
    ui = open_browser()
    ui.login("caseworker")
    ui.nav("My caseload")
    ui.expect_heading("My caseload")
    row = ui.page.locator("main table tbody tr").first
    reference = row.locator("td a").first.inner_text()
    row.get_by_role("link", name=re.compile("^Log contact")).click()
    ui.expect_heading(re.compile("Log a contact|Log contact"))

    main = ui.page.locator("main")
    main.get_by_role("radio", name="Home visit").check()
    main.get_by_role("radio", name=re.compile("^Yes")).check()
    ui.fill_form({"Duration (minutes)": "45", "Travel (minutes)": "20"})
    ui.fill_form({"Notes": "Saw the family at home; plan reviewed."}, submit="Log contact")
    ui.expect_message("Visit logged")
    ui.expect_heading("My caseload")  # back where they started

    ui.page.locator("main table tbody tr", has_text=reference).get_by_role(
        "link", name=re.compile("^Log contact")
    ).click()
    main.get_by_role("radio", name="Home visit").check()
    main.get_by_role("radio", name=re.compile("^No")).check()
    ui.fill_form(
        {"Duration (minutes)": "5", "Notes": "No answer at the door."}, submit="Log contact"
    )
    ui.expect_message("Attempt logged")

    ui.click_link(reference)
    ui.expect_text("Saw the family at home")
    ui.expect_text("No answer at the door.")
    ui.expect_text("Last seen")
    ui.expect_accessible("case page after a visit and an attempt")
    ui.logout()
