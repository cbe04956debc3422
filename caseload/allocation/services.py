"""Writes to allocations: give a case to a worker, move many at once, end a holding, and the
bulk form the import uses. Every path that changes who holds a case comes through here, so the
rules (eligibility, promise and bandwidth, one current holder, the case's place in the queue)
live in one place."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from caseload.core import bulk
from caseload.core.choices import AllocationReason, OverrideReason
from caseload.core.eligibility import ineligibility_reason
from caseload.core.models import Allocation, Case, User, Worker
from caseload.core.recompute import request_team_recompute
from caseload.exclusions.selectors import is_excluded
from weighting import loads, scoring
from weighting import selectors as weighting

from . import rules


class AllocationError(ValidationError):
    """An allocation that may not be made; the message says why."""


def _save(instance) -> None:
    instance.full_clean()
    instance.save()


def _assign(instance, values: dict) -> None:
    for name, value in values.items():
        setattr(instance, name, value)


def _load_after(case: Case, worker: Worker) -> tuple[scoring.WorkerLoad, int]:
    """The worker's load if they also held this case (read inside the caller's locks), and the
    case's points."""
    organisation_id = case.team.service.organisation_id
    weight = weighting.case_weights([case.pk], organisation_id)[case.pk]
    points = weighting.estimated_points(case, weight)
    row = loads.worker_loads([worker], organisation_id)[worker.pk]
    return row.after(points), points


def override_category_of(category: str, text: str) -> str:
    """The override reason from the list; words alone (an older caller, a script) count as
    "Other"."""
    if category:
        return category
    return OverrideReason.OTHER if text.strip() else ""


def check_allocation(
    case: Case, worker: Worker, *, override_reason: str, on: date, override_category: str = ""
) -> None:
    """Refuse an ineligible or excluded holder; ask for an override reason from the list (and
    words, for "Other") to go above promise or bandwidth."""
    reason = ineligibility_reason(
        case_type=case.case_type,
        need_level=case.need_level,
        court=case.court,
        role=worker.role,
        qualified=worker.qualified,
        excluded=is_excluded(case, worker),
    )
    if reason:
        raise AllocationError(f"{worker.name} cannot hold this case: {reason}")
    if worker.leave_date and worker.leave_date < on:
        raise AllocationError(f"{worker.name} has left.")
    after, _ = _load_after(case, worker)
    above = []
    if after.above_promise:
        above.append(f"their caseload promise ({after.open_cases} cases, promise {after.promise})")
    if after.status is scoring.BandwidthStatus.ABOVE:
        above.append(f"their bandwidth ({after.weighted_load} points, capacity {after.capacity})")
    category = override_category_of(override_category, override_reason)
    if above and not category:
        raise OverrideNeeded(
            f"This would take {worker.name} above "
            + " and ".join(above)
            + ". Give a reason to override."
        )
    if above and category == OverrideReason.OTHER and not override_reason.strip():
        raise OverrideNeeded("Say more about the override when its reason is “Other”.")


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
    override_category: str = "",
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
    current = case.allocations.current().select_related("worker").first()
    if current and current.worker_id == worker.pk:
        raise AllocationError(f"This case is already allocated to {worker.name}.")
    if current and current.pk != replacing:
        raise AllocationError(f"This case is already allocated to {current.worker.name}.")
    if replacing and current is None:
        raise AllocationError("This case's allocation has changed since you looked; reload it.")
    if check:
        check_allocation(
            case,
            worker,
            override_reason=override_reason,
            override_category=override_category,
            on=started_on,
        )
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
        override_category=override_category_of(override_category, override_reason),
    )
    _save(allocation)
    _assign(case, rules.queue_state(held=True))
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
    override_category: str = "",
) -> list[Allocation]:
    """Move several cases at once (a leaver's caseload, a rebalance): every move or none.
    Each move is checked as a single allocation would be, in order."""
    made = []
    for case, worker in sorted(moves, key=lambda m: m[0].pk):  # lock order avoids deadlocks
        current = case.allocations.current().first()
        try:
            made.append(
                allocation_create(
                    case=case,
                    worker=worker,
                    by=by,
                    reason=reason,
                    note=note,
                    override_reason=override_reason,
                    override_category=override_category,
                    replacing=current.pk if current else None,
                )
            )
        except AllocationError as error:
            raise AllocationError(f"Case {case.reference}: {error.message}") from error
    return made


@transaction.atomic
def allocation_end(*, allocation: Allocation, ended_on: date) -> Allocation:
    """End a holding on a day (the case closes, or moves on); the history is kept."""
    allocation.ended_on = ended_on
    _save(allocation)
    return allocation


def allocations_record(
    *,
    ends: list[Allocation],
    starts: list[Allocation],
    by: User | None,
    end_reason: str,
    start_reason: str,
) -> None:
    """The bulk form of ending and starting holdings, for the import: `ends` are current
    allocations with `ended_on` set, `starts` new ones; both are written with their history
    (`end_reason` and `start_reason` say why, in the history). The caller has checked
    eligibility and set each case's queue state with `rules.queue_state`, as
    `allocation_create` does one case at a time."""
    if ends:
        bulk_update_with_history(
            ends, Allocation, ["ended_on"], default_user=by, default_change_reason=end_reason
        )
    bulk.insert(Allocation, starts, history=True, user=by, reason=start_reason)


@transaction.atomic
def holder_eligibility_check(*, case: Case) -> None:
    """Escalation: when the case rises past its holder's eligibility it joins the queue as
    "needs reallocation" (the holder keeps it until a qualified worker takes over); when it
    comes back within it (need lowered again), it leaves the queue."""
    current = case.allocations.current().select_related("worker").first()
    if current is None:
        return
    reason = ineligibility_reason(
        case_type=case.case_type,
        need_level=case.need_level,
        court=case.court,
        role=current.worker.role,
        qualified=current.worker.qualified,
    )
    if bool(reason) == case.needs_reallocation:
        return
    since = timezone.localdate() if reason else None
    _assign(
        case, rules.queue_state(held=True, needs_reallocation=bool(reason), waiting_since=since)
    )
    _save(case)
