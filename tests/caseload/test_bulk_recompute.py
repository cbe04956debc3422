"""The organisation-wide recompute (SQL aggregates, bulk flag upkeep) gives exactly what the
straightforward team-by-team path gives, on the small demo organisation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from caseload.casework import services
from caseload.core.models import Allocation, Case, Flag, Team, Worker
from caseload.flags import conditions as bulk_conditions
from caseload.flags import services as jobs
from participants.visits import DEFAULT_FREQUENCIES, Frequency, due_after, last_start_overdue
from tests import oracles
from weighting import loads
from weighting.models import AssessmentFactor, CaseAssessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation_id(small_demo):
    result = small_demo(seed=3)
    # A few workers with their own, low promise, so some are above it.
    holders = Allocation.objects.filter(ended_on__isnull=True).order_by("pk")
    held = list(holders.values_list("worker_id", flat=True))
    Worker.objects.filter(pk__in=held[:40:10]).update(caseload_promise=2)
    return result.organisation.pk


def _team_by_team() -> dict[int, set]:
    return {
        team.pk: set(oracles.team_conditions(team))
        for team in Team.objects.select_related("service").order_by("pk")
    }


def _bulk(organisation_id, team_ids=None) -> dict[int, set]:
    found = bulk_conditions.organisation_conditions(organisation_id, team_ids)
    teams = team_ids or Team.objects.values_list("pk", flat=True)
    return {pk: set(found.get(pk, [])) for pk in teams}


def _open_flags() -> set:
    return set(Flag.objects.open().values_list("team_id", "kind", "subject_key", "detail"))


def test_every_kind_of_condition_is_present_in_the_demo(organisation_id):
    kinds = {c.kind for conditions in _team_by_team().values() for c in conditions}
    assert {
        "above_promise",
        "above_bandwidth",
        "needs_reallocation",
        "assessment_stale",
        "assessment_needs_review",
        "visit_overdue",
    } <= kinds


def test_the_bulk_conditions_are_the_team_by_team_conditions(organisation_id, settings):
    settings.FLAG_UNALLOCATED_DAYS = 0  # so waiting cases count too
    assert _bulk(organisation_id) == _team_by_team()


def test_the_bulk_conditions_for_some_teams_are_those_teams_conditions(organisation_id):
    team_ids = list(Team.objects.order_by("pk").values_list("pk", flat=True)[:2])
    expected = {pk: conditions for pk, conditions in _team_by_team().items() if pk in team_ids}
    assert _bulk(organisation_id, team_ids) == expected


def test_summed_loads_are_the_loads_computed_case_by_case(organisation_id):
    # An unknown option and a proposed line on an agreed assessment must both be ignored.
    assessment = CaseAssessment.objects.filter(is_current=True, agreed_at__isnull=False).first()
    AssessmentFactor.objects.create(
        assessment=assessment, stage="agreed", factor="travel", option="by_rocket"
    )
    workers = list(Worker.objects.in_post())
    straightforward = oracles.worker_loads_case_by_case(workers, organisation_id)
    summed = loads.worker_loads(workers, organisation_id)
    assert {pk: row.load for pk, row in summed.items()} == {
        pk: row.load for pk, row in straightforward.items()
    }
    assert any(row.load.weighted_load for row in summed.values())


def test_the_bulk_refresh_leaves_nothing_for_the_team_by_team_refresh_to_do(organisation_id):
    first = jobs.recompute_all()
    assert first["opened"] > 0
    flags = _open_flags()
    again = oracles.recompute_all_team_by_team()
    assert (again["opened"], again["resolved"]) == (0, 0)
    assert _open_flags() == flags


def test_after_changes_both_paths_agree(organisation_id, settings):
    oracles.recompute_all_team_by_team()
    today = timezone.localdate()
    # Close a held case, make another wait too long, ask for three reviews, and put every
    # worker back on the default promise.
    held = Allocation.objects.filter(ended_on__isnull=True).order_by("pk")
    services.case_close(case=held[0].case, closed_on=today, reason="needs_met")
    Case.objects.filter(pk=held[1].case_id).update(
        status="awaiting_allocation", waiting_since=today - timedelta(days=30)
    )
    first_three = (
        CaseAssessment.objects.filter(is_current=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:3]
    )
    CaseAssessment.objects.filter(pk__in=list(first_three)).update(needs_review=True)
    Worker.objects.update(caseload_promise=None)
    result = jobs.recompute_all()
    assert result["opened"] and result["resolved"]
    flags = _open_flags()
    again = oracles.recompute_all_team_by_team()
    assert (again["opened"], again["resolved"]) == (0, 0)
    assert _open_flags() == flags
    assert jobs.recompute_all()["opened"] == 0


@pytest.mark.parametrize(
    "frequency", [*DEFAULT_FREQUENCIES.values(), Frequency(1, "working_days"), Frequency(3, "days")]
)
def test_a_case_is_overdue_exactly_when_it_started_on_or_before_the_last_start(frequency):
    today = timezone.localdate()
    last_start = last_start_overdue(frequency, today)
    for offset in range(-120, 5):
        start = today + timedelta(days=offset)
        assert (due_after(start, frequency) < today) == (start <= last_start), start


def test_refreshing_one_team_gives_what_the_team_by_team_refresh_gives(organisation_id):
    for team_id in Team.objects.order_by("pk").values_list("pk", flat=True):
        jobs.flags_refresh_team(team_id=team_id)
    flags = _open_flags()
    assert flags
    again = oracles.recompute_all_team_by_team()
    assert (again["opened"], again["resolved"]) == (0, 0)
    assert _open_flags() == flags


@pytest.mark.parametrize("days_ago", [0, 20])
def test_overdue_visit_counts_by_the_database_are_those_worked_out_case_by_case(
    organisation_id, days_ago
):
    from reports.selectors import overdue_visit_counts
    from tests.oracles import overdue_visit_counts_case_by_case

    on = timezone.localdate() - timedelta(days=days_ago)
    teams = list(Team.objects.all())
    expected = overdue_visit_counts_case_by_case(teams, organisation_id, on)
    assert sum(expected.values()) > 0
    assert overdue_visit_counts(teams, organisation_id, on) == expected


def test_the_dashboards_loads_summed_by_the_database_are_the_loads_case_by_case(
    organisation_id,
):
    workers = list(Worker.objects.all())
    fast = loads.worker_loads(workers, organisation_id)
    plain = oracles.worker_loads_case_by_case(workers, organisation_id)
    assert {pk: (r.load, r.band, r.kind) for pk, r in fast.items()} == {
        pk: (r.load, r.band, r.kind) for pk, r in plain.items()
    }
