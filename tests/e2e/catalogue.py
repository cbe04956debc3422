"""Every page of the site, as whom to open it and in which states, for the accessibility sweep.

The page list comes from walking the URLconf (tests/urlwalk.py), so a new page is swept as soon as
it has a URL. A page without URL arguments needs nothing here: it is opened by the first demo
user allowed to see it. A page with arguments gets them from ARGS, or failing that from the first
link (or form action) to it found by following links from each role's home page; a page that is
neither linked nor in ARGS fails the sweep with a message saying to add it to ARGS. A URL that
refuses GET (an action) or answers with a download is skipped, saying so.
"""

import re
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from caseload.casework import selectors
from caseload.core.models import Team
from tests.urlwalk import walk

# Demo sign-ins, tried in this order for a page no one is named for.
ROLES = ("caseworker", "manager", "director", "admin")

# URL names that are not pages a person opens, and why.
SKIP = {
    "logout": "POST only; the sign-out journey covers it",
    "healthz": "JSON for load balancers",
    "favicon": "a redirect to the icon among the static files",
    "sso_start": "a redirect to the identity provider (404 unless single sign-on is set up)",
    "sso_callback": "where the identity provider sends people back (tests/security/test_sso.py)",
    "contact_update": "only the author, within 24 hours; demo contacts are older (tested in views)",
    "flag_acknowledge": "POST only, from the team's flags page",
    "supervision_action_done": "POST only, from a worker's supervision page",
    "supervision_mine": "redirects to the worker's own supervision page, which is swept",
    "outcomes_stage_create": "only an adult case's holder or team manager, and no demo sign-in "
    "holds or manages one (tests/outcomes covers it)",
    "outcomes_review_create": "only an adult case's holder or team manager, and no demo sign-in "
    "holds or manages one (tests/outcomes covers it)",
    "exclusion_remove": "POST only, from a case's exclusions page",
    "transfer_accept": "POST only, from the transfers page",
    "transfer_decline": "POST only, from the transfers page",
    "transfer_withdraw": "POST only, from the transfers page",
    "subject_access_export": "a download, reached from the subject access confirmation",
    "import_confirm": "POST only, from a checked import's page (tests/imports/test_views.py)",
    "import_retry": "POST only, from a failed import's page (tests/imports/test_stopped_runs.py)",
    "two_factor": "only reached in the middle of signing in; the sign-in journeys cover it",
    "dashboard": "redirects to the role's own dashboard, which is swept",
    "dashboard_organisation_export": "a download (CSV or XLSX), reached from the dashboard",
    "dashboard_service_export": "a download (CSV or XLSX), reached from the dashboard",
    "dashboard_team_export": "a download (CSV or XLSX), reached from the dashboard",
    "api_token_revoke": "POST only, from the API tokens page",
    "api_docs": "Swagger UI as drf-spectacular ships it (its own markup), linked from API tokens",
    "api_schema": "the OpenAPI document, for API clients",
    **{
        name: "JSON for API clients with a token (tests/api)"
        for name in (
            "api_me",
            "api_scheme",
            "api_team_list",
            "api_team_detail",
            "api_team_queue",
            "api_worker_caseload",
            "api_case_list",
            "api_case_detail",
            "api_case_contact_create",
            "api_case_factors_propose",
            "api_figures",
        )
    },
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
ROLE_FOR = {
    "team_checkins": "manager",
    "supervision_team": "manager",
    "supervision_create": "manager",
    "supervision_plan": "manager",
    "dashboard_team_forecast": "manager",
    "outcomes_team": "manager",
    "dashboard_organisation_forecast": "director",
    "dashboard_service_forecast": "director",
    "outcomes_service": "director",
    "case_outcomes": "director",
    "team_detail": "manager",
    "team_queue": "manager",
    "team_rebalance": "manager",
    "team_flags": "manager",
    "case_allocate": "manager",
    "case_exclusions": "manager",
    "case_transfer": "manager",
    "reduction_type_edit": "director",
    "transfers": "manager",
    "case_factors_agree": "manager",
    "worker_leaver": "manager",
    "worker_update": "manager",
    "reduction_add": "manager",
    "notifications": "manager",
    "scheme_edit": "director",
    "standards": "director",
    "task_runs": "admin",
    "contact_export": "manager",
    "visit_policies": "director",
    "dashboard_organisation": "director",
    "dashboard_service": "director",
    "evidence_pack": "director",
    "dashboard_team": "manager",
    "import_list": "admin",
    "import_detail": "admin",
    "import_template": "admin",
}


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
    "case_contact_list": lambda s: [s.case.pk],
    "contact_create": lambda s: [s.case.pk],
    "contact_detail": lambda s: [s.case.contacts.order_by("pk").first().pk],
    "contact_update": lambda s: [s.case.contacts.order_by("pk").first().pk],
    "contact_correct": lambda s: [s.case.contacts.order_by("pk").first().pk],
    "team_queue": lambda s: [s.team.pk],
    "team_rebalance": lambda s: [s.team.pk],
    "team_flags": lambda s: [s.team.pk],
    "case_allocate": lambda s: [s.case.pk],
    "case_exclusions": lambda s: [s.case.pk],
    "case_transfer": lambda s: [s.case.pk],
    "reduction_type_edit": lambda s: [
        s.team.service.organisation.reduction_types.order_by("pk").first().pk
    ],
    "case_factors_propose": lambda s: [s.case.pk],
    "case_factors_agree": lambda s: [s.case.pk],
    "worker_leaver": lambda s: [s.caseworker.worker.pk],
    "worker_update": lambda s: [s.caseworker.worker.pk],
    "reduction_add": lambda s: [s.caseworker.worker.pk],
    "dashboard_team": lambda s: [s.team.pk],
    "dashboard_service": lambda s: [s.team.service_id],
    "evidence_pack": lambda s: [s.team.service_id],
    "import_detail": lambda s: [_import_run_with_problems(s)],
    "team_checkins": lambda s: [s.team.pk],
    "supervision_team": lambda s: [s.team.pk],
    "supervision_worker": lambda s: [s.caseworker.worker.pk],
    "supervision_create": lambda s: [s.caseworker.worker.pk],
    "supervision_plan": lambda s: [s.caseworker.worker.pk],
    "dashboard_team_forecast": lambda s: [s.team.pk],
    "dashboard_service_forecast": lambda s: [s.team.service_id],
    "outcomes_team": lambda s: [s.team.pk],
    "outcomes_service": lambda s: [s.team.service_id],
    "case_outcomes": lambda s: [_adult_case()],
}


def _adult_case() -> int:
    """An open adult multiple-disadvantage case (the demo's caseworker holds children's cases)."""
    from caseload.core.models import Case

    return Case.objects.filter(case_type="adult").exclude(status="closed").order_by("pk")[0].pk


def _import_run_with_problems(samples: "Samples") -> int:
    """An import run whose check found problems (the demo has no imports of its own)."""
    from caseload.core.models import ImportRun

    problem = {
        "file": "workers.csv",
        "row": 4,
        "column": "fte",
        "reason": "FTE 1.5 is out of range: it must be more than 0 and at most 1.",
    }
    run = ImportRun.objects.create(
        organisation_id=samples.team.service.organisation_id,
        file_names=["workers.csv", "cases.csv"],
        status="problems",
        rows=12,
        problems=[problem],
        problem_count=1,
        counts={"counts": {"workers": {"create": 3, "update": 0, "same": 0}}},
    )
    return run.pk


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
    State(
        "dashboard_organisation",
        "filtered to nothing",
        "director",
        "/reports/organisation/?q=Zzyzx",
    ),
    State(
        "dashboard_organisation",
        "a date in the future refused",
        "director",
        "/reports/organisation/?on=2999-01-01",
    ),
    State(
        "dashboard_organisation",
        "sorted, on a past date",
        "director",
        "/reports/organisation/?on=2026-06-30&sort=-caseload_per_fte",
    ),
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


def _probe(role: str | None, path: str) -> tuple[int, str]:
    """The status and content type `role` gets for GET `path` (Django's test client)."""
    client = Client()
    if role:
        client.force_login(get_user_model().objects.get(username=role))
    response = client.get(path)
    return response.status_code, response.get("Content-Type", "")


_LINK = re.compile(r'(?:href|action)="(/[^"#]*)"')


def linked_pages(role: str, wanted: set[str], *, most: int = 60) -> dict[str, str]:
    """Follow links (and form actions) from `role`'s home page, opening one page per URL name,
    to find a path for each wanted URL name."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=role))
    found: dict[str, str] = {}
    expanded: set[str | None] = {None, "logout"}
    queue = deque(["/"])
    while queue and most and wanted - found.keys():
        response = client.get(queue.popleft())
        most -= 1
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in _LINK.findall(response.content.decode()):
            target = _view_name(href)
            if target in wanted:
                found.setdefault(target, href)
            if target not in expanded and not href.startswith("/admin/"):
                expanded.add(target)
                queue.append(href)
    return found


def _path_for(name: str, samples: Samples) -> str:
    if name in ARGS:
        return reverse(name, args=ARGS[name](samples))
    if not _needs_args(name):
        return reverse(name)
    for role in ROLES:
        path = linked_pages(role, {name}).get(name)
        if path:
            return path
    raise AssertionError(
        f"The page {name!r} needs URL arguments and no page links to it: add it to ARGS in "
        "tests/e2e/catalogue.py (or to SKIP, saying why, if it is not a page to open)."
    )


def plan(name: str, samples: Samples) -> State:
    """Who opens the page `name` in its first state, and at which path. Skips the test for a URL
    that is an action (GET not allowed) or a download rather than a page."""
    path = _path_for(name, samples)
    if name in ANONYMOUS:
        candidates = [None]
    elif name in ROLE_FOR:
        candidates = [ROLE_FOR[name]]
    else:
        candidates = list(ROLES)
    answers = {}
    for role in candidates:
        answers[role] = _probe(role, path)
        if answers[role][0] == 200:
            if "html" not in answers[role][1]:
                pytest.skip(f"{path} is a download ({answers[role][1]}), not a page")
            return State(name, "as it opens", role, path)
    if all(status == 405 for status, _ in answers.values()):
        pytest.skip(f"{path} does not answer GET: an action, not a page")
    raise AssertionError(f"No demo user may open {path} ({name}): {answers}; name one in ROLE_FOR")
