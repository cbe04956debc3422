"""Writes to cases and workers. Every view, import and task calls these functions, so a
rule lives in one place. Each runs in a transaction and validates before it saves."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caseload.allocation.rules import queue_state
from caseload.allocation.services import allocation_end, holder_eligibility_check
from caseload.core.choices import CaseStatus
from caseload.core.models import Case, Team, User, Worker
from caseload.core.recompute import request_team_recompute
from weighting import scoring
from weighting.selectors import default_promise
from weighting.services import assessment_follow_case, assessment_mark_needs_review


def _save(instance) -> None:
    instance.full_clean()
    instance.save()


@transaction.atomic
def case_create(
    *,
    participant,
    team: Team,
    case_type: str,
    need_level: str,
    court: str,
    opened_on: date,
    reference: str = "",
    expected_end: date | None = None,
    by: User | None = None,
) -> Case:
    """Open a case for a participant in a team; it waits in the team's queue."""
    if participant.organisation_id != team.service.organisation_id:
        raise ValidationError({"team": "The team belongs to another organisation."})
    case = Case(
        participant=participant,
        team=team,
        case_type=case_type,
        need_level=need_level,
        court=court,
        opened_on=opened_on,
        reference=reference,
        expected_end=expected_end,
        **queue_state(held=False, waiting_since=opened_on),
    )
    if opened_on > timezone.localdate():
        raise ValidationError({"opened_on": "A case cannot open in the future."})
    _save(case)
    if not case.reference:
        case.reference = f"C{case.pk:07d}"
        case.save(update_fields=["reference"])
    request_team_recompute(team.pk)
    return case


@transaction.atomic
def case_update(*, case: Case, by: User | None = None, **changes) -> Case:
    """Change a case's type, need level, court work or expected end (the fields a form may
    change)."""
    allowed = {"case_type", "need_level", "court", "reference", "expected_end"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"case_update cannot change {', '.join(sorted(unknown))}")
    case = Case.objects.select_for_update().get(pk=case.pk)  # compare with what is saved
    if not case.is_open:
        raise ValidationError("A closed case cannot be changed.")
    changed = [name for name, value in changes.items() if value != getattr(case, name)]
    if not changed:
        return case
    for name in changed:
        setattr(case, name, changes[name])
    _save(case)
    _case_consequences(case=case, changed=changed, by=by)
    return case


def _case_consequences(*, case: Case, changed: list[str], by: User | None) -> None:
    """What follows a change to what kind of case this is, in one place: the factors the case
    itself determines (type, court work) follow it as a new proposal for the supervisor to
    agree, and any other change of need marks the factors for review; the holder's eligibility
    is checked again (an ineligible holding joins the queue as "needs reallocation"); the
    team's figures and flags are recomputed."""
    kind = [name for name in ("case_type", "need_level", "court") if name in changed]
    if not kind:
        return
    labels = ", ".join(str(getattr(Case._meta.get_field(n), "verbose_name", n)) for n in kind)
    reason = f"Changed: {labels}"
    if not assessment_follow_case(case=case, by=by, reason=reason):
        assessment_mark_needs_review(case=case, reason=reason)
    holder_eligibility_check(case=case)
    request_team_recompute(case.team_id)


@transaction.atomic
def case_close(*, case: Case, closed_on: date, reason: str, by: User | None = None) -> Case:
    """Close a case with a reason, ending its current allocation on the same day."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ValidationError("This case is already closed.")
    if closed_on < case.opened_on:
        raise ValidationError({"closed_on": "A case cannot close before it opened."})
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": "A case cannot close in the future."})
    current = case.allocations.current().first()
    if current:
        if closed_on < current.started_on:
            raise ValidationError(
                {"closed_on": "The case cannot close before its current holder took it on."}
            )
        allocation_end(allocation=current, ended_on=closed_on)
    case.status = CaseStatus.CLOSED
    case.closed_on = closed_on
    case.closure_reason = reason
    case.needs_reallocation = False
    _save(case)
    request_team_recompute(case.team_id)
    return case


@transaction.atomic
def worker_update(*, worker: Worker, by: User | None = None, **changes) -> Worker:
    """Change a worker's FTE, experience, own caseload promise (with a reason when above the
    default) or leaving date (history kept)."""
    allowed = {
        "fte",
        "experience",
        "caseload_promise",
        "caseload_promise_reason",
        "leave_date",
        "agency",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"worker_update cannot change {', '.join(sorted(unknown))}")
    worker = Worker.objects.select_for_update().select_related("team__service").get(pk=worker.pk)
    for name, value in changes.items():
        setattr(worker, name, value)
    if worker.caseload_promise is None:
        worker.caseload_promise_reason = ""
    problem = scoring.own_promise_problem(
        worker.caseload_promise, default_promise(worker), worker.caseload_promise_reason
    )
    if problem:
        raise ValidationError(dict([problem]))
    _save(worker)
    request_team_recompute(worker.team_id)
    return worker
