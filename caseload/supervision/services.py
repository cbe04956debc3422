"""Writes for supervision: a manager records a supervision with its actions, sets a worker's
frequency, and marks an action done."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from caseload.core.access import manages_team
from caseload.core.models import Case, User, Worker
from caseload.core.recompute import request_team_recompute

from .models import Supervision, SupervisionAction, SupervisionPlan


@dataclass(frozen=True)
class ActionIn:
    """An action agreed in supervision, as the form gives it."""

    description: str
    owner: Worker
    due_on: date


def _check_manager(by: User, worker: Worker) -> None:
    if not manages_team(by, worker.team_id):
        raise ValidationError("Only the worker's team manager records their supervision.")


def _check_actions(worker: Worker, held_on: date, actions: Sequence[ActionIn]) -> None:
    errors = []
    for number, action in enumerate(actions, start=1):
        if action.owner.team_id != worker.team_id:
            errors.append(f"Action {number}: its owner must be in {worker.team}.")
        if action.due_on < held_on:
            errors.append(f"Action {number}: it cannot be due before the supervision.")
        if not action.description.strip():
            errors.append(f"Action {number}: say what is to be done.")
    if errors:
        raise ValidationError({"actions": errors})


@transaction.atomic
def supervision_record(
    *,
    worker: Worker,
    by: User,
    held_on: date,
    caseload_reviewed: bool,
    cases: list[Case],
    notes: str = "",
    actions: Sequence[ActionIn] = (),
) -> Supervision:
    """Record a supervision held with the worker, the cases discussed and the actions agreed,
    then ask for the team's flags (overdue supervision) after commit. The team's manager only;
    not in the future; the cases are the team's; action owners are in the team."""
    _check_manager(by, worker)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "A supervision cannot be recorded before it is held."})
    if any(case.team_id != worker.team_id for case in cases):
        raise ValidationError({"cases": f"Only {worker.team}'s cases can be discussed here."})
    _check_actions(worker, held_on, actions)
    if Supervision.objects.filter(worker=worker, held_on=held_on).exists():
        raise ValidationError(
            {"held_on": f"A supervision on {held_on:%d/%m/%Y} is recorded already."}
        )
    try:
        with transaction.atomic():
            supervision = Supervision.objects.create(
                worker=worker,
                held_on=held_on,
                supervisor=by,
                caseload_reviewed=caseload_reviewed,
                notes=notes.strip(),
            )
    except IntegrityError:
        raise ValidationError(
            {"held_on": f"A supervision on {held_on:%d/%m/%Y} is recorded already."}
        ) from None
    supervision.cases.set(cases)
    SupervisionAction.objects.bulk_create(
        SupervisionAction(
            supervision=supervision,
            description=a.description.strip(),
            owner=a.owner,
            due_on=a.due_on,
        )
        for a in actions
    )
    request_team_recompute(worker.team_id)
    return supervision


@transaction.atomic
def supervision_plan_set(
    *, worker: Worker, by: User, every_weeks: int | None, qualified_on: date | None
) -> SupervisionPlan:
    """Set how often the worker is supervised (blank: the default) and when they qualified."""
    _check_manager(by, worker)
    if every_weeks is not None and not 1 <= every_weeks <= 26:
        raise ValidationError({"every_weeks": "Choose between 1 and 26 weeks, or leave it blank."})
    if qualified_on is not None and qualified_on > timezone.localdate():
        raise ValidationError({"qualified_on": "The qualifying date cannot be in the future."})
    plan, _ = SupervisionPlan.objects.select_for_update().get_or_create(worker=worker)
    plan.every_weeks = every_weeks
    plan.qualified_on = qualified_on
    plan.updated_by = by
    plan.save()
    request_team_recompute(worker.team_id)
    return plan


@transaction.atomic
def supervision_action_done(
    *, action: SupervisionAction, by: User, done_on: date | None = None
) -> SupervisionAction:
    """Mark an action done: by its owner or the worker's team manager."""
    action = (
        SupervisionAction.objects.select_for_update()
        .select_related("owner", "supervision__worker")
        .get(pk=action.pk)
    )
    if action.owner.user_id != by.pk and not manages_team(by, action.supervision.worker.team_id):
        raise ValidationError("Only the action's owner or the team manager can mark it done.")
    action.done_on = done_on or timezone.localdate()
    action.save(update_fields=["done_on"])
    return action
