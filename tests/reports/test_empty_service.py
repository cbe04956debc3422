"""A service with no teams yet has no figures: its pages are "not found", never an error."""

import pytest
from django.urls import reverse

from tests.caseload.factories import OrganisationFactory, ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["dashboard_service", "dashboard_service_forecast", "dashboard_service_export"]
QUERY = {"dashboard_service_export": "?table=figures&format=csv"}


def _url(name: str, pk: int) -> str:
    return reverse(name, args=[pk]) + QUERY.get(name, "")


@pytest.mark.parametrize("name", PAGES)
def test_a_service_without_teams_is_not_found_rather_than_an_error(client_for, director, name):
    service = ServiceFactory(organisation=director.organisation, name="Starting next year")
    response = client_for(director).get(_url(name, service.pk))
    assert response.status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_a_service_with_a_team_is_shown_and_another_organisations_director_is_refused(
    client_for, director, team, name
):
    outsider = UserFactory(role="director", organisation=OrganisationFactory(name="Elsewhere"))
    assert client_for(director).get(_url(name, team.service.pk)).status_code == 200
    assert client_for(outsider).get(_url(name, team.service.pk)).status_code == 404
