"""Background work as services: recompute a team's flags, recompute everything under a claim,
notify and send digests. Tasks in tasks.py are thin wrappers that pass ids.

Every function here is idempotent: running it twice changes nothing the second time.
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from weighting import selectors as weighting

from .choices import AccessRole, CaseStatus, FlagKind, TaskOutcome
from .models import Case, Flag, Notification, TaskLock, TaskRun, Team, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Condition:
    """A flag that should be open now: its kind, subject and a detail without personal data."""

    kind: str
    subject_key: str
    worker_id: int | None = None
    case_id: int | None = None
    detail: str = ""


@dataclass
class RefreshResult:
    """What one team's refresh did."""

    opened: list[Flag] = field(default_factory=list)
    resolved: int = 0
    still_open: int = 0


# Extra condition sources (e.g. overdue visits from participants) register here, so this
# module does not import them: each takes a team and returns Conditions.
EXTRA_CONDITIONS: list[Callable[[Team], list[Condition]]] = []


def team_conditions(team: Team) -> list[Condition]:
    """Every flag condition that holds now for the team's workers and cases."""
    today = timezone.localdate()
    rows, _ = weighting.team_loads(team)
    conditions = []
    for row in rows:
        load, key = row.load, f"worker:{row.worker.pk}"
        if load.above_promise:
            conditions.append(
                Condition(
                    FlagKind.ABOVE_PROMISE,
                    key,
                    worker_id=row.worker.pk,
                    detail=f"{load.open_cases} cases against a promise of {load.promise}",
                )
            )
        if load.status == "above":
            conditions.append(
                Condition(
                    FlagKind.ABOVE_BANDWIDTH,
                    key,
                    worker_id=row.worker.pk,
                    detail=f"{load.weighted_load} points against a capacity of {load.capacity}",
                )
            )
    waiting_days = settings.FLAG_UNALLOCATED_DAYS
    cases = list(
        Case.objects.open()
        .filter(team=team)
        .values("pk", "reference", "status", "opened_on", "waiting_since", "needs_reallocation")
    )
    for case in cases:
        key = f"case:{case['pk']}"
        since = case["waiting_since"] or case["opened_on"]
        if case["status"] == CaseStatus.AWAITING_ALLOCATION and (today - since).days > waiting_days:
            conditions.append(
                Condition(
                    FlagKind.UNALLOCATED_TOO_LONG,
                    key,
                    case_id=case["pk"],
                    detail=f"Case {case['reference']} waiting {(today - since).days} days",
                )
            )
        if case["needs_reallocation"]:
            conditions.append(
                Condition(
                    FlagKind.NEEDS_REALLOCATION,
                    key,
                    case_id=case["pk"],
                    detail=f"Case {case['reference']} needs a qualified holder",
                )
            )
    weights = weighting.case_weights([c["pk"] for c in cases], team.service.organisation_id)
    for case in cases:
        weight, key = weights[case["pk"]], f"case:{case['pk']}"
        if weight.needs_review:
            conditions.append(
                Condition(
                    FlagKind.ASSESSMENT_NEEDS_REVIEW,
                    key,
                    case_id=case["pk"],
                    detail=f"Case {case['reference']}: factors need review",
                )
            )
        elif weight.stale:
            conditions.append(
                Condition(
                    FlagKind.ASSESSMENT_STALE,
                    key,
                    case_id=case["pk"],
                    detail=f"Case {case['reference']}: factors agreed over "
                    f"{settings.ASSESSMENT_STALE_WEEKS} weeks ago",
                )
            )
    for source in EXTRA_CONDITIONS:
        conditions += source(team)
    return conditions


def flags_refresh_team(*, team_id: int) -> RefreshResult:
    """Open flags for conditions that now hold and resolve those that cleared: the
    organisation-wide path (`bulk_conditions`) for just this team, a fixed dozen or so queries
    (`flags_refresh_team_from_conditions` is the same, spelt out, and the tests hold them
    equal)."""
    from .bulk_conditions import flags_refresh_organisation

    organisation_id = (
        Team.objects.filter(pk=team_id).values_list("service__organisation_id", flat=True).first()
    )
    if organisation_id is None:
        return RefreshResult()
    return flags_refresh_organisation(organisation_id, [team_id])


@transaction.atomic
def flags_refresh_team_from_conditions(*, team_id: int) -> RefreshResult:
    """Open flags for conditions that now hold and resolve those that cleared, from
    `team_conditions`: the straightforward statement of the refresh."""
    team = Team.objects.select_related("service").filter(pk=team_id).first()
    result = RefreshResult()
    if team is None:
        return result
    now = timezone.now()
    wanted = {(c.kind, c.subject_key): c for c in team_conditions(team)}
    open_flags = {(f.kind, f.subject_key): f for f in Flag.objects.open().filter(team=team)}
    for key, flag in open_flags.items():
        if key in wanted:
            if flag.detail != wanted[key].detail:
                Flag.objects.filter(pk=flag.pk).update(detail=wanted[key].detail)
            result.still_open += 1
        else:
            Flag.objects.filter(pk=flag.pk, resolved_at__isnull=True).update(resolved_at=now)
            result.resolved += 1
    for key, condition in wanted.items():
        if key in open_flags:
            continue
        try:
            with transaction.atomic():
                flag = Flag.objects.create(
                    kind=condition.kind,
                    team=team,
                    worker_id=condition.worker_id,
                    case_id=condition.case_id,
                    subject_key=condition.subject_key,
                    detail=condition.detail,
                    opened_at=now,
                )
        except IntegrityError:  # another run opened it a moment ago
            continue
        result.opened.append(flag)
    if result.opened:
        notify_flags_opened(team=team, flags=result.opened)
    return result


def _recipients(team: Team) -> list[User]:
    """Managers of the team and directors of its organisation."""
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(managed_teams=team)
            | Q(role=AccessRole.DIRECTOR, organisation_id=team.service.organisation_id)
        )
        .distinct()
    )


def notify_flags_opened(*, team: Team, flags: list[Flag]) -> None:
    """In-app notifications for managers and directors; an email to the team's managers after
    the transaction commits. Messages name workers and case references, never participants."""
    recipients = _recipients(team)
    Notification.objects.bulk_create(
        [Notification(recipient=user, flag=flag) for user in recipients for flag in flags],
        ignore_conflicts=True,
    )
    managers = [u.email for u in recipients if u.role == AccessRole.MANAGER and u.email]
    if not managers:
        return
    lines = [f"- {flag.get_kind_display()}: {_subject(flag)} ({flag.detail})" for flag in flags]
    body = (
        f"New flags in {team.name}:\n\n"
        + "\n".join(lines)
        + f"\n\nSee them in Caseload: {reverse('team_flags', args=[team.pk])}\n"
    )
    subject = f"Caseload: {len(flags)} new flag{'s' if len(flags) != 1 else ''} in {team.name}"
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, managers, fail_silently=True)
    )


def _subject(flag: Flag) -> str:
    if flag.worker_id:
        return flag.worker.name
    return f"case {flag.case.reference}" if flag.case_id else flag.subject_key


@contextmanager
def claimed(name: str, *, ttl: timedelta):
    """Claim a named job with an atomic update; yields whether this run holds the claim.
    A second worker running the same job at the same time gets False and skips."""
    now = timezone.now()
    TaskLock.objects.get_or_create(name=name, defaults={"locked_until": now - timedelta(seconds=1)})
    got = (
        TaskLock.objects.filter(name=name, locked_until__lt=now).update(locked_until=now + ttl) == 1
    )
    try:
        yield got
    finally:
        if got:
            TaskLock.objects.filter(name=name).update(locked_until=timezone.now())


def recorded(task: str, function: Callable[[], dict], *, claim: timedelta | None = None) -> TaskRun:
    """Run a job and record it (task, start, end, outcome, counts); with `claim`, only one
    run at a time."""
    run = TaskRun.objects.create(task=task, started_at=timezone.now(), outcome=TaskOutcome.RUNNING)
    try:
        if claim is None:
            counts = function()
        else:
            with claimed(task, ttl=claim) as got:
                if not got:
                    run.outcome, run.finished_at = TaskOutcome.SKIPPED, timezone.now()
                    run.save(update_fields=["outcome", "finished_at"])
                    return run
                counts = function()
    except Exception as error:
        run.outcome, run.finished_at = TaskOutcome.FAILED, timezone.now()
        run.detail = f"{type(error).__name__}: {error}"[:2000]
        run.save(update_fields=["outcome", "finished_at", "detail"])
        raise
    run.outcome, run.finished_at, run.counts = TaskOutcome.OK, timezone.now(), counts
    run.save(update_fields=["outcome", "finished_at", "counts"])
    return run


def recompute_all() -> dict:
    """Refresh every team's flags, an organisation at a time, with the conditions computed
    for all its teams at once (`bulk_conditions`): the same flags as refreshing each team with
    `flags_refresh_team`, in a fixed number of queries rather than a dozen per team."""
    from .bulk_conditions import flags_refresh_organisation
    from .models import Organisation

    totals = {"teams": 0, "opened": 0, "resolved": 0, "open": 0}
    for organisation_id in Organisation.objects.values_list("pk", flat=True).order_by("pk"):
        result = flags_refresh_organisation(organisation_id)
        totals["opened"] += len(result.opened)
        totals["resolved"] += result.resolved
        totals["open"] += len(result.opened) + result.still_open
    totals["teams"] = Team.objects.count()
    return totals


def recompute_all_team_by_team() -> dict:
    """Refresh every team's flags one team at a time: the straightforward path, kept as the
    reference the bulk `recompute_all` is tested against."""
    totals = {"teams": 0, "opened": 0, "resolved": 0, "open": 0}
    for team_id in Team.objects.values_list("pk", flat=True).order_by("pk"):
        result = flags_refresh_team_from_conditions(team_id=team_id)
        totals["teams"] += 1
        totals["opened"] += len(result.opened)
        totals["resolved"] += result.resolved
        totals["open"] += len(result.opened) + result.still_open
    return totals


def send_digests() -> dict:
    """Email each manager and director who asked for it a digest of their open flags."""
    sent = 0
    for user in User.objects.filter(is_active=True, wants_daily_digest=True).exclude(email=""):
        flags = list(
            Flag.objects.open().visible_to(user).select_related("team", "worker", "case")[:200]
        )
        if not flags or user.role not in (AccessRole.MANAGER, AccessRole.DIRECTOR):
            continue
        lines = [
            f"- {f.team.name}: {f.get_kind_display()}: {_subject(f)} ({f.detail})" for f in flags
        ]
        send_mail(
            f"Caseload daily digest: {len(flags)} open flag{'s' if len(flags) != 1 else ''}",
            "Open flags in your teams:\n\n" + "\n".join(lines) + "\n",
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
            fail_silently=True,
        )
        sent += 1
    return {"digests": sent}


@transaction.atomic
def flag_acknowledge(*, flag: Flag, by: User, note: str) -> Flag:
    """A manager acknowledges an open flag with a note; it stays open until its condition
    clears."""
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if not flag.is_open:
        from django.core.exceptions import ValidationError

        raise ValidationError("This flag has already resolved.")
    flag.acknowledged_at = timezone.now()
    flag.acknowledged_by = by
    flag.acknowledgement_note = note.strip()
    flag.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
    return flag


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
