"""Background work asked for by name, after the transaction commits.

A task takes ids and calls a service, so tasks sit above services; a service that wants work
done in the background therefore names the task instead of importing it. Every task module is
listed once, in CELERY_IMPORTS (caseload/config/settings.py), and imported here on first use.
"""

import logging
from importlib import import_module

from celery import Task, current_app
from django.db import transaction

log = logging.getLogger(__name__)


def task(name: str) -> Task:
    """The registered task with this name (e.g. "caseload.recompute_team")."""
    app = current_app
    if name not in app.tasks:
        for module in app.conf.imports:
            import_module(module)
    return app.tasks[name]


def enqueue_after_commit(name: str, *ids: int) -> None:
    """Run the named task with these ids once the current transaction commits (never inside
    it, so the task sees what was written); ids only, never personal data. With the broker
    down the commit stands and the request still answers: the publish is tried once, the
    failure logged, and the work is picked up by whoever looks after it (an import that no
    worker received is marked stopped and can be checked again, caseload/imports/services.py)."""
    transaction.on_commit(lambda: _publish(name, ids), robust=True)


def _publish(name: str, ids: tuple) -> None:
    try:
        task(name).apply_async(args=ids, retry=False)
    except Exception:
        log.warning("Broker unavailable: %s%s not enqueued", name, ids, exc_info=True)
        if current_app.conf.task_always_eager:
            raise  # run in-process: the error is the task's own, not the broker's
