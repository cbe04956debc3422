"""Scheduled security jobs. Thin: each calls one service."""

from celery import shared_task

from . import services


@shared_task(name="security.retention_review_scan")
def retention_review_scan() -> int:
    """List closed cases past their retention period for review (deletes nothing)."""
    return services.retention_review_scan()
