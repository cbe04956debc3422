"""Background work asked for by name, after the transaction commits.

A task takes ids and calls a service, so tasks sit above services; a service that wants work
done in the background therefore names the task instead of importing it. Every task module is
listed once, in CELERY_IMPORTS (caseload/config/settings.py), and imported here on first use.
"""

from importlib import import_module

from celery import Task, current_app
from django.db import transaction


def task(name: str) -> Task:
    """The registered task with this name (e.g. "caseload.recompute_team")."""
    app = current_app
    if name not in app.tasks:
        for module in app.conf.imports:
            import_module(module)
    return app.tasks[name]


def enqueue_after_commit(name: str, *ids: int) -> None:
    """Run the named task with these ids once the current transaction commits (never inside
    it, so the task sees what was written); ids only, never personal data."""
    transaction.on_commit(lambda: task(name).delay(*ids))
