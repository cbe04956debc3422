"""Celery tasks for flags: thin wrappers that take ids, call a service and own their retries."""

from datetime import timedelta

from celery import shared_task

from weighting.services import reductions_advance as advance_reductions

from . import notifications, services
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


@shared_task(name="caseload.recompute_organisation", **RETRY)
def recompute_organisation(organisation_id: int) -> dict:
    """Recompute every team of one organisation at once (after an import changed many)."""
    run = recorded(
        "recompute_organisation",
        lambda: _organisation_counts(
            services.flags_refresh_organisation(organisation_id), organisation_id
        ),
    )
    return run.counts


def _organisation_counts(result, organisation_id: int) -> dict:
    return {
        "organisation": organisation_id,
        "opened": len(result.opened),
        "resolved": result.resolved,
        "open": len(result.opened) + result.still_open,
    }


@shared_task(name="caseload.recompute_all", **RETRY)
def recompute_all() -> dict:
    """Recompute every team (the schedule); a second worker skips while one runs."""
    return recorded("recompute_all", services.recompute_all, claim=timedelta(minutes=30)).counts


@shared_task(name="caseload.send_digests", **RETRY)
def send_digests() -> dict:
    """Daily digest emails for managers and directors who asked for one."""
    return recorded("send_digests", notifications.send_digests, claim=timedelta(hours=1)).counts


@shared_task(name="caseload.reductions_advance", **RETRY)
def reductions_advance() -> dict:
    """Move capacity reductions on (scheduled → in force → ended) as their days come, and ask
    for the recompute of the teams touched; a second worker skips while one runs."""
    return recorded("reductions_advance", advance_reductions, claim=timedelta(minutes=10)).counts
