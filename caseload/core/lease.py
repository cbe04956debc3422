"""A heartbeat for long work, so that work whose process died is known to have stopped.

While a job runs, a thread renews a timestamp on the job's row every few seconds, on a database
connection of its own (the job's connection may be inside a long transaction that nobody else
can see). When the process is killed, its host is lost or its database link drops, the
renewals stop and the row goes stale within one lease: a scheduled job's claim lapses, a
background run is marked lost and an import is marked failed (caseload/flags/runs.py,
caseload/imports/services.py). Nothing is renewed past the lease if the work is alive but the
database is not: that is a stopped job too.
"""

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)


def lease() -> timedelta:
    """How long a job's row may go without a heartbeat before it counts as stopped."""
    return timedelta(seconds=settings.TASK_LEASE_SECONDS)


class Heartbeat:
    """Call `beat()` every `every` seconds (a quarter of the lease by default) in a thread
    while the `with` block runs; `beat` does its own small UPDATE. A beat that fails is logged
    and tried again next time: missing beats is how a dead job shows."""

    def __init__(self, beat: Callable[[], object], *, every: float | None = None):
        self.beat = beat
        self.every = every if every is not None else settings.TASK_LEASE_SECONDS / 4
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        # A beat stuck on a silent database must not hold the job up: it is a daemon thread.
        self.thread.join(timeout=1)

    def _run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    self.beat()
                except Exception:  # noqa: BLE001 - a missed beat is the signal, not a crash
                    log.warning("heartbeat missed", exc_info=True)
                    connection.close()  # this thread's own connection; the next beat reconnects
        finally:
            connection.close()
