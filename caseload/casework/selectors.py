"""Read paths for the casework pages that bring several apps together: a worker's own
caseload with each case's visit status."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from caseload.core.history import HistoryRow, history_rows
from caseload.core.models import Allocation, Case, Flag, Team, Worker
from caseload.core.selectors import staffing_of, teams_with_staffing
from caseload.transfers.selectors import case_transfer_history
from participants.selectors import sort_by_due, with_visit_status
from weighting import loads
from weighting import selectors as weighting


def my_caseload(user, *, sort: str = "") -> list[Case]:
    """The open cases the user holds, each with `current` (their allocation) and `visit`
    (last seen, next visit due, days overdue), by name or, with sort="due", soonest due first.
    A fixed number of queries whatever the caseload."""
    held = (
        Allocation.objects.current()
        .filter(worker__user=user, case__in=Case.objects.open())
        .select_related("case__participant", "case__team", "worker")
        .order_by("case__participant__family_name", "case__participant__given_name")
    )
    cases = []
    for allocation in held:  # each case with the allocation it is held by, in one query
        allocation.case.current = allocation
        cases.append(allocation.case)
    with_visit_status(cases, organisation_id=user.organisation_id)
    return sort_by_due(cases) if sort == "due" else cases


def worker_for_user(user, pk: int) -> Worker:
    """A worker in a team the user may see, or 404."""
    return get_object_or_404(
        Worker.objects.visible_to(user).select_related("team__service", "user"), pk=pk
    )


def can_see_caseload(user, worker: Worker) -> bool:
    """A caseworker sees only their own caseload; managers and above, anyone's in their scope."""
    return not (user.is_caseworker and worker.user_id != user.pk)


def worker_caseload(worker: Worker) -> tuple[loads.LoadRow, list[Case]]:
    """The worker's load today and the cases they hold, oldest first, each with `weight`.
    A fixed number of queries."""
    organisation_id = worker.team.service.organisation_id
    row = loads.worker_loads([worker], organisation_id)[worker.pk]
    held = loads.held_case_ids([worker]).get(worker.pk, [])
    cases = list(
        Case.objects.filter(pk__in=held).select_related("participant").order_by("opened_on")
    )
    weights = weighting.case_weights(cases, organisation_id)
    for case in cases:
        case.weight = weights[case.pk]
    return row, cases


def case_changes(case: Case, assessments: list, labels: dict) -> list[HistoryRow]:
    """Everything that changed about a case, newest first: its own fields, before and after,
    each step of its transfers between teams, and each proposal and agreement of its factors,
    with what changed from the factors that counted before. `assessments` are
    `weighting.selectors.case_assessment_history` rows."""
    rows = history_rows(case.history.all(), hidden=("needs_reallocation", "waiting_since"))
    rows += case_transfer_history(case)
    counted: list = []
    for assessment in sorted(assessments, key=lambda a: (a.proposed_at, a.pk)):
        rows.append(
            HistoryRow(
                when=assessment.proposed_at,
                who=_name(assessment.proposed_by) or "An import",
                kind="Factors proposed",
                changes=_factor_changes(counted, assessment.proposed_choices, labels),
            )
        )
        counted = assessment.proposed_choices
        if assessment.is_agreed:
            amended = sorted(assessment.agreed_choices) != sorted(assessment.proposed_choices)
            note = f" ({assessment.agreement_note})" if assessment.agreement_note else ""
            rows.append(
                HistoryRow(
                    when=assessment.agreed_at,
                    who=_name(assessment.agreed_by) or "An import",
                    kind=("Factors amended and agreed" if amended else "Factors agreed") + note,
                    changes=_factor_changes(counted, assessment.agreed_choices, labels),
                )
            )
            counted = assessment.agreed_choices
    return sorted(rows, key=lambda row: row.when, reverse=True)


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _factor_changes(before: list, after: list, labels: dict) -> list[tuple[str, str, str]]:
    """(factor, options before, options after) for each factor whose options changed."""

    def by_factor(pairs):
        grouped: dict[str, list[str]] = {}
        for factor, option in sorted(pairs):
            grouped.setdefault(factor, []).append(labels.get((factor, option), (factor, option))[1])
        return grouped

    old, new = by_factor(before), by_factor(after)
    factor_label = {pair[0]: labels.get(pair, pair)[0] for pair in [*before, *after]}
    changed = [f for f in set(old) | set(new) if old.get(f) != new.get(f)]
    return [
        (factor_label[f], ", ".join(old.get(f, [])) or "—", ", ".join(new.get(f, [])) or "—")
        for f in sorted(changed, key=lambda f: factor_label[f])
    ]


def _per_team(rows) -> Coalesce:
    """How many of `rows` belong to the outer team, as a subquery (0 when none)."""
    counted = (
        rows.filter(team=OuterRef("pk")).order_by().values("team").annotate(n=Count("pk"))
    ).values("n")
    return Coalesce(Subquery(counted), 0)


def team_for_page(user, pk: int) -> Team:
    """A team the user may see, with its staffing (`staffing`, `headcount`), the size of its
    queue (`queue_size`) and its open flags (`open_flags`), in one query."""
    team = get_object_or_404(
        teams_with_staffing(user).annotate(
            queue_size=_per_team(Case.objects.in_queue()),
            open_flags=_per_team(Flag.objects.open()),
        ),
        pk=pk,
    )
    team.staffing = staffing_of(team)
    return team
