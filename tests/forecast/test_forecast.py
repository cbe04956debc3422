"""The forecast against the database: what it reads, the command (against a hand-worked
example), the pages and the evidence pack (with the outsider refused), and the expected end
on the case forms."""

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from caseload.core.models import Case
from caseload.forecast.selectors import ForecastScope, forecast_inputs
from tests.caseload.factories import WorkerFactory
from tests.participants.factories import CaseFactory, held_case
from weighting import services as weighting_services

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CHOICES = [
    ("case_type", "child_in_need"),
    ("siblings", "none"),
    ("travel", "under_30"),
    ("court", "none"),
]  # 2 points


@pytest.fixture
def planned_team(team, manager):
    """One experienced worker (48) in post, a newly qualified one (36) starting in two weeks;
    two old cases (one worth 2 points, one planned to end in ten days) and six opened in the
    last 12 weeks (half a case a week), all child in need."""
    worker = WorkerFactory(team=team, name="Erin Experienced")
    WorkerFactory(team=team, experience="newly_qualified", start_date=TODAY + timedelta(days=14))
    old = held_case(worker, opened_on=TODAY - timedelta(days=200))
    proposal = weighting_services.assessment_propose(case=old, by=manager, choices=CHOICES)
    weighting_services.assessment_agree(assessment=proposal, by=manager)
    held_case(
        worker, opened_on=TODAY - timedelta(days=200), expected_end=TODAY + timedelta(days=10)
    )
    for _ in range(6):
        CaseFactory(team=team, opened_on=TODAY - timedelta(days=10))
    return team


def forecast(*args) -> list[dict]:
    out = io.StringIO()
    call_command("caseload_forecast", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_command_gives_the_hand_worked_weeks(planned_team, manager):
    # The manager's own worker record is in post too, as a team manager (band top 0? no:
    # managers have their own standard); take it out so the example stays small.
    manager.worker.delete()
    rows = forecast("--team", planned_team.name, "--weeks", "3")
    assert [
        (r["week_start"], r["cases"], r["points"], r["capacity"], r["fte_needed"]) for r in rows
    ] == [
        # 8 open cases, 2 points (the old agreed one); new cases are worth the average, 0.25
        (TODAY.isoformat(), 8.0, 2.0, 48.0, 0.0),
        # + 0.5 new cases at 0.25 points
        ((TODAY + timedelta(days=7)).isoformat(), 8.5, 2.1, 48.0, 0.0),
        # the planned end has passed; + 1 new case; the starter adds 36
        ((TODAY + timedelta(days=14)).isoformat(), 8.0, 2.3, 84.0, 0.0),
    ]
    assert {r["scope"] for r in rows} == {"team"}


def test_the_command_prints_csv_with_one_row_per_scope_per_week(planned_team):
    out = io.StringIO()
    call_command("caseload_forecast", "--weeks", "2", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == [
        "scope",
        "scope_name",
        "week",
        "week_start",
        "cases",
        "points",
        "capacity",
        "fte_needed",
    ]
    assert [(r["scope"], r["week"]) for r in rows] == [
        ("organisation", "0"),
        ("organisation", "1"),
        ("service", "0"),
        ("service", "1"),
        ("team", "0"),
        ("team", "1"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--team", "Nowhere"], "no such team"), (["--weeks", "0"], "from 1 to 52")],
)
def test_the_command_names_what_is_wrong(planned_team, args, message):
    with pytest.raises(CommandError, match=message):
        forecast(*args)


def test_a_closed_case_and_another_teams_are_not_in_the_forecast(planned_team, other_team):
    CaseFactory(team=other_team)
    closed = CaseFactory(team=planned_team)
    Case.objects.filter(pk=closed.pk).update(status="closed", closed_on=TODAY)
    inputs = forecast_inputs(
        ForecastScope(planned_team.service.organisation, planned_team.service, planned_team)
    )
    assert len(inputs.cases) == 8


# --- The pages ----------------------------------------------------------------------------------


def test_the_team_forecast_shows_the_chart_the_table_and_the_assumptions(
    client_for, planned_team, manager
):
    body = (
        client_for(manager)
        .get(reverse("dashboard_team_forecast", args=[planned_team.pk]))
        .content.decode()
    )
    assert '<svg class="chart" id="forecast-team"' in body
    assert 'id="forecast-table"' in body and 'id="forecast-assumptions"' in body
    assert "0.5 a week" in body


def test_a_scenario_is_shown_beside_the_baseline(client_for, planned_team, manager):
    url = reverse("dashboard_team_forecast", args=[planned_team.pk])
    response = client_for(manager).get(url + "?fte=1&kind=support_worker&from_week=2")
    body = response.content.decode()
    assert "Add 1 FTE support worker from week 2" in body
    alternative = [alt for _, alt in response.context["weeks"]]
    assert alternative[2].capacity == Decimal("30.00") + response.context["weeks"][2][0].capacity


def test_a_scenario_without_its_kind_names_the_field(client_for, planned_team, manager):
    url = reverse("dashboard_team_forecast", args=[planned_team.pk])
    body = client_for(manager).get(url + "?fte=1").content.decode()
    assert "Say which kind of worker the FTE is." in body


def test_the_evidence_pack_includes_the_forecast_and_the_chosen_scenario(
    client_for, planned_team, director
):
    url = reverse("evidence_pack", args=[planned_team.service_id])
    body = client_for(director).get(url + "?case_type=child_in_need&share=50").content.decode()
    assert 'id="forecast-table"' in body
    assert "Move 50% of child in need work elsewhere" in body


def test_the_forecast_pages_refuse_other_teams_and_caseworkers(
    client_for, planned_team, caseworker, outsider, outsider_manager, director
):
    team_url = reverse("dashboard_team_forecast", args=[planned_team.pk])
    assert client_for(outsider_manager).get(team_url).status_code == 404
    assert client_for(caseworker).get(team_url).status_code == 403
    assert client_for(outsider).get(team_url).status_code == 403
    service_url = reverse("dashboard_service_forecast", args=[planned_team.service_id])
    assert client_for(outsider_manager).get(service_url).status_code == 403
    assert client_for(director).get(service_url).status_code == 200
    assert client_for(director).get(reverse("dashboard_organisation_forecast")).status_code == 200


# --- The expected end on the case ---------------------------------------------------------------


def test_the_case_form_sets_the_expected_end_and_refuses_one_before_it_opened(
    client_for, manager, team
):
    case = CaseFactory(team=team, opened_on=TODAY - timedelta(days=30))
    url = reverse("case_update", args=[case.pk])
    data = {"case_type": "child_in_need", "need_level": "medium", "court": "none"}
    early = client_for(manager).post(
        url, {**data, "expected_end": (TODAY - timedelta(days=40)).isoformat()}
    )
    assert early.status_code == 200 and "before it opened" in early.content.decode()
    planned = (TODAY + timedelta(days=60)).isoformat()
    assert client_for(manager).post(url, {**data, "expected_end": planned}).status_code == 302
    case.refresh_from_db()
    assert case.expected_end.isoformat() == planned


def test_the_demo_has_planned_ends_a_starter_and_a_reduction_for_the_forecast(small_demo):
    from caseload.core.models import CapacityReduction, Worker

    result = small_demo()
    assert result.counts["expected_ends"] > 0
    assert Worker.objects.filter(start_date__gt=TODAY).exists()
    assert CapacityReduction.objects.filter(starts_on__gt=TODAY).exists()
    scope = ForecastScope(result.organisation)
    assert forecast_inputs(scope).arrivals
