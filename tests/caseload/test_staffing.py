"""Staffing against establishment has one definition, and every page and the report agree."""

import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse

from caseload.core.staffing import Staffing, added_up, team_staffing
from tests.caseload.factories import TeamFactory, WorkerFactory


@pytest.mark.parametrize(
    ("establishment", "in_post", "agency", "vacant", "covered"),
    [
        pytest.param("7", "7", "1", "1", "1", id="a post covered by agency is still vacant"),
        pytest.param("7", "6", "0", "1", "0", id="an empty post"),
        pytest.param("7", "7", "0", "0", "0", id="exactly at establishment"),
        pytest.param("7", "8", "0", "0", "0", id="over establishment is never negative"),
        pytest.param("5", "5", "3", "3", "3", id="agency covering three posts"),
        pytest.param("5", "4.5", "1", "1.5", "1", id="agency covers part of the vacancy"),
        pytest.param("5", "7", "3", "1", "1", id="agency beyond the vacancy covers only it"),
        pytest.param("0", "1", "1", "0", "0", id="no establishment"),
    ],
)
def test_a_teams_vacancy_is_its_establishment_not_filled_by_permanent_staff(
    establishment, in_post, agency, vacant, covered
):
    got = team_staffing(establishment=D(establishment), in_post=D(in_post), agency=D(agency))
    assert (got.vacant, got.covered_by_agency) == (D(vacant), D(covered))
    assert got.uncovered == D(vacant) - D(covered)


def test_a_services_vacancy_is_its_teams_added_up_so_extra_staff_hide_nothing():
    short = team_staffing(establishment=D("7"), in_post=D("6"), agency=D("0"))
    over = team_staffing(establishment=D("2"), in_post=D("3"), agency=D("0"))
    total = added_up([short, over])
    assert total == Staffing(D("9"), D("9"), D("0"), D("1"), D("0"))


@pytest.mark.django_db
def test_the_team_page_the_dashboard_and_the_report_give_the_same_staffing(
    client_for, team, manager, director, outsider_manager
):
    team.establishment_fte = D("7")
    team.save()
    # The manager fixture is one permanent worker in post; five more and an agency worker.
    WorkerFactory.create_batch(5, team=team)
    WorkerFactory(team=team, agency=True)
    over = TeamFactory(service=team.service, name="Over Staffed", establishment_fte=D("1"))
    WorkerFactory.create_batch(2, team=over)

    page = client_for(manager).get(reverse("team_detail", args=[team.pk]))
    text = " ".join(page.content.decode().split())
    assert "7.00 FTE, of which 1.00 agency" in text
    assert "1.00 FTE vacant</strong>, all of it covered by agency" in text
    assert client_for(outsider_manager).get(reverse("team_detail", args=[team.pk])).status_code in (
        403,
        404,
    )

    dashboard = client_for(director).get(reverse("dashboard_team", args=[team.pk]))
    assert dashboard.context["scope"].figures["vacant_fte"] == D("1.00")

    out = io.StringIO()
    call_command("caseload_report", "--format", "json", stdout=out)
    rows = {(r["scope"], r["scope_name"]): r for r in json.loads(out.getvalue())}
    row = rows[("team", team.name)]
    assert (row["establishment_fte"], row["in_post_fte"], row["agency_fte"]) == (7.0, 7.0, 1.0)
    assert row["vacant_fte"] == 1.0
    assert rows[("team", "Over Staffed")]["vacant_fte"] == 0.0
    service = rows[("service", team.service.name)]
    organisation = next(r for (scope, _), r in rows.items() if scope == "organisation")
    assert service["vacant_fte"] == 1.0  # the teams added up, not 8 − (9 − 1) = 0
    assert service["in_post_fte"] == 9.0 and service["establishment_fte"] == 8.0
    teams = [r for (scope, _), r in rows.items() if scope == "team"]
    assert organisation["vacant_fte"] == sum(r["vacant_fte"] for r in teams)

    organisation_page = client_for(director).get(reverse("organisation"))
    totals = organisation_page.context["totals"]["staffing"]
    assert float(totals.vacant) == organisation["vacant_fte"]
    assert float(totals.in_post) == organisation["in_post_fte"]
