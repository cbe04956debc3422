"""Flag conditions: what should be open now, computed for every team of an organisation (or a
list of teams) at once, with the database counting, summing and filtering so that only the
workers and cases that meet a condition leave it.

Each builder takes an organisation id and optional team ids and returns {team id: [Condition]}.
They are listed in `BUILDERS`, the one place that says which flags exist. The straightforward
team-by-team statement of the same rules is the tests' oracle (`tests/oracles.py`).
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from caseload.checkins import rules as checkin_rules
from caseload.checkins.choices import Manageability
from caseload.checkins.models import CheckIn
from caseload.core.choices import CaseStatus, FlagKind
from caseload.core.dates import end_of_day
from caseload.core.models import Case, Worker
from caseload.supervision.selectors import overdue as supervision_overdue
from participants import visits
from participants.selectors import overdue_visit_cases
from weighting import loads
from weighting.models import CaseAssessment
from weighting.scoring import BandwidthStatus
from weighting.selectors import stale_after


class Condition(NamedTuple):
    """A flag that should be open now: its kind, subject and a detail without personal data.
    (A tuple: a first run builds half a million of them.)"""

    kind: str
    subject_key: str
    worker_id: int | None = None
    case_id: int | None = None
    detail: str = ""


class WorkerFacts(NamedTuple):
    """What a worker's load needs, without building a model instance for each of 25,000."""

    pk: int
    team_id: int
    role: str
    experience: str
    fte: Decimal
    caseload_promise: int | None


def _cases_in_scope(organisation_id, team_ids):
    cases = Case.objects.open()
    if team_ids is None:
        return cases.filter(team__service__organisation_id=organisation_id)
    return cases.filter(team_id__in=team_ids)


def _workers_in_scope(organisation_id, team_ids):
    workers = Worker.objects.in_post()
    if team_ids is None:
        return workers.filter(team__service__organisation_id=organisation_id)
    return workers.filter(team_id__in=team_ids)


def worker_conditions(organisation_id, team_ids=None) -> dict[int, list[Condition]]:
    """Above promise and above bandwidth for every worker in post, by team."""
    workers = [
        WorkerFacts(*row)
        for row in _workers_in_scope(organisation_id, team_ids)
        .order_by("team_id", "role", "name")
        .values_list(*WorkerFacts._fields)
    ]
    rows = loads.worker_loads(workers, organisation_id, team_ids=team_ids)
    conditions: dict[int, list[Condition]] = defaultdict(list)
    for worker in workers:
        load, key = rows[worker.pk].load, f"worker:{worker.pk}"
        if load.above_promise:
            conditions[worker.team_id].append(
                Condition(
                    FlagKind.ABOVE_PROMISE,
                    key,
                    worker_id=worker.pk,
                    detail=f"{load.open_cases} cases against a promise of {load.promise}",
                )
            )
        if load.status is BandwidthStatus.ABOVE:
            conditions[worker.team_id].append(
                Condition(
                    FlagKind.ABOVE_BANDWIDTH,
                    key,
                    worker_id=worker.pk,
                    detail=f"{load.weighted_load} points against a capacity of {load.capacity}",
                )
            )
    return conditions


def case_conditions(organisation_id, team_ids=None) -> dict[int, list[Condition]]:
    """Waiting too long for allocation and needing reallocation: only the cases that meet a
    condition leave the database."""
    today = timezone.localdate()
    waiting_days = settings.FLAG_UNALLOCATED_DAYS
    cutoff = today - timedelta(days=waiting_days)
    rows = (
        _cases_in_scope(organisation_id, team_ids)
        .annotate(since=Coalesce(F("waiting_since"), F("opened_on")))
        .filter(
            Q(status=CaseStatus.AWAITING_ALLOCATION, since__lt=cutoff) | Q(needs_reallocation=True)
        )
        .order_by("pk")
        .values_list("pk", "team_id", "reference", "status", "since", "needs_reallocation")
    )
    conditions: dict[int, list[Condition]] = defaultdict(list)
    for pk, team_id, reference, status, since, needs_reallocation in rows:
        key = f"case:{pk}"
        if status == CaseStatus.AWAITING_ALLOCATION and (today - since).days > waiting_days:
            conditions[team_id].append(
                Condition(
                    FlagKind.UNALLOCATED_TOO_LONG,
                    key,
                    case_id=pk,
                    detail=f"Case {reference} waiting {(today - since).days} days",
                )
            )
        if needs_reallocation:
            conditions[team_id].append(
                Condition(
                    FlagKind.NEEDS_REALLOCATION,
                    key,
                    case_id=pk,
                    detail=f"Case {reference} needs a qualified holder",
                )
            )
    return conditions


def assessment_conditions(organisation_id, team_ids=None) -> dict[int, list[Condition]]:
    """Factors needing review, or agreed so long ago they are stale, on open cases."""
    stale_before = end_of_day(timezone.localdate()) - stale_after()
    assessments = CaseAssessment.objects.filter(is_current=True).exclude(
        case__status=CaseStatus.CLOSED
    )
    # Joined, not a subquery of cases in scope: only the few prompted rows meet the cases.
    if team_ids is None:
        assessments = assessments.filter(case__team__service__organisation_id=organisation_id)
    else:
        assessments = assessments.filter(case__team_id__in=team_ids)
    rows = (
        assessments.filter(Q(needs_review=True) | Q(agreed_at__lt=stale_before))
        .order_by("case_id")
        .values_list("case_id", "case__team_id", "case__reference", "needs_review")
    )
    conditions: dict[int, list[Condition]] = defaultdict(list)
    for case_id, team_id, reference, needs_review in rows:
        key = f"case:{case_id}"
        if needs_review:
            conditions[team_id].append(
                Condition(
                    FlagKind.ASSESSMENT_NEEDS_REVIEW,
                    key,
                    case_id=case_id,
                    detail=f"Case {reference}: factors need review",
                )
            )
        else:
            conditions[team_id].append(
                Condition(
                    FlagKind.ASSESSMENT_STALE,
                    key,
                    case_id=case_id,
                    detail=f"Case {reference}: factors agreed over "
                    f"{settings.ASSESSMENT_STALE_WEEKS} weeks ago",
                )
            )
    return conditions


def visit_conditions(organisation_id, team_ids=None) -> dict[int, list[Condition]]:
    """Statutory visits overdue on open cases: one query, only the overdue cases leave the
    database."""
    today = timezone.localdate()
    cases = _cases_in_scope(organisation_id, team_ids)
    overdue, frequencies = overdue_visit_cases(cases, organisation_id, today)
    rows = overdue.order_by("pk").values_list(
        "pk", "team_id", "reference", "case_type", "opened_on", "last_seen"
    )
    conditions: dict[int, list[Condition]] = defaultdict(list)
    for pk, team_id, reference, case_type, opened_on, last_seen_day in rows:
        status = visits.visit_status(
            last_seen=last_seen_day,
            opened_on=opened_on,
            frequency=frequencies[case_type],
            today=today,
        )
        if status.is_overdue:
            conditions[team_id].append(
                Condition(
                    FlagKind.VISIT_OVERDUE,
                    f"case:{pk}",
                    case_id=pk,
                    detail=f"Case {reference}: visit {status.days_overdue} days overdue",
                )
            )
    return conditions


def checkin_conditions(organisation_id, team_ids=None) -> dict[int, list[Condition]]:
    """ "Is my caseload manageable?": a worker whose latest answer (still counting, see
    `checkins.rules`) is unmanageable and whose answer before it was too, or who said
    unmanageable when their measured load was not above band. Only those workers leave the
    database."""
    since = checkin_rules.counts_since(timezone.localdate())
    # A worker answers at most once a day (a database constraint), so the day orders the
    # answers. Only an unmanageable answer that still counts and has none after it leaves the
    # database, with the answer before it.
    same_worker = CheckIn.objects.filter(worker=OuterRef("worker"))
    # (An answer after one that still counts still counts too: the bound only narrows the scan.)
    after = same_worker.filter(answered_on__gte=since, answered_on__gt=OuterRef("answered_on"))
    before = same_worker.filter(answered_on__lt=OuterRef("answered_on")).order_by("-answered_on")
    rows = (
        CheckIn.objects.filter(
            worker__in=_workers_in_scope(organisation_id, team_ids),
            answer=Manageability.UNMANAGEABLE,
            answered_on__gte=since,
        )
        .filter(~Exists(after))
        .annotate(previous_answer=Subquery(before.values("answer")[:1]))
        .filter(
            Q(previous_answer=Manageability.UNMANAGEABLE)
            | ~Q(bandwidth_status=BandwidthStatus.ABOVE)
        )
        .order_by("worker_id")
        .values_list(
            "worker_id", "worker__team_id", "answered_on", "bandwidth_status", "previous_answer"
        )
    )
    conditions: dict[int, list[Condition]] = defaultdict(list)
    for pk, team_id, last_on, last_status, previous_answer in rows:
        key = f"worker:{pk}"
        if previous_answer == Manageability.UNMANAGEABLE:
            conditions[team_id].append(
                Condition(
                    FlagKind.CHECKIN_UNMANAGEABLE_TWICE,
                    key,
                    worker_id=pk,
                    detail=f"Unmanageable in the last two check-ins (latest {last_on:%d/%m/%Y})",
                )
            )
        if last_status != BandwidthStatus.ABOVE:
            conditions[team_id].append(
                Condition(
                    FlagKind.CHECKIN_UNMANAGEABLE_IN_BAND,
                    key,
                    worker_id=pk,
                    detail=f"Said unmanageable on {last_on:%d/%m/%Y}; measured {last_status} band",
                )
            )
    return conditions


def supervision_conditions(organisation_id, team_ids=None) -> dict[int, list[Condition]]:
    """Supervision overdue (`supervision.rules`) for workers in post other than managers; only
    the candidates leave the database (`supervision.selectors.overdue`)."""
    rows = supervision_overdue(_workers_in_scope(organisation_id, team_ids), timezone.localdate())
    conditions: dict[int, list[Condition]] = defaultdict(list)
    for pk, (team_id, status) in rows.items():
        conditions[team_id].append(
            Condition(
                FlagKind.SUPERVISION_OVERDUE,
                f"worker:{pk}",
                worker_id=pk,
                detail=f"Supervision due {status.due_on:%d/%m/%Y} (every "
                f"{status.every_weeks} weeks), {status.days_overdue} days overdue",
            )
        )
    return conditions


BUILDERS = (
    worker_conditions,
    case_conditions,
    assessment_conditions,
    visit_conditions,
    checkin_conditions,
    supervision_conditions,
)


def organisation_conditions(organisation_id, team_ids=None) -> dict[int, list[Condition]]:
    """Every flag condition that holds now, by team, for the organisation's teams (or just
    `team_ids`)."""
    merged: dict[int, list[Condition]] = defaultdict(list)
    for source in BUILDERS:
        for team_id, conditions in source(organisation_id, team_ids).items():
            merged[team_id] += conditions
    return merged
