"""Writing snapshots: the day's figures for every scope and worker, replaced if taken again;
working an organisation's figures out now, in the background, when a director asks."""

import contextlib
from dataclasses import asdict
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from caseload.checkins.selectors import monthly_shares
from caseload.core.enqueue import enqueue_after_commit
from caseload.core.models import Organisation
from weighting import scoring

from . import figures as F
from .models import ScopeSnapshot, WorkerSnapshot
from .selectors import organisation_report, scope_team_ids

BATCH = 2000
LIVE_TASK = "reports.snapshot_organisation"  # reports/tasks.py
LIVE_MARKER_SECONDS = 15 * 60  # a run that died is forgotten after this, so it can be asked again


def _live_key(organisation_id: int) -> str:
    return f"live-figures:{organisation_id}"


def live_figures_request(organisation_id: int) -> None:
    """Work the organisation's figures out now, in the background: today's snapshot taken
    again (seconds at national size, too long for a request). Asking again while a run is
    working does nothing; the dashboards say it is working (`live_figures_working_since`)."""
    try:
        first = cache.add(
            _live_key(organisation_id), timezone.now().isoformat(), LIVE_MARKER_SECONDS
        )
    except Exception:  # noqa: BLE001 - without the cache nobody can coalesce: ask anyway
        first = True
    if first:
        enqueue_after_commit(LIVE_TASK, organisation_id)


def live_figures_working_since(organisation_id: int) -> datetime | None:
    """When the background run that is working the organisation's figures out was asked for,
    or None when none is."""
    try:
        value = cache.get(_live_key(organisation_id))
    except Exception:  # noqa: BLE001 - the cache is down: say nothing is working
        return None
    return datetime.fromisoformat(value) if value else None


def snapshot_organisation(organisation_id: int) -> dict:
    """Take today's snapshot of one organisation (asked for from its dashboard)."""
    try:
        return snapshot_take(organisation_ids=[organisation_id])
    finally:
        with contextlib.suppress(Exception):
            cache.delete(_live_key(organisation_id))


@transaction.atomic
def snapshot_take(*, on: date | None = None, organisation_ids=None) -> dict:
    """Take (or retake) the snapshot of every organisation on the date. Idempotent: a second
    run the same day replaces the rows with the same values."""
    on = on or timezone.localdate()
    organisations = Organisation.objects.order_by("pk")
    if organisation_ids is not None:
        organisations = organisations.filter(pk__in=organisation_ids)
    scopes = workers = 0
    for organisation in organisations:
        report = organisation_report(organisation, on)
        rows = [
            ScopeSnapshot(
                organisation=organisation,
                taken_on=on,
                scope=s.scope,
                scope_key=f"{s.scope}:{s.pk}",
                scope_name=s.name,
                figures=F.as_plain(s.figures),
                distribution=s.counts,
                parent_key=_parent_key(organisation, s),
                bins=None if s.scope == "team" else F.distribution(s.counts),
                checkins=_checkins(organisation, s, on),
            )
            for s in report.scopes()
        ]
        ScopeSnapshot.objects.bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["scope_key", "taken_on"],
            update_fields=[
                "scope_name",
                "figures",
                "distribution",
                "parent_key",
                "bins",
                "checkins",
                "taken_at",
            ],
        )
        staff = [
            WorkerSnapshot(
                worker_id=s.worker_id,
                team_id=s.team_id,
                taken_on=on,
                open_cases=s.open_cases,
                weighted_load=s.load.weighted_load,
                capacity=s.load.capacity,
                promise=s.load.promise,
                above_promise=s.load.above_promise,
                above_bandwidth=s.load.status is scoring.BandwidthStatus.ABOVE,
            )
            for s in report.staff
            if s.load is not None
        ]
        WorkerSnapshot.objects.bulk_create(
            staff,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["worker", "taken_on"],
            update_fields=[
                "team",
                "open_cases",
                "weighted_load",
                "capacity",
                "promise",
                "above_promise",
                "above_bandwidth",
            ],
        )
        scopes += len(rows)
        workers += len(staff)
    return {"date": on.isoformat(), "scopes": scopes, "workers": workers}


def _parent_key(organisation, scope) -> str | None:
    if scope.scope == "team":
        return f"service:{scope.service.pk}"
    return f"organisation:{organisation.pk}" if scope.scope == "service" else None


def _checkins(organisation, scope, on: date) -> list[dict] | None:
    """The organisation's or a service's check-in answers month by month, for its dashboard
    to read with the figures (one query each; at national size the organisation's are 100,000
    answers, too many to read in a request). A team's dashboard works its own out live."""
    if scope.scope == "team":
        return None
    return [
        {**asdict(row), "month": row.month.isoformat()}
        for row in monthly_shares(scope_team_ids(organisation, scope), on)
    ]


def month_ends(months: int, *, today: date | None = None) -> list[date]:
    """The last day of each of the previous `months` months, oldest first."""
    today = today or timezone.localdate()
    ends = []
    first = today.replace(day=1)
    for _ in range(months):
        last = first - timedelta(days=1)
        ends.append(last)
        first = last.replace(day=1)
    return list(reversed(ends))


def snapshot_backfill(*, months: int = 12, days: int = 0, today: date | None = None) -> dict:
    """Snapshots worked out from allocation history, for a new installation or the demo: each
    of the last `days` days (the workers' daily history: days above promise and bandwidth),
    the last day of each of the previous `months` months (the trends), and today."""
    today = today or timezone.localdate()
    daily = [today - timedelta(days=n) for n in range(days, 0, -1)]
    wanted = sorted({*month_ends(months, today=today), *daily, today})
    taken = [snapshot_take(on=day) for day in wanted]
    return {"days": len(taken), "scopes": sum(t["scopes"] for t in taken)}
