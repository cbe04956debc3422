"""Celery tasks: thin wrappers that take ids, call a service and own their retries."""

from datetime import timedelta

from celery import shared_task
from django.db import DatabaseError
from kombu.exceptions import OperationalError as BrokerError

from . import jobs

RETRY = {
    "autoretry_for": (DatabaseError, BrokerError),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task(name="caseload.recompute_team", **RETRY)
def recompute_team(team_id: int) -> dict:
    """Recompute one team's loads and flags (after a change; coalesced)."""
    run = jobs.recorded(
        "recompute_team",
        lambda: _team_counts(jobs.flags_refresh_team(team_id=team_id), team_id),
    )
    return run.counts


def _team_counts(result, team_id: int) -> dict:
    return {"team": team_id, "opened": len(result.opened), "resolved": result.resolved}


@shared_task(name="caseload.recompute_all", **RETRY)
def recompute_all() -> dict:
    """Recompute every team (the schedule); a second worker skips while one runs."""
    return jobs.recorded("recompute_all", jobs.recompute_all, claim=timedelta(minutes=30)).counts


@shared_task(name="caseload.send_digests", **RETRY)
def send_digests() -> dict:
    """Daily digest emails for managers and directors who asked for one."""
    return jobs.recorded("send_digests", jobs.send_digests, claim=timedelta(hours=1)).counts


@shared_task(name="caseload.import_check", acks_late=True)
def import_check(run_id: int) -> str:
    """Check an uploaded import (the dry run) and record what it found."""
    from .imports.services import import_run_check

    return import_run_check(run_id=run_id).status


@shared_task(name="caseload.import_commit", acks_late=True)
def import_commit(run_id: int) -> str:
    """Import a confirmed run, all or nothing; a second delivery finds it claimed and stops."""
    from .imports.services import import_run_commit

    return import_run_commit(run_id=run_id).status
