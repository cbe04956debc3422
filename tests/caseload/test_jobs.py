"""Background jobs: flags open, acknowledge and resolve; changes coalesce; runs are recorded
and cannot overlap; a real worker on Redis raises a flag; a dead broker loses nothing."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload.allocation import services as allocation_services
from caseload.casework import services
from caseload.core import recompute
from caseload.core.models import Flag, Notification, TaskLock, TaskRun
from caseload.flags import services as jobs
from caseload.flags import tasks
from tests.caseload.factories import TeamFactory, UserFactory, WorkerFactory
from tests.participants.factories import CaseFactory, held_case

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _fill(worker, count):
    for _ in range(count):
        held_case(worker)


def test_a_flag_opens_when_a_worker_goes_above_promise_and_resolves_when_it_clears(team, manager):
    worker = WorkerFactory(team=team, name="Over Promise")
    _fill(worker, 16)
    result = jobs.flags_refresh_team(team_id=team.pk)
    flag = Flag.objects.get(kind="above_promise", worker=worker)
    assert flag.pk in result.opened and flag.is_open
    assert flag.detail == "16 cases against a promise of 15"
    jobs.flag_acknowledge(flag=flag, by=manager, note="Moving two cases next week")
    case = worker.allocations.filter(ended_on__isnull=True).first().case
    services.case_close(case=case, closed_on=timezone.localdate(), reason="needs_met")
    jobs.flags_refresh_team(team_id=team.pk)
    flag.refresh_from_db()
    assert flag.resolved_at is not None
    assert flag.acknowledgement_note == "Moving two cases next week"


def test_running_the_refresh_twice_changes_nothing_the_second_time(team):
    _fill(WorkerFactory(team=team), 16)
    CaseFactory(team=team, opened_on=timezone.localdate() - timedelta(days=9))
    first = jobs.flags_refresh_team(team_id=team.pk)
    second = jobs.flags_refresh_team(team_id=team.pk)
    assert len(first.opened) >= 2
    assert (len(second.opened), second.resolved) == (0, 0)
    assert Flag.objects.open().count() == second.still_open


def test_a_case_waiting_longer_than_the_setting_is_flagged(team, settings):
    settings.FLAG_UNALLOCATED_DAYS = 5
    old = CaseFactory(team=team, opened_on=timezone.localdate() - timedelta(days=6))
    new = CaseFactory(team=team, opened_on=timezone.localdate() - timedelta(days=2))
    jobs.flags_refresh_team(team_id=team.pk)
    flagged = set(
        Flag.objects.filter(kind="unallocated_too_long").values_list("case_id", flat=True)
    )
    assert flagged == {old.pk}
    assert new.pk not in flagged


def test_a_second_open_flag_for_the_same_condition_is_refused_by_the_database(team):
    worker = WorkerFactory(team=team)
    fields = dict(
        kind="above_promise",
        team=team,
        worker=worker,
        subject_key=f"worker:{worker.pk}",
        opened_at=timezone.now(),
    )
    Flag.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(**fields)
    Flag.objects.update(resolved_at=timezone.now())
    Flag.objects.create(**fields)  # a new episode after the first resolved is fine


def test_an_opened_flag_notifies_managers_and_directors_and_emails_the_manager(
    team, manager, director, outsider_manager, django_capture_on_commit_callbacks
):
    worker = WorkerFactory(team=team, name="Heavy Load")
    _fill(worker, 16)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.flags_refresh_team(team_id=team.pk)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "bob",
        "diana",
    }
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [manager.email]
    assert "Heavy Load" in message.body
    participants = [c.participant.family_name for c in CaseFactory._meta.model.objects.all()]
    assert not any(name in message.body for name in participants)


def test_flags_opening_in_many_teams_tell_each_teams_managers_only_of_their_own_team(
    team, other_team, manager, director, outsider_manager, django_capture_on_commit_callbacks
):
    gone = UserFactory(username="gone", role="manager", is_active=False)
    other_team.managers.add(gone)
    _fill(WorkerFactory(team=team, name="Heavy North"), 16)
    _fill(WorkerFactory(team=other_team, name="Heavy South"), 16)
    with django_capture_on_commit_callbacks(execute=True):
        result = jobs.flags_refresh_organisation(team.service.organisation_id)
    told = set(Notification.objects.values_list("recipient__username", "flag__team__name"))
    assert told == {
        ("bob", "Assessment North"),
        ("olive", "Child Protection South"),
        ("diana", "Assessment North"),
        ("diana", "Child Protection South"),
    }
    assert Notification.objects.count() == 2 * len(result.opened)
    by_recipient = {tuple(message.to): message.body for message in mail.outbox}
    assert set(by_recipient) == {(manager.email,), (outsider_manager.email,)}
    assert "Heavy North" in by_recipient[(manager.email,)]
    assert "Heavy South" not in by_recipient[(manager.email,)]
    assert "Heavy South" in by_recipient[(outsider_manager.email,)]


def test_a_first_run_tells_any_number_of_teams_in_the_same_number_of_queries(
    organisation,
):
    def refresh_with_a_flag_in(count):
        for _ in range(count):
            team = TeamFactory(service__organisation=organisation)
            team.managers.add(UserFactory(role="manager", organisation=organisation))
            _fill(WorkerFactory(team=team), 16)
        Flag.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            opened = jobs.flags_refresh_organisation(organisation.pk).opened
        return len(opened), len(queries)

    few_opened, few = refresh_with_a_flag_in(1)
    many_opened, many = refresh_with_a_flag_in(4)
    assert many_opened > few_opened
    assert many == few


def test_many_changes_to_a_team_in_a_minute_cost_one_recompute(team, settings):
    settings.RECOMPUTE_COALESCE_SECONDS = 60
    from django.core.cache import cache

    cache.delete(f"recompute-pending:{team.pk}")
    with mock.patch.object(tasks.recompute_team, "apply_async") as publish:
        for _ in range(100):
            recompute._enqueue(recompute.RECOMPUTE_TEAM, team.pk)
    assert publish.call_count == 1
    assert publish.call_args.kwargs["countdown"] == 60
    cache.delete(f"recompute-pending:{team.pk}")


def test_changes_enqueue_only_after_the_transaction_commits(
    team, manager, django_capture_on_commit_callbacks
):
    case = CaseFactory(team=team)
    with mock.patch.object(recompute, "_enqueue") as enqueue:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            allocation_services.allocation_create(
                case=case, worker=WorkerFactory(team=team), by=manager
            )
        enqueue.assert_not_called()
        for callback in callbacks:
            callback()
    assert enqueue.call_args_list == [mock.call(recompute.RECOMPUTE_TEAM, team.pk)]


def test_a_scheduled_run_is_recorded_and_a_second_one_at_the_same_time_skips(team):
    TaskLock.objects.create(
        name="recompute_all", locked_until=timezone.now() + timedelta(minutes=5)
    )
    tasks.recompute_all()
    assert TaskRun.objects.get().outcome == "skipped"
    TaskLock.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    counts = tasks.recompute_all()
    run = TaskRun.objects.order_by("-started_at").first()
    assert run.outcome == "ok" and counts["teams"] >= 1 and run.finished_at


class TestPages:
    def test_a_manager_sees_and_acknowledges_their_teams_flags_and_outsiders_are_refused(
        self, client_for, team, manager, outsider_manager, caseworker
    ):
        _fill(WorkerFactory(team=team, name="Very Busy"), 16)
        jobs.flags_refresh_team(team_id=team.pk)
        flag = Flag.objects.get(kind="above_promise")
        url = reverse("team_flags", args=[team.pk])
        assert "Very Busy" in client_for(manager).get(url).content.decode()
        assert client_for(outsider_manager).get(url).status_code == 404
        assert client_for(caseworker).get(url).status_code == 403
        ack = reverse("flag_acknowledge", args=[flag.pk])
        assert client_for(outsider_manager).post(ack, {"note": "x"}).status_code == 404
        client_for(manager).post(ack, {"note": "Talked in supervision"})
        flag.refresh_from_db()
        assert flag.acknowledged_by == manager

    def test_notifications_show_whats_new_then_mark_it_seen(
        self, client_for, team, manager, caseworker
    ):
        _fill(WorkerFactory(team=team), 16)
        jobs.flags_refresh_team(team_id=team.pk)
        client = client_for(manager)
        assert "New" in client.get(reverse("notifications")).content.decode()
        assert not Notification.objects.filter(recipient=manager, seen_at__isnull=True).exists()
        assert client_for(caseworker).get(reverse("notifications")).status_code == 403

    def test_only_administrators_see_background_runs(self, client_for, administrator, director):
        assert client_for(administrator).get(reverse("task_runs")).status_code == 200
        assert client_for(director).get(reverse("task_runs")).status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_broker_unreachable_allocating_is_quick_and_the_schedule_raises_the_flag(
    team, manager, settings
):
    from caseload.config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    old = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = "redis://127.0.0.1:1/0", False
    app._pool = None
    try:
        worker = WorkerFactory(team=team, name="Almost Full")
        _fill(worker, 15)
        case = CaseFactory(team=team)
        started = time.monotonic()
        allocation_services.allocation_create(
            case=case, worker=worker, by=manager, override_reason="Urgent"
        )
        elapsed = time.monotonic() - started
    finally:
        app.conf.broker_url, app.conf.task_always_eager = old
        app._pool = None
    assert elapsed < 1.0, elapsed
    assert not Flag.objects.filter(kind="above_promise").exists()
    jobs.recompute_all()  # what beat runs next
    assert Flag.objects.open().filter(kind="above_promise", worker=worker).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_on_redis_raises_the_flag_within_seconds_of_an_allocation(
    require_postgres, redis_url, team, manager, settings
):
    from caseload.config.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    settings.RECOMPUTE_COALESCE_SECONDS = 0
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": queue,
    }
    worker_process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "caseload",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    old = (app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = (
        redis_url,
        False,
        queue,
    )
    app._pool = None
    try:
        worker = WorkerFactory(team=team, name="Nearly There")
        _fill(worker, 15)
        from django.core.cache import cache

        cache.delete(f"recompute-pending:{team.pk}")
        allocation_services.allocation_create(
            case=CaseFactory(team=team), worker=worker, by=manager, override_reason="Covering leave"
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if Flag.objects.open().filter(kind="above_promise", worker=worker).exists():
                break
            time.sleep(0.5)
        assert Flag.objects.open().filter(kind="above_promise", worker=worker).exists(), (
            worker_process.stdout.read1(20000).decode()
            if worker_process.poll() is not None
            else "worker running"
        )
    finally:
        app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = old
        app._pool = None
        worker_process.terminate()
        worker_process.wait(timeout=20)


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_an_overdue_visit_raises_a_flag_that_a_visit_resolves(team, caseworker):
    from participants import services as contacts

    case = held_case(
        caseworker.worker,
        case_type="child_in_need",
        opened_on=timezone.localdate() - timedelta(days=60),
    )
    jobs.flags_refresh_team(team_id=team.pk)
    flag = Flag.objects.open().get(kind="visit_overdue", case=case)
    assert case.reference in flag.detail
    contacts.contact_log(
        case=case,
        by=caseworker,
        occurred_at=timezone.now() - timedelta(hours=1),
        contact_type="home_visit",
        seen=True,
        duration_minutes=45,
        travel_minutes=20,
    )
    jobs.flags_refresh_team(team_id=team.pk)
    flag.refresh_from_db()
    assert flag.resolved_at is not None


def test_a_refresh_leaves_the_database_session_and_python_as_it_found_them(team, require_postgres):
    import gc

    def jit():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('jit')")
            return cursor.fetchone()[0]

    before = jit()
    _fill(WorkerFactory(team=team), 16)
    jobs.flags_refresh_team(team_id=team.pk)
    assert jit() == before
    assert gc.isenabled()


def test_a_flag_another_run_opened_a_moment_ago_is_skipped_and_the_rest_still_open(
    team, other_team, settings
):
    settings.FLAG_UNALLOCATED_DAYS = 5
    worker = WorkerFactory(team=team)
    _fill(worker, 16)
    waiting = CaseFactory(team=team, opened_on=timezone.localdate() - timedelta(days=6))
    # As if a run for the other team had just opened the worker's flag (it is not this team's
    # to see, so this refresh still wants to open it, and the database refuses it).
    taken = Flag.objects.create(
        kind="above_promise",
        team=other_team,
        worker=worker,
        subject_key=f"worker:{worker.pk}",
        opened_at=timezone.now(),
    )
    result = jobs.flags_refresh_team(team_id=team.pk)
    opened = Flag.objects.filter(pk__in=result.opened)
    assert set(opened.values_list("kind", "subject_key")) >= {
        ("unallocated_too_long", f"case:{waiting.pk}")
    }
    assert not opened.filter(kind="above_promise").exists()
    assert Flag.objects.open().filter(kind="above_promise").get() == taken
