"""After an import commits: one recompute for the whole organisation when it changed many teams
(not one per team), and fresh planner statistics after a large write."""

from copy import deepcopy
from unittest import mock

import pytest
from django.db import connection

from caseload.core import bulk, recompute
from caseload.core.models import TaskRun, Team
from caseload.imports.engine import CaseloadImport
from caseload.imports.readers import open_source

from .sample import sample, write_csv

pytestmark = pytest.mark.django_db


def with_teams(count: int) -> dict:
    """The sample plus teams T3… each with one worker, so the import touches `count` teams."""
    data = sample()
    for n in range(3, count + 1):
        team = deepcopy(data["teams"][1]) | {"team_ref": f"T{n}", "team_name": f"Patch {n}"}
        worker = deepcopy(data["workers"][2]) | {"worker_ref": f"W{n}X", "team_ref": f"T{n}"}
        data["teams"].append(team)
        data["workers"].append(worker)
    return data


def commit(path, organisation):
    # Every request is published: another test's coalescing window for a team id that SQLite
    # hands out again must not swallow this one's.
    with mock.patch.object(recompute.cache, "add", return_value=True):
        return CaseloadImport(open_source(path), organisation).commit()


@pytest.mark.parametrize(
    ("teams", "organisation_wide", "per_team"),
    [
        (recompute.ONE_RECOMPUTE_ABOVE, 0, recompute.ONE_RECOMPUTE_ABOVE),
        (recompute.ONE_RECOMPUTE_ABOVE + 1, 1, 0),
    ],
)
def test_changes_to_more_teams_than_the_limit_ask_for_one_organisation_recompute(
    teams, organisation_wide, per_team, organisation, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(recompute, "_enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        recompute.request_teams_recompute(organisation.pk, set(range(1, teams + 1)))
    names = [call.args[0] for call in enqueue.call_args_list]
    assert names.count(recompute.RECOMPUTE_ORGANISATION) == organisation_wide
    assert names.count(recompute.RECOMPUTE_TEAM) == per_team
    if organisation_wide:
        assert enqueue.call_args.args == (recompute.RECOMPUTE_ORGANISATION, organisation.pk)


def test_an_import_of_many_teams_is_recomputed_once_and_every_team_has_its_flags_worked_out(
    tmp_path, organisation, django_capture_on_commit_callbacks
):
    count = recompute.ONE_RECOMPUTE_ABOVE + 2
    with django_capture_on_commit_callbacks(execute=True):
        outcome = commit(write_csv(tmp_path / "in", with_teams(count)), organisation)
    assert outcome.ok and outcome.written
    imported = Team.objects.filter(service__organisation=organisation, reference__startswith="T")
    assert imported.count() == count
    assert not imported.filter(flags_computed_at__isnull=True).exists()
    assert TaskRun.objects.filter(task="recompute_organisation", outcome="ok").count() == 1
    assert not TaskRun.objects.filter(task="recompute_team").exists()


def test_an_import_of_a_few_teams_recomputes_just_those_teams(
    tmp_path, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        commit(write_csv(tmp_path / "in", sample()), organisation)
    assert TaskRun.objects.filter(task="recompute_team").count() == 2  # T1 and T2
    assert not TaskRun.objects.filter(task="recompute_organisation").exists()


@pytest.mark.parametrize(("above", "refreshed"), [(0, True), (1, False)])
def test_planner_statistics_are_refreshed_once_an_import_writes_as_many_rows_as_the_limit(
    above, refreshed, tmp_path, organisation, django_capture_on_commit_callbacks
):
    path = write_csv(tmp_path / "in", sample())
    planned = CaseloadImport(open_source(path), organisation).check().totals()
    written = planned["create"] + planned["update"]
    with (
        mock.patch.object(bulk, "ANALYZE_AFTER_ROWS", written + above),
        mock.patch.object(bulk, "statistics_refresh", wraps=bulk.statistics_refresh) as refresh,
        django_capture_on_commit_callbacks(execute=True),
    ):
        commit(path, organisation)
    assert refresh.called is refreshed
    if refreshed:
        tables = {model._meta.db_table for model in refresh.call_args.args[0]}
        assert {"caseload_case", "participants_participant", "weighting_caseassessment"} <= tables


def test_refreshing_statistics_runs_on_the_database_in_use(organisation):
    bulk.statistics_refresh([Team, TaskRun])  # one ANALYZE of both tables on PostgreSQL
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone() == (1,)
