"""Ask for a team's figures and flags to be recomputed after the current transaction commits.

A change to many teams at once (an import) asks for one recompute of the whole organisation
instead (`request_teams_recompute`): one set of queries for every team, where one task per team
would repeat them a thousand times at national size.

Changes coalesce: the first request for a team in a window enqueues one delayed task; the rest
find the window's marker in the cache and do nothing. Publishing is bounded (no retries, short
socket timeouts), so with Redis down a web request still returns quickly; the scheduled full
recompute picks the work up, so nothing is lost.
"""

import contextlib
import logging
import socket
from urllib.parse import urlparse

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from .enqueue import task

log = logging.getLogger(__name__)
RECOMPUTE_TEAM = "caseload.recompute_team"  # caseload/flags/tasks.py
RECOMPUTE_ORGANISATION = "caseload.recompute_organisation"
ONE_RECOMPUTE_ABOVE = 10  # teams changed at once: above this, one organisation-wide recompute


def request_team_recompute(team_id: int) -> None:
    """Recompute the team shortly after this transaction commits (never inside it)."""
    transaction.on_commit(lambda: _enqueue(RECOMPUTE_TEAM, team_id))


def request_teams_recompute(organisation_id: int, team_ids: set[int]) -> None:
    """Recompute these teams of one organisation after this transaction commits: a team at a
    time for a few (`ONE_RECOMPUTE_ABOVE`), the whole organisation at once for more."""
    if len(team_ids) > ONE_RECOMPUTE_ABOVE:
        transaction.on_commit(lambda: _enqueue(RECOMPUTE_ORGANISATION, organisation_id))
        return
    for team_id in sorted(team_ids):
        request_team_recompute(team_id)


def _broker_reachable() -> bool:
    """A quick TCP check of the broker (a quarter of a second at most), because a client
    library's own connection retries can take seconds when Redis is down."""
    app = current_app
    if app.conf.task_always_eager:
        return True
    url = urlparse(app.conf.broker_url or "")
    if url.scheme not in ("redis", "rediss", "amqp"):
        return True
    port = url.port or (6379 if url.scheme.startswith("redis") else 5672)
    try:
        socket.create_connection((url.hostname or "127.0.0.1", port), timeout=0.25).close()
    except OSError:
        return False
    return True


def _enqueue(name: str, subject_id: int) -> bool:
    what = "team" if name == RECOMPUTE_TEAM else "organisation"
    if not _broker_reachable():
        log.warning("Broker unreachable: %s %s left to the scheduled recompute", what, subject_id)
        return False
    key = f"recompute-pending:{'' if what == 'team' else 'o'}{subject_id}"
    window = settings.RECOMPUTE_COALESCE_SECONDS
    try:
        if not cache.add(key, 1, timeout=window):
            return False
    except Exception:  # noqa: BLE001 - the cache is Redis too; the schedule will catch up
        log.warning("Cache unavailable: %s %s left to the scheduled recompute", what, subject_id)
        return False
    try:
        task(name).apply_async(args=[subject_id], countdown=window, retry=False)
    except Exception:  # noqa: BLE001 - broker down: the scheduled recompute will catch up
        log.warning("Broker unavailable: %s %s left to the scheduled recompute", what, subject_id)
        with contextlib.suppress(Exception):
            cache.delete(key)
        return False
    return True
