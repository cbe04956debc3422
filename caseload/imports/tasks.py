"""Celery tasks for imports: take a run's id and call the service (which records the outcome)."""

from celery import shared_task

from .services import import_run_check, import_run_commit


@shared_task(name="caseload.import_check", acks_late=True)
def import_check(run_id: int) -> str:
    """Check an uploaded import (the dry run) and record what it found."""
    return import_run_check(run_id=run_id).status


@shared_task(name="caseload.import_commit", acks_late=True)
def import_commit(run_id: int) -> str:
    """Import a confirmed run, all or nothing; a second delivery finds it claimed and stops."""
    return import_run_commit(run_id=run_id).status
