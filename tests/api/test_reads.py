"""The API's reads: teams and their members' loads, a worker's caseload, cases and their
weights, the queue and the figures on a date, each scoped exactly as the pages, with the
outsider (another team's caseworker or manager) refused every time."""

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from caseload.core.models import Allocation
from reports import figures as F
from security.choices import AuditAction
from security.models import AuditEvent
from tests.caseload.factories import WorkerFactory
from tests.participants.factories import CaseFactory, held_case
from weighting import loads
from weighting.services import assessment_propose

pytestmark = pytest.mark.django_db

CIN = [
    ("case_type", "child_in_need"),
    ("siblings", "none"),
    ("travel", "30_60"),
    ("court", "none"),
    ("extras", "interpreter"),
]  # 2 + 0 + 1 + 0 + 1 = 4 points


@pytest.fixture
def own_case(caseworker):
    """A case Alice holds, with factors proposed worth 4 points."""
    case = held_case(caseworker.worker, reference="C-OWN", participant__family_name="Ownfamily")
    assessment_propose(case=case, by=caseworker, choices=CIN)
    return case


@pytest.fixture
def waiting_case(team):
    return CaseFactory(team=team, reference="C-WAIT", need_level="high")


@pytest.fixture
def foreign_case(outsider):
    return held_case(outsider.worker, reference="C-FOREIGN", participant__family_name="Faraway")


# --- Who am I ----------------------------------------------------------------------------------


def test_me_tells_a_client_its_worker_and_teams(api_for, caseworker, team):
    body = api_for(caseworker).get("/api/me/").json()

    assert body == {
        "username": "alice",
        "role": "caseworker",
        "organisation": team.service.organisation_id,
        "worker": caseworker.worker.pk,
        "teams": [team.pk],
    }


def test_the_scheme_lists_the_codes_a_proposal_uses(api_for, caseworker):
    body = api_for(caseworker).get("/api/scheme/").json()

    factors = {f["code"]: f for f in body["factors"]}
    assert {"case_type", "siblings", "travel", "court", "extras"} <= set(factors)
    assert factors["extras"]["multiple"] is True
    assert {"code": "child_in_need", "label": "Child in need", "points": 2} in factors["case_type"][
        "options"
    ]


# --- Teams -------------------------------------------------------------------------------------


def test_a_manager_lists_their_own_teams_only(
    api_for, manager, team, other_team, director, outsider_manager
):
    mine = api_for(manager).get("/api/teams/").json()
    assert mine["count"] == 1 and mine["results"][0]["id"] == team.pk
    assert mine["results"][0]["service"] == {"id": team.service_id, "name": team.service.name}

    everyone = api_for(director).get("/api/teams/").json()
    assert {t["id"] for t in everyone["results"]} == {team.pk, other_team.pk}
    named = api_for(director).get("/api/teams/", {"name": "south"}).json()
    assert [t["id"] for t in named["results"]] == [other_team.pk]


def test_a_caseworker_may_not_list_teams_as_on_the_pages(api_for, caseworker):
    assert api_for(caseworker).get("/api/teams/").status_code == 403


def test_a_teams_loads_are_the_team_pages_loads(api_for, manager, team, own_case, caseworker):
    body = api_for(manager).get(f"/api/teams/{team.pk}/").json()

    rows, totals = loads.team_loads(team)
    members = {m["worker"]["id"]: m for m in body["members"]}
    alice = members[caseworker.worker.pk]
    assert alice["load"]["open_cases"] == 1
    assert alice["load"]["weighted_load"] == 4
    assert alice["load"]["promise"] == next(
        r.load.promise for r in rows if r.worker.pk == caseworker.worker.pk
    )
    assert alice["load"]["status"] == "below"
    assert body["bandwidth"]["weighted_load"] == totals.weighted_load == 4
    assert body["bandwidth"]["capacity"] == float(totals.capacity)
    assert body["queue_size"] == 0


def test_a_member_above_their_promise_is_shown_so_at_the_boundary(
    api_for, manager, team, caseworker
):
    worker = caseworker.worker
    worker.caseload_promise = 2
    worker.save()
    held_case(worker)
    held_case(worker)

    def alice():
        body = api_for(manager).get(f"/api/teams/{team.pk}/").json()
        return next(m for m in body["members"] if m["worker"]["id"] == worker.pk)["load"]

    assert alice()["open_cases"] == 2 and alice()["above_promise"] is False
    held_case(worker)
    assert alice()["above_promise"] is True


def test_another_teams_loads_are_not_found(api_for, outsider_manager, team, caseworker):
    client = api_for(outsider_manager)

    assert client.get(f"/api/teams/{team.pk}/").status_code == 404
    assert client.get(f"/api/teams/{team.pk}/queue/").status_code == 404
    assert api_for(caseworker).get(f"/api/teams/{team.pk}/").status_code == 403


# --- The queue ---------------------------------------------------------------------------------


def test_the_queue_is_the_allocation_pages_queue_highest_priority_first(
    api_for, manager, team, waiting_case
):
    low = CaseFactory(team=team, reference="C-LOW", need_level="low")

    body = api_for(manager).get(f"/api/teams/{team.pk}/queue/").json()

    assert [c["reference"] for c in body["results"]] == ["C-WAIT", "C-LOW"]
    assert (
        body["results"][0]["days_waiting"] == (timezone.localdate() - waiting_case.opened_on).days
    )
    assert body["results"][0]["points"] == 2  # estimated from its type before any factors
    high = api_for(manager).get(f"/api/teams/{team.pk}/queue/", {"need_level": "high"}).json()
    assert [c["id"] for c in high["results"]] == [waiting_case.pk]
    assert low.pk not in [c["id"] for c in high["results"]]


def test_a_bad_queue_filter_is_named_in_a_400(api_for, manager, team):
    response = api_for(manager).get(f"/api/teams/{team.pk}/queue/", {"need_level": "urgent"})

    assert response.status_code == 400 and "need_level" in response.json()


def test_a_caseworker_may_not_read_the_queue(api_for, caseworker, team):
    assert api_for(caseworker).get(f"/api/teams/{team.pk}/queue/").status_code == 403


# --- A worker's caseload -----------------------------------------------------------------------


def test_a_caseworker_reads_their_own_caseload_with_each_cases_weight(
    api_for, caseworker, own_case
):
    body = api_for(caseworker).get(f"/api/workers/{caseworker.worker.pk}/caseload/").json()

    assert body["load"]["open_cases"] == 1 and body["load"]["weighted_load"] == 4
    [case] = body["cases"]
    assert case["reference"] == "C-OWN"
    assert case["weight"] == {
        "points": 4,
        "status": "proposed",
        "needs_review": False,
        "stale": False,
    }
    assert case["holder"] == {"id": caseworker.worker.pk, "name": "Alice Social"}
    assert "Ownfamily" not in json.dumps(body)


def test_a_caseworker_may_not_read_a_colleagues_caseload_but_their_manager_may(
    api_for, caseworker, manager, team
):
    colleague = WorkerFactory(team=team, name="Colleague")

    assert api_for(caseworker).get(f"/api/workers/{colleague.pk}/caseload/").status_code == 403
    assert api_for(manager).get(f"/api/workers/{colleague.pk}/caseload/").status_code == 200


def test_another_teams_worker_is_not_found(api_for, outsider, outsider_manager, caseworker):
    path = f"/api/workers/{caseworker.worker.pk}/caseload/"

    assert api_for(outsider).get(path).status_code == 404
    assert api_for(outsider_manager).get(path).status_code == 404


# --- Cases -------------------------------------------------------------------------------------


def test_the_case_list_is_the_users_teams_cases_with_weights_and_no_names(
    api_for, caseworker, own_case, waiting_case, foreign_case
):
    body = api_for(caseworker).get("/api/cases/").json()

    assert {c["reference"] for c in body["results"]} == {"C-OWN", "C-WAIT"}
    assert "Ownfamily" not in json.dumps(body) and "Faraway" not in json.dumps(body)
    own = next(c for c in body["results"] if c["id"] == own_case.pk)
    assert own["weight"]["points"] == 4 and own["participant_reference"]
    waiting = next(c for c in body["results"] if c["id"] == waiting_case.pk)
    assert waiting["holder"] is None and waiting["weight"]["status"] == "none"


def test_the_case_list_filters_and_pages(api_for, caseworker, own_case, waiting_case, team):
    client = api_for(caseworker)

    held = client.get("/api/cases/", {"held_by": caseworker.worker.pk}).json()
    assert [c["id"] for c in held["results"]] == [own_case.pk]
    waiting = client.get("/api/cases/", {"status": "awaiting_allocation"}).json()
    assert [c["id"] for c in waiting["results"]] == [waiting_case.pk]
    first = client.get("/api/cases/", {"page_size": 1}).json()
    assert first["count"] == 2 and len(first["results"]) == 1 and first["next"]
    assert client.get("/api/cases/", {"page": 3}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"status": "lost"},
        {"held_by": "x"},
        {"team": 2**63},
        {"held_by": 0},
        {"opened_after": "1/2"},
    ],
)
def test_a_bad_case_filter_is_a_400_naming_it_never_a_500(api_for, caseworker, query):
    response = api_for(caseworker).get("/api/cases/", query)

    assert response.status_code == 400
    assert set(query) <= set(response.json())


def test_the_case_list_takes_the_same_queries_for_many_cases(
    api_for, caseworker, team, django_assert_max_num_queries
):
    client = api_for(caseworker)
    held_case(caseworker.worker)
    with django_assert_max_num_queries(16) as few:
        client.get("/api/cases/")
    for _ in range(10):
        held_case(caseworker.worker)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/cases/").json()["count"] == 11


def test_a_case_names_the_person_and_says_why_it_weighs_what_it_does_and_is_audited(
    api_for, caseworker, own_case
):
    before = AuditEvent.objects.filter(subject_id=own_case.participant_id).count()

    body = api_for(caseworker).get(f"/api/cases/{own_case.pk}/").json()

    assert body["participant"]["family_name"] == "Ownfamily"
    assert body["weight"]["points"] == 4
    assert {"factor": "extras", "option": "interpreter", "points": 1} in [
        {k: line[k] for k in ("factor", "option", "points")} for line in body["weight"]["lines"]
    ]
    event = AuditEvent.objects.filter(subject_id=own_case.participant_id).latest("at")
    assert AuditEvent.objects.filter(subject_id=own_case.participant_id).count() == before + 1
    assert event.action == AuditAction.VIEW and event.user == caseworker
    assert event.path == f"/api/cases/{own_case.pk}/"


def test_another_teams_case_is_not_found_and_nothing_is_audited(
    api_for, outsider, outsider_manager, own_case
):
    for user in (outsider, outsider_manager):
        response = api_for(user).get(f"/api/cases/{own_case.pk}/")
        assert response.status_code == 404 and "Ownfamily" not in response.content.decode()
        assert "C-OWN" not in api_for(user).get("/api/cases/").content.decode()
    assert not AuditEvent.objects.filter(
        subject_id=own_case.participant_id, user__in=[outsider, outsider_manager]
    ).exists()


# --- Figures -----------------------------------------------------------------------------------


def _report_json(*args) -> list[dict]:
    out = io.StringIO()
    call_command("caseload_report", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_a_director_gets_the_same_figures_as_the_report_command(
    api_for, director, own_case, waiting_case, other_team
):
    body = api_for(director).get("/api/figures/").json()

    expected = _report_json()
    assert [(r["scope"], r["scope_name"]) for r in body["results"]] == [
        (r["scope"], r["scope_name"]) for r in expected
    ]
    for got, want in zip(body["results"], expected, strict=True):
        assert {name: got[name] for name in F.FIELDS} == {name: want[name] for name in F.FIELDS}
    assert body["results"][0]["cases_unallocated"] == 1


def test_figures_on_a_past_date_use_who_held_what_then(api_for, director, caseworker, team):
    case = held_case(caseworker.worker, opened_on=date(2025, 6, 2))
    Allocation.objects.filter(case=case).update(ended_on=date(2025, 9, 10))

    def allocated(on):
        body = api_for(director).get("/api/figures/", {"on": on, "team": team.pk}).json()
        return body["results"][0]["cases_allocated"]

    assert allocated("2025-09-09") == 1
    assert allocated("2025-09-10") == 0  # the holding ended that day


def test_a_manager_gets_their_teams_figures_only(api_for, manager, team, other_team):
    body = api_for(manager).get("/api/figures/").json()

    assert [(r["scope"], r["scope_id"]) for r in body["results"]] == [("team", team.pk)]
    assert api_for(manager).get("/api/figures/", {"team": other_team.pk}).status_code == 404
    assert (
        api_for(manager).get("/api/figures/", {"service": other_team.service_id}).status_code == 404
    )


def test_figures_are_refused_to_caseworkers_and_for_days_to_come(api_for, caseworker, director):
    assert api_for(caseworker).get("/api/figures/").status_code == 403
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api_for(director).get("/api/figures/", {"on": tomorrow})
    assert response.status_code == 400 and "on" in response.json()


# --- Query counts do not grow with the data ----------------------------------------------------


def _queries(client, path, django_assert_max_num_queries, limit=40) -> int:
    with django_assert_max_num_queries(limit) as counted:
        assert client.get(path).status_code == 200
    return len(counted.captured_queries)


@pytest.mark.parametrize("who", ["manager", "caseworker", "director"])
def test_team_loads_caseloads_and_figures_take_as_many_queries_for_a_bigger_team(
    request, api_for, team, caseworker, who, django_assert_max_num_queries
):
    user = request.getfixturevalue(who)
    client = api_for(user)
    paths = {
        "manager": [f"/api/teams/{team.pk}/", f"/api/teams/{team.pk}/queue/", "/api/figures/"],
        "caseworker": [f"/api/workers/{caseworker.worker.pk}/caseload/", "/api/cases/"],
        "director": ["/api/teams/", "/api/figures/"],
    }[who]
    held_case(caseworker.worker)
    CaseFactory(team=team)
    before = {path: _queries(client, path, django_assert_max_num_queries) for path in paths}
    for _ in range(5):
        worker = WorkerFactory(team=team)
        held_case(worker)
        held_case(caseworker.worker)
        CaseFactory(team=team)
    for path in paths:
        _queries(client, path, django_assert_max_num_queries, limit=before[path])
