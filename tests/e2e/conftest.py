"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

One browser for all of tests/e2e, one seeded demo database per test module (seeding and flushing
take seconds, so per-test seeding would dominate the run; the rows are written back after the
first seeding, tests/demo_rows.py). Tests in a module therefore
share data: a test that changes something picks records no other test in the module relies on.

Without /usr/bin/chromium or the playwright package these tests skip, and with
REQUIRE_SERVICES=1 (as in CI) they fail instead.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections
from django.test import Client

from caseload.demo import seed as demo
from reports.services import snapshot_backfill
from security.demo import demo_two_factor_enrol
from tests import demo_rows
from tests.conftest import _skip_or_fail
from tests.e2e.ui import AXE_SCRIPT, DESKTOP, UI

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items):
    """Every test in tests/e2e carries the `e2e` marker (`pytest -m e2e`, `-m "not e2e"`)."""
    for item in items:
        if E2E_DIR in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for all the browser tests."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _skip_or_fail(f"the browser tests need Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("the browser tests need the playwright package (pip install -e '.[dev]')")
    # Playwright's sync API runs an asyncio loop on this thread, and Django refuses ORM calls
    # while a loop runs; the fixtures below seed and sign in from this thread. While the loop
    # runs Django also keeps this thread's connections apart from its usual ones, so they are
    # closed before the loop stops, or the test database could not be dropped afterwards.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            connections.close_all()
            chromium.close()


@pytest.fixture
def _live_server_helper(request):
    """Replaces pytest-django's helper, which would flush the database after every test.

    Here `seeded_site` seeds once per module and flushes at the end of it.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    live_server = request.getfixturevalue("live_server")
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


def _seed_site() -> None:
    demo.seed(size="small", seed=1)
    snapshot_backfill(months=12)  # as `seed_demo` does, so the dashboards have trends
    demo_two_factor_enrol()


@pytest.fixture(scope="module")
def seeded_site(browser, django_db_setup, django_db_blocker, live_server, _demo_captures):
    """The live server's base URL, with the small demo organisation seeded for this module.

    Seeded for real once, onto an emptied database, then written back (tests/demo_rows.py):
    each module's flush leaves the database as that first seeding found it."""
    captures = _demo_captures.setdefault("e2e site", [])
    with django_db_blocker.unblock():
        if not demo_rows.written_back(captures):
            call_command("flush", verbosity=0, interactive=False)
            demo_rows.kept(captures, _seed_site)
        yield live_server.url
        call_command("flush", verbosity=0, interactive=False)
        connections.close_all()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where screenshots go: $SCREENSHOTS_DIR (e.g. docs/screenshots) or a temporary folder."""
    target = os.environ.get("SCREENSHOTS_DIR")
    return Path(target) if target else tmp_path_factory.getbasetemp() / "screenshots"


def _open(browser, base_url, screenshot_dir, username=None, *, javascript=True, viewport=None):
    context = browser.new_context(
        base_url=base_url,
        viewport=viewport or DESKTOP,
        java_script_enabled=javascript,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(10_000)
    if javascript:
        context.add_init_script(path=AXE_SCRIPT)  # sent once, not on every accessibility check
    if username:
        context.add_cookies([session_cookie(username, base_url)])
    return UI(context.new_page(), screenshot_dir=screenshot_dir)


@pytest.fixture
def open_browser(browser, seeded_site, screenshot_dir):
    """Open a fresh browser window with its own cookies: `ui = open_browser()`.

    `open_browser("manager")` starts already signed in as that demo user, without the sign-in
    form; `open_browser(javascript=False, viewport={"width": 320, "height": 640})` changes the
    window. Everything opened is closed after the test.
    """
    opened = []

    def opener(username=None, *, javascript=True, viewport=None):
        ui = _open(
            browser, seeded_site, screenshot_dir, username, javascript=javascript, viewport=viewport
        )
        opened.append(ui)
        return ui

    yield opener
    for ui in opened:
        ui.page.context.close()


@pytest.fixture(scope="module")
def tab_for(browser, seeded_site, screenshot_dir):
    """One signed-in tab per demo user, kept for the module: `tab_for("director")` (None for
    signed out). Quicker than a new window for tests that only look; a test that changes the
    window size puts it back."""
    tabs = {}

    def tab(username=None):
        if username not in tabs:
            tabs[username] = _open(browser, seeded_site, screenshot_dir, username)
        return tabs[username]

    yield tab
    for ui in tabs.values():
        ui.page.context.close()


def session_cookie(username: str, base_url: str) -> dict:
    """A signed-in session for a demo user, made server-side (no password hashing per test)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": base_url}
