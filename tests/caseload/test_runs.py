"""Scheduled runs hold a claim that dies with its holder, and a run whose worker died says
"lost", not "running" for ever. (The same with a real process killed by SIGKILL:
tests/faults/test_claims.py.)"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.core.models import TaskLock, TaskRun
from caseload.flags import runs, tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def later(monkeypatch):
    """Move the clock on by some seconds, for the code under test."""

    def move(seconds: float):
        moved = timezone.now() + timedelta(seconds=seconds)
        monkeypatch.setattr(timezone, "now", lambda: moved)

    return move


def test_a_claim_whose_holder_died_is_free_within_one_lease(team, settings, later):
    settings.TASK_LEASE_SECONDS = 60
    holder = runs.claimed("recompute_all", ttl=timedelta(minutes=30))
    assert holder.__enter__() is not None  # the worker dies here: never renews, never releases
    assert tasks.recompute_all() is not None
    assert TaskRun.objects.latest("started_at").outcome == "skipped"
    later(61)
    tasks.recompute_all()
    assert TaskRun.objects.latest("started_at").outcome == "ok"


def test_a_live_run_renews_its_claim_but_never_past_its_limit(settings, later):
    settings.TASK_LEASE_SECONDS = 60
    with runs.claimed("send_digests", ttl=timedelta(seconds=300)) as claim:
        later(50)
        claim.renew()
        assert TaskLock.objects.get().locked_until == timezone.now() + timedelta(seconds=60)
        later(230)  # 280 s in: 20 s left before the limit
        claim.renew()
        lock = TaskLock.objects.get()
        assert lock.locked_until == claim.until < timezone.now() + timedelta(seconds=60)
    assert TaskLock.objects.get().locked_until <= timezone.now()


def test_a_run_whose_worker_died_is_marked_lost_by_the_next_run(team, settings):
    settings.TASK_LEASE_SECONDS = 60
    long_ago = timezone.now() - timedelta(minutes=5)
    dead = TaskRun.objects.create(
        task="recompute_all", started_at=long_ago, heartbeat_at=long_ago, outcome="running"
    )
    alive = TaskRun.objects.create(
        task="recompute_team",
        started_at=long_ago,
        heartbeat_at=timezone.now() - timedelta(seconds=20),
        outcome="running",
    )
    tasks.recompute_all()
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.outcome == "lost" and "worker stopped" in dead.detail
    assert alive.outcome == "running"


def test_the_background_runs_page_says_lost_for_a_dead_run(client_for, administrator, settings):
    settings.TASK_LEASE_SECONDS = 60
    long_ago = timezone.now() - timedelta(hours=2)
    TaskRun.objects.create(task="recompute_all", started_at=long_ago, outcome="running")
    page = client_for(administrator).get(reverse("task_runs")).content.decode()
    assert "Lost (its worker stopped before it finished)" in page
    assert TaskRun.objects.get().outcome == "lost"


def test_a_heartbeat_renews_the_run_and_its_claim_while_the_job_works(settings, monkeypatch):
    """The beat thread's work, called as the thread would call it."""
    settings.TASK_LEASE_SECONDS = 60
    beats = []

    class RecordingHeartbeat:
        def __init__(self, beat, every=None):
            beats.append(beat)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

    monkeypatch.setattr(runs, "Heartbeat", RecordingHeartbeat)

    def job():
        run = TaskRun.objects.get()
        stamp = run.heartbeat_at
        monkeypatch.setattr(timezone, "now", lambda: stamp + timedelta(seconds=30))
        beats[0]()
        run.refresh_from_db()
        assert run.heartbeat_at == stamp + timedelta(seconds=30)
        assert TaskLock.objects.get().locked_until == stamp + timedelta(seconds=30 + 60)
        return {}

    assert runs.recorded("snapshot_take", job, claim=timedelta(hours=1)).outcome == "ok"
