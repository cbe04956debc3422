"""Every page, in every state we can reach, meets WCAG 2.2 AA as far as axe-core can tell, has
described tables, and reflows at 400% zoom. New pages join the sweep through the URLconf."""

import pytest

from tests.e2e.catalogue import EXTRA_STATES, Samples, linked_pages, page_names, plan
from tests.e2e.ui import DESKTOP, NARROW, view_name

PAGES = page_names()

BLANK_THE_FORM = """form => {
  for (const el of form.elements) {
    if (el.type === "hidden" || el.type === "submit" || el.type === "button") continue;
    if (el.tagName === "SELECT") {
      const blank = Array.from(el.options).findIndex(o => o.value === "");
      if (blank >= 0) el.selectedIndex = blank;
    } else if (el.type === "radio" || el.type === "checkbox") {
      el.checked = false;
    } else {
      el.value = "";
    }
  }
}"""


@pytest.fixture(scope="module")
def samples(seeded_site):
    return Samples.load()


def _open(tab_for, state):
    ui = tab_for(state.role)
    ui.goto(state.path, status=state.status)
    return ui


def test_the_sweep_covers_the_pages_that_exist_today():
    assert {
        "login",
        "home",
        "my_caseload",
        "participant_list",
        "participant_detail",
        "participant_create",
        "case_detail",
        "case_create",
        "case_close",
        "organisation",
        "team_detail",
    } <= set(PAGES)


# Pages whose first form has no "submitted blank" error state, and why.
NO_BLANK_ERRORS = {
    "notifications": "the digest switch: off is a valid answer",
    "team_flags": "one small acknowledge form per flag; a blank note is refused with a message",
    "worker_leaver": "the first button only updates the preview",
    "retention_reviews": "a single button that runs the check now",
    "supervision_worker": "one small 'mark done' button per action",
    "supervision_plan": "both fields may be left blank (the default frequency)",
}


@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_accessible_as_it_opens_and_with_form_errors(tab_for, samples, name):
    state = plan(name, samples)
    ui = _open(tab_for, state)
    ui.expect_accessible(f"as {state.role or 'anonymous'}")
    ui.expect_tables_described()
    ui.expect_reflow()  # nothing wider than a desktop window either (e.g. a long navigation)
    form = ui.page.locator("main form[method=post], main form[method=POST]")
    if form.count() and name not in NO_BLANK_ERRORS:
        form.first.evaluate(BLANK_THE_FORM)
        form.first.locator("[type=submit]").first.click()
        ui.expect_errors()
        ui.expect_accessible("with the form submitted blank")


@pytest.mark.parametrize(
    "state", EXTRA_STATES, ids=[f"{s.name}-{s.label.replace(' ', '-')}" for s in EXTRA_STATES]
)
def test_every_page_state_is_accessible(tab_for, state):
    ui = _open(tab_for, state)
    ui.expect_accessible(state.label)
    ui.expect_tables_described()


def test_a_failed_sign_in_is_accessible(open_browser):
    ui = open_browser()
    ui.goto("login")
    ui.fill_form({"Username": "caseworker", "Password": "not the password"}, submit="Sign in")
    ui.expect_errors("did not match")
    ui.expect_accessible("after a wrong password")


@pytest.mark.parametrize("name", PAGES)
def test_every_page_reflows_at_400_percent_zoom(tab_for, samples, name):
    state = plan(name, samples)
    ui = tab_for(state.role)
    ui.page.set_viewport_size(NARROW)
    try:
        ui.goto(state.path)
        ui.expect_reflow()
    finally:
        ui.page.set_viewport_size(DESKTOP)


def test_the_checker_reports_a_real_problem(tab_for, seeded_site):
    """Guards the sweep itself: an image without alt text and an unlabelled input are caught."""
    ui = tab_for("caseworker")
    ui.goto("my_caseload")
    ui.page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
             '<img src="/static/none.png"><input type="text">')"""
    )
    found = {v["id"] for v in ui.accessibility_problems()}
    assert {"image-alt", "label"} <= found


def test_a_page_with_arguments_is_found_by_following_links_when_not_listed(samples):
    found = linked_pages("manager", {"case_detail", "worker_detail"})
    assert view_name(found["case_detail"]) == "case_detail"
    assert view_name(found["worker_detail"]) == "worker_detail"


def test_the_sweep_skips_downloads_and_actions_and_asks_for_unlinked_pages(samples, settings):
    settings.ROOT_URLCONF = "tests.e2e.urls_not_pages"
    with pytest.raises(pytest.skip.Exception, match="download"):
        plan("test_download", samples)
    with pytest.raises(pytest.skip.Exception, match="an action"):
        plan("test_action", samples)
    with pytest.raises(AssertionError, match="add it to ARGS"):
        plan("test_unlinked", samples)
