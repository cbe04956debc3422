"""The keyboard alone is enough: sign in, search for a person, open their case and change it,
with a visible focus indicator at every stop."""

import re

from caseload.core.models import Case


def test_a_caseworker_signs_in_finds_a_case_and_changes_it_with_the_keyboard_alone(open_browser):
    ui = open_browser()
    keys = ui.page.keyboard
    ui.goto("login")
    ui.tab_to("Username")
    keys.type("caseworker")
    ui.tab_to("Password")
    keys.type("caseload-demo-2026")
    keys.press("Enter")
    ui.expect_heading("My caseload")
    first_row = ui.table("Open cases you hold").locator("tbody tr").first
    person = first_row.locator("th").inner_text().strip()
    case_reference = first_row.locator("td a").first.inner_text().strip()
    # Two people can share a name; their local reference picks out the one.
    reference = Case.objects.get(reference=case_reference).participant.reference

    ui.tab_to("Skip to main content")
    ui.tab_to("People", backwards=True)  # the skip link comes first; People is in the header
    keys.press("Enter")
    ui.expect_heading("People")
    ui.tab_to("Name or reference")
    keys.type(reference)
    keys.press("Enter")
    ui.expect_text("1 matching person")

    family, given = person.rsplit(" ", 1)[1], person.rsplit(" ", 1)[0]
    ui.tab_to(f"{family}, {given}")
    keys.press("Enter")
    ui.expect_heading(person)
    ui.tab_to(case_reference)
    keys.press("Enter")
    ui.expect_heading(re.compile(f"Case {case_reference}"))

    ui.tab_to("Change type or need")
    keys.press("Enter")
    ui.expect_heading(re.compile("Change case"))
    need = ui.field("Level of need")
    before = need.evaluate("el => el.options[el.selectedIndex].text")
    after = "Medium" if before != "Medium" else "Low"
    ui.tab_to("Level of need")
    keys.type(after[0])  # a select jumps to the option starting with the letter typed
    assert need.evaluate("el => el.options[el.selectedIndex].text") == after
    ui.tab_to("Save changes")
    keys.press("Space")
    ui.expect_message("Case updated")
    assert ui.detail("Level of need") == after


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(open_browser):
    ui = open_browser("manager")
    ui.goto("team_list")
    focus = ui.tab_to("Skip to main content", most=1)
    assert focus["href"] == "#main"
    ui.page.keyboard.press("Enter")
    ui.page.keyboard.press("Tab")
    focus = ui.expect_visible_focus()
    assert ui.page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert focus["tag"] == "a"


def test_a_manager_allocates_a_case_from_the_queue_with_the_keyboard_alone(open_browser):
    ui = open_browser()
    keys = ui.page.keyboard
    ui.goto("login")
    ui.tab_to("Username")
    keys.type("manager")
    ui.tab_to("Password")
    keys.type("caseload-demo-2026")
    keys.press("Enter")
    team = ui.page.locator("main h2 a").first.inner_text().strip()
    ui.tab_to(team)
    keys.press("Enter")
    ui.expect_heading(team)
    ui.tab_to(re.compile(r"^Queue \("))
    keys.press("Enter")
    ui.expect_heading(re.compile("Queue for"))
    ui.tab_to(re.compile(r"^Allocate\s+case"))
    keys.press("Enter")
    ui.expect_heading(re.compile("Allocate case"))

    fits = ui.page.locator("main tbody tr", has_text="Within promise and band")
    wanted = fits.first.locator("th label").inner_text().strip()
    first = ui.page.locator("main tbody input[type=radio]").first.get_attribute("id")
    first_name = ui.page.locator(f"label[for={first}]").inner_text().strip()
    ui.tab_to(first_name)  # into the table of workers: focus lands on the first radio button
    for _ in range(30):  # arrow keys move through a radio group, choosing as they go
        if ui.focused()["name"].startswith(wanted):
            break
        keys.press("ArrowDown")
    keys.press("Space")
    assert ui.page.get_by_label(wanted, exact=True).is_checked()
    ui.tab_to("Allocate")
    ui.expect_visible_focus()
    keys.press("Enter")
    ui.expect_message(f"allocated to {wanted}")
