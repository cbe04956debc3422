"""Reads for supervision: each worker's status on a day (for pages, flags and the report) and
their records. A worker reads their own records; their team's managers and directors read
the team's."""

from datetime import date, timedelta

from django.db.models import Max, Q, QuerySet

from caseload.core.choices import MANAGER_ROLES, ExperienceBand
from caseload.core.models import Team, Worker

from . import rules
from .models import Supervision, SupervisionPlan

_FIELDS = (
    "pk",
    "team_id",
    "start_date",
    "experience",
    "supervision_plan__every_weeks",
    "supervision_plan__qualified_on",
    "last",
)


def _supervised(workers: QuerySet[Worker], on: date) -> QuerySet[Worker]:
    """The workers other than managers, each with their last supervision held by the day."""
    return workers.exclude(role__in=MANAGER_ROLES).annotate(
        last=Max("supervisions__held_on", filter=Q(supervisions__held_on__lte=on))
    )


def _statuses(
    workers: QuerySet[Worker], on: date
) -> dict[int, tuple[int, rules.SupervisionStatus]]:
    """{worker id: (team id, status)} from `_supervised` rows, in one query."""
    rows = workers.order_by("pk").values_list(*_FIELDS)
    return {
        pk: (
            team_id,
            rules.status(
                last_held_on=last,
                started_on=started,
                own=own,
                qualified_on=qualified_on,
                newly_qualified=experience == ExperienceBand.NEWLY_QUALIFIED,
                on=on,
            ),
        )
        for pk, team_id, started, experience, own, qualified_on, last in rows
    }


def overdue(workers: QuerySet[Worker], on: date) -> dict[int, tuple[int, rules.SupervisionStatus]]:
    """{worker id: (team id, status)} for the workers whose supervision is overdue on the day.
    The database lets out only those whose last supervision (or, with none, start) is older
    than the shortest frequency; the rule then decides with each worker's own frequency."""
    shortest = on - timedelta(weeks=rules.FIRST_YEAR_WEEKS)
    candidates = _supervised(workers, on).filter(
        Q(last__lt=shortest) | Q(last__isnull=True, start_date__lt=shortest)
    )
    return {pk: row for pk, row in _statuses(candidates, on).items() if row[1].overdue}


def statuses_for_teams(team_ids, on: date) -> dict[int, rules.SupervisionStatus]:
    """{worker id: supervision status on the day} for the teams' workers other than managers
    (a team manager's supervision is their head of service's business), in one query. Only
    supervisions held by the day count, so a past day gives that day's answer."""
    rows = _statuses(_supervised(Worker.objects.filter(team_id__in=list(team_ids)), on), on)
    return {pk: status for pk, (_, status) in rows.items()}


def status_of(worker: Worker, on: date) -> rules.SupervisionStatus | None:
    """One worker's status (None for a manager)."""
    row = _statuses(_supervised(Worker.objects.filter(pk=worker.pk), on), on).get(worker.pk)
    return row[1] if row else None


def plan_of(worker: Worker) -> SupervisionPlan:
    """The worker's plan, or an unsaved default one."""
    return SupervisionPlan.objects.filter(worker=worker).first() or SupervisionPlan(worker=worker)


def worker_supervisions(worker: Worker) -> QuerySet[Supervision]:
    """A worker's supervisions, newest first, with the cases discussed and the actions."""
    return (
        Supervision.objects.filter(worker=worker)
        .select_related("supervisor")
        .prefetch_related("cases", "actions__owner")
        .order_by("-held_on", "-pk")
    )


def may_read(user, worker: Worker) -> bool:
    """The worker themselves, and whoever may change their team (its managers, directors)."""
    return (
        worker.user_id == user.pk
        or Team.objects.managed_by(user).filter(pk=worker.team_id).exists()
    )
