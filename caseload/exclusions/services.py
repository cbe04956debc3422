"""Writes to exclusions: record one, remove one. Allocation reads them (caseload.allocation);
these services never move a case, so an exclusion of the worker who holds the case now is
refused until the case is reallocated."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caseload.core.models import Case, User, Worker

from .models import Exclusion


@transaction.atomic
def exclusion_create(
    *,
    case: Case,
    worker: Worker,
    whole_household: bool,
    reason: str,
    detail: str,
    by: User | None,
) -> Exclusion:
    """Record that `worker` must not hold `case` (or, with `whole_household`, any case of its
    household). Locks the case row (SELECT ... FOR UPDATE), as `allocation_create` does, so an
    allocation and an exclusion of the same case are made one after the other."""
    case = (
        Case.objects.select_for_update()
        .select_related("participant", "team__service")
        .get(pk=case.pk)
    )
    household_id = case.participant.household_id if whole_household else None
    if whole_household and household_id is None:
        raise ValidationError({"scope": "This person is not in a household: exclude the case."})
    if worker.team.service.organisation_id != case.team.service.organisation_id:
        raise ValidationError({"worker": "The worker belongs to another organisation."})
    cases = Case.objects.filter(pk=case.pk)
    if household_id:
        cases = Case.objects.filter(participant__household_id=household_id)
    held = cases.open().held_by(worker).values_list("reference", flat=True).first()
    if held is not None:
        raise ValidationError(
            {
                "worker": f"{worker.name} holds case {held} now: reallocate it first, then "
                "record the exclusion."
            }
        )
    in_force = Exclusion.objects.in_force().filter(worker=worker)
    already = in_force.filter(household_id=household_id) if household_id else None
    if household_id is None:
        already = in_force.filter(case=case)
    if already is not None and already.exists():
        raise ValidationError({"worker": f"{worker.name} is already excluded."})
    exclusion = Exclusion(
        worker=worker,
        case=None if household_id else case,
        household_id=household_id,
        reason=reason,
        detail=detail.strip(),
        recorded_by=by,
    )
    exclusion.full_clean()
    exclusion.save()
    return exclusion


@transaction.atomic
def exclusion_remove(*, exclusion: Exclusion, by: User | None, reason: str) -> Exclusion:
    """End an exclusion, saying why; the row and its history stay."""
    exclusion = Exclusion.objects.select_for_update().get(pk=exclusion.pk)
    if not exclusion.in_force:
        raise ValidationError("This exclusion was removed already.")
    if not reason.strip():
        raise ValidationError({"removal_reason": "Say why the exclusion is removed."})
    exclusion.removed_at = timezone.now()
    exclusion.removed_by = by
    exclusion.removal_reason = reason.strip()
    exclusion.full_clean()
    exclusion.save()
    return exclusion
