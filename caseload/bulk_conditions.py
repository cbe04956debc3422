"""Flag conditions and flag upkeep for a whole organisation at once, for the scheduled
recompute at national scale.

`jobs.team_conditions(team)` is the plain statement of the rules, one team at a time; this module
computes the same conditions for every team of an organisation (or a list of teams) with a fixed
number of queries, letting the database count and sum, and opens, updates and resolves flags in
bulk. The tests hold the two paths to the same answer.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from weighting import selectors as weighting
from weighting.models import CaseAssessment

from .choices import CaseStatus, FlagKind
from .jobs import Condition, RefreshResult, notify_flags_opened
from .models import Case, Flag, Team, Worker

# Extra bulk condition sources (overdue visits from participants) register here, like
# `jobs.EXTRA_CONDITIONS`: each takes an organisation id and optional team ids and returns
# {team id: [Condition, ...]}.
EXTRA_BULK_CONDITIONS: list = []

CHUNK = 5000


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


def worker_conditions(organisation_id, team_ids=None) -> dict[int, list[Condition]]:
    """Above promise and above bandwidth for every worker in post, by team."""
    workers = Worker.objects.in_post()
    if team_ids is None:
        workers = workers.filter(team__service__organisation_id=organisation_id)
    else:
        workers = workers.filter(team_id__in=team_ids)
    workers = [
        WorkerFacts(*row)
        for row in workers.order_by("team_id", "role", "name").values_list(*WorkerFacts._fields)
    ]
    rows = weighting.summed_loads(workers, organisation_id, team_ids=team_ids)
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
        if load.status == "above":
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
    end_of_today = weighting._end_of(timezone.localdate())
    stale_before = end_of_today - weighting.stale_after()
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


def organisation_conditions(organisation_id, team_ids=None) -> dict[int, list[Condition]]:
    """Every flag condition that holds now, by team, for the organisation's teams (or just
    `team_ids`): the same set as `jobs.team_conditions` gives team by team."""
    merged: dict[int, list[Condition]] = defaultdict(list)
    sources = [worker_conditions, case_conditions, assessment_conditions, *EXTRA_BULK_CONDITIONS]
    for source in sources:
        for team_id, conditions in source(organisation_id, team_ids).items():
            merged[team_id] += conditions
    return merged


@transaction.atomic
def flags_refresh_organisation(organisation_id, team_ids=None) -> RefreshResult:
    """Open flags for conditions that now hold and resolve those that cleared, for every team
    of the organisation (or `team_ids`), in bulk; managers and directors are notified of the
    flags that opened, team by team, as `jobs.flags_refresh_team` does."""
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


def _notify(flags: list[Flag]) -> None:
    if not flags:
        return
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(flags, "worker", "case")
    by_team: dict[int, list[Flag]] = defaultdict(list)
    for flag in flags:
        by_team[flag.team_id].append(flag)
    for team in Team.objects.filter(pk__in=list(by_team)).select_related("service"):
        notify_flags_opened(team=team, flags=by_team[team.pk])
