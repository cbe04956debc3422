"""Writes for check-ins: a worker answers "Is my caseload manageable?"."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from caseload.core.models import User, Worker
from caseload.core.recompute import request_team_recompute
from weighting.loads import worker_loads

from .choices import Manageability
from .models import CheckIn


@transaction.atomic
def checkin_create(
    *, worker: Worker, answer: str, note: str = "", by: User, on: date | None = None
) -> CheckIn:
    """Record the worker's answer for the day (at most one a day), with their load measured that
    day, and ask for the team's flags to be worked out again after commit. Only the worker
    answers for themselves."""
    on = on or timezone.localdate()
    if worker.user_id != by.pk:
        raise ValidationError("Only the worker can say whether their caseload is manageable.")
    if answer not in Manageability.values:
        raise ValidationError({"answer": "Choose manageable, stretched or unmanageable."})
    if CheckIn.objects.filter(worker=worker, answered_on=on).exists():
        raise ValidationError(
            {"answer": "You have answered today already; you can answer again tomorrow."}
        )
    organisation_id = worker.team.service.organisation_id
    load = worker_loads([worker], organisation_id, on)[worker.pk].load
    checkin = CheckIn(
        worker=worker,
        answered_on=on,
        answer=answer,
        note=note.strip(),
        open_cases=load.open_cases,
        weighted_load=load.weighted_load,
        capacity=load.capacity,
        bandwidth_status=str(load.status),
        answered_by=by,
    )
    checkin.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            checkin.save()
    except IntegrityError:
        # Two submits of the form at once: the database keeps one answer a day.
        raise ValidationError(
            {"answer": "You have answered today already; you can answer again tomorrow."}
        ) from None
    request_team_recompute(worker.team_id)
    return checkin
