"""Demo casework: households of siblings, cases of every type and need, allocation history and
a few unallocated cases per team. Bulk inserts, deterministic from the caller's generator."""

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice

from django.db import connection
from django.utils import timezone

from caseload.core import bulk
from caseload.core.choices import (
    CHILDREN_CASE_TYPES,
    AllocationReason,
    CaseStatus,
    CaseType,
    ClosureReason,
    Court,
    NeedLevel,
    WorkerRole,
)
from caseload.core.eligibility import ineligibility_reason
from caseload.core.models import Allocation, Case, Team, Worker
from participants import visits
from participants.choices import ContactType
from participants.models import Contact, Household, Participant
from participants.selectors import visit_frequencies
from participants.services import visit_policies_ensure_defaults

from .names import FAMILY_NAMES, GIVEN_NAMES

DEMO = "Demo data"  # the reason in every record's history
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


def _hold(
    kit: _Kit,
    team: Team,
    kind: str,
    worker: Worker,
    others: list[Worker],
    *,
    stretched: bool = False,
) -> None:
    """Give a worker a realistic caseload: families of siblings, some with a previous holder.
    In a stretched team (vacancies, sickness) social workers carry many more."""
    rng = kit.rng
    low, high = NQ_HOLDING if worker.experience == "newly_qualified" else HOLDING[worker.role]
    target = round(rng.randint(low, high) * float(worker.fte))
    if rng.random() < 0.12 and worker.role == WorkerRole.SOCIAL_WORKER:
        target += rng.randint(4, 8)  # some are over their promise: the problem the product shows
    if stretched and worker.role == WorkerRole.SOCIAL_WORKER:
        target = round(rng.randint(16, 28) * float(worker.fte))
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
    for index, (team, kind) in enumerate(zip(teams, team_kinds, strict=True)):
        members = by_team.get(team.pk, [])
        # One children's team in four is stretched, so the figures show the spread councils
        # see (some workers past 20 and 25 cases); the first team, where demo users work, is not.
        stretched = kind == "children" and index % 4 == 1
        for worker in members:
            others = [w for w in members if w.qualified and w.pk != worker.pk]
            _hold(kit, team, kind, worker, others, stretched=stretched)
        _closed_history(kit, team, kind, members, rng.randint(2, 5))
        _waiting(kit, team, kind, rng.randint(2, 5))
    bulk.insert(Household, kit.households, history=True, reason=DEMO)
    for person in kit.participants:
        person.household_id = person.household.pk if person.household else None
    bulk.insert(Participant, kit.participants, history=True, reason=DEMO)
    for case in kit.cases:
        case.participant_id = case.participant.pk
    bulk.insert(Case, kit.cases, history=True, reason=DEMO)
    bulk.insert(
        Allocation,
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
        history=True,
        reason=DEMO,
    )
    contacts = seed_contacts(
        rng=rng,
        organisation=organisation,
        cases=kit.cases,
        allocations=kit.allocations,
        workers=workers,
        today=today,
    )
    return {
        "participants": len(kit.participants),
        "cases": len(kit.cases),
        "allocations": len(kit.allocations),
        "contacts": contacts,
    }


# Contacts -----------------------------------------------------------------------------------

# Contact history is made for this many days back: enough to show rhythms, overdue visits and
# engagement, small enough that the national demo stays a few million rows.
HISTORY_DAYS = 120
SHARE_OVERDUE = 0.14
# How likely a visit is preceded by failed attempts, by kind of case.
ATTEMPTS_BEFORE_VISIT = {"adult": 0.5, "children": 0.12}

SEEN_TYPES = {
    "children": [
        (ContactType.HOME_VISIT, 74),
        (ContactType.OFFICE, 8),
        (ContactType.VIDEO, 4),
        (ContactType.MULTI_AGENCY_MEETING, 12),
        (ContactType.COURT, 2),
    ],
    "adult": [
        (ContactType.HOME_VISIT, 40),
        (ContactType.OFFICE, 34),
        (ContactType.VIDEO, 6),
        (ContactType.MULTI_AGENCY_MEETING, 14),
        (ContactType.COURT, 6),
    ],
}
ATTEMPT_TYPES = [
    (ContactType.HOME_VISIT, 40),
    (ContactType.PHONE, 35),
    (ContactType.MESSAGE, 25),
]
MINUTES = {
    ContactType.HOME_VISIT: ((40, 110), (10, 70)),
    ContactType.OFFICE: ((30, 90), (0, 15)),
    ContactType.PHONE: ((5, 30), (0, 0)),
    ContactType.VIDEO: ((20, 60), (0, 0)),
    ContactType.MESSAGE: ((2, 10), (0, 0)),
    ContactType.MULTI_AGENCY_MEETING: ((60, 150), (10, 50)),
    ContactType.COURT: ((120, 420), (20, 80)),
}
SEEN_NOTES = {
    "children": [
        "Seen at home with parent; plan reviewed.",
        "Visit went ahead; bedroom seen, school attendance discussed.",
        "Seen with carer; no new concerns raised.",
        "Seen at school with the designated safeguarding lead.",
        "",
    ],
    "adult": [
        "Met at the hub; benefits claim and housing options talked through.",
        "Seen at the hostel; keen to keep the GP appointment on Thursday.",
        "Reviewed safety plan together.",
        "Went with them to the housing office.",
        "",
    ],
}
TYPE_NOTES = {
    ContactType.MULTI_AGENCY_MEETING: [
        "Core group meeting; actions agreed and minuted.",
        "Professionals meeting with school and health visitor.",
    ],
    ContactType.COURT: ["Attended the hearing; next hearing listed.", "Court: directions given."],
}
ATTEMPT_NOTES = {
    ContactType.HOME_VISIT: ["No answer at the door; card left.", "Not at the address."],
    ContactType.PHONE: ["Phone not answered; voicemail left.", "Number unavailable."],
    ContactType.MESSAGE: ["Text sent to arrange a visit; no reply yet.", "Letter sent."],
}


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _calendar_days(frequency: visits.Frequency) -> int:
    if frequency.unit == visits.WORKING_DAYS:
        return frequency.every * 7 // 5
    return frequency.every * (7 if frequency.unit == visits.WEEKS else 1)


@dataclass
class _ContactKit:
    rng: random.Random
    zone: object
    now: datetime
    users: dict[int, int]  # worker id -> user id, for the demo logins


def _contact(kit: _ContactKit, case: Case, worker, day: date, contact_type, seen: bool) -> tuple:
    """One contact as a row of values in `CONTACT_COLUMNS` order."""
    rng = kit.rng
    hour = rng.choice([9, 10, 10, 11, 12, 13, 14, 15, 15, 16, 17, 18])
    occurred = datetime.combine(day, time(hour, rng.randrange(0, 60, 5)), tzinfo=kit.zone)
    (low, high), (travel_low, travel_high) = MINUTES[contact_type]
    if seen:
        kind = "adult" if case.case_type == CaseType.ADULT else "children"
        notes = rng.choice(TYPE_NOTES.get(contact_type) or SEEN_NOTES[kind])
        seen_alone = rng.random() < 0.7 if case.case_type in CHILDREN_CASE_TYPES else None
    else:
        notes = rng.choice(ATTEMPT_NOTES.get(contact_type, [""]))
        seen_alone = None
        low, high = max(1, low // 4), max(2, high // 4)
    return (
        case.pk,
        occurred,
        contact_type,
        seen,
        seen_alone,
        rng.randint(low, high),
        rng.randint(travel_low, travel_high),
        notes,
        worker.pk if worker else None,
        kit.users.get(worker.pk) if worker else None,
        min(occurred + timedelta(hours=rng.randint(0, 30)), kit.now),
        "",
    )


# The order of the values `_contact` makes.
CONTACT_COLUMNS = (
    "case",
    "occurred_at",
    "contact_type",
    "seen",
    "seen_alone",
    "duration_minutes",
    "travel_minutes",
    "notes",
    "worker",
    "recorded_by",
    "recorded_at",
    "correction_reason",
)
_DATETIMES = (CONTACT_COLUMNS.index("occurred_at"), CONTACT_COLUMNS.index("recorded_at"))


def _insert_contacts(rows: list[tuple]) -> None:
    """Insert contact rows with multi-row INSERTs straight through the cursor. At national size
    (1.7 million rows) bulk_create spent longer preparing each value than the database spent
    storing it."""
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    meta = Contact._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in CONTACT_COLUMNS)
    one_row = "(" + ", ".join(["%s"] * len(CONTACT_COLUMNS)) + ")"
    limit = connection.features.max_query_params or 65535
    per_statement = min(2000, limit // len(CONTACT_COLUMNS))
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, per_statement):
            params = []
            for row in chunk:
                row = list(row)
                for index in _DATETIMES:
                    row[index] = adapt(row[index])
                params.extend(row)
            values = ", ".join([one_row] * len(chunk))
            # Table and column names come from the model, never from input.
            sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608
            cursor.execute(sql, params)


def _attempts(kit, case, worker, after: date, before: date, count: int) -> Iterator[tuple]:
    """Failed attempts on days strictly between `after` and `before`."""
    gap = (before - after).days
    for _ in range(count if gap > 1 else 0):
        day = after + timedelta(days=kit.rng.randint(1, gap - 1))
        yield _contact(kit, case, worker, day, _weighted(kit.rng, ATTEMPT_TYPES), seen=False)


def _case_contacts(kit, case: Case, holders, frequency, today: date) -> Iterator[tuple]:
    """A case's recent history: visits at about the required rhythm, failed attempts before
    some of them, and, for the overdue few, a last visit too long ago and attempts since."""
    rng = kit.rng
    kind = "adult" if case.case_type == CaseType.ADULT else "children"
    yesterday = today - timedelta(days=1)
    start = max(case.opened_on, today - timedelta(days=HISTORY_DAYS))
    if start > yesterday:  # opened today: nothing to record yet
        return
    interval = _calendar_days(frequency)
    overdue = rng.random() < SHARE_OVERDUE
    if overdue:
        last_seen = today - timedelta(days=interval + rng.randint(1, 25))
    else:
        last_seen = today - timedelta(days=rng.randint(1, max(1, interval - 1)))
        while visits.due_after(last_seen, frequency) <= today:
            last_seen += timedelta(days=1)
        last_seen = min(last_seen, yesterday)
        if last_seen < start:  # a new case: seen once since it opened
            last_seen = start + timedelta(days=rng.randint(0, (yesterday - start).days))
    if overdue and last_seen < start:
        overdue, last_seen = False, start + timedelta(days=rng.randint(0, (yesterday - start).days))
    if overdue:
        worker = _holder_on(holders, yesterday)
        yield from _attempts(kit, case, worker, last_seen, today, rng.randint(1, 3))
    day = last_seen
    while day >= start:
        worker = _holder_on(holders, day)
        types = SEEN_TYPES[kind]
        if kind == "children" and case.court == Court.NONE:
            types = [(t, w) for t, w in types if t != ContactType.COURT]
        yield _contact(kit, case, worker, day, _weighted(rng, types), seen=True)
        previous = day - timedelta(days=interval - rng.randint(0, interval // 3))
        if rng.random() < ATTEMPTS_BEFORE_VISIT[kind]:
            tries = rng.randint(1, 3 if kind == "adult" else 1)
            yield from _attempts(kit, case, worker, max(previous, start), day, tries)
        day = previous


def _holder_on(holders: list[tuple], day: date):
    """The worker holding the case on a day, from (worker, started_on, ended_on) rows."""
    for worker, started, ended in holders:
        if started <= day and (ended is None or day <= ended):
            return worker
    return holders[-1][0] if holders else None


def seed_contacts(*, rng, organisation, cases, allocations, workers, today) -> int:
    """A realistic recent contact history for every open case: most are up to date, some are
    overdue, adults have many failed attempts. Bulk inserts in batches; returns the count."""

    visit_policies_ensure_defaults()
    frequencies = visit_frequencies(organisation.pk)
    holders: dict[int, list] = {}
    for case, worker, started, ended, _reason, _note in allocations:
        holders.setdefault(case.pk, []).append((worker, started, ended))
    by_team: dict[int, list] = {}
    for worker in workers:
        if worker.qualified:
            by_team.setdefault(worker.team_id, []).append(worker)
    kit = _ContactKit(
        rng=rng,
        zone=timezone.get_current_timezone(),
        now=timezone.now(),
        users=dict(
            Worker.objects.filter(pk__in=[w.pk for w in workers], user__isnull=False).values_list(
                "pk", "user_id"
            )
        ),
    )

    def generate() -> Iterator[tuple]:
        for case in cases:
            if case.status == CaseStatus.CLOSED:
                continue
            case_holders = holders.get(case.pk)
            if not case_holders:
                # Awaiting allocation: a duty worker has made a first visit, or tried to.
                duty = by_team.get(case.team.pk)
                if duty and case.opened_on < today:
                    days_open = (today - case.opened_on).days
                    day = case.opened_on + timedelta(days=rng.randint(0, days_open - 1))
                    seen = rng.random() < 0.7
                    yield _contact(
                        kit, case, rng.choice(duty), day, ContactType.HOME_VISIT, seen=seen
                    )
                continue
            yield from _case_contacts(kit, case, case_holders, frequencies[case.case_type], today)

    count = 0
    for chunk in _chunks(generate(), BATCH):
        _insert_contacts(chunk)
        count += len(chunk)
    if connection.vendor == "postgresql":
        # Fresh statistics, so the planner uses the case index at once rather than after
        # autovacuum gets round to it (a seq scan of millions of rows until then).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Contact._meta.db_table)}")
    return count
