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

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from caseload.core import bulk
from caseload.core.models import Case, Organisation, Service, Team, User, Worker
from caseload.core.recompute import request_teams_recompute
from participants.models import Contact, Household, Participant

from .cases import IMPORT_NOTE, CasePlan
from .checks import LOAD, CheckPass
from .compare import assign, differs
from .formats import SHEETS, siblings_band
from .outcome import Outcome
from .readers import FileProblem, Source
from .refstore import RefStore

BATCH = 2000
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


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(items, size)):
        yield chunk


class CaseloadImport(CheckPass):
    """One import of a source into an organisation. `check()` plans without writing;
    `commit()` checks and then writes everything or nothing. The first pass, the check, is
    `CheckPass`'s (checks.py); the second, planning and writing, is here."""

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
                    if self._large():
                        transaction.on_commit(_statistics_refresh)  # before the recompute
                    if self.recompute:
                        request_teams_recompute(self.org.pk, self.touched_teams)
                self.outcome.written = True
        return self.outcome

    def _large(self) -> bool:
        totals = self.outcome.totals()
        return totals["create"] + totals["update"] >= bulk.ANALYZE_AFTER_ROWS

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
            try:
                with self.source.open_rows(sheet.name) as (_, rows):
                    records = (self._parse(sheet, n, row, report=False) for n, row in rows)
                    for chunk in _chunks((r for r in records if r is not None), BATCH):
                        apply(chunk)
                        done += len(chunk)
                        self.progress(phase, done, total)
            except FileProblem:
                if write:
                    raise  # the check found nothing wrong with these files: never half-write
                # Planning after a failed check: the problem is listed already; plan the rest.

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
            elif differs(team, values):
                assign(team, values)
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
            elif differs(worker, values):
                assign(worker, values)
                updates.append(worker)
                self.touched_teams.add(worker.team_id)
            else:
                same += 1
        self._tally("workers", len(creates), len(updates), same)
        if self.write:
            self.save_with_history(Worker, creates, updates, list(WORKER_FIELDS))
            self.worker_ids.update({w.reference: w.pk for w in creates})
            self.touched_teams.update(w.team_id for w in creates + updates)

    def save_with_history(self, model, creates: list, updates: list, fields: list[str]) -> None:
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
            elif differs(person, values) or (r["household_ref"] and not values["household_id"]):
                assign(person, values)
                updates.append(person)
            else:
                same += 1
        self._tally("participants", len(creates), len(updates), same)
        if self.write:
            self.save_with_history(Participant, creates, updates, list(values))

    # Cases ---------------------------------------------------------------------------------

    def case_values(self, r: dict, participants: dict[str, int]) -> dict:
        """A case row's own values; its status and place in the queue are the plan's."""
        return {
            "participant_id": participants.get(r["participant_ref"]),
            "team_id": self.team_ids.get(r["team_ref"]),
            "case_type": r["case_type"],
            "need_level": r["need_level"],
            "court": r["court"],
            "opened_on": r["opened_on"],
            "closed_on": r["closed_on"],
            "expected_end": r["expected_end"],
        }

    def _open_siblings(self, chunk: list[dict]) -> dict[str, int]:
        """For the batch's people in a household: how many other open cases it has."""
        people = {r["participant_ref"] for r in chunk if not r["siblings"] and not r["closed_on"]}
        household_of = self.household_of.get_many(people)
        open_cases = self.open_in_household.get_many(set(household_of.values()))
        return {person: open_cases.get(h, 0) - 1 for person, h in household_of.items()}

    def siblings(self, r: dict) -> str:
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


WRITTEN_APPS = ("caseload", "participants", "weighting")  # app labels whose tables an import fills


def _statistics_refresh() -> None:
    """After a large import, the planner's statistics for the tables it wrote."""
    bulk.statistics_refresh(
        [model for label in WRITTEN_APPS for model in apps.get_app_config(label).get_models()]
    )
