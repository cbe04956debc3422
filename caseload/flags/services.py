"""Flag upkeep: open flags for conditions that now hold, resolve those that cleared, in bulk;
acknowledge a flag. Idempotent: running a refresh twice changes nothing the second time."""

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from caseload.core import bulk
from caseload.core.models import Flag, Organisation, Team, User

from .conditions import organisation_conditions
from .notifications import notify_opened

CHUNK = 5000


@dataclass
class RefreshResult:
    """What one refresh did: the ids of the flags it opened, how many it resolved, how many it
    left open."""

    opened: list[int] = field(default_factory=list)
    resolved: int = 0
    still_open: int = 0


class Opened(NamedTuple):
    """A flag the refresh opened, as the notifications need it (no model instance for each of
    half a million on a first run)."""

    pk: int
    team_id: int
    kind: str
    worker_id: int | None
    case_id: int | None
    subject_key: str
    detail: str


def flags_refresh_team(*, team_id: int) -> RefreshResult:
    """Open flags for conditions that now hold and resolve those that cleared, for one team
    (the organisation-wide refresh for just this team: a fixed dozen or so queries)."""
    organisation_id = (
        Team.objects.filter(pk=team_id).values_list("service__organisation_id", flat=True).first()
    )
    if organisation_id is None:
        return RefreshResult()
    return flags_refresh_organisation(organisation_id, [team_id])


@transaction.atomic
def flags_refresh_organisation(organisation_id, team_ids=None) -> RefreshResult:
    """Open flags for conditions that now hold and resolve those that cleared, for every team
    of the organisation (or `team_ids`), in bulk, and record when (`Team.flags_computed_at`);
    managers and directors are notified of the flags that opened, team by team."""
    now = timezone.now()
    with _bulk_work():
        return _refresh(organisation_id, team_ids, now)


@contextmanager
def _bulk_work():
    """A refresh runs a few large queries once each and builds a few hundred thousand small
    tuples: PostgreSQL's just-in-time compilation costs more than it saves on those queries
    (0.2–0.5 s each at national size), and so do Python's collections of young objects
    (there are no cycles to find). Both are switched off for the refresh only."""
    jit = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
            jit = cursor.fetchone()[0]
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
    if jit is not None:  # after an error the transaction (or savepoint) undoes the setting
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('jit', %s, true)", [jit])


def _refresh(organisation_id, team_ids, now) -> RefreshResult:
    wanted = {
        (team_id, c.kind, c.subject_key): c
        for team_id, conditions in organisation_conditions(organisation_id, team_ids).items()
        for c in conditions
    }
    open_flags = Flag.objects.open()
    if team_ids is None:
        open_flags = open_flags.filter(team__service__organisation_id=organisation_id)
    else:
        open_flags = open_flags.filter(team_id__in=team_ids)
    result = RefreshResult()
    to_resolve, to_update = [], []
    for pk, team_id, kind, subject_key, detail in open_flags.values_list(
        "pk", "team_id", "kind", "subject_key", "detail"
    ):
        condition = wanted.pop((team_id, kind, subject_key), None)
        if condition is None:
            to_resolve.append(pk)
            continue
        result.still_open += 1
        if detail != condition.detail:
            to_update.append((pk, condition.detail))
    for start in range(0, len(to_resolve), CHUNK):
        result.resolved += Flag.objects.filter(
            pk__in=to_resolve[start : start + CHUNK], resolved_at__isnull=True
        ).update(resolved_at=now)
    bulk.update_column(Flag, "detail", to_update)
    teams = Team.objects.filter(service__organisation_id=organisation_id)
    (teams if team_ids is None else teams.filter(pk__in=team_ids)).update(flags_computed_at=now)
    # What is left of `wanted` holds and has no open flag yet.
    new = [
        (team_id, c.kind, c.worker_id, c.case_id, c.subject_key, c.detail)
        for (team_id, _, _), c in wanted.items()
    ]
    del wanted
    opened = _create(new, now)
    result.opened = [flag.pk for flag in opened]
    by_team: dict[int, list[Opened]] = defaultdict(list)
    for flag in opened:
        by_team[flag.team_id].append(flag)
    notify_opened(by_team)
    return result


NEW_COLUMNS = ["team_id", "kind", "worker_id", "case_id", "subject_key", "detail", "opened_at"]


def _create(rows: list[tuple], now) -> list[Opened]:
    """Insert new flags in bulk; if another run opened one of them a moment ago, insert one at
    a time and skip the ones the database refuses."""
    try:
        with transaction.atomic():
            ids = bulk.insert_rows_returning_ids(Flag, NEW_COLUMNS, [(*row, now) for row in rows])
        return [Opened(pk, *row) for pk, row in zip(ids, rows, strict=True)]
    except IntegrityError:
        pass
    created = []
    for row in rows:
        try:
            with transaction.atomic():
                flag = Flag.objects.create(**dict(zip(NEW_COLUMNS, (*row, now), strict=True)))
        except IntegrityError:
            continue
        created.append(Opened(flag.pk, *row))
    return created


def recompute_all() -> dict:
    """Refresh every team's flags, an organisation at a time, with the conditions computed
    for all its teams at once: a fixed number of queries rather than a dozen per team."""
    totals = {"teams": 0, "opened": 0, "resolved": 0, "open": 0}
    for organisation_id in Organisation.objects.values_list("pk", flat=True).order_by("pk"):
        result = flags_refresh_organisation(organisation_id)
        totals["opened"] += len(result.opened)
        totals["resolved"] += result.resolved
        totals["open"] += len(result.opened) + result.still_open
    totals["teams"] = Team.objects.count()
    return totals


@transaction.atomic
def flag_acknowledge(*, flag: Flag, by: User, note: str) -> Flag:
    """A manager acknowledges an open flag with a note; it stays open until its condition
    clears."""
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if not flag.is_open:
        raise ValidationError("This flag has already resolved.")
    flag.acknowledged_at = timezone.now()
    flag.acknowledged_by = by
    flag.acknowledgement_note = note.strip()
    flag.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
    return flag
