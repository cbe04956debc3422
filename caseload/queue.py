"""Read paths for allocation: the team's queue and the candidates for a case."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from weighting import selectors as weighting

from . import allocation
from .choices import MANAGER_ROLES
from .eligibility import ineligibility_reason
from .models import Allocation, Case, Team, Worker
from .selectors import current_allocations, team_members


def team_queue(team: Team, today: date | None = None) -> list[Case]:
    """Open cases waiting for allocation or needing reallocation, highest priority first,
    each with `days_waiting`, `points` and `current` (for reallocations)."""
    today = today or timezone.localdate()
    cases = list(Case.objects.in_queue().filter(team=team).select_related("participant"))
    weights = weighting.case_weights(cases, team.service.organisation_id)
    holders = current_allocations([c.pk for c in cases])
    for case in cases:
        case.days_waiting = (today - (case.waiting_since or case.opened_on)).days
        case.weight = weights[case.pk]
        case.points = weighting.estimated_points(case, case.weight)
        case.current = holders.get(case.pk)
    return sorted(
        cases,
        key=lambda c: allocation.queue_priority(
            need_level=c.need_level,
            case_type=c.case_type,
            waiting_since=c.waiting_since or c.opened_on,
            today=today,
        ),
    )


@dataclass
class CandidateList:
    """Everyone who could take a case, best fit first, and the case's points."""

    case: Case
    points: int
    candidates: list[allocation.Candidate]
    wider: bool


def _siblings_holders(case: Case) -> set[int]:
    if not case.participant.household_id:
        return set()
    return set(
        Allocation.objects.filter(
            ended_on__isnull=True,
            case__participant__household_id=case.participant.household_id,
            case__closed_on__isnull=True,
        )
        .exclude(case=case)
        .values_list("worker_id", flat=True)
    )


def candidates_for(
    case: Case, *, wider: bool = False, exclude: set[int] | None = None
) -> CandidateList:
    """Workers in the case's team (and, if `wider`, the rest of its service) with their load
    now and after taking the case, eligibility and fit; sorted by fit."""
    organisation_id = case.team.service.organisation_id
    workers = list(team_members(case.team))
    if wider:
        others = (
            Worker.objects.in_post()
            .filter(team__service_id=case.team.service_id)
            .exclude(team=case.team)
            .select_related("team")
        )
        workers += list(others)
    exclude = exclude or set()
    workers = [w for w in workers if w.pk not in exclude]
    weight = weighting.case_weights([case.pk], organisation_id)[case.pk]
    points = weighting.estimated_points(case, weight)
    loads = weighting.worker_loads(workers, organisation_id, with_case_ids=False)
    siblings = _siblings_holders(case)
    previous = set(
        case.allocations.filter(ended_on__isnull=False).values_list("worker_id", flat=True)
    )
    current = (
        case.allocations.filter(ended_on__isnull=True).values_list("worker_id", flat=True).first()
    )
    candidates = []
    for worker in workers:
        if worker.pk == current:
            continue
        load = loads[worker.pk].load
        candidates.append(
            allocation.Candidate(
                worker_id=worker.pk,
                name=worker.name,
                ineligible_reason=ineligibility_reason(
                    case_type=case.case_type,
                    need_level=case.need_level,
                    court=case.court,
                    role=worker.role,
                    qualified=worker.qualified,
                ),
                holds_sibling=worker.pk in siblings,
                previous_holder=worker.pk in previous,
                same_team=worker.team_id == case.team_id,
                cases_now=load.open_cases,
                cases_after=load.open_cases + 1,
                promise=load.promise,
                points_now=load.weighted_load,
                points_after=load.weighted_load + points,
                capacity=load.capacity,
                role=worker.get_role_display(),
                team_name=worker.team.name,
                is_manager=worker.role in MANAGER_ROLES,
            )
        )
    return CandidateList(
        case=case, points=points, candidates=allocation.rank(candidates), wider=wider
    )
