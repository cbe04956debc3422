"""Background runs: each is recorded (task, start, end, outcome, counts), a scheduled one holds a
claim so a second worker skips it, and the tasks share one retry policy."""

from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

from django.db import DatabaseError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from caseload.core.choices import TaskOutcome
from caseload.core.models import TaskLock, TaskRun

RETRY = {
    "autoretry_for": (DatabaseError, BrokerError),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
    "acks_late": True,
}


@contextmanager
def claimed(name: str, *, ttl: timedelta):
    """Claim a named job with an atomic update; yields whether this run holds the claim.
    A second worker running the same job at the same time gets False and skips."""
    now = timezone.now()
    TaskLock.objects.get_or_create(name=name, defaults={"locked_until": now - timedelta(seconds=1)})
    got = (
        TaskLock.objects.filter(name=name, locked_until__lt=now).update(locked_until=now + ttl) == 1
    )
    try:
        yield got
    finally:
        if got:
            TaskLock.objects.filter(name=name).update(locked_until=timezone.now())


def recorded(task: str, function: Callable[[], dict], *, claim: timedelta | None = None) -> TaskRun:
    """Run a job and record it (task, start, end, outcome, counts); with `claim`, only one
    run at a time."""
    run = TaskRun.objects.create(task=task, started_at=timezone.now(), outcome=TaskOutcome.RUNNING)
    try:
        if claim is None:
            counts = function()
        else:
            with claimed(task, ttl=claim) as got:
                if not got:
                    run.outcome, run.finished_at = TaskOutcome.SKIPPED, timezone.now()
                    run.save(update_fields=["outcome", "finished_at"])
                    return run
                counts = function()
    except Exception as error:
        run.outcome, run.finished_at = TaskOutcome.FAILED, timezone.now()
        run.detail = f"{type(error).__name__}: {error}"[:2000]
        run.save(update_fields=["outcome", "finished_at", "detail"])
        raise
    run.outcome, run.finished_at, run.counts = TaskOutcome.OK, timezone.now(), counts
    run.save(update_fields=["outcome", "finished_at", "counts"])
    return run
