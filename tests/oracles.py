"""The straightforward, case-by-case statements of rules the product computes with the
database: the oracles the parity tests hold the product's one implementation to.

Nothing in the product imports this module. Each function here is the plain reading of a rule;
if a test finds the product and the oracle disagreeing, one of them has the rule wrong.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from caseload.core.choices import CaseStatus, FlagKind
from caseload.core.dates import end_of_day
from caseload.core.models import Allocation, Case, Flag, Team
from caseload.core.selectors import team_members
from caseload.flags.conditions import Condition
from caseload.flags.notifications import notify_flags_opened
from caseload.flags.services import RefreshResult
from participants import visits
from participants.models import Contact
from participants.selectors import visit_frequencies, with_visit_status
from weighting import loads, scoring
from weighting.loads import LoadRow
from weighting.selectors import case_weights, standard_kind, standards_for

# --- Loads ------------------------------------------------------------------------------------


def held_on(workers, on: date) -> dict[int, list[int]]:
    """Open case ids each worker held on the date, in one query."""
    allocations = Allocation.objects.filter(worker__in=workers, started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)
    )
    allocations = allocations.filter(
        Q(case__closed_on__isnull=True) | Q(case__closed_on__gt=on)
    ).exclude(case__status=CaseStatus.CLOSED, case__closed_on__isnull=True)
    held: dict[int, list[int]] = {}
    for worker_id, case_id in allocations.values_list("worker_id", "case_id"):
        held.setdefault(worker_id, []).append(case_id)
    return held


def worker_loads_case_by_case(
    workers,
    organisation_id,
    on: date | None = None,
    weights: dict | None = None,
) -> dict[int, LoadRow]:
    """Cases against promise and points against bandwidth for each worker on the date, case
    by case: who held what from allocation history, each case's weight from `case_weights`."""
    on = on or timezone.localdate()
    workers = list(workers)
    held = held_on(workers, on)
    if weights is None:
        weights = case_weights([c for ids in held.values() for c in ids], organisation_id, on)
    standards = standards_for(organisation_id)
    reductions = loads.reductions_for(workers)
    rows = {}
    for worker in workers:
        kind = standard_kind(worker)
        standard = standards[kind]
        band = scoring.Band(Decimal(standard.band_bottom), Decimal(standard.band_top))
        case_ids = held.get(worker.pk, [])
        load = scoring.worker_load(
            case_points=[weights[c].total for c in case_ids if c in weights],
            band=band,
            fte=worker.fte,
            reductions=reductions.get(worker.pk, []),
            on=on,
            default_promise=standard.caseload_promise,
            own_promise=worker.caseload_promise,
        )
        rows[worker.pk] = LoadRow(worker, load, band, kind)
    return rows


# --- Flag conditions and the refresh ------------------------------------------------------------


def team_conditions(team: Team) -> list[Condition]:
    """Every flag condition that holds now for the team's workers and cases."""
    today = timezone.localdate()
    members = list(team_members(team))
    by_worker = worker_loads_case_by_case(members, team.service.organisation_id)
    rows = [by_worker[m.pk] for m in members]
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
    weights = case_weights([c["pk"] for c in cases], team.service.organisation_id)
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
    conditions += visit_overdue_conditions(team)
    conditions += checkin_conditions(team) + supervision_conditions(team)
    return conditions


def visit_overdue_conditions(team: Team) -> list[Condition]:
    """A condition for every open case in the team whose statutory visit is overdue."""
    cases = list(Case.objects.open().filter(team=team).order_by("pk"))
    with_visit_status(cases, organisation_id=team.service.organisation_id)
    return [
        Condition(
            FlagKind.VISIT_OVERDUE,
            f"case:{case.pk}",
            case_id=case.pk,
            detail=f"Case {case.reference}: visit {case.visit.days_overdue} days overdue",
        )
        for case in cases
        if case.visit and case.visit.is_overdue
    ]


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
    opened: list[Flag] = []
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
        opened.append(flag)
    result.opened = [flag.pk for flag in opened]
    if opened:
        notify_flags_opened(team=team, flags=opened)
    return result


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


# --- Reports ------------------------------------------------------------------------------------


def overdue_visit_counts_case_by_case(teams, organisation_id, on: date) -> dict[int, int]:
    """Open cases per team whose statutory visit was overdue on the date (three queries),
    worked out case by case in Python: the plain statement the tests hold the other to."""
    frequencies = visit_frequencies(organisation_id)
    cases = list(
        Case.objects.open_on(on)
        .filter(team__in=teams)
        .values_list("pk", "team_id", "case_type", "opened_on")
    )
    last_seen = {
        row["case_id"]: timezone.localtime(row["last"]).date()
        for row in Contact.objects.current()
        .filter(case__team__in=teams, seen=True, occurred_at__lt=end_of_day(on))
        .values("case_id")
        .annotate(last=Max("occurred_at"))
    }
    counts: dict[int, int] = defaultdict(int)
    for pk, team_id, case_type, opened_on in cases:
        frequency = frequencies.get(case_type)
        if frequency is None:
            continue
        status = visits.visit_status(
            last_seen=last_seen.get(pk), opened_on=opened_on, frequency=frequency, today=on
        )
        if status.is_overdue:
            counts[team_id] += 1
    return counts


def checkin_conditions(team: Team) -> list[Condition]:
    """The check-in flags, worker by worker: the latest answer still counting is unmanageable,
    and the one before was too, or the load then was not above band."""
    from caseload.checkins.models import CheckIn
    from caseload.checkins.rules import counts_since

    since = counts_since(timezone.localdate())
    conditions = []
    for worker in team.workers.in_post():
        answers = list(CheckIn.objects.filter(worker=worker).order_by("-answered_on", "-pk")[:2])
        if not answers or answers[0].answer != "unmanageable" or answers[0].answered_on < since:
            continue
        last = answers[0]
        key = f"worker:{worker.pk}"
        if len(answers) == 2 and answers[1].answer == "unmanageable":
            conditions.append(
                Condition(
                    FlagKind.CHECKIN_UNMANAGEABLE_TWICE,
                    key,
                    worker_id=worker.pk,
                    detail="Unmanageable in the last two check-ins "
                    f"(latest {last.answered_on:%d/%m/%Y})",
                )
            )
        if last.bandwidth_status != "above":
            conditions.append(
                Condition(
                    FlagKind.CHECKIN_UNMANAGEABLE_IN_BAND,
                    key,
                    worker_id=worker.pk,
                    detail=f"Said unmanageable on {last.answered_on:%d/%m/%Y}; "
                    f"measured {last.bandwidth_status} band",
                )
            )
    return conditions


def supervision_conditions(team: Team) -> list[Condition]:
    """Supervision overdue, worker by worker, from their records and plan."""
    from caseload.core.choices import MANAGER_ROLES
    from caseload.supervision.models import Supervision, SupervisionPlan
    from caseload.supervision.rules import status

    today = timezone.localdate()
    conditions = []
    for worker in team.workers.in_post().exclude(role__in=MANAGER_ROLES):
        last = Supervision.objects.filter(worker=worker).order_by("-held_on").first()
        plan = SupervisionPlan.objects.filter(worker=worker).first()
        result = status(
            last_held_on=last.held_on if last else None,
            started_on=worker.start_date,
            own=plan.every_weeks if plan else None,
            qualified_on=plan.qualified_on if plan else None,
            newly_qualified=worker.experience == "newly_qualified",
            on=today,
        )
        if result.overdue:
            conditions.append(
                Condition(
                    FlagKind.SUPERVISION_OVERDUE,
                    f"worker:{worker.pk}",
                    worker_id=worker.pk,
                    detail=f"Supervision due {result.due_on:%d/%m/%Y} (every "
                    f"{result.every_weeks} weeks), {result.days_overdue} days overdue",
                )
            )
    return conditions


def team_cases_needing_attention_case_by_case(team: Team) -> set[int]:
    """The team's open cases whose weight, worked out case by case, is not settled: no factors,
    awaiting agreement, needing review or stale (the team page's list, before the database
    picked them)."""
    cases = list(Case.objects.open().filter(team=team))
    weights = case_weights(cases, team.service.organisation_id)
    return {
        case.pk
        for case in cases
        if (w := weights[case.pk]).awaiting_agreement
        or w.needs_review
        or w.stale
        or w.status == "none"
    }
