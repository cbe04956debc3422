"""A browser tab with the verbs journeys are written in: sign in, go to, fill a form by its labels,
expect a heading, check accessibility. Journeys read as what a person does:

    ui = open_browser()
    ui.login("manager")
    ui.click_link("My teams")
    ui.expect_heading("Teams")
    ui.fill_form({"Reason": "Rebalancing"}, submit="Allocate")
    ui.expect_message("allocated")
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve, reverse

try:  # the conftest skips (or fails) the browser tests when playwright is missing
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover
    Page = expect = None

try:
    from axe_playwright_python.base import AXE_FILE_PATH as AXE_SCRIPT
except ImportError:  # pragma: no cover
    AXE_SCRIPT = None

# Window sizes: a desktop, and 1280 CSS pixels at 400% zoom (WCAG 1.4.10 Reflow).
DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}

# Every WCAG 2.0, 2.1 and 2.2 success criterion at levels A and AA, as axe-core tags them.
WCAG_AA_TAGS = frozenset({"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"})

# Axe's best-practice rules we hold ourselves to as well: a page has one main landmark, all
# content sits in landmarks, one h1 and headings that do not skip levels.
BEST_PRACTICE_RULES = frozenset(
    {"landmark-one-main", "region", "page-has-heading-one", "heading-order", "landmark-unique"}
)

_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const label = (el.labels && el.labels[0]) ? el.labels[0].innerText : "";
  return {
    tag: el.tagName.toLowerCase(),
    name: (el.getAttribute("aria-label") || label || el.innerText || el.value || "").trim(),
    href: el.getAttribute("href") || "",
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColor: style.outlineColor,
    boxShadow: style.boxShadow,
    // Chromium's date picker button inside a date field has focus (and its own focus ring)
    datePicker: el.type === "date" && !el.matches(":focus"),
    inViewport: rect.width > 0 && rect.height > 0 && rect.bottom > 0
      && rect.top < window.innerHeight,
  };
}"""

_OVERFLOW = """() => {
  const root = document.documentElement;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(".table-responsive")) continue;
    const rect = el.getBoundingClientRect();
    if (rect.right > root.clientWidth + 1 && getComputedStyle(el).position !== "fixed") {
      wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.className && typeof el.className === "string"
           ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide: wide.slice(0, 8)};
}"""

_TABLES = """() => Array.from(document.querySelectorAll("main table")).map((table, index) => ({
  index,
  caption: (table.caption ? table.caption.innerText : "").trim(),
  unscoped: Array.from(table.querySelectorAll("th:not([scope])")).map(th => th.innerText.trim()),
  wrapped: Boolean(table.closest(".table-responsive")),
}))"""


def _label(text: str) -> re.Pattern:
    """A field's label, allowing the asterisk crispy-forms adds to required fields."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


class UI:
    """One browser tab on the live server (`ui.page` is the Playwright page)."""

    def __init__(self, page: "Page", *, screenshot_dir: Path):
        self.page = page
        self.screenshot_dir = screenshot_dir

    # Getting around -------------------------------------------------------------------------

    def goto(self, where: str, *args, status: int | None = 200):
        """Open a path ("/people/") or a URL name with its arguments ("case_detail", 3)."""
        path = where if where.startswith("/") else reverse(where, args=args)
        response = self.page.goto(path)
        if status is not None:
            assert response.status == status, f"GET {path} answered {response.status}"
        return response

    def path(self) -> str:
        """The current path and query string, without the server's address."""
        return re.sub(r"^https?://[^/]+", "", self.page.url)

    def click_link(self, name: str, *, within: str = "body") -> None:
        """Follow the first link whose accessible name is `name` (exactly)."""
        self.page.locator(within).get_by_role("link", name=name, exact=True).first.click()

    def click_button(self, name: str) -> None:
        """Press the first button whose accessible name is `name` (exactly)."""
        self.page.get_by_role("button", name=name, exact=True).first.click()

    def nav(self, name: str) -> None:
        """Follow a link in the main navigation."""
        self.click_link(name, within="nav[aria-label='Main']")

    def first_link_to(self, url_name: str, *, within: str = "main") -> str:
        """The href of the first link in `within` to the page called `url_name`."""
        hrefs = self.page.locator(f"{within} a[href^='/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        for href in hrefs:
            if view_name(href) == url_name:
                return href
        raise AssertionError(f"no link to {url_name} on {self.path()}")

    def table(self, caption: str):
        """The table whose caption contains `caption` (a Playwright locator)."""
        return self.page.locator("main table").filter(
            has=self.page.locator("caption", has_text=caption)
        )

    def row_headers(self, caption: str) -> list[str]:
        """The text of each body row's header cell in the table with that caption."""
        return [text.strip() for text in self.table(caption).locator("tbody th").all_inner_texts()]

    def detail(self, term: str) -> str:
        """The value beside `term` in a description list (<dt>term</dt><dd>value</dd>)."""
        term_cell = self.page.locator("main dt").filter(
            has_text=re.compile(rf"^{re.escape(term)}$")
        )
        return term_cell.locator("xpath=following-sibling::dd[1]").inner_text().strip()

    # Signing in and out ---------------------------------------------------------------------

    def login(self, username: str, password: str | None = None) -> None:
        """Sign in through the form, as a person would."""
        self.goto("login")
        self.fill_form(
            {"Username": username, "Password": password or settings.DEMO_PASSWORD}, submit="Sign in"
        )
        if password is None:  # a successful sign-in leaves the login page
            self.page.wait_for_url(lambda url: "/accounts/login/" not in url)
        if "/two-factor/" in self.page.url:  # directors and administrators: two-step sign-in
            self.page.fill("#id_code", _two_step_code(username))
            self.page.locator("main form button[type=submit]").first.click()
            self.page.wait_for_url(lambda url: "/two-factor/" not in url)
        nav = self.page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("button", name="Sign out")).to_be_visible()

    def logout(self) -> None:
        self.click_button("Sign out")
        self.expect_heading("Sign in to Caseload")

    # Forms ----------------------------------------------------------------------------------

    def field(self, label: str):
        """The form control labelled `label`."""
        return self.page.locator("main").get_by_label(_label(label))

    def fill_form(self, values: dict, *, submit: str | None = None) -> None:
        """Fill fields by their visible labels; selects by option text, checkboxes by truth."""
        for label, value in values.items():
            control = self.field(label)
            expect(control).to_have_count(1)
            kind = control.evaluate("el => el.type || el.tagName.toLowerCase()")
            if kind.startswith("select"):
                control.select_option(label=str(value))
            elif kind in ("checkbox", "radio"):
                control.set_checked(bool(value))
            else:
                control.fill(str(value))
        if submit:
            self.click_button(submit)

    # Expectations ---------------------------------------------------------------------------

    def expect_heading(self, text: str | re.Pattern, *, level: int = 1) -> None:
        heading = self.page.get_by_role("heading", level=level, name=text)
        expect(heading.first).to_be_visible()

    def expect_title(self, text: str) -> None:
        expect(self.page).to_have_title(re.compile(re.escape(text)))

    def expect_text(self, text: str, *, within: str = "main") -> None:
        expect(self.page.locator(within)).to_contain_text(text)

    def expect_no_text(self, text: str, *, within: str = "main") -> None:
        expect(self.page.locator(within)).not_to_contain_text(text)

    def expect_message(self, text: str) -> None:
        """A confirmation banner after a change (Django messages)."""
        expect(self.page.locator(".messages")).to_contain_text(text)

    def expect_errors(self, *texts: str) -> None:
        """The error summary at the top of a form lists each text."""
        summary = self.page.locator("#error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_contain_text("There is a problem")
        for text in texts:
            expect(summary).to_contain_text(text)

    # Accessibility --------------------------------------------------------------------------

    def accessibility_problems(self) -> list[dict]:
        """Axe-core's WCAG 2.2 A/AA violations, and the best-practice rules we keep, here."""
        from axe_playwright_python.sync_playwright import Axe

        # Windows from the fixtures load axe-core with every page (an init script), so it need
        # not be sent again; any other page gets it injected as usual.
        loaded = self.page.evaluate("() => typeof window.axe !== 'undefined'")
        axe = Axe(axe_script="void 0") if loaded else Axe()
        results = axe.run(self.page, options={"resultTypes": ["violations"]})
        return [
            v
            for v in results.response["violations"]
            if WCAG_AA_TAGS & set(v["tags"]) or v["id"] in BEST_PRACTICE_RULES
        ]

    def expect_accessible(self, state: str = "") -> None:
        """No WCAG 2.2 A or AA violations (axe-core) on the page as it is now."""
        problems = self.accessibility_problems()
        assert not problems, (
            f"{self.path()} {state}: {len(problems)} accessibility problems\n"
            + describe_violations(problems)
        )

    def expect_tables_described(self) -> None:
        """Every table has a caption and every header cell a scope."""
        for table in self.page.evaluate(_TABLES):
            where = f"{self.path()} table {table['index'] + 1}"
            assert table["caption"], f"{where} has no caption"
            assert not table["unscoped"], f"{where}: headers without scope: {table['unscoped']}"

    def expect_reflow(self) -> None:
        """Nothing but tables (in .table-responsive) is wider than the window: no sideways
        scrolling of the page (WCAG 1.4.10, 320 CSS pixels = 1280 at 400% zoom)."""
        found = self.page.evaluate(_OVERFLOW)
        assert found["scrollWidth"] <= found["clientWidth"] + 1 and not found["wide"], (
            f"{self.path()} scrolls sideways at {found['clientWidth']}px "
            f"(page {found['scrollWidth']}px wide); too wide: {found['wide']}"
        )
        for table in self.page.evaluate(_TABLES):
            assert table["wrapped"], (
                f"{self.path()} table {table['index'] + 1} is not inside a .table-responsive"
            )

    # Keyboard -------------------------------------------------------------------------------

    def focused(self) -> dict | None:
        """What has keyboard focus: tag, accessible name, href and its computed focus style."""
        return self.page.evaluate(_FOCUSED)

    def expect_visible_focus(self) -> dict:
        """The focused element shows a focus indicator (an outline at least 2px wide), allowing
        a moment for styles that fade in."""
        for _ in range(5):
            focus = self.focused()
            assert focus, "nothing has focus"
            if focus["outlineStyle"] != "none" and focus["outlineWidth"] >= 2:
                break
            if focus["datePicker"]:
                break
            self.page.wait_for_timeout(100)
        else:
            raise AssertionError(
                f"focused {focus['tag']} '{focus['name']}' shows no outline: {focus}"
            )
        assert focus["inViewport"], f"focused {focus['tag']} '{focus['name']}' is off screen"
        return focus

    def tab_to(self, name: str | re.Pattern, *, most: int = 60, backwards: bool = False) -> dict:
        """Press Tab (or Shift+Tab) until the element named `name` has focus, checking that
        every stop on the way shows its focus. Already there (e.g. autofocus) counts."""
        pattern = name if isinstance(name, re.Pattern) else re.compile(rf"^{re.escape(name)}\b")
        self.page.wait_for_load_state()  # Enter may just have loaded a new page
        focus = self.focused()
        if focus and pattern.search(focus["name"]):
            return self.expect_visible_focus()
        seen = []
        for _ in range(most):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            if self.focused() is None:  # past the last stop, focus goes to the browser itself
                seen.append("(browser)")
                continue
            try:
                focus = self.expect_visible_focus()
            except AssertionError as problem:
                raise AssertionError(f"{problem}; after stops {seen}") from None
            seen.append(focus["name"][:40])
            if pattern.search(focus["name"]):
                return focus
        raise AssertionError(f"Tab never reached {name!r} on {self.path()}; stops: {seen}")

    # Pictures -------------------------------------------------------------------------------

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        """Save a PNG of the page in the screenshot folder."""
        self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        path = self.screenshot_dir / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path


def view_name(href: str) -> str | None:
    """The URL name a link on the site points to, or None."""
    try:
        return resolve(urlsplit(href).path).view_name
    except Resolver404:
        return None


def describe_violations(violations: list[dict]) -> str:
    """Each violation's rule, impact, help and the elements it was found on."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{', '.join(t for t in violation['tags'] if t.startswith('wcag'))}]"
        )
        for node in violation["nodes"][:10]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    {target}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def _two_step_code(username: str) -> str:
    """The user's next usable two-step code. A code works once (replay protection): after a
    sign-in this step, the next step's code, which the device's tolerance accepts; only when
    that too is used, wait for the next step."""
    import time

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from security.demo import demo_totp_code as next_code

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    while device.last_t + 1 > int(time.time() // 30) + device.drift + device.tolerance:
        time.sleep(30 - time.time() % 30 + 0.5)
    return next_code(device)
