"""One batch of case rows compared with the database and, on import, written: new and changed
cases, reallocations (an ended allocation and a new one) and new agreed assessments.

The writes go through the bulk forms of the services the pages use: a case's status and place in
the queue from `allocation.rules.queue_state`, holdings through
`allocation.services.allocations_record`, assessments through
`weighting.services.assessments_record_agreed`."""

from datetime import date, datetime
from typing import Protocol

from caseload.allocation.rules import queue_state
from caseload.allocation.services import allocations_record
from caseload.core.choices import AllocationReason, CaseStatus
from caseload.core.models import Allocation, Case, Organisation, User
from participants.models import Participant
from weighting.choices import AssessmentStatus, Stage
from weighting.models import AssessmentFactor, CaseAssessment
from weighting.services import assessments_record_agreed

from .compare import assign, differs
from .refstore import DiskMap

IMPORT_NOTE = "Imported"
REALLOCATION_NOTE = "Reallocated by an import"
CASE_FIELDS = (
    "participant_id",
    "team_id",
    "case_type",
    "need_level",
    "court",
    "opened_on",
    "closed_on",
    "expected_end",
    "status",
    "waiting_since",
    "needs_reallocation",
)


class Run(Protocol):
    """What a case plan needs of the import it belongs to (`engine.CaseloadImport`)."""

    org: Organisation
    by: User | None
    today: date
    now: datetime
    worker_ids: dict[str, int]
    with_contacts: bool
    touched_teams: set[int]
    case_ids: DiskMap
    holders: DiskMap

    def case_values(self, r: dict, participants: dict[str, int]) -> dict: ...

    def choices(self, r: dict, *, siblings: str) -> list[tuple[str, str]]: ...

    def siblings(self, r: dict) -> str: ...

    def save_with_history(self, model, creates: list, updates: list, fields: list[str]) -> None: ...


class CasePlan:
    """One batch of case rows compared with the database: new cases, changed cases,
    allocations to end and to start (reallocations), and new agreed assessments."""

    def __init__(self, run: Run, chunk: list[dict]):
        self.run = run
        org = run.org
        self.participants = dict(
            Participant.objects.filter(
                organisation=org, reference__in={r["participant_ref"] for r in chunk}
            ).values_list("reference", "pk")
        )
        self.existing = {
            c.reference: c
            for c in Case.objects.filter(
                team__service__organisation=org, reference__in=[r["case_ref"] for r in chunk]
            )
        }
        ids = [c.pk for c in self.existing.values()]
        self.current = {a.case_id: a for a in Allocation.objects.current().filter(case_id__in=ids)}
        self.agreed = self._agreed_choices(ids)
        self.creates: list[tuple[Case, dict]] = []
        self.changed: list[Case] = []
        self.same = 0
        self.ends: list[Allocation] = []
        self.starts: list[tuple[Case, int, date, str]] = []
        self.assessments: list[tuple[Case, list]] = []
        self.reallocations = 0
        self.holders: list[tuple[int, int]] = []  # (case, worker) for contacts, set by the run

    @staticmethod
    def _agreed_choices(case_ids: list[int]) -> dict[int, list]:
        current = dict(
            CaseAssessment.objects.filter(case_id__in=case_ids, is_current=True)
            .exclude(status=AssessmentStatus.PROPOSED)
            .values_list("pk", "case_id")
        )
        choices: dict[int, list] = {case_id: [] for case_id in current.values()}
        lines = AssessmentFactor.objects.filter(assessment_id__in=current, stage=Stage.AGREED)
        for assessment_id, factor, option in lines.values_list("assessment_id", "factor", "option"):
            choices[current[assessment_id]].append((factor, option))
        return {case_id: sorted(pairs) for case_id, pairs in choices.items()}

    def add(self, r: dict) -> None:
        run = self.run
        values = run.case_values(r, self.participants)
        wants_reallocation = bool(r["worker_ref"] and r["needs_reallocation"])
        worker_id = run.worker_ids.get(r["worker_ref"]) if r["worker_ref"] else None
        choices = None if r["closed_on"] else run.choices(r, siblings=run.siblings(r))
        case = self.existing.get(r["case_ref"])
        if case is None:
            held = bool(r["worker_ref"])
            since = run.today if held else r["opened_on"]  # a holder's case waits only to move
            values |= self._queue(r, held=held, reallocate=wants_reallocation, since=since)
            case = Case(reference=r["case_ref"], **values)
            self.creates.append((case, r))
            if worker_id or r["worker_ref"]:
                self.starts.append(
                    (case, worker_id, r["allocated_on"] or r["opened_on"], AllocationReason.NEW)
                )
            if choices:
                self.assessments.append((case, choices))
            return
        changed = self._holder_change(case, r, worker_id, values, wants_reallocation)
        if differs(case, values):
            changed = True
        if choices is not None and self.agreed.get(case.pk) != choices:
            self.assessments.append((case, choices))
            changed = True
        if changed:
            assign(case, values)
            self.changed.append(case)
        else:
            self.same += 1
        if worker_id and run.with_contacts:
            self.holders.append((case.pk, worker_id))

    @staticmethod
    def _queue(r: dict, *, held: bool, reallocate: bool, since: date | None) -> dict:
        """The case's status and place in the queue (`queue_state`), closed cases aside."""
        if r["closed_on"]:
            return {"status": CaseStatus.CLOSED, "needs_reallocation": False, "waiting_since": None}
        return queue_state(held=held, needs_reallocation=reallocate, waiting_since=since)

    def _holder_change(
        self, case: Case, r: dict, worker_id: int | None, values: dict, reallocate: bool
    ) -> bool:
        """Plan the allocation change, if any: end the current holder's allocation and start
        the new one on the same day (a reallocation), or send the case back to the queue."""
        current = self.current.get(case.pk)
        holder = current.worker_id if current else None
        wanted = worker_id if r["worker_ref"] else None
        held = bool(r["worker_ref"])
        if holder == wanted and not (r["worker_ref"] and wanted is None):
            values |= self._queue(r, held=held, reallocate=reallocate, since=case.waiting_since)
            values["waiting_since"] = case.waiting_since  # it did not join or leave the queue
            return False
        today = self.run.today
        if r["closed_on"]:
            day = r["closed_on"]
        elif r["allocated_on"] and (current is None or r["allocated_on"] >= current.started_on):
            day = r["allocated_on"]
        else:
            day = today
        if current:
            current.ended_on = max(day, current.started_on)
            self.ends.append(current)
            self.run.touched_teams.add(case.team_id)
        if held:
            start = max(day, current.started_on) if current else day
            reason = AllocationReason.REBALANCE if current else AllocationReason.NEW
            self.starts.append((case, wanted, start, reason))
            self.reallocations += 1 if current else 0
        values |= self._queue(r, held=held, reallocate=reallocate, since=today)
        return True

    def write(self) -> None:
        run = self.run
        new_cases = [case for case, _ in self.creates]
        run.save_with_history(Case, new_cases, self.changed, list(CASE_FIELDS))
        if run.with_contacts:  # only contacts need cases' ids and holders afterwards
            run.case_ids.update((r["case_ref"], case.pk) for case, r in self.creates)
        for case in new_cases + self.changed:
            run.touched_teams.add(case.team_id)
        starts = [
            Allocation(
                case_id=case.pk,
                worker_id=worker_id,
                started_on=started_on,
                reason=reason,
                made_by=run.by,
                note=IMPORT_NOTE if reason == AllocationReason.NEW else REALLOCATION_NOTE,
            )
            for case, worker_id, started_on, reason in self.starts
        ]
        allocations_record(
            ends=self.ends,
            starts=starts,
            by=run.by,
            end_reason=REALLOCATION_NOTE,
            start_reason=IMPORT_NOTE,
        )
        if run.with_contacts:
            run.holders.update((a.case_id, a.worker_id) for a in starts)
        assessments_record_agreed(
            choices={case.pk: choices for case, choices in self.assessments},
            by=run.by,
            at=run.now,
            note=IMPORT_NOTE,
        )
