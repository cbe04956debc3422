"""Check an import, plan it, and write it all or nothing, in batches.

Two passes over the files, each streamed:

1. *check*: every cell is parsed and every row checked against the files and the database
   (references, duplicates, dates, FTE, eligibility, closed cases with a holder, dates of birth
   in the future). Only references and a few facts per row are kept, never whole rows.
2. *plan or write*: rows go in batches of `BATCH`; each batch is compared with what the
   database holds (matched by the `_ref` columns) and counted as created, updated or
   unchanged; with `write=True` the batch is written with bulk inserts and updates, history
   kept, inside the one transaction the caller opened.

What is kept between rows that grows with the file (every person's and case's reference, a
person's household, a household's open cases, a case's id and holder) lives in a `RefStore`, a
temporary SQLite file removed when `check()` or `commit()` ends; teams and workers (tens of
thousands at most) stay in memory.
"""

from collections.abc import Callable, Iterator
from datetime import date
from itertools import islice

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from caseload.choices import CaseStatus
from caseload.eligibility import ineligibility_reason
from caseload.models import Case, Organisation, Service, Team, User, Worker
from caseload.recompute import request_team_recompute
from participants.choices import CAN_BE_SEEN
from participants.models import Contact, Household, Participant
from weighting import selectors as weighting

from . import bulk
from .cases import IMPORT_NOTE, CasePlan, _assign, _differs
from .formats import (
    DEFAULTS,
    PARSERS,
    SHEET_BY_NAME,
    SHEETS,
    CellError,
    Sheet,
    parse_text,
    siblings_band,
)
from .outcome import Outcome, Problem
from .readers import Source
from .refstore import MemorySet, RefStore

BATCH = 2000
LOAD = 5000  # references read from the database at a time into the store
SMALL_SHEETS = ("teams", "workers")  # their references may stay in memory
WORKER_FIELDS = (
    "name",
    "email",
    "team_id",
    "role",
    "qualified",
    "experience",
    "fte",
    "agency",
    "start_date",
    "leave_date",
    "caseload_promise",
)

Progress = Callable[[str, int, int], None]


class TooManyProblems(Exception):
    """Stop reading: the list would be too long to be useful."""


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(items, size)):
        yield chunk


class CaseloadImport:
    """One import of a source into an organisation. `check()` plans without writing;
    `commit()` checks and then writes everything or nothing."""

    def __init__(
        self,
        source: Source,
        organisation: Organisation,
        *,
        by: User | None = None,
        today: date | None = None,
        progress: Progress | None = None,
        recompute: bool = True,
        max_problems: int = 1000,
    ):
        self.source = source
        self.org = organisation
        self.by = by
        self.today = today or timezone.localdate()
        self.progress = progress or (lambda phase, done, total: None)
        self.recompute = recompute
        self.max_problems = max_problems
        self.outcome = Outcome()
        self.present = [s for s in SHEETS if s.name in set(source.names())]
        self.with_contacts = any(s.name == "contacts" for s in self.present)
        self.sizes: dict[str, int] = {}

    # --- entry points ---------------------------------------------------------------------

    def check(self) -> Outcome:
        """Find every problem and count what would be created, updated and left unchanged."""
        with RefStore() as self.refs:
            self._check_pass()
            self._apply_pass(write=False)
        return self.outcome

    def commit(self) -> Outcome:
        """Check; if nothing is wrong write every row in one transaction, else write nothing."""
        with RefStore() as self.refs:
            self._check_pass()
            if self.outcome.ok:
                with transaction.atomic():
                    self._apply_pass(write=True)
                    if self.recompute:
                        for team_id in self.touched_teams:
                            request_team_recompute(team_id)
                self.outcome.written = True
        return self.outcome

    # --- problems -------------------------------------------------------------------------

    def _problem(self, sheet: str, row: int | None, column: str, reason: str) -> None:
        self.outcome.problem_count += 1
        self.outcome.problems.append(Problem(self.source.label(sheet), row, column, reason))
        if self.outcome.problem_count >= self.max_problems:
            raise TooManyProblems

    # --- pass 1: check --------------------------------------------------------------------

    def _load_known(self) -> None:
        org = self.org
        self.db_teams = dict(
            Team.objects.filter(service__organisation=org)
            .exclude(reference="")
            .values_list("reference", "pk")
        )
        self.team_names = {
            (service, name): ref
            for service, name, ref in Team.objects.filter(service__organisation=org).values_list(
                "service__name", "name", "reference"
            )
        }
        self.worker_info = {
            ref: (role, qualified)
            for ref, role, qualified in Worker.objects.filter(team__service__organisation=org)
            .exclude(reference="")
            .values_list("reference", "role", "qualified")
        }
        self.participant_refs = self.refs.set("participant_refs")
        self.participant_refs.update(
            Participant.objects.filter(organisation=org)
            .values_list("reference", flat=True)
            .iterator(chunk_size=LOAD)
        )
        self.household_of = self.refs.map("household_of", value="TEXT")
        # Only contacts ask whether a case exists: without them the references are not kept.
        self.case_refs = self.refs.set("case_refs") if self.with_contacts else None
        if self.case_refs is not None:
            self.case_refs.update(
                Case.objects.filter(team__service__organisation=org)
                .exclude(reference="")
                .values_list("reference", flat=True)
                .iterator(chunk_size=LOAD)
            )
        self.open_in_household = self.refs.counter("open_in_household")
        self.file_refs: dict = {}
        self.file_team_names: set[tuple[str, str]] = set()
        self.scheme = weighting.scheme_in_force(org.pk, self.today)
        self.points = weighting.points_table(self.scheme)
        self.single_factors = {f.code for f in self.scheme.factor_list if not f.multiple}

    def _check_pass(self) -> None:
        self._load_known()
        names = set(self.source.names())
        for sheet in SHEETS:
            if sheet.name not in names and not sheet.optional_sheet:
                self._problem_safe(
                    sheet.name, None, "", f"The {sheet.name} file or sheet is missing."
                )
        try:
            for sheet in self.present:
                self._check_sheet(sheet)
        except TooManyProblems:
            self.outcome.warnings.append(
                f"Stopped after {self.max_problems} problems: fix these and check again."
            )

    def _problem_safe(self, sheet, row, column, reason) -> None:
        try:
            self._problem(sheet, row, column, reason)
        except TooManyProblems:
            pass

    def _check_sheet(self, sheet: Sheet) -> None:
        check = getattr(self, f"_check_{sheet.name}")
        self.file_refs[sheet.name] = (
            MemorySet() if sheet.name in SMALL_SHEETS else self.refs.set(f"file_{sheet.name}")
        )
        done = 0
        with self.source.open_rows(sheet.name) as (header, rows):
            missing = [c for c in sheet.required if c not in header]
            if missing:
                self._problem(sheet.name, 1, ", ".join(missing), "Required column missing.")
                return
            extra = [c for c in header if c and c not in sheet.columns]
            if extra:
                self.outcome.warnings.append(
                    f"{self.source.label(sheet.name)}: ignored extra columns {', '.join(extra)}."
                )
            for number, row in rows:
                done += 1
                record = self._parse(sheet, number, row, report=True)
                if record is not None:
                    check(number, record)
                else:
                    self._remember(sheet.name, row)
                if done % BATCH == 0:
                    self.progress(f"Checking {sheet.name}", done, 0)
        self.sizes[sheet.name] = done
        self.outcome.rows += done
        self.progress(f"Checking {sheet.name}", done, done)

    def _parse(self, sheet: Sheet, number: int, row: dict, *, report: bool) -> dict | None:
        record, bad = {}, False
        for column in sheet.columns:
            text = row.get(column, "")
            if not text:
                if column in sheet.required:
                    bad = True
                    if report:
                        self._problem(sheet.name, number, column, "This cell is blank.")
                record[column] = DEFAULTS.get(column)
                continue
            parser = PARSERS.get(column)
            try:
                record[column] = parser(text) if parser else parse_text(text, column)
            except CellError as error:
                bad = True
                if report:
                    self._problem(sheet.name, number, column, str(error))
        return None if bad else record

    def _remember(self, sheet: str, row: dict) -> None:
        """Know a bad row's reference anyway, so rows that point at it are not also wrong."""
        ref = row.get(SHEET_BY_NAME[sheet].ref or "", "")
        if not ref:
            return
        self.file_refs[sheet].add(ref)
        if sheet == "workers":
            self.worker_info.setdefault(ref, ("", True))
        elif sheet == "participants":
            self.participant_refs.add(ref)
        elif sheet == "cases" and self.case_refs is not None:
            self.case_refs.add(ref)

    def _unique(self, sheet: str, number: int, ref_column: str, ref: str) -> None:
        if not self.file_refs[sheet].add(ref):
            self._problem(
                sheet, number, ref_column, f"Duplicate reference {ref}: it is used above."
            )

    def _check_teams(self, number: int, r: dict) -> None:
        self._unique("teams", number, "team_ref", r["team_ref"])
        key = (r["service"], r["team_name"])
        if key in self.file_team_names:
            self._problem(
                "teams", number, "team_name", "Another team above has this name in this service."
            )
        self.file_team_names.add(key)
        holder = self.team_names.get(key)
        if holder is not None and holder != r["team_ref"]:
            self._problem(
                "teams",
                number,
                "team_name",
                f"A team of this name in {r['service']} already exists"
                + (f" with reference {holder}." if holder else " without a reference."),
            )

    def _team_known(self, sheet: str, number: int, ref: str) -> None:
        if ref not in self.file_refs.get("teams", ()) and ref not in self.db_teams:
            self._problem(sheet, number, "team_ref", f"Unknown team {ref}: not in teams.")

    def _check_workers(self, number: int, r: dict) -> None:
        self._unique("workers", number, "worker_ref", r["worker_ref"])
        self._team_known("workers", number, r["team_ref"])
        if r["start_date"] and r["leave_date"] and r["leave_date"] < r["start_date"]:
            self._problem("workers", number, "leave_date", "The leaving date is before the start.")
        self.worker_info[r["worker_ref"]] = (r["role"], r["qualified"])

    def _check_participants(self, number: int, r: dict) -> None:
        self._unique("participants", number, "participant_ref", r["participant_ref"])
        if r["date_of_birth"] > self.today:
            self._problem(
                "participants", number, "date_of_birth", "The date of birth is in the future."
            )
        if r["household_ref"]:
            self.household_of[r["participant_ref"]] = r["household_ref"]
        self.participant_refs.add(r["participant_ref"])

    def _check_cases(self, number: int, r: dict) -> None:
        self._unique("cases", number, "case_ref", r["case_ref"])
        if self.case_refs is not None:
            self.case_refs.add(r["case_ref"])
        problem = lambda column, reason: self._problem("cases", number, column, reason)  # noqa: E731
        if r["participant_ref"] not in self.participant_refs:
            problem(
                "participant_ref", f"Unknown person {r['participant_ref']}: not in participants."
            )
        self._team_known("cases", number, r["team_ref"])
        opened, closed, allocated = r["opened_on"], r["closed_on"], r["allocated_on"]
        if opened > self.today:
            problem("opened_on", "A case cannot open in the future.")
        if closed and closed < opened:
            problem("closed_on", "The case closes before it opened.")
        if closed and closed > self.today:
            problem("closed_on", "A case cannot close in the future.")
        if allocated and allocated < opened:
            problem("allocated_on", "The allocation starts before the case opened.")
        if allocated and allocated > self.today:
            problem("allocated_on", "An allocation cannot start in the future.")
        worker = r["worker_ref"]
        if worker and closed:
            problem("worker_ref", "A closed case cannot have a holder: leave worker_ref blank.")
        if worker and worker not in self.worker_info:
            problem("worker_ref", f"Unknown worker {worker}: not in workers.")
        elif worker:
            role, qualified = self.worker_info[worker]
            reason = ineligibility_reason(
                case_type=r["case_type"],
                need_level=r["need_level"],
                court=r["court"],
                role=role,
                qualified=qualified,
            )
            if reason and not r["needs_reallocation"]:
                problem(
                    "worker_ref",
                    f"{worker} cannot hold this case: {reason} (If it is waiting to be "
                    "reallocated, put yes in needs_reallocation.)",
                )
        for column, option in self._choices(r, siblings=r["siblings"] or "none"):
            if (column, option) not in self.points:
                problem(column, f"'{option}' is not an option in the weighting scheme in force.")
        if not closed:
            household = self.household_of.get(r["participant_ref"])
            if household:
                self.open_in_household.increment(household)

    def _check_contacts(self, number: int, r: dict) -> None:
        if r["case_ref"] not in self.case_refs:
            self._problem("contacts", number, "case_ref", f"Unknown case {r['case_ref']}.")
        if r["date"].date() > self.today:
            self._problem("contacts", number, "date", "A contact cannot be in the future.")
        if r["seen"] and r["type"] not in CAN_BE_SEEN:
            self._problem(
                "contacts", number, "seen", "A call or a message cannot be a visit: set seen to no."
            )

    def _choices(self, r: dict, *, siblings: str) -> list[tuple[str, str]]:
        choices = [
            ("case_type", r["case_type"]),
            ("court", r["court"]),
            ("siblings", siblings),
            ("travel", r["travel"]),
        ]
        choices += [("extras", extra) for extra in r["extras"]]
        return sorted(c for c in choices if c[0] in self.single_factors or c[0] == "extras")

    # --- pass 2: plan or write ------------------------------------------------------------

    def _apply_pass(self, *, write: bool) -> None:
        org = self.org
        self.write = write
        self.services = dict(Service.objects.filter(organisation=org).values_list("name", "pk"))
        self.team_ids = dict(self.db_teams)
        self.worker_ids = dict(
            Worker.objects.filter(team__service__organisation=org)
            .exclude(reference="")
            .values_list("reference", "pk")
        )
        self.households = self.refs.map("households", value="INTEGER")
        self.households.update(
            Household.objects.filter(organisation=org)
            .values_list("reference", "pk")
            .iterator(chunk_size=LOAD)
        )
        self.touched_teams: set[int] = set()
        self.case_ids = self.refs.map("case_ids", value="INTEGER")
        self.holders = self.refs.map("holders", key="INTEGER", value="INTEGER")
        self.now = timezone.now()
        for sheet in self.present:
            apply = getattr(self, f"_apply_{sheet.name}")
            total, done = self.sizes.get(sheet.name, 0), 0
            phase = f"{'Importing' if write else 'Planning'} {sheet.name}"
            with self.source.open_rows(sheet.name) as (_, rows):
                records = (self._parse(sheet, n, row, report=False) for n, row in rows)
                for chunk in _chunks((r for r in records if r is not None), BATCH):
                    apply(chunk)
                    done += len(chunk)
                    self.progress(phase, done, total)

    def _tally(self, sheet: str, create: int, update: int, same: int) -> None:
        self.outcome.count(sheet, "create", create)
        self.outcome.count(sheet, "update", update)
        self.outcome.count(sheet, "same", same)

    def _service_id(self, name: str) -> int | None:
        if name not in self.services:
            if not self.write:
                return None
            self.services[name] = Service.objects.create(organisation=self.org, name=name).pk
        return self.services[name]

    def _apply_teams(self, chunk: list[dict]) -> None:
        existing = {
            t.reference: t
            for t in Team.objects.filter(
                service__organisation=self.org, reference__in=[r["team_ref"] for r in chunk]
            )
        }
        creates, updates, same = [], [], 0
        for r in chunk:
            values = {
                "service_id": self._service_id(r["service"]),
                "name": r["team_name"],
                "establishment_fte": r["establishment_fte"],
            }
            team = existing.get(r["team_ref"])
            if team is None:
                creates.append(Team(reference=r["team_ref"], **values))
            elif _differs(team, values):
                _assign(team, values)
                updates.append(team)
            else:
                same += 1
        self._tally("teams", len(creates), len(updates), same)
        if self.write:
            Team.objects.bulk_create(creates)
            Team.objects.bulk_update(updates, ["service_id", "name", "establishment_fte"])
            self.team_ids.update({t.reference: t.pk for t in creates})

    def _apply_workers(self, chunk: list[dict]) -> None:
        existing = {
            w.reference: w
            for w in Worker.objects.filter(
                team__service__organisation=self.org,
                reference__in=[r["worker_ref"] for r in chunk],
            )
        }
        creates, updates, same = [], [], 0
        for r in chunk:
            values = {name: r.get(name) for name in WORKER_FIELDS if name != "team_id"}
            values["team_id"] = self.team_ids.get(r["team_ref"])
            worker = existing.get(r["worker_ref"])
            if worker is None:
                creates.append(Worker(reference=r["worker_ref"], **values))
            elif _differs(worker, values):
                _assign(worker, values)
                updates.append(worker)
                self.touched_teams.add(worker.team_id)
            else:
                same += 1
        self._tally("workers", len(creates), len(updates), same)
        if self.write:
            self._save_with_history(Worker, creates, updates, list(WORKER_FIELDS))
            self.worker_ids.update({w.reference: w.pk for w in creates})
            self.touched_teams.update(w.team_id for w in creates + updates)

    def _save_with_history(self, model, creates: list, updates: list, fields: list[str]) -> None:
        history = {"default_user": self.by, "default_change_reason": IMPORT_NOTE}
        bulk.insert(model, creates, history=True, user=self.by, reason=IMPORT_NOTE)
        if updates:
            bulk_update_with_history(updates, model, fields, batch_size=BATCH, **history)

    def _household_ids(self, chunk: list[dict]) -> dict[str, int]:
        """The batch's households' ids, creating the new ones when writing."""
        wanted = {r["household_ref"] for r in chunk if r["household_ref"]}
        known = self.households.get_many(wanted)
        missing = wanted - set(known)
        if not missing or not self.write:
            return known
        created = [Household(organisation=self.org, reference=ref) for ref in sorted(missing)]
        bulk.insert(Household, created, history=True, user=self.by, reason=IMPORT_NOTE)
        pairs = [(h.reference, h.pk) for h in created]
        self.households.update(pairs)
        known.update(pairs)
        return known

    def _apply_participants(self, chunk: list[dict]) -> None:
        households = self._household_ids(chunk)
        existing = {
            p.reference: p
            for p in Participant.objects.filter(
                organisation=self.org, reference__in=[r["participant_ref"] for r in chunk]
            )
        }
        creates, updates, same = [], [], 0
        for r in chunk:
            values = {
                "given_name": r["given_name"],
                "family_name": r["family_name"],
                "date_of_birth": r["date_of_birth"],
                "household_id": households.get(r["household_ref"]) if r["household_ref"] else None,
            }
            person = existing.get(r["participant_ref"])
            if person is None:
                creates.append(
                    Participant(organisation=self.org, reference=r["participant_ref"], **values)
                )
            elif _differs(person, values) or (r["household_ref"] and not values["household_id"]):
                _assign(person, values)
                updates.append(person)
            else:
                same += 1
        self._tally("participants", len(creates), len(updates), same)
        if self.write:
            self._save_with_history(Participant, creates, updates, list(values))

    # Cases ---------------------------------------------------------------------------------

    def _case_values(self, r: dict, participants: dict[str, int]) -> dict:
        status = (
            CaseStatus.CLOSED
            if r["closed_on"]
            else CaseStatus.ALLOCATED
            if r["worker_ref"]
            else CaseStatus.AWAITING_ALLOCATION
        )
        return {
            "participant_id": participants.get(r["participant_ref"]),
            "team_id": self.team_ids.get(r["team_ref"]),
            "case_type": r["case_type"],
            "need_level": r["need_level"],
            "court": r["court"],
            "opened_on": r["opened_on"],
            "closed_on": r["closed_on"],
            "status": status,
        }

    def _open_siblings(self, chunk: list[dict]) -> dict[str, int]:
        """For the batch's people in a household: how many other open cases it has."""
        people = {r["participant_ref"] for r in chunk if not r["siblings"] and not r["closed_on"]}
        household_of = self.household_of.get_many(people)
        open_cases = self.open_in_household.get_many(set(household_of.values()))
        return {person: open_cases.get(h, 0) - 1 for person, h in household_of.items()}

    def _siblings(self, r: dict) -> str:
        if r["siblings"]:
            return r["siblings"]
        return siblings_band(self.batch_siblings.get(r["participant_ref"], 0))

    def _apply_cases(self, chunk: list[dict]) -> None:
        self.batch_siblings = self._open_siblings(chunk)
        plan = CasePlan(self, chunk)
        for r in chunk:
            plan.add(r)
        if self.with_contacts:
            self.holders.update(plan.holders)
        self._tally("cases", len(plan.creates), len(plan.changed), plan.same)
        self.outcome.count("cases", "reallocations", plan.reallocations)
        self.outcome.count("cases", "assessments", len(plan.assessments))
        if self.write:
            plan.write()

    def _apply_contacts(self, chunk: list[dict]) -> None:
        refs = {r["case_ref"] for r in chunk}
        case_ids = self.case_ids.get_many(refs)
        found = list(
            Case.objects.filter(
                team__service__organisation=self.org, reference__in=refs - set(case_ids)
            ).values_list("reference", "pk")
        )
        self.case_ids.update(found)
        case_ids.update(found)
        ids = {case_ids.get(r["case_ref"]) for r in chunk} - {None}
        holders = self.holders.get_many(ids)
        existing = set(
            Contact.objects.filter(case_id__in=ids).values_list(
                "case_id",
                "occurred_at",
                "contact_type",
                "seen",
                "duration_minutes",
                "travel_minutes",
            )
        )
        creates, same = [], 0
        for r in chunk:
            case_id = case_ids.get(r["case_ref"])
            moment = r["date"]
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            key = (
                case_id,
                moment,
                r["type"],
                r["seen"],
                r["duration_minutes"],
                r["travel_minutes"],
            )
            if case_id is not None and key in existing:
                same += 1
                continue
            existing.add(key)
            creates.append(
                Contact(
                    case_id=case_id,
                    occurred_at=moment,
                    contact_type=r["type"],
                    seen=r["seen"],
                    duration_minutes=r["duration_minutes"],
                    travel_minutes=r["travel_minutes"],
                    worker_id=holders.get(case_id),
                    recorded_by=self.by,
                    recorded_at=self.now,
                    notes="",
                )
            )
        self._tally("contacts", len(creates), 0, same)
        if self.write:
            bulk.insert(Contact, creates)
