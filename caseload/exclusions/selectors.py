"""Read paths for exclusions: who is kept away from which cases (for the allocation paths and
the import), and a case's exclusions for the managers' page."""

from django.db.models import Q, QuerySet

from caseload.core.models import Case, Worker

from .models import Exclusion


def excluded_worker_ids(cases) -> dict[int, set[int]]:
    """For each case (objects with `participant` loaded, or with `participant__household_id`
    reachable), the ids of the workers excluded from it: from the case itself or from its
    household. One query."""
    cases = list(cases)
    households = {c.pk: c.participant.household_id for c in cases}
    rows = (
        Exclusion.objects.in_force()
        .filter(
            Q(case__in=[c.pk for c in cases])
            | Q(household__in={h for h in households.values() if h})
        )
        .values_list("worker_id", "case_id", "household_id")
    )
    by_case: dict[int, set[int]] = {c.pk: set() for c in cases}
    by_household: dict[int, set[int]] = {}
    for worker_id, case_id, household_id in rows:
        if case_id:
            by_case.setdefault(case_id, set()).add(worker_id)
        else:
            by_household.setdefault(household_id, set()).add(worker_id)
    for case_id, household_id in households.items():
        by_case[case_id] |= by_household.get(household_id, set())
    return by_case


def is_excluded(case: Case, worker: Worker) -> bool:
    """Whether an exclusion in force keeps the worker from this case (or its household)."""
    household = (
        Case.objects.filter(pk=case.pk).values_list("participant__household_id", flat=True).get()
    )
    scope = Q(case_id=case.pk)
    if household:
        scope |= Q(household_id=household)
    return Exclusion.objects.in_force().filter(scope, worker_id=worker.pk).exists()


def case_exclusions(case: Case) -> QuerySet[Exclusion]:
    """Every exclusion touching the case (its own and its household's), in force first, with
    the people named. The caller has checked the user may see exclusions (managers and up)."""
    return (
        Exclusion.objects.for_cases([case.pk])
        .select_related("worker__team", "recorded_by", "removed_by", "household", "case")
        .order_by("removed_at", "-recorded_at")
    )


def excludable_workers(case: Case) -> QuerySet[Worker]:
    """Workers a manager may exclude from the case: anyone in post in the case's service."""
    return (
        Worker.objects.in_post()
        .filter(team__service_id=case.team.service_id)
        .select_related("team")
        .order_by("name")
    )


def excluded_pairs(organisation_id: int) -> set[tuple[str, str]]:
    """For the import: (case reference, worker reference) and ("household:" + household
    reference, worker reference) for every exclusion in force in the organisation."""
    rows = (
        Exclusion.objects.in_force()
        .filter(worker__team__service__organisation_id=organisation_id)
        .exclude(worker__reference="")
        .values_list("case__reference", "household__reference", "worker__reference")
    )
    pairs = set()
    for case_ref, household_ref, worker_ref in rows:
        if case_ref:
            pairs.add((case_ref, worker_ref))
        elif household_ref:
            pairs.add((f"household:{household_ref}", worker_ref))
    return pairs
