"""Working today's figures out now: asked for from a dashboard, done in the background (never
in the request), with the page saying so until it is done."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse

from caseload.core.models import TaskRun
from reports import services
from tests.caseload.factories import WorkerFactory
from tests.participants.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(settings, director):
    settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES = 35
    cache.delete(services._live_key(director.organisation_id))
    yield
    cache.delete(services._live_key(director.organisation_id))


def allocated(team, n):
    worker = WorkerFactory(team=team)
    for _ in range(n):
        case = CaseFactory(team=team, status="allocated")
        case.allocations.create(worker=worker, started_on=case.opened_on, reason="new")


def test_asking_for_live_figures_works_them_out_in_the_background_and_shows_them(
    client_for, director, team, scheduled, django_capture_on_commit_callbacks
):
    allocated(team, 2)
    services.snapshot_take()
    allocated(team, 3)
    client = client_for(director)
    url = reverse("dashboard_organisation")
    assert client.get(url).context["scope"].figures["cases_allocated"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.get(url + "?live=1")
    assert asked.status_code == 302 and asked["Location"] == url
    assert TaskRun.objects.filter(task="snapshot_organisation", outcome="ok").count() == 1
    page = client.get(url)
    assert page.context["scope"].figures["cases_allocated"] == 5
    assert page.context["working_since"] is None
    assert 'http-equiv="refresh"' not in page.content.decode()


def test_while_the_figures_are_being_worked_out_the_page_says_so_and_asking_again_does_nothing(
    client_for, director, team, scheduled
):
    services.snapshot_take()
    client = client_for(director)
    url = reverse("dashboard_service", args=[team.service_id])
    with mock.patch.object(services, "enqueue_after_commit") as enqueue:
        first = client.get(url + "?live=1&sort=name")
        client.get(url + "?live=1")
    assert enqueue.call_count == 1
    assert enqueue.call_args.args == (services.LIVE_TASK, director.organisation_id)
    assert first["Location"] == f"{url}?sort=name"
    html = client.get(url).content.decode()
    assert "Working today's figures out now" in html
    assert 'http-equiv="refresh"' in html


def test_a_finished_run_lets_the_figures_be_asked_for_again(director, team, scheduled):
    services.live_figures_request(director.organisation_id)
    assert services.live_figures_working_since(director.organisation_id) is not None
    services.snapshot_organisation(director.organisation_id)
    assert services.live_figures_working_since(director.organisation_id) is None


def test_without_a_schedule_live_figures_are_worked_out_in_the_request(
    client_for, director, team, settings
):
    settings.DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES = 0  # the embedded demo: always live
    allocated(team, 2)
    response = client_for(director).get(reverse("dashboard_organisation") + "?live=1")
    assert response.status_code == 200
    assert response.context["scope"].figures["cases_allocated"] == 2


def test_a_manager_and_an_outsider_cannot_ask_for_the_organisations_live_figures(
    client_for, manager, outsider_manager, scheduled
):
    url = reverse("dashboard_organisation") + "?live=1"
    with mock.patch.object(services, "enqueue_after_commit") as enqueue:
        assert client_for(manager).get(url).status_code == 403
        assert client_for(outsider_manager).get(url).status_code == 403
    enqueue.assert_not_called()
