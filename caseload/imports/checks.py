"""The first pass of an import: every cell parsed and every row checked against the files and
the database (references, duplicates, dates, FTE, eligibility, exclusions, closed cases with a
holder, dates of birth in the future), each problem named by file, row and column. Only
references and a few facts per row are kept, never whole rows."""

from caseload.core.eligibility import ineligibility_reason
from caseload.core.models import Case, Team, Worker
from caseload.exclusions.selectors import excluded_pairs
from participants.choices import CAN_BE_SEEN
from participants.models import Participant
from weighting import selectors as weighting

from .formats import (
    DEFAULTS,
    PARSERS,
    SHEET_BY_NAME,
    SHEETS,
    CellError,
    Sheet,
    check_characters,
    parse_text,
)
from .outcome import Problem
from .readers import FileProblem
from .refstore import MemorySet

LOAD = 5000  # references read from the database at a time into the store
PROGRESS_EVERY = 2000  # rows between progress reports
SMALL_SHEETS = ("teams", "workers")  # their references may stay in memory


class TooManyProblems(Exception):
    """Stop reading: the list would be too long to be useful."""


class CheckPass:
    """The check pass of a `CaseloadImport`: reads `source`, `org`, `today`, `refs`, `present`
    and `with_contacts` from the import, and fills `outcome` with problems and warnings."""

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
        self.excluded = excluded_pairs(org.pk)
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
        if self.present and self.outcome.ok and self.outcome.rows == 0:
            self.outcome.problem_count += 1
            self.outcome.problems.append(
                Problem(
                    ", ".join(self.source.label(s.name) for s in self.present),
                    None,
                    "",
                    "There is nothing to import: the files hold their header rows only.",
                )
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
        try:
            with self.source.open_rows(sheet.name) as (header, rows):
                if not self._header_usable(sheet, header):
                    return
                for number, row in rows:
                    done += 1
                    if row.overflow:
                        self._overflow(sheet.name, number, row, len(header))
                    record = self._parse(sheet, number, row, report=True)
                    if record is not None:
                        check(number, record)
                    else:
                        self._remember(sheet.name, row)
                    if done % PROGRESS_EVERY == 0:
                        self.progress(f"Checking {sheet.name}", done, 0)
        except FileProblem as problem:
            # The rest of the file cannot be read: say where, and check no further in it.
            self._problem(sheet.name, problem.row, problem.column, problem.reason)
        self.sizes[sheet.name] = done
        self.outcome.rows += done
        self.progress(f"Checking {sheet.name}", done, done)

    def _header_usable(self, sheet: Sheet, header: list[str]) -> bool:
        """Whether the header row names the sheet's required columns, once each."""
        if not any(header):
            self._problem(
                sheet.name, 1, "", "The file is empty: it has no header row (and no rows)."
            )
            return False
        missing = [c for c in sheet.required if c not in header]
        if missing:
            self._problem(sheet.name, 1, ", ".join(missing), "Required column missing.")
            return False
        twice = sorted({c for c in header if c and header.count(c) > 1})
        if twice:
            self._problem(
                sheet.name, 1, ", ".join(twice), "This column is in the header more than once."
            )
            return False
        extra = [c for c in header if c and c not in sheet.columns]
        if extra:
            self.outcome.warnings.append(
                f"{self.source.label(sheet.name)}: ignored extra columns {', '.join(extra)}."
            )
        return True

    def _overflow(self, sheet: str, number: int, row, width: int) -> None:
        self._problem(
            sheet,
            number,
            "",
            f"This row has {row.overflow} filled cell{'s' if row.overflow > 1 else ''} after "
            f"the last column of the header (column {width}): they have no heading and would "
            "be lost. Check for a comma that should be inside quotes, or give the column a "
            "heading.",
        )

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
                check_characters(text)
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
        if r["expected_end"] and r["expected_end"] < opened:
            problem("expected_end", "The case is expected to end before it opened.")
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
            household = self.household_of.get(r["participant_ref"])
            excluded = (r["case_ref"], worker) in self.excluded or bool(
                household and (f"household:{household}", worker) in self.excluded
            )
            reason = ineligibility_reason(
                case_type=r["case_type"],
                need_level=r["need_level"],
                court=r["court"],
                role=role,
                qualified=qualified,
                excluded=excluded,
            )
            if excluded:
                problem("worker_ref", f"{worker} cannot hold this case: {reason}")
            elif reason and not r["needs_reallocation"]:
                problem(
                    "worker_ref",
                    f"{worker} cannot hold this case: {reason} (If it is waiting to be "
                    "reallocated, put yes in needs_reallocation.)",
                )
        for column, option in self.choices(r, siblings=r["siblings"] or "none"):
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

    def choices(self, r: dict, *, siblings: str) -> list[tuple[str, str]]:
        choices = [
            ("case_type", r["case_type"]),
            ("court", r["court"]),
            ("siblings", siblings),
            ("travel", r["travel"]),
        ]
        choices += [("extras", extra) for extra in r["extras"]]
        return sorted(c for c in choices if c[0] in self.single_factors or c[0] == "extras")
