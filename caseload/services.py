"""Writes to cases and allocations. Every view, import and task calls these functions, so a
rule lives in one place. Each runs in a transaction and validates before it saves."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from weighting import selectors as weighting

from .choices import AllocationReason, CaseStatus
from .eligibility import ineligibility_reason
from .models import Allocation, Case, Team, User, Worker
from .recompute import request_team_recompute


class AllocationError(ValidationError):
    """An allocation that may not be made; the message says why."""


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
        status=CaseStatus.AWAITING_ALLOCATION,
        waiting_since=opened_on,
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
    """Change a case's type, need level or court work (the fields a form may change)."""
    allowed = {"case_type", "need_level", "court", "reference"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"case_update cannot change {', '.join(sorted(unknown))}")
    if not case.is_open:
        raise ValidationError("A closed case cannot be changed.")
    reweigh = [
        name
        for name in ("case_type", "need_level", "court")
        if name in changes and changes[name] != getattr(case, name)
    ]
    for name, value in changes.items():
        setattr(case, name, value)
    _save(case)
    if reweigh:
        from weighting.services import assessment_mark_needs_review

        _flag_if_holder_ineligible(case)
        request_team_recompute(case.team_id)
        labels = ", ".join(str(Case._meta.get_field(name).verbose_name) for name in reweigh)
        assessment_mark_needs_review(case=case, reason=f"Changed: {labels}")
    return case


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
    current = case.allocations.filter(ended_on__isnull=True).first()
    if current:
        if closed_on < current.started_on:
            raise ValidationError(
                {"closed_on": "The case cannot close before its current holder took it on."}
            )
        current.ended_on = closed_on
        _save(current)
    case.status = CaseStatus.CLOSED
    case.closed_on = closed_on
    case.closure_reason = reason
    case.needs_reallocation = False
    _save(case)
    request_team_recompute(case.team_id)
    return case


def _load_after(case: Case, worker: Worker):
    """The worker's load if they also held this case (read inside the caller's locks)."""
    organisation_id = case.team.service.organisation_id
    weight = weighting.case_weights([case.pk], organisation_id)[case.pk]
    points = weighting.estimated_points(case, weight)
    row = weighting.worker_loads([worker], organisation_id)[worker.pk]
    return row.load, points


def check_allocation(case: Case, worker: Worker, *, override_reason: str, on: date) -> None:
    """Refuse an ineligible holder; ask for a written reason to go above promise or bandwidth."""
    reason = ineligibility_reason(
        case_type=case.case_type,
        need_level=case.need_level,
        court=case.court,
        role=worker.role,
        qualified=worker.qualified,
    )
    if reason:
        raise AllocationError(f"{worker.name} cannot hold this case: {reason}")
    if worker.leave_date and worker.leave_date < on:
        raise AllocationError(f"{worker.name} has left.")
    load, points = _load_after(case, worker)
    above = []
    if load.open_cases + 1 > load.promise:
        above.append(
            f"their caseload promise ({load.open_cases + 1} cases, promise {load.promise})"
        )
    if load.weighted_load + points > load.capacity:
        above.append(
            f"their bandwidth ({load.weighted_load + points} points, capacity {load.capacity})"
        )
    if above and not override_reason.strip():
        raise OverrideNeeded(
            f"This would take {worker.name} above "
            + " and ".join(above)
            + ". Give a reason to override."
        )


class OverrideNeeded(AllocationError):
    """The allocation goes above promise or bandwidth and no override reason was given."""


@transaction.atomic
def allocation_create(
    *,
    case: Case,
    worker: Worker,
    by: User | None,
    reason: str = AllocationReason.NEW,
    started_on: date | None = None,
    note: str = "",
    override_reason: str = "",
    replacing: int | None = None,
    check: bool = True,
) -> Allocation:
    """Give a case to a worker, ending the current allocation if it is the one the caller saw
    (`replacing`, an allocation id). Locks the case row, then the worker row
    (SELECT ... FOR UPDATE), so of two managers allocating the same case only one succeeds,
    and two allocations to one worker are counted one after the other against their promise.
    `check=False` skips eligibility and load checks (imports of historical records only)."""
    started_on = started_on or timezone.localdate()
    case = Case.objects.select_for_update().select_related("team__service").get(pk=case.pk)
    worker = Worker.objects.select_for_update().select_related("team__service").get(pk=worker.pk)
    if not case.is_open:
        raise AllocationError("This case is closed and cannot be allocated.")
    if worker.team.service.organisation_id != case.team.service.organisation_id:
        raise AllocationError("The worker belongs to another organisation.")
    current = case.allocations.select_related("worker").filter(ended_on__isnull=True).first()
    if current and current.worker_id == worker.pk:
        raise AllocationError(f"This case is already allocated to {worker.name}.")
    if current and current.pk != replacing:
        raise AllocationError(f"This case is already allocated to {current.worker.name}.")
    if replacing and current is None:
        raise AllocationError("This case's allocation has changed since you looked; reload it.")
    if check:
        check_allocation(case, worker, override_reason=override_reason, on=started_on)
    if current:
        if started_on < current.started_on:
            raise AllocationError("The new allocation cannot start before the current one did.")
        current.ended_on = started_on
        _save(current)
    allocation = Allocation(
        case=case,
        worker=worker,
        started_on=started_on,
        reason=reason,
        made_by=by,
        note=note,
        override_reason=override_reason.strip(),
    )
    _save(allocation)
    case.status = CaseStatus.ALLOCATED
    case.needs_reallocation = False
    case.waiting_since = None
    _save(case)
    for team_id in {case.team_id, worker.team_id, current.worker.team_id if current else None}:
        if team_id:
            request_team_recompute(team_id)
    return allocation


@transaction.atomic
def allocations_move(
    *,
    moves: list[tuple[Case, Worker]],
    by: User | None,
    reason: str,
    note: str = "",
    override_reason: str = "",
) -> list[Allocation]:
    """Move several cases at once (a leaver's caseload, a rebalance): every move or none.
    Each move is checked as a single allocation would be, in order."""
    made = []
    for case, worker in sorted(moves, key=lambda m: m[0].pk):  # lock order avoids deadlocks
        current = case.allocations.filter(ended_on__isnull=True).first()
        try:
            made.append(
                allocation_create(
                    case=case,
                    worker=worker,
                    by=by,
                    reason=reason,
                    note=note,
                    override_reason=override_reason,
                    replacing=current.pk if current else None,
                )
            )
        except AllocationError as error:
            raise AllocationError(f"Case {case.reference}: {error.message}") from error
    return made


@transaction.atomic
def reduction_create(
    *,
    worker: Worker,
    by: User | None,
    percent: int,
    reason: str,
    starts_on: date,
    ends_on: date | None = None,
    note: str = "",
):
    """Reduce a worker's capacity by a percentage over a date range."""
    from .models import CapacityReduction

    reduction = CapacityReduction(
        worker=worker,
        percent=percent,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
    )
    _save(reduction)
    return reduction


@transaction.atomic
def reduction_end(*, reduction, ends_on: date, by: User | None = None):
    """End a capacity reduction on a date (kept in history, never deleted)."""
    if ends_on < reduction.starts_on:
        raise ValidationError({"ends_on": "The reduction cannot end before it starts."})
    reduction.ends_on = ends_on
    _save(reduction)
    request_team_recompute(reduction.worker.team_id)
    return reduction


@transaction.atomic
def worker_update(*, worker: Worker, by: User | None = None, **changes) -> Worker:
    """Change a worker's FTE, experience, own caseload promise or leaving date (history kept)."""
    allowed = {"fte", "experience", "caseload_promise", "leave_date", "agency"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"worker_update cannot change {', '.join(sorted(unknown))}")
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    for name, value in changes.items():
        setattr(worker, name, value)
    _save(worker)
    request_team_recompute(worker.team_id)
    return worker


def _flag_if_holder_ineligible(case: Case) -> None:
    """Escalation: when the case rises past its holder's eligibility it joins the queue as
    "needs reallocation" (the holder keeps it until a qualified worker takes over)."""
    current = case.allocations.select_related("worker").filter(ended_on__isnull=True).first()
    if current is None:
        return
    reason = ineligibility_reason(
        case_type=case.case_type,
        need_level=case.need_level,
        court=case.court,
        role=current.worker.role,
        qualified=current.worker.qualified,
    )
    if reason and not case.needs_reallocation:
        case.needs_reallocation = True
        case.waiting_since = timezone.localdate()
        _save(case)
