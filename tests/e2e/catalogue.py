"""Every page of the site, as whom to open it and in which states, for the accessibility sweep.

The page list comes from walking the URLconf (tests/urlwalk.py), so a new page is swept as soon as
it has a URL. A page without URL arguments needs nothing here: it is opened by the first demo
user allowed to see it. A page with arguments gets them from ARGS, or failing that from the first
link to it found by following links from each role's home page; a page that is neither linked nor
in ARGS fails the sweep with a message saying to add it to ARGS (or, if it is not an HTML page
one can open, to SKIP).
"""

import re
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from caseload import selectors
from caseload.models import Team
from tests.urlwalk import walk

# Demo sign-ins, tried in this order for a page no one is named for.
ROLES = ("caseworker", "manager", "director", "admin")

# URL names that are not pages a person opens, and why.
SKIP = {
    "logout": "POST only; the sign-out journey covers it",
    "healthz": "JSON for load balancers",
}

# Pages for people who are signed out.
ANONYMOUS = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}

# Who opens a page, where the first allowed role is not the interesting one.
ROLE_FOR = {"team_detail": "manager"}


@dataclass(frozen=True)
class Samples:
    """Records from the demo data to open pages with: the caseworker's own held case, etc."""

    caseworker: Any
    case: Any
    team: Any

    @classmethod
    def load(cls) -> "Samples":
        caseworker = get_user_model().objects.get(username="caseworker")
        case = selectors.my_caseload(caseworker)[0]
        return cls(caseworker=caseworker, case=case, team=Team.objects.get(pk=case.team_id))


# URL name -> the arguments to open it with, from the samples.
ARGS = {
    "team_detail": lambda s: [s.team.pk],
    "worker_detail": lambda s: [s.caseworker.worker.pk],
    "case_detail": lambda s: [s.case.pk],
    "case_update": lambda s: [s.case.pk],
    "case_close": lambda s: [s.case.pk],
    "case_create": lambda s: [s.case.participant_id],
    "participant_detail": lambda s: [s.case.participant_id],
    "participant_update": lambda s: [s.case.participant_id],
    "password_reset_confirm": lambda s: ["x", "not-a-real-token"],
}


@dataclass(frozen=True)
class State:
    """A page in a particular state: who opens which path, and what they should get."""

    name: str
    label: str
    role: str | None
    path: str
    status: int = 200


# States beyond each page as it opens and its form submitted blank.
EXTRA_STATES = [
    State("participant_list", "search with no match", "caseworker", "/people/?q=Zzyzx+Nobody"),
    State(
        "participant_list",
        "search by date of birth",
        "caseworker",
        "/people/?date_of_birth=2015-06-01",
    ),
    State("my_caseload", "no cases held", "director", "/my-caseload/"),
    State("organisation", "refused", "caseworker", "/organisation/", status=403),
    State("case_detail", "not found", "caseworker", "/cases/999999/", status=404),
    State("home", "manager", "manager", "/"),
    State("home", "director", "director", "/"),
]


def page_names() -> list[str]:
    """Every URL name in the URLconf (admin aside) that is a page to sweep."""
    return sorted({name for name, _ in walk()} - SKIP.keys())


def _needs_args(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return True
    return False


def _view_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


def _status(role: str | None, path: str) -> int:
    client = Client()
    if role:
        client.force_login(get_user_model().objects.get(username=role))
    return client.get(path).status_code


_HREF = re.compile(r'href="(/[^"#]*)"')


def linked_pages(role: str, wanted: set[str], *, most: int = 60) -> dict[str, str]:
    """Follow links from `role`'s home page (one page per URL name) to find a path for each
    wanted URL name."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=role))
    found: dict[str, str] = {}
    expanded: set[str | None] = {None, "logout"}
    queue = deque(["/"])
    while queue and most and wanted - found.keys():
        path = queue.popleft()
        response = client.get(path)
        most -= 1
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        name = _view_name(path)
        if name in wanted:
            found.setdefault(name, path)
        for href in _HREF.findall(response.content.decode()):
            target = _view_name(href)
            if target not in expanded and not href.startswith("/admin/"):
                expanded.add(target)
                queue.append(href)
    return found


def plan(name: str, samples: Samples) -> State:
    """Who opens the page `name` in its first state, and at which path."""
    if name in ANONYMOUS:
        role = None
    else:
        role = ROLE_FOR.get(name)
    if name in ARGS:
        path = reverse(name, args=ARGS[name](samples))
    elif _needs_args(name):
        for candidate in ROLES:
            path = linked_pages(candidate, {name}).get(name)
            if path:
                return State(name, "as it opens", ROLE_FOR.get(name, candidate), path)
        raise AssertionError(
            f"The page {name!r} needs URL arguments and no page links to it: add it to ARGS in "
            "tests/e2e/catalogue.py (or to SKIP, saying why, if it is not a page to open)."
        )
    else:
        path = reverse(name)
    if name not in ANONYMOUS and name not in ROLE_FOR:
        role = next((r for r in ROLES if _status(r, path) == 200), None)
        assert role, f"No demo user may open {path} ({name}); name one in ROLE_FOR"
    return State(name, "as it opens", role, path)
