"""Celery tasks for flags: thin wrappers that take ids, call a service and own their retries."""

from datetime import timedelta

from celery import shared_task

from . import services
from .runs import RETRY, recorded


@shared_task(name="caseload.recompute_team", **RETRY)
def recompute_team(team_id: int) -> dict:
    """Recompute one team's loads and flags (after a change; coalesced)."""
    run = recorded(
        "recompute_team",
        lambda: _team_counts(services.flags_refresh_team(team_id=team_id), team_id),
    )
    return run.counts


def _team_counts(result, team_id: int) -> dict:
    return {"team": team_id, "opened": len(result.opened), "resolved": result.resolved}


@shared_task(name="caseload.recompute_all", **RETRY)
def recompute_all() -> dict:
    """Recompute every team (the schedule); a second worker skips while one runs."""
    return recorded("recompute_all", services.recompute_all, claim=timedelta(minutes=30)).counts
