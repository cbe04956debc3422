"""Background runs: each is recorded (task, start, end, outcome, counts), a scheduled one holds a
claim so a second worker skips it, and the tasks share one retry policy.

Claims and runs die with their holder: a run renews its heartbeat (and its claim) every quarter
of TASK_LEASE_SECONDS while its worker is alive (caseload/core/lease.py). A worker killed mid-run
stops renewing, so its claim lapses within one lease and the next scheduled run goes ahead, and
its run is marked lost instead of saying "running" for ever.
"""

import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from caseload.core.choices import TaskOutcome
from caseload.core.lease import Heartbeat, lease
from caseload.core.models import TaskLock, TaskRun

RETRY = {
    "autoretry_for": (DatabaseError, BrokerError),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
    "acks_late": True,
}
LOST = "Its worker stopped (killed, restarted or cut off from the database) before it finished."


class Claim:
    """A held claim on a named job: a lease renewed by `renew()`, never past `until`."""

    def __init__(self, name: str, holder: str, until):
        self.name, self.holder, self.until = name, holder, until

    def renew(self) -> None:
        locked_until = min(timezone.now() + lease(), self.until)
        TaskLock.objects.filter(name=self.name, holder=self.holder).update(
            locked_until=locked_until
        )

    def release(self) -> None:
        TaskLock.objects.filter(name=self.name, holder=self.holder).update(
            locked_until=timezone.now(), holder=""
        )


@contextmanager
def claimed(name: str, *, ttl: timedelta):
    """Claim a named job with an atomic update; yields the `Claim`, or None when another run
    holds it (a second worker running the same job at the same time skips). The claim lasts
    one lease and is renewed while the run is alive, but never past `ttl` from its start."""
    now = timezone.now()
    TaskLock.objects.get_or_create(name=name, defaults={"locked_until": now - timedelta(seconds=1)})
    claim = Claim(name, uuid.uuid4().hex, until=now + ttl)
    got = TaskLock.objects.filter(name=name, locked_until__lt=now).update(
        locked_until=min(now + lease(), claim.until), holder=claim.holder
    )
    try:
        yield claim if got == 1 else None
    finally:
        if got == 1:
            claim.release()


def runs_mark_lost() -> int:
    """Mark lost the runs still "running" whose heartbeat is older than one lease: their worker
    died. Returns how many."""
    cutoff = timezone.now() - lease()
    stale = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    return (
        TaskRun.objects.filter(outcome=TaskOutcome.RUNNING)
        .filter(stale)
        .update(outcome=TaskOutcome.LOST, detail=LOST)
    )


def recorded(task: str, function: Callable[[], dict], *, claim: timedelta | None = None) -> TaskRun:
    """Run a job and record it (task, start, end, outcome, counts); with `claim`, only one run
    at a time, none holding the claim longer than `claim`. The run's heartbeat (and claim) is
    renewed while it works."""
    runs_mark_lost()
    now = timezone.now()
    run = TaskRun.objects.create(
        task=task, started_at=now, heartbeat_at=now, outcome=TaskOutcome.RUNNING
    )
    held: list[Claim] = []

    def beat() -> None:
        TaskRun.objects.filter(pk=run.pk, outcome=TaskOutcome.RUNNING).update(
            heartbeat_at=timezone.now()
        )
        for claim_held in held:
            claim_held.renew()

    try:
        with Heartbeat(beat):
            if claim is None:
                counts = function()
            else:
                with claimed(task, ttl=claim) as got:
                    if got is None:
                        run.outcome, run.finished_at = TaskOutcome.SKIPPED, timezone.now()
                        run.save(update_fields=["outcome", "finished_at"])
                        return run
                    held.append(got)
                    counts = function()
                    held.clear()
    except Exception as error:
        run.outcome, run.finished_at = TaskOutcome.FAILED, timezone.now()
        run.detail = f"{type(error).__name__}: {error}"[:2000]
        run.save(update_fields=["outcome", "finished_at", "detail"])
        raise
    run.outcome, run.finished_at, run.counts = TaskOutcome.OK, timezone.now(), counts
    run.save(update_fields=["outcome", "finished_at", "counts"])
    return run
