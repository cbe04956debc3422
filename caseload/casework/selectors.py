"""Read paths for the casework pages that bring several apps together: a worker's own
caseload with each case's visit status."""

from caseload.core.models import Case
from caseload.core.selectors import current_allocations
from participants.selectors import sort_by_due, with_visit_status


def my_caseload(user, *, sort: str = "") -> list[Case]:
    """The open cases the user holds, each with `current` (their allocation) and `visit`
    (last seen, next visit due, days overdue), by name or, with sort="due", soonest due first.
    A fixed number of queries whatever the caseload."""
    cases = list(
        Case.objects.open()
        .filter(allocations__worker__user=user, allocations__ended_on__isnull=True)
        .select_related("participant", "team")
        .order_by("participant__family_name", "participant__given_name")
    )
    current = current_allocations([c.pk for c in cases])
    for case in cases:
        case.current = current.get(case.pk)
    with_visit_status(cases, organisation_id=user.organisation_id)
    return sort_by_due(cases) if sort == "due" else cases
