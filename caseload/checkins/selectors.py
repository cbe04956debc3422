"""Reads for check-ins. A note is private to the worker and their team's managers: the
selectors that return notes take the user and say whether they may read them."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Max, QuerySet
from django.utils import timezone

from caseload.core.access import manages_team
from caseload.core.models import Worker

from . import rules
from .choices import Manageability
from .models import CheckIn


def last_answered_on(worker: Worker) -> date | None:
    """The day of the worker's latest answer, or None."""
    return CheckIn.objects.filter(worker=worker).aggregate(last=Max("answered_on"))["last"]


def checkin_due(worker: Worker, today: date | None = None) -> bool:
    """Whether My caseload asks the worker "Is my caseload manageable?" today."""
    return rules.is_due(last_answered_on(worker), today or timezone.localdate())


def answered_today(worker: Worker, today: date | None = None) -> bool:
    return CheckIn.objects.filter(worker=worker, answered_on=today or timezone.localdate()).exists()


def may_read_notes(user, worker: Worker) -> bool:
    """The worker themselves and their team's managers read the notes; nobody else."""
    return worker.user_id == user.pk or manages_team(user, worker.team_id)


def worker_checkins(worker: Worker) -> QuerySet[CheckIn]:
    """A worker's answers, newest first (the caller decides who may read the notes)."""
    return CheckIn.objects.filter(worker=worker).order_by("-answered_on", "-pk")


def latest_answers(workers, on: date) -> dict[int, CheckIn]:
    """Each worker's latest answer that still counts on the day (`rules.COUNTS_FOR_DAYS`), in
    one query."""
    rows = CheckIn.objects.filter(
        worker__in=workers, answered_on__gte=rules.counts_since(on), answered_on__lte=on
    ).order_by("worker_id", "answered_on", "pk")
    return {row.worker_id: row for row in rows}


def latest_answer_by_worker(team_ids, on: date) -> dict[int, str]:
    """{worker id: latest answer that still counts on the day} for the workers of the teams, in
    one query: for the report's shares."""
    rows = (
        CheckIn.objects.filter(
            worker__team_id__in=list(team_ids),
            answered_on__gte=rules.counts_since(on),
            answered_on__lte=on,
        )
        .order_by("worker_id", "answered_on", "pk")
        .values_list("worker_id", "answer")
    )
    return dict(rows)


@dataclass(frozen=True)
class MonthShares:
    """One month's answers: how many workers answered, and how many of them last said each."""

    month: date
    workers: int
    manageable: int
    stretched: int
    unmanageable: int

    def share(self, count: int) -> float | None:
        return round(count / self.workers, 3) if self.workers else None

    @property
    def share_manageable(self) -> float | None:
        return self.share(self.manageable)

    @property
    def share_stretched(self) -> float | None:
        return self.share(self.stretched)

    @property
    def share_unmanageable(self) -> float | None:
        return self.share(self.unmanageable)


def monthly_shares(team_ids, on: date, *, months: int = 12) -> list[MonthShares]:
    """Month by month over the last `months` months to the day: of the workers of the teams who
    answered in the month, how many last said manageable, stretched and unmanageable. One
    query."""
    first = _months_back(on.replace(day=1), months - 1)
    rows = (
        CheckIn.objects.filter(
            worker__team_id__in=list(team_ids), answered_on__gte=first, answered_on__lte=on
        )
        .order_by("answered_on", "pk")
        .values_list("worker_id", "answered_on", "answer")
    )
    last: dict[date, dict[int, str]] = defaultdict(dict)
    for worker_id, answered_on, answer in rows:
        last[answered_on.replace(day=1)][worker_id] = answer
    result = []
    for index in range(months):
        month = _months_back(on.replace(day=1), months - 1 - index)
        answers = list(last.get(month, {}).values())
        result.append(
            MonthShares(
                month=month,
                workers=len(answers),
                manageable=answers.count(Manageability.MANAGEABLE),
                stretched=answers.count(Manageability.STRETCHED),
                unmanageable=answers.count(Manageability.UNMANAGEABLE),
            )
        )
    return result


def _months_back(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def team_checkins(team) -> QuerySet[CheckIn]:
    """Every answer by the team's workers, newest first (notes: `may_read_notes`)."""
    return CheckIn.objects.filter(worker__team=team).order_by("-answered_on", "worker__name")
