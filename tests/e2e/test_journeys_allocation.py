"""The weighting and allocation journeys in a real browser: a caseworker proposes factors and
their manager amends them; the manager allocates from the queue with an override and
reallocates a leaver's whole caseload."""

import re


def test_a_caseworker_proposes_factors_and_the_manager_amends_them_with_a_note(open_browser):
    ui = open_browser()
    ui.login("caseworker")
    ui.page.locator("main table a[href^='/cases/']").first.click()
    case_path = ui.path()
    ui.click_link("Propose new factors")
    ui.expect_heading(re.compile("Propose factors for case"))
    ui.page.locator("input[name=travel][value=over_60]").check()
    ui.click_button("Propose factors")
    ui.expect_message("Factors proposed")
    ui.expect_text("Awaiting agreement")
    ui.logout()

    ui.login("manager")
    ui.goto(case_path)
    ui.click_link("Agree or amend factors")
    ui.page.locator("input[name=travel][value='30_60']").check()
    ui.click_button("Save agreement")
    ui.expect_errors("Say why you changed the proposed factors.")
    ui.fill_form({"Note (needed if you change anything)": "About 45 minutes since the move."})
    ui.click_button("Save agreement")
    ui.expect_message("Factors agreed with changes")
    ui.expect_text("Supervisor changed the proposal")
    ui.logout()


def test_a_manager_allocates_from_the_queue_overriding_with_a_reason(open_browser):
    ui = open_browser()
    ui.login("manager")
    ui.page.locator("main h2 a").first.click()
    ui.page.get_by_role("link", name=re.compile(r"^Queue \(")).click()
    ui.expect_heading(re.compile("Queue for"))
    ui.page.locator("main a.btn", has_text="Allocate").first.click()
    ui.expect_heading(re.compile("Allocate case"))
    row = ui.page.locator("main tbody tr", has_text="Needs override").first
    name = row.locator("th label").inner_text()
    row.locator("input[type=radio]").check()
    ui.click_button("Allocate")
    ui.expect_errors("Give a reason to override.")
    ui.page.locator("main tbody tr", has_text=name).locator("input[type=radio]").check()
    ui.page.fill("#id_override_reason", "Holds the sibling's school link")
    ui.click_button("Allocate")
    ui.expect_message(f"allocated to {name}")
    ui.logout()


def test_a_manager_reallocates_a_leavers_whole_caseload_in_one_confirmation(open_browser):
    ui = open_browser()
    ui.login("manager")
    ui.page.locator("main h2 a").first.click()
    ui.page.locator("main tr", has_text="Leaving").locator("th a").first.click()
    ui.click_link("Reallocate whole caseload")
    ui.expect_heading(re.compile("Reallocate .* caseload"))
    ui.page.get_by_role("button", name=re.compile("^Confirm: move all")).click()
    if ui.page.locator("#error-summary").count():
        ui.page.fill("#id_override_reason", "Leaver: no one else free")
        ui.page.get_by_role("button", name=re.compile("^Confirm: move all")).click()
    ui.expect_message("reallocated")
    ui.logout()
