"""The daily digest task (CELERY_BEAT_SCHEDULE "daily-digests"): a thin wrapper with a claim,
so two beats or workers never send it twice."""

from datetime import timedelta

from celery import shared_task

from caseload.flags.runs import RETRY, recorded

from . import services


@shared_task(name="caseload.send_digests", **RETRY)
def send_digests() -> dict:
    """Daily digest emails for managers and directors who asked for one."""
    return recorded("send_digests", services.digests_send, claim=timedelta(hours=1)).counts
