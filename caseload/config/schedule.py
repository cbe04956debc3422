"""The beat schedule run inside the web process, for the embedded default (no Redis, so no
worker and no beat): without it the demo would never refresh its flags or take its snapshots.

`wsgi.py` starts one daemon thread when EMBEDDED_SCHEDULE is on. Each entry of
CELERY_BEAT_SCHEDULE runs when its schedule says it is due, through the task itself (`apply()`,
in this thread), so its run is recorded and its claim held exactly as under a real beat.
"""

import logging
import threading
import time
from datetime import datetime

from celery import current_app
from celery.schedules import maybe_schedule
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from caseload.core.enqueue import task

log = logging.getLogger(__name__)
TICK_SECONDS = 30


def run_due(last_run: dict[str, datetime], now: datetime | None = None) -> list[str]:
    """Run every schedule entry that is due, given when each last ran (updated in place; an
    entry never seen counts as just run, as beat does at start-up). Returns the entries run."""
    now = now or timezone.now()
    ran = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        schedule = maybe_schedule(entry["schedule"], app=current_app)
        last = last_run.setdefault(name, now)
        if not schedule.is_due(last).is_due:
            continue
        last_run[name] = now
        try:
            task(entry["task"]).apply(throw=False)
        finally:
            close_old_connections()
        ran.append(name)
    return ran


def _forever() -> None:
    last_run: dict[str, datetime] = {}
    while True:
        try:
            run_due(last_run)
        except Exception:  # noqa: BLE001 - the schedule must outlive one bad run; it is logged
            log.exception("embedded schedule: a run failed")
        time.sleep(TICK_SECONDS)


def start() -> threading.Thread | None:
    """Start the schedule in a daemon thread when EMBEDDED_SCHEDULE is on."""
    if not settings.EMBEDDED_SCHEDULE:
        return None
    thread = threading.Thread(target=_forever, name="embedded-schedule", daemon=True)
    thread.start()
    log.info("Embedded schedule started: %s", ", ".join(settings.CELERY_BEAT_SCHEDULE))
    return thread
