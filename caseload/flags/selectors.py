"""Read paths for flags."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from caseload.core.models import Flag


def days_flagged(*, worker_id: int, kind: str, days: int = 90) -> int:
    """How many of the last `days` days the worker had an open flag of this kind."""
    now = timezone.now()
    start = now - timedelta(days=days)
    total = timedelta()
    for opened, resolved in (
        Flag.objects.filter(worker_id=worker_id, kind=kind)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=start))
        .values_list("opened_at", "resolved_at")
    ):
        total += (resolved or now) - max(opened, start)
    return round(total.total_seconds() / 86400)
