"""Flag upkeep: open flags for conditions that now hold, resolve those that cleared, in bulk;
acknowledge a flag. Idempotent: running a refresh twice changes nothing the second time."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from caseload.core.models import Flag, Organisation, Team, User

from .conditions import organisation_conditions
from .notifications import notify_flags_opened

CHUNK = 5000


@dataclass
class RefreshResult:
    """What one team's refresh did."""

    opened: list[Flag] = field(default_factory=list)
    resolved: int = 0
    still_open: int = 0


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
    to_resolve, to_update, present = [], [], set()
    for pk, team_id, kind, subject_key, detail in open_flags.values_list(
        "pk", "team_id", "kind", "subject_key", "detail"
    ):
        key = (team_id, kind, subject_key)
        condition = wanted.get(key)
        if condition is None:
            to_resolve.append(pk)
            continue
        present.add(key)
        result.still_open += 1
        if detail != condition.detail:
            to_update.append(Flag(pk=pk, detail=condition.detail))
    for start in range(0, len(to_resolve), CHUNK):
        result.resolved += Flag.objects.filter(
            pk__in=to_resolve[start : start + CHUNK], resolved_at__isnull=True
        ).update(resolved_at=now)
    Flag.objects.bulk_update(to_update, ["detail"], batch_size=1000)
    teams = Team.objects.filter(service__organisation_id=organisation_id)
    (teams if team_ids is None else teams.filter(pk__in=team_ids)).update(flags_computed_at=now)
    new = [
        Flag(
            kind=c.kind,
            team_id=team_id,
            worker_id=c.worker_id,
            case_id=c.case_id,
            subject_key=c.subject_key,
            detail=c.detail,
            opened_at=now,
        )
        for (team_id, _, _), c in wanted.items()
        if (team_id, c.kind, c.subject_key) not in present
    ]
    result.opened = _create(new)
    _notify(result.opened)
    return result


def _create(flags: list[Flag]) -> list[Flag]:
    """Insert new flags in bulk; if another run opened one of them a moment ago, insert one at
    a time and skip the ones the database refuses."""
    try:
        with transaction.atomic():
            return Flag.objects.bulk_create(flags, batch_size=1000)
    except IntegrityError:
        pass
    created = []
    for flag in flags:
        try:
            with transaction.atomic():
                flag.pk = None
                flag.save(force_insert=True)
        except IntegrityError:
            continue
        created.append(flag)
    return created


NOTIFY_SLICE = 500  # flags whose worker and case are read in one query


def _notify(flags: list[Flag]) -> None:
    if not flags:
        return
    # In slices: SQLite refuses one query naming hundreds of thousands of ids (the first
    # recompute after a national import opens that many flags).
    for start in range(0, len(flags), NOTIFY_SLICE):
        prefetch_related_objects(flags[start : start + NOTIFY_SLICE], "worker", "case")
    by_team: dict[int, list[Flag]] = defaultdict(list)
    for flag in flags:
        by_team[flag.team_id].append(flag)
    for team in Team.objects.filter(pk__in=list(by_team)).select_related("service"):
        notify_flags_opened(team=team, flags=by_team[team.pk])


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
