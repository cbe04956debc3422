"""Celery tasks for reports: the daily snapshot (no arguments, so nothing personal to carry)."""

from datetime import timedelta

from celery import shared_task

from caseload.flags.runs import RETRY, recorded

from . import services


@shared_task(name="reports.snapshot_take", soft_time_limit=1800, time_limit=2000, **RETRY)
def snapshot_take() -> dict:
    """Take today's snapshot of every scope and worker; a second worker skips while one runs,
    and running it again the same day replaces the rows with the same figures."""
    return recorded(
        "snapshot_take", lambda: services.snapshot_take(), claim=timedelta(hours=1)
    ).counts


@shared_task(name="reports.snapshot_organisation", soft_time_limit=1800, time_limit=2000, **RETRY)
def snapshot_organisation(organisation_id: int) -> dict:
    """Work one organisation's figures out now (a director asked, from a dashboard)."""
    return recorded(
        "snapshot_organisation", lambda: services.snapshot_organisation(organisation_id)
    ).counts
