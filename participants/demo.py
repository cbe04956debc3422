"""Demo casework: households of siblings, cases of every type and need, allocation history and
a few unallocated cases per team. Bulk inserts, deterministic from the caller's generator."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from caseload.choices import (
    AllocationReason,
    CaseStatus,
    CaseType,
    ClosureReason,
    Court,
    NeedLevel,
    WorkerRole,
)
from caseload.demo_names import FAMILY_NAMES, GIVEN_NAMES
from caseload.eligibility import ineligibility_reason
from caseload.models import Allocation, Case, Team, Worker

from .models import Household, Participant

BATCH = 5000

# Open cases a worker of each kind typically holds (min, max) at 1.0 FTE.
HOLDING = {
    WorkerRole.TEAM_MANAGER: (0, 1),
    WorkerRole.HEAD_OF_SERVICE: (0, 0),
    WorkerRole.ADVANCED_PRACTITIONER: (5, 9),
    WorkerRole.SOCIAL_WORKER: (8, 13),
    WorkerRole.SUPPORT_WORKER: (8, 12),
    WorkerRole.CASEWORKER: (7, 12),
}
NQ_HOLDING = (8, 13)

CHILDREN_TYPES = [
    (CaseType.CHILD_IN_NEED, 55),
    (CaseType.CHILD_PROTECTION, 17),
    (CaseType.LOOKED_AFTER, 15),
    (CaseType.CARE_LEAVER, 8),
    (CaseType.EARLY_HELP, 5),
]
EARLY_HELP_TYPES = [(CaseType.EARLY_HELP, 70), (CaseType.CHILD_IN_NEED, 30)]


@dataclass
class _Kit:
    rng: random.Random
    organisation: object
    today: date
    households: list
    participants: list
    cases: list
    allocations: list  # (case, worker, started_on, ended_on, reason, note)
    next_ref: int = 0


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _case_shape(rng, team_kind: str, worker: Worker | None) -> tuple[str, str, str]:
    """A case type, need level and court status the worker may hold."""
    for _ in range(30):
        if team_kind == "adults":
            case_type = CaseType.ADULT
        elif team_kind == "early_help":
            case_type = _weighted(rng, EARLY_HELP_TYPES)
        else:
            case_type = _weighted(rng, CHILDREN_TYPES)
        need = _weighted(rng, [(NeedLevel.LOW, 25), (NeedLevel.MEDIUM, 45), (NeedLevel.HIGH, 30)])
        court = Court.NONE
        if case_type in (CaseType.CHILD_PROTECTION, CaseType.LOOKED_AFTER):
            court = _weighted(
                rng, [(Court.NONE, 70), (Court.PRE_PROCEEDINGS, 15), (Court.CARE_PROCEEDINGS, 15)]
            )
        if worker is None or not ineligibility_reason(
            case_type=case_type,
            need_level=need,
            court=court,
            role=worker.role,
            qualified=worker.qualified,
        ):
            return case_type, need, court
    return CaseType.EARLY_HELP, NeedLevel.LOW, Court.NONE


def _age_for(rng, case_type: str) -> int:
    if case_type == CaseType.ADULT:
        return rng.randint(19, 64)
    if case_type == CaseType.CARE_LEAVER:
        return rng.randint(18, 24)
    return rng.randint(0, 17)


def _new_family(kit: _Kit, team: Team, case_type: str, size: int) -> list[Participant]:
    rng = kit.rng
    household = None
    if size > 1 or rng.random() < 0.5:
        household = Household(
            organisation=kit.organisation, reference=f"H{len(kit.households) + 1:07d}"
        )
        kit.households.append(household)
    family = rng.choice(FAMILY_NAMES)
    people = []
    for _ in range(size):
        age = _age_for(rng, case_type)
        person = Participant(
            organisation=kit.organisation,
            reference=f"P{len(kit.participants) + 1:07d}",
            given_name=rng.choice(GIVEN_NAMES),
            family_name=family,
            date_of_birth=kit.today - timedelta(days=age * 365 + rng.randint(0, 364)),
            household=household,
            registered_by_team=team,
        )
        kit.participants.append(person)
        people.append(person)
    return people


def _open_case(kit, team, person, shape, opened_on, status=CaseStatus.ALLOCATED) -> Case:
    case_type, need, court = shape
    kit.next_ref += 1
    case = Case(
        participant=person,
        team=team,
        reference=f"C{kit.next_ref:07d}",
        case_type=case_type,
        need_level=need,
        court=court,
        opened_on=opened_on,
        status=status,
    )
    kit.cases.append(case)
    return case


def _hold(kit: _Kit, team: Team, kind: str, worker: Worker, others: list[Worker]) -> None:
    """Give a worker a realistic caseload: families of siblings, some with a previous holder."""
    rng = kit.rng
    low, high = NQ_HOLDING if worker.experience == "newly_qualified" else HOLDING[worker.role]
    target = round(rng.randint(low, high) * float(worker.fte))
    if rng.random() < 0.12 and worker.role == WorkerRole.SOCIAL_WORKER:
        target += rng.randint(4, 8)  # some are over their promise: the problem the product shows
    held = 0
    while held < target:
        shape = _case_shape(rng, kind, worker)
        siblings = (
            1
            if kind == "adults" or shape[0] == CaseType.CARE_LEAVER
            else rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 4])
        )
        siblings = min(siblings, target - held) or 1
        opened = kit.today - timedelta(days=rng.randint(20, 700))
        start = max(opened, worker.start_date or opened)
        previous = rng.choice(others) if others and rng.random() < 0.3 else None
        for person in _new_family(kit, team, shape[0], siblings):
            case = _open_case(kit, team, person, shape, opened)
            if previous and previous.pk != worker.pk and (start - opened).days > 10:
                handover = opened + timedelta(days=rng.randint(5, (start - opened).days))
                kit.allocations.append((case, previous, opened, handover, AllocationReason.NEW, ""))
                reason = rng.choice(
                    [
                        AllocationReason.REBALANCE,
                        AllocationReason.WORKER_REQUEST,
                        AllocationReason.STEP_DOWN,
                    ]
                )
                kit.allocations.append((case, worker, handover, None, reason, ""))
            else:
                kit.allocations.append((case, worker, start, None, AllocationReason.NEW, ""))
            held += 1


def _closed_history(kit: _Kit, team: Team, kind: str, workers: list[Worker], count: int) -> None:
    rng = kit.rng
    for _ in range(count):
        worker = rng.choice(workers)
        shape = _case_shape(rng, kind, worker)
        opened = kit.today - timedelta(days=rng.randint(200, 900))
        closed = opened + timedelta(days=rng.randint(30, 180))
        (person,) = _new_family(kit, team, shape[0], 1)
        case = _open_case(kit, team, person, shape, opened, status=CaseStatus.CLOSED)
        case.closed_on = closed
        case.closure_reason = rng.choice(
            [ClosureReason.NEEDS_MET, ClosureReason.STEPPED_DOWN, ClosureReason.MOVED_AWAY]
        )
        kit.allocations.append((case, worker, opened, closed, AllocationReason.NEW, ""))


def _waiting(kit: _Kit, team: Team, kind: str, count: int) -> None:
    for _ in range(count):
        shape = _case_shape(kit.rng, kind, None)
        opened = kit.today - timedelta(days=kit.rng.randint(0, 21))
        (person,) = _new_family(kit, team, shape[0], 1)
        case = _open_case(kit, team, person, shape, opened, status=CaseStatus.AWAITING_ALLOCATION)
        case.waiting_since = opened


def seed_casework(*, rng, organisation, teams, team_kinds, workers, today) -> dict[str, int]:
    """Create people, households, cases and allocations for every team."""
    kit = _Kit(rng, organisation, today, [], [], [], [])
    by_team: dict[int, list[Worker]] = {}
    for worker in workers:
        by_team.setdefault(worker.team_id, []).append(worker)
    for team, kind in zip(teams, team_kinds, strict=True):
        members = by_team.get(team.pk, [])
        for worker in members:
            _hold(
                kit, team, kind, worker, [w for w in members if w.qualified and w.pk != worker.pk]
            )
        _closed_history(kit, team, kind, members, rng.randint(2, 5))
        _waiting(kit, team, kind, rng.randint(2, 5))
    Household.objects.bulk_create(kit.households, batch_size=BATCH)
    for person in kit.participants:
        person.household_id = person.household.pk if person.household else None
    Participant.objects.bulk_create(kit.participants, batch_size=BATCH)
    for case in kit.cases:
        case.participant_id = case.participant.pk
    Case.objects.bulk_create(kit.cases, batch_size=BATCH)
    Allocation.objects.bulk_create(
        [
            Allocation(
                case_id=case.pk,
                worker=worker,
                started_on=start,
                ended_on=end,
                reason=reason,
                note=note,
            )
            for case, worker, start, end, reason, note in kit.allocations
        ],
        batch_size=BATCH,
    )
    return {
        "participants": len(kit.participants),
        "cases": len(kit.cases),
        "allocations": len(kit.allocations),
    }
