"""The organisation page at any size: every service's figures, then the teams a page at a time
or one service's, with the same queries for ten teams or ten thousand."""

from decimal import Decimal

import pytest
from django.urls import reverse

from caseload.casework import views
from tests.caseload.factories import ServiceFactory, TeamFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [team.name for _, teams, _ in response.context["services"] for team in teams]


@pytest.fixture
def two_services(organisation):
    east = ServiceFactory(organisation=organisation, name="East")
    west = ServiceFactory(organisation=organisation, name="West")
    for name in ("East A", "East B", "East C"):
        WorkerFactory(team=TeamFactory(service=east, name=name, establishment_fte=Decimal("2")))
    WorkerFactory(team=TeamFactory(service=west, name="West A", establishment_fte=Decimal("3")))
    return east, west


def test_teams_fill_pages_of_the_page_size_in_service_and_name_order(
    client_for, director, two_services, monkeypatch
):
    monkeypatch.setattr(views, "TEAMS_PER_PAGE", 3)
    client = client_for(director)
    first = client.get(reverse("organisation"))
    second = client.get(reverse("organisation"), {"page": 2})
    assert names(first) == ["East A", "East B", "East C"]
    assert names(second) == ["West A"]
    assert "Teams 1 to 3 of 4" in first.content.decode()


def test_exactly_a_page_of_teams_is_one_page_without_page_links(
    client_for, director, two_services, monkeypatch
):
    monkeypatch.setattr(views, "TEAMS_PER_PAGE", 4)
    response = client_for(director).get(reverse("organisation"))
    assert names(response) == ["East A", "East B", "East C", "West A"]
    assert 'aria-label="Pages"' not in response.content.decode()


def test_a_service_group_shows_the_whole_services_total_even_when_split_across_pages(
    client_for, director, two_services, monkeypatch
):
    monkeypatch.setattr(views, "TEAMS_PER_PAGE", 2)
    response = client_for(director).get(reverse("organisation"))
    ((service, teams, totals),) = response.context["services"]
    assert service.name == "East" and len(teams) == 2
    assert totals["staffing"].establishment == Decimal("6")  # all three East teams
    summaries = {s.name: (count, t) for s, count, t in response.context["summaries"]}
    assert summaries["East"][0] == 3 and summaries["West"][0] == 1
    assert response.context["totals"]["staffing"].establishment == Decimal("9")


def test_choosing_a_service_lists_just_its_teams(client_for, director, two_services):
    _, west = two_services
    response = client_for(director).get(reverse("organisation"), {"service": west.pk})
    assert names(response) == ["West A"]
    assert response.context["chosen"] == west


def test_another_organisations_service_cannot_be_chosen(client_for, director, two_services):
    foreign = TeamFactory(name="Elsewhere Team")
    response = client_for(director).get(reverse("organisation"), {"service": foreign.service.pk})
    assert response.context["chosen"] is None
    assert "Elsewhere Team" not in response.content.decode()
    assert foreign.service.name not in response.content.decode()


def test_a_manager_and_an_outsider_are_refused_the_organisation_page(
    client_for, manager, outsider_manager
):
    assert client_for(manager).get(reverse("organisation")).status_code == 403
    assert client_for(outsider_manager).get(reverse("organisation")).status_code == 403
