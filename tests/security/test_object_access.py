"""Object-level access everywhere: every URL pattern, for every role, with another team's
(or another organisation's) objects, is refused – and every page that shows a person or a case
writes an audit row. New URL patterns are covered automatically; one this file cannot map to an
object kind makes the test fail until someone says what it is about."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from caseload.api.services import api_token_create
from caseload.core.models import Flag, ImportRun, ReductionType
from caseload.exclusions.models import Exclusion
from caseload.transfers.models import Transfer, TransferCase
from participants.models import Contact
from security.models import AuditEvent
from tests.caseload.factories import OrganisationFactory, TeamFactory, WorkerFactory
from tests.participants.factories import held_case
from tests.urlwalk import PUBLIC_NAMES, walk_routes
from weighting.models import WeightingScheme

pytestmark = pytest.mark.django_db

ROLES = ["caseworker", "manager", "director", "administrator"]

# The object kind a URL's `<int:pk>` means, by URL-name prefix (longest prefix wins). When you
# add a page about a new kind of object, add its prefix here and the kind to `_objects` below.
KIND_BY_PREFIX = {
    "case_": "case",
    "participant_": "participant",
    "subject_access_": "participant",
    "team_": "team",
    "worker_": "worker",
    "flag_": "flag",
    "contact_": "contact",
    "scheme_version": "scheme",
    "dashboard_team": "team",
    "dashboard_service": "service",
    "evidence_pack": "service",
    "import_": "import_run",
    "outcomes_service": "service",
    "exclusion_": "exclusion",
    "transfer_": "transfer",
    "api_team_": "team",
    "api_worker_": "worker",
    "api_case_": "case",
    "reduction_type_": "reduction_type",
}
# Other URL parameters, by name: `<int:participant_pk>` is a participant, and so on.
KIND_BY_PARAMETER = {
    "participant_pk": "participant",
    "case_pk": "case",
    "team_pk": "team",
    "worker_pk": "worker",
}
# Query-string parameters that name an object.
QUERY_OBJECTS = {"participant_create": {"sibling_of": "participant"}}
# Pages about no single object. They are checked for leaks instead: another team's names and
# references must not appear in them.
NO_OBJECT_PAGES = {
    "home",
    "guide_figures",
    "guide_import_format",
    "guide_security",
    "organisation",
    "my_caseload",
    "participant_list",
    "participant_create",
    "password_change",
    "password_change_done",
    "session_extend",
    "session_status",
    "subject_access",
    "retention_reviews",
    "team_list",
    "two_factor",
    "scheme",
    "scheme_edit",
    "standards",
    "notifications",
    "task_runs",
    "contact_export",
    "visit_policies",
    "dashboard",
    "dashboard_organisation",
    "dashboard_organisation_export",
    "import_list",
    "import_template",
    "transfers",
    "api_schema",
    "api_docs",
    "api_me",
    "api_scheme",
    "api_team_list",
    "api_case_list",
    "api_figures",
    "api_tokens",
    "api_token_revoke",
    "checkin_list",
    "checkin_create",
    "supervision_mine",
    "dashboard_organisation_forecast",
    "reduction_types",
}
# The API's endpoints take a token, not the session: the walk sends the user's (docs and schema
# are pages, and take the session).
API_PAGES = {"api_schema", "api_docs"}
REFUSED = {403, 404, 405}
KINDS_THAT_ARE_RECORDS = {"case", "participant"}

_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


ROUTES = sorted({(name, route) for name, route in walk_routes() if name not in PUBLIC_NAMES})


def _kind_for(name: str, parameter: str) -> str | None:
    if parameter in KIND_BY_PARAMETER:
        return KIND_BY_PARAMETER[parameter]
    if parameter == "pk":
        prefixes = [p for p in KIND_BY_PREFIX if name.startswith(p)]
        if prefixes:
            return KIND_BY_PREFIX[max(prefixes, key=len)]
    return None


def _world(team, *, marker: str, organisation_level: bool = False) -> dict:
    """A case (held by a worker), its person, the team, the worker and an open flag, all
    marked; for another organisation also its own weighting scheme version (schemes belong to
    an organisation, so another team in the same one may read them)."""
    worker = WorkerFactory(team=team, name=f"Worker {marker}")
    case = held_case(worker, reference=f"C-{marker}", participant__family_name=marker)
    flag = Flag.objects.create(
        kind="above_promise",
        team=team,
        worker=worker,
        subject_key=f"worker:{worker.pk}",
        opened_at=timezone.now(),
        detail=f"about Worker {marker}",
    )
    contact = Contact.objects.create(
        case_id=case.pk,
        worker=worker,
        occurred_at=timezone.now() - timedelta(hours=2),
        contact_type="home_visit",
        seen=True,
        duration_minutes=30,
        travel_minutes=10,
        notes=f"Saw {marker}",
    )
    exclusion = Exclusion.objects.create(
        worker=WorkerFactory(team=team, name=f"Kept {marker}"), case=case, reason="other"
    )
    # A pending transfer out of the world's team to a third team: nobody outside sees it.
    third = TeamFactory(service=team.service, name=f"Third {marker}")
    transfer = Transfer.objects.create(from_team=team, to_team=third, reason="other")
    TransferCase.objects.create(transfer=transfer, case=case)
    scheme = import_run = reduction_type = None
    if organisation_level:
        reduction_type = ReductionType.objects.create(
            organisation=team.service.organisation,
            name=f"Type {marker}",
            default_percent=10,
            maximum_percent=20,
        ).pk
        import_run = ImportRun.objects.create(
            organisation=team.service.organisation, file_names=[f"{marker}.xlsx"]
        ).pk
        scheme = WeightingScheme.objects.create(
            organisation=team.service.organisation,
            version=7,
            in_force_from=timezone.localdate(),
            note=f"Scheme {marker}",
        ).pk
    return {
        "case": case.pk,
        "participant": case.participant_id,
        "team": team.pk,
        "service": team.service_id,
        "worker": worker.pk,
        "flag": flag.pk,
        "contact": contact.pk,
        "exclusion": exclusion.pk,
        "transfer": transfer.pk,
        "reduction_type": reduction_type,
        "scheme": scheme,
        "import_run": import_run,
        "markers": [marker, f"C-{marker}", f"Worker {marker}"],
    }


def _fill(name: str, route: str, objects: dict) -> str | None:
    """The route with the objects' ids filled in; None if the world has no such object."""
    kinds = [_kind_for(name, m.group("name")) for m in _PARAM.finditer(route)]
    if any(objects.get(kind, 0) is None for kind in kinds):
        return None

    def one(match):
        kind = _kind_for(name, match.group("name"))
        return str(objects[kind])

    path = _PARAM.sub(one, route)
    query = "&".join(f"{key}={objects[kind]}" for key, kind in QUERY_OBJECTS.get(name, {}).items())
    return f"{path}?{query}" if query else path


def _as(user, name: str, path: str, tokens: dict) -> dict:
    """Request headers for the route: the user's API token on an API endpoint, else none."""
    if not path.startswith("/api/") or name in API_PAGES:
        return {}
    if user.pk not in tokens:
        tokens[user.pk] = api_token_create(user=user, name="Walk", by=None)[1]
    return {"HTTP_AUTHORIZATION": f"Token {tokens[user.pk]}"}


def test_every_url_pattern_is_mapped_to_what_it_is_about():
    unmapped = []
    for name, route in ROUTES:
        parameters = [m.group("name") for m in _PARAM.finditer(route)]
        if (
            not parameters
            and name not in NO_OBJECT_PAGES
            and not any(name.startswith(p) for p in KIND_BY_PREFIX)
        ):
            unmapped.append(f"{name} ({route}): add it to NO_OBJECT_PAGES or KIND_BY_PREFIX")
        for parameter in parameters:
            if _kind_for(name, parameter) is None:
                unmapped.append(
                    f"{name} ({route}): say what <{parameter}> is in KIND_BY_PARAMETER "
                    "or KIND_BY_PREFIX"
                )
    assert not unmapped, "New URL patterns to map in " + __file__ + ":\n" + "\n".join(unmapped)


@pytest.fixture
def users(caseworker, manager, director, administrator):
    return {
        "caseworker": caseworker,
        "manager": manager,
        "director": director,
        "administrator": administrator,
    }


@pytest.fixture
def other_team_objects(other_team):
    return _world(other_team, marker="Othertean")


@pytest.fixture
def other_organisation_objects(db):
    elsewhere = TeamFactory(service__organisation=OrganisationFactory(name="Elsewhere Council"))
    return _world(elsewhere, marker="Elsewhereson", organisation_level=True)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_refuses_objects_from_another_team_or_organisation(
    client, users, role, other_team_objects, other_organisation_objects
):
    user = users[role]
    client.force_login(user)
    foreign = [other_organisation_objects]
    if not user.sees_whole_organisation:
        foreign.append(other_team_objects)
    failures = []
    tokens: dict = {}
    for objects in foreign:
        for name, route in ROUTES:
            path = _fill(name, route, objects)
            if path is None:
                continue
            has_object = path != route or name in QUERY_OBJECTS
            for method in ("get", "post"):
                response = getattr(client, method)(path, **_as(user, name, path, tokens))
                if has_object and response.status_code not in REFUSED:
                    failures.append(f"{method.upper()} {path} ({name}) → {response.status_code}")
                    continue
                body = response.content.decode(errors="replace")
                shown = [marker for marker in objects["markers"] if marker in body]
                if shown:
                    failures.append(f"{method.upper()} {path} ({name}) shows {shown}")
            client.force_login(user)  # a refused POST must not have signed anyone out
    assert not failures, f"{role} reached another team's data:\n" + "\n".join(failures)


@pytest.mark.parametrize("role", ["manager", "administrator"])
def test_every_page_that_shows_a_person_or_case_writes_an_audit_row(
    client, users, role, caseworker
):
    user = users[role]
    client.force_login(user)
    objects = _world(caseworker.worker.team, marker="Ownteamson")
    shown = 0
    tokens: dict = {}
    for name, route in ROUTES:
        kinds = {_kind_for(name, m.group("name")) for m in _PARAM.finditer(route)}
        kinds |= set(QUERY_OBJECTS.get(name, {}).values())
        if not kinds & KINDS_THAT_ARE_RECORDS:
            continue
        path = _fill(name, route, objects)
        if path is None:
            continue
        before = AuditEvent.objects.filter(subject_id=objects["participant"]).count()
        response = client.get(path, **_as(user, name, path, tokens))
        if response.status_code != 200:
            continue
        shown += 1
        after = AuditEvent.objects.filter(subject_id=objects["participant"]).count()
        assert after > before, f"GET {path} ({name}) showed a record without an audit row"
    assert shown >= 3
