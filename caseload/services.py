"""Writes to cases and allocations. Every view, import and task calls these functions, so a
rule lives in one place. Each runs in a transaction and validates before it saves."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .choices import AllocationReason, CaseStatus
from .models import Allocation, Case, Team, User, Worker


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
    )
    if opened_on > timezone.localdate():
        raise ValidationError({"opened_on": "A case cannot open in the future."})
    _save(case)
    if not case.reference:
        case.reference = f"C{case.pk:07d}"
        case.save(update_fields=["reference"])
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
    return case


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
) -> Allocation:
    """Give a case to a worker, ending any current allocation. Locks the case and the worker
    rows (SELECT … FOR UPDATE) so two managers cannot allocate the same case at once."""
    started_on = started_on or timezone.localdate()
    case = Case.objects.select_for_update().get(pk=case.pk)
    worker = Worker.objects.select_for_update().select_related("team__service").get(pk=worker.pk)
    if not case.is_open:
        raise AllocationError("This case is closed and cannot be allocated.")
    if worker.team.service.organisation_id != case.team.service.organisation_id:
        raise AllocationError("The worker belongs to another organisation.")
    if worker.leave_date and worker.leave_date < started_on:
        raise AllocationError(f"{worker.name} has left.")
    current = case.allocations.select_related("worker").filter(ended_on__isnull=True).first()
    if current and current.worker_id == worker.pk:
        raise AllocationError(f"This case is already allocated to {worker.name}.")
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
        override_reason=override_reason,
    )
    _save(allocation)
    case.status = CaseStatus.ALLOCATED
    case.needs_reallocation = False
    _save(case)
    return allocation


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
    return worker
