"""Demo check-ins: most workers answer "Is my caseload manageable?" about monthly for six
months, their answers leaning with their measured load; the demo caseworker's last answer is
over a month old, so My caseload asks them. Bulk inserts."""

from datetime import timedelta

from caseload.checkins.choices import Manageability
from caseload.checkins.models import CheckIn
from caseload.core.choices import MANAGER_ROLES, AccessRole
from caseload.core.models import Worker
from weighting.loads import worker_loads
from weighting.scoring import BandwidthStatus

MONTHS = 6
# How answers lean, by the measured bandwidth status: (manageable, stretched, unmanageable).
LEAN = {
    BandwidthStatus.BELOW: (70, 25, 5),
    BandwidthStatus.WITHIN: (40, 45, 15),
    BandwidthStatus.ABOVE: (10, 45, 45),
}
ANSWERS = (Manageability.MANAGEABLE, Manageability.STRETCHED, Manageability.UNMANAGEABLE)
NOTES = {
    Manageability.STRETCHED: "Two court reports due the same week.",
    Manageability.UNMANAGEABLE: "Too many visits to fit in; I am working evenings.",
}


def seed_checkins(*, rng, organisation, today) -> int:
    """Create about six months of monthly answers for the organisation's workers in post."""
    workers = list(
        Worker.objects.in_post(today)
        .filter(team__service__organisation=organisation)
        .exclude(role__in=MANAGER_ROLES)
        .select_related("user")
        .order_by("pk")
    )
    rows = []
    for month in range(MONTHS):
        on = today - timedelta(days=30 * month + 2)
        loads = worker_loads(workers, organisation.pk, on)
        for worker in workers:
            if rng.random() < 0.15:
                continue  # not everyone answers every month
            demo_caseworker = worker.user and worker.user.role == AccessRole.CASEWORKER
            day = on - timedelta(days=rng.randrange(0, 10))
            if demo_caseworker and month == 0:
                continue  # asked on My caseload: their last answer is over a month old
            load = loads[worker.pk].load
            answer = rng.choices(ANSWERS, weights=LEAN[load.status])[0]
            rows.append(
                CheckIn(
                    worker=worker,
                    answered_on=day,
                    answer=answer,
                    note=NOTES.get(answer, "") if rng.random() < 0.3 else "",
                    open_cases=load.open_cases,
                    weighted_load=load.weighted_load,
                    capacity=load.capacity,
                    bandwidth_status=str(load.status),
                )
            )
    CheckIn.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)
