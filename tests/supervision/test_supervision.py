"""Supervision: the frequency and overdue rules at their edges, recording one, the flag
(against the oracle), the report's count and the pages (with the outsider refused)."""

import io
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from caseload.core.choices import FlagKind
from caseload.core.models import Flag, Worker
from caseload.flags.conditions import supervision_conditions
from caseload.flags.services import flags_refresh_team
from caseload.supervision import rules, services
from caseload.supervision.models import Supervision, SupervisionAction, SupervisionPlan
from tests import oracles
from tests.caseload.factories import WorkerFactory
from tests.participants.factories import held_case

TODAY = timezone.localdate()
DAY = date(2026, 6, 30)


def held(worker, days_ago, supervisor):
    return Supervision.objects.create(
        worker=worker, held_on=TODAY - timedelta(days=days_ago), supervisor=supervisor
    )


def flagged(worker) -> bool:
    conditions = supervision_conditions(worker.team.service.organisation_id)
    return any(c.worker_id == worker.pk for cs in conditions.values() for c in cs)


# --- The rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("qualified_days_ago", "weeks"), [(0, 2), (364, 2), (365, 4), (None, 4)])
def test_the_first_year_after_qualifying_is_every_two_weeks(qualified_days_ago, weeks):
    qualified = None if qualified_days_ago is None else DAY - timedelta(days=qualified_days_ago)
    assert (
        rules.every_weeks(own=None, qualified_on=qualified, newly_qualified=False, on=DAY) == weeks
    )


def test_a_newly_qualified_worker_with_no_date_counts_as_in_their_first_year():
    assert rules.every_weeks(own=None, qualified_on=None, newly_qualified=True, on=DAY) == 2


def test_a_workers_own_frequency_wins():
    assert rules.every_weeks(own=6, qualified_on=DAY, newly_qualified=True, on=DAY) == 6


def test_a_first_year_that_starts_on_29_february_ends_on_28_february():
    qualified = date(2028, 2, 29)
    assert (
        rules.every_weeks(
            own=None, qualified_on=qualified, newly_qualified=False, on=date(2029, 2, 27)
        )
        == 2
    )
    assert (
        rules.every_weeks(
            own=None, qualified_on=qualified, newly_qualified=False, on=date(2029, 2, 28)
        )
        == 4
    )


@pytest.mark.parametrize(
    ("days_ago", "overdue", "days"), [(27, False, 0), (28, False, 0), (29, True, 1)]
)
def test_supervision_is_overdue_from_the_day_after_it_was_due(days_ago, overdue, days):
    status = rules.status(
        last_held_on=DAY - timedelta(days=days_ago),
        started_on=None,
        own=None,
        qualified_on=None,
        newly_qualified=False,
        on=DAY,
    )
    assert (status.due_on, status.overdue, status.days_overdue) == (
        DAY - timedelta(days=days_ago) + timedelta(weeks=4),
        overdue,
        days,
    )


def test_with_no_supervision_it_is_due_from_the_start_and_unknown_without_one():
    never = dict(last_held_on=None, own=None, qualified_on=None, newly_qualified=False, on=DAY)
    assert rules.status(started_on=DAY - timedelta(days=29), **never).overdue
    unknown = rules.status(started_on=None, **never)
    assert unknown.due_on is None and not unknown.overdue


# --- The service --------------------------------------------------------------------------------


def test_the_manager_records_a_supervision_with_cases_and_actions(manager, caseworker):
    worker = caseworker.worker
    case = held_case(worker)
    supervision = services.supervision_record(
        worker=worker,
        by=manager,
        held_on=TODAY,
        caseload_reviewed=True,
        cases=[case],
        notes=" Reviewed the court timetable. ",
        actions=[services.ActionIn("Book the interpreter", worker, TODAY + timedelta(days=7))],
    )
    assert supervision.caseload_reviewed and supervision.notes == "Reviewed the court timetable."
    assert list(supervision.cases.all()) == [case]
    assert list(supervision.actions.values_list("description", "owner_id")) == [
        ("Book the interpreter", worker.pk)
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"held_on": TODAY + timedelta(days=1)}, "held_on"),
        ({"due_in": -1}, "actions"),
        ({"owner_elsewhere": True}, "actions"),
    ],
)
def test_a_supervision_refuses_what_cannot_be(manager, caseworker, other_team, change, field):
    owner = WorkerFactory(team=other_team) if change.get("owner_elsewhere") else caseworker.worker
    held_on = change.get("held_on", TODAY)
    with pytest.raises(ValidationError) as error:
        services.supervision_record(
            worker=caseworker.worker,
            by=manager,
            held_on=held_on,
            caseload_reviewed=False,
            cases=[],
            actions=[
                services.ActionIn("Do it", owner, TODAY + timedelta(days=change.get("due_in", 3)))
            ],
        )
    assert field in error.value.message_dict


def test_only_the_team_manager_records_a_supervision(outsider_manager, caseworker):
    with pytest.raises(ValidationError):
        services.supervision_record(
            worker=caseworker.worker,
            by=outsider_manager,
            held_on=TODAY,
            caseload_reviewed=True,
            cases=[],
        )


def test_one_supervision_a_day_per_worker(manager, caseworker):
    held(caseworker.worker, 0, manager)
    with pytest.raises(ValidationError):
        services.supervision_record(
            worker=caseworker.worker, by=manager, held_on=TODAY, caseload_reviewed=True, cases=[]
        )
    with pytest.raises(IntegrityError):
        held(caseworker.worker, 0, manager)


# --- The flag -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "overdue"), [(28, False), (29, True)])
def test_supervision_older_than_four_weeks_raises_a_flag(manager, caseworker, days_ago, overdue):
    held(caseworker.worker, days_ago, manager)
    assert flagged(caseworker.worker) is overdue


def test_a_worker_in_their_first_year_is_flagged_after_two_weeks(manager, caseworker):
    SupervisionPlan.objects.create(
        worker=caseworker.worker, qualified_on=TODAY - timedelta(days=100)
    )
    held(caseworker.worker, 14, manager)
    assert not flagged(caseworker.worker)
    Supervision.objects.update(held_on=TODAY - timedelta(days=15))
    assert flagged(caseworker.worker)


def test_a_workers_own_frequency_is_honoured(manager, caseworker):
    SupervisionPlan.objects.create(worker=caseworker.worker, every_weeks=6)
    held(caseworker.worker, 40, manager)
    assert not flagged(caseworker.worker)


def test_a_new_starter_never_supervised_is_flagged_four_weeks_after_starting(caseworker, manager):
    Worker.objects.filter(pk=caseworker.worker.pk).update(start_date=TODAY - timedelta(days=29))
    Worker.objects.filter(pk=manager.worker.pk).update(start_date=TODAY - timedelta(days=400))
    assert flagged(caseworker.worker)
    assert not flagged(manager.worker)  # managers are supervised by their head of service


def test_the_refresh_opens_and_resolves_the_flag_and_agrees_with_the_oracle(
    team, manager, caseworker
):
    held(caseworker.worker, 40, manager)
    other = WorkerFactory(team=team, start_date=TODAY - timedelta(days=60))
    WorkerFactory(team=team, start_date=TODAY - timedelta(days=10))
    flags_refresh_team(team_id=team.pk)
    opened = set(
        Flag.objects.open()
        .filter(kind=FlagKind.SUPERVISION_OVERDUE)
        .values_list("worker_id", flat=True)
    )
    assert opened == {caseworker.worker.pk, other.pk}
    product = {
        (c.worker_id, c.detail)
        for c in supervision_conditions(team.service.organisation_id)[team.pk]
    }
    assert product == {(c.worker_id, c.detail) for c in oracles.supervision_conditions(team)}
    services.supervision_record(
        worker=caseworker.worker, by=manager, held_on=TODAY, caseload_reviewed=True, cases=[]
    )
    flags_refresh_team(team_id=team.pk)
    still = set(
        Flag.objects.open()
        .filter(kind=FlagKind.SUPERVISION_OVERDUE)
        .values_list("worker_id", flat=True)
    )
    assert still == {other.pk}


# --- The report ---------------------------------------------------------------------------------


def report(*args) -> dict:
    out = io.StringIO()
    call_command("caseload_report", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())[0]


def test_the_report_counts_workers_whose_supervision_is_overdue_on_the_date(
    team, manager, caseworker
):
    held(caseworker.worker, 29, manager)
    WorkerFactory(team=team, start_date=TODAY - timedelta(days=10))
    assert report("--team", team.name)["supervision_overdue"] == 1
    as_of = (TODAY - timedelta(days=1)).isoformat()
    assert report("--team", team.name, "--as-of", as_of)["supervision_overdue"] == 0


# --- The pages ----------------------------------------------------------------------------------


def test_the_manager_records_a_supervision_in_the_browser(client_for, manager, caseworker):
    worker = caseworker.worker
    case = held_case(worker)
    response = client_for(manager).post(
        reverse("supervision_create", args=[worker.pk]),
        {
            "held_on": TODAY.isoformat(),
            "caseload_reviewed": "on",
            "cases": [case.pk],
            "notes": "Talked about the court week.",
            "actions-TOTAL_FORMS": "3",
            "actions-INITIAL_FORMS": "0",
            "actions-0-description": "Ask for a co-worker on the court case",
            "actions-0-owner": manager.worker.pk,
            "actions-0-due_on": (TODAY + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    supervision = Supervision.objects.get()
    assert supervision.caseload_reviewed and list(supervision.cases.all()) == [case]
    assert supervision.actions.get().owner == manager.worker


def test_an_action_without_an_owner_is_refused_on_its_field(client_for, manager, caseworker):
    response = client_for(manager).post(
        reverse("supervision_create", args=[caseworker.worker.pk]),
        {
            "held_on": TODAY.isoformat(),
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-description": "Something",
        },
    )
    assert response.status_code == 200
    assert "Say who owns this action." in response.content.decode()
    assert not Supervision.objects.exists()


def test_a_worker_reads_their_own_records_and_marks_their_action_done(
    client_for, manager, caseworker
):
    supervision = held(caseworker.worker, 3, manager)
    supervision.notes = "Agreed a lighter week"
    supervision.save()
    action = SupervisionAction.objects.create(
        supervision=supervision,
        description="Write up the plan",
        owner=caseworker.worker,
        due_on=TODAY,
    )
    client = client_for(caseworker)
    response = client.get(reverse("supervision_mine"), follow=True)
    assert "Agreed a lighter week" in response.content.decode()
    assert "Record a supervision" not in response.content.decode()
    client.post(
        reverse("supervision_action_done", args=[caseworker.worker.pk]), {"action": action.pk}
    )
    action.refresh_from_db()
    assert action.done_on == TODAY


def test_other_workers_and_other_teams_cannot_read_a_workers_supervision(
    client_for, team, manager, caseworker, outsider, outsider_manager
):
    held(caseworker.worker, 3, manager)
    colleague = WorkerFactory(team=team, user=None)
    colleague_user = caseworker.__class__.objects.create(
        username="cleo", role="caseworker", organisation=team.service.organisation
    )
    Worker.objects.filter(pk=colleague.pk).update(user=colleague_user)
    url = reverse("supervision_worker", args=[caseworker.worker.pk])
    assert client_for(colleague_user).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider_manager).get(url).status_code == 404
    assert (
        client_for(outsider_manager)
        .get(reverse("supervision_create", args=[caseworker.worker.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(outsider_manager).get(reverse("supervision_team", args=[team.pk])).status_code
        == 404
    )
    assert (
        client_for(caseworker).get(reverse("supervision_team", args=[team.pk])).status_code == 403
    )


def test_the_team_page_lists_overdue_first_and_counts_them(
    client_for, team, manager, director, caseworker
):
    held(caseworker.worker, 40, manager)
    WorkerFactory(team=team, name="Nina Newstart", start_date=TODAY - timedelta(days=3))
    for user in (manager, director):
        body = client_for(user).get(reverse("supervision_team", args=[team.pk])).content.decode()
        assert '<strong id="supervision-overdue">1</strong>' in body
        assert body.index(caseworker.worker.name) < body.index("Nina Newstart")
    team_dashboard = client_for(manager).get(reverse("dashboard_team", args=[team.pk]))
    assert team_dashboard.context["scope"].figures["supervision_overdue"] == 1


def test_the_manager_sets_a_workers_frequency(client_for, manager, caseworker):
    url = reverse("supervision_plan", args=[caseworker.worker.pk])
    response = client_for(manager).post(url, {"every_weeks": "30", "qualified_on": ""})
    assert response.status_code == 200 and "26" in response.content.decode()
    assert (
        client_for(manager).post(url, {"every_weeks": "3", "qualified_on": ""}).status_code == 302
    )
    assert SupervisionPlan.objects.get().every_weeks == 3


def test_the_demo_has_supervisions_with_actions_and_some_overdue(small_demo):
    result = small_demo()
    assert result.counts["supervisions"] > 0
    assert SupervisionAction.objects.exists()
    organisation = result.organisation
    assert any(supervision_conditions(organisation.pk).values())
