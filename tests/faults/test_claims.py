"""Found item 2: a worker killed (SIGKILL) during `recompute_all` left its claim held for 30
minutes, so the next scheduled runs were skipped, and its run said "running" for ever. Now the
claim lapses within one lease and the run is marked lost."""

import pytest
from django.utils import timezone

from caseload.core.models import TaskRun
from caseload.flags import tasks

from .conftest import database_url, record, wait_until

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("committed")]
LEASE = 3  # seconds, for the killed process and this one alike


def test_a_killed_worker_frees_the_schedule_within_a_lease_and_its_run_is_lost(
    require_postgres, team, settings, start
):
    settings.TASK_LEASE_SECONDS = LEASE
    job = start("tests.faults.run_job", DATABASE_URL=database_url(), TASK_LEASE_SECONDS=str(LEASE))
    assert wait_until(lambda: job.said("working"), timeout=30) is not None, job.output
    victim = TaskRun.objects.get(task="recompute_all", outcome="running")
    tasks.recompute_all()
    assert TaskRun.objects.latest("started_at").outcome == "skipped"  # alive: it holds the claim

    job.kill()  # SIGKILL: no finally, no release
    killed_at = timezone.now()

    def a_run_goes_ahead() -> bool:
        tasks.recompute_all()
        return TaskRun.objects.latest("started_at").outcome == "ok"

    recovered = wait_until(a_run_goes_ahead, timeout=30, every=0.5)
    assert recovered is not None, "the next scheduled run was still skipped after 30 s"
    victim.refresh_from_db()
    assert victim.outcome == "lost"
    assert victim.heartbeat_at < killed_at
    record("worker killed during recompute_all (claim)", to_fail=0.0, to_recover=recovered)
