"""With JavaScript switched off the core flows still work: scripts only enhance."""

from tests.e2e.ui import NARROW, expect


def test_a_caseworker_signs_in_finds_people_and_records_one_without_javascript(open_browser):
    ui = open_browser(javascript=False)
    ui.login("caseworker")
    ui.expect_heading("My caseload")
    case_reference = ui.table("Open cases you hold").locator("tbody td a").first.inner_text()
    ui.click_link(case_reference)
    ui.expect_heading(f"Case {case_reference}")

    ui.nav("People")
    ui.fill_form({"Name or reference": "Zzyzx"}, submit="Search")
    ui.expect_text("Nobody you can see matches")

    ui.click_link("Record a person")
    ui.fill_form({"Given name": "Sam"}, submit="Record person")
    ui.expect_errors("Family name", "Date of birth")
    ui.fill_form(
        {"Family name": "Nojavascript", "Date of birth": "2012-09-30"}, submit="Record person"
    )
    ui.expect_message("Sam Nojavascript recorded")
    ui.click_link("Open a case")
    ui.fill_form({"Case type": "Early help", "Level of need": "Low"}, submit="Open case")
    ui.expect_message("waiting for allocation")
    ui.logout()


def test_the_navigation_is_usable_on_a_narrow_screen_without_javascript(open_browser):
    ui = open_browser("manager", javascript=False, viewport=NARROW)
    ui.goto("home")
    expect(ui.page.locator(".navbar-toggler")).to_be_hidden()
    ui.nav("My teams")
    ui.expect_heading("Teams")
    ui.click_button("Sign out")
    ui.expect_heading("Sign in to Caseload")


def test_a_director_sorts_filters_and_dates_the_dashboard_without_javascript(open_browser):
    ui = open_browser("director", javascript=False)
    ui.goto("dashboard_organisation")
    ui.expect_heading("Northshire County Council")
    table = ui.page.locator("main table.compare-table")
    ui.click_link("Caseloads held: Highest", within="main table.compare-table")
    expect(table.locator("th[aria-sort]")).to_have_attribute("aria-sort", "descending")
    first = table.locator("tbody th a").first.inner_text()
    ui.fill_form({"Service name contains": first[:6]}, submit="Filter")
    expect(table.locator("tbody tr")).to_have_count(1)
    ui.fill_form({"Figures on": "2026-06-30"}, submit="Show")
    ui.expect_heading("Northshire County Council")
    ui.expect_text("30 June 2026")
