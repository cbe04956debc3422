"""Export an organisation in the import format: a folder of CSV files, a zip of them or an XLSX
workbook. Rows are streamed in batches; a cell a spreadsheet would run as a formula is
neutralised with a leading ' (the importer takes it off again)."""

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from caseload.core.models import Allocation, Case, Organisation, Team, Worker
from participants.models import Contact, Participant
from weighting import selectors as weighting

from .formats import EXPORT_COLUMNS, FORMULA_START

BATCH = 2000
FORMATS = ("csv", "xlsx", "zip")


def neutralise(value) -> str:
    """The cell as text, with a leading ' where a spreadsheet would start a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, date | Decimal | int):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _ref(value: str, prefix: str, pk: int) -> str:
    return value or f"{prefix}{pk}"


def _teams(org) -> Iterator[list]:
    for team in (
        Team.objects.filter(service__organisation=org).select_related("service").order_by("pk")
    ):
        yield [
            _ref(team.reference, "T-", team.pk),
            team.name,
            team.service.name,
            team.establishment_fte,
        ]


def _workers(org) -> Iterator[list]:
    rows = (
        Worker.objects.filter(team__service__organisation=org).select_related("team").order_by("pk")
    )
    for w in rows.iterator(chunk_size=BATCH):
        yield [
            _ref(w.reference, "W-", w.pk),
            w.name,
            w.email,
            _ref(w.team.reference, "T-", w.team_id),
            w.role,
            w.qualified,
            w.experience,
            w.fte,
            w.agency,
            w.start_date,
            w.leave_date,
            w.caseload_promise,
        ]


def _participants(org) -> Iterator[list]:
    rows = Participant.objects.filter(organisation=org).select_related("household").order_by("pk")
    for p in rows.iterator(chunk_size=BATCH):
        yield [
            p.reference,
            p.given_name,
            p.family_name,
            p.date_of_birth,
            p.household.reference if p.household else "",
        ]


def _case_batches(org) -> Iterator[list[Case]]:
    rows = (
        Case.objects.filter(team__service__organisation=org)
        .select_related("participant", "team")
        .order_by("pk")
    )
    batch = []
    for case in rows.iterator(chunk_size=BATCH):
        batch.append(case)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _cases(org) -> Iterator[list]:
    today = timezone.localdate()
    for batch in _case_batches(org):
        ids = [c.pk for c in batch]
        holders = {
            a.case_id: a
            for a in Allocation.objects.current()
            .filter(case_id__in=ids)
            .select_related("worker")
            .only("case_id", "started_on", "worker__reference", "worker_id")
        }
        assessments = weighting.assessments_on(ids, today)
        for case in batch:
            held = holders.get(case.pk) if case.is_open else None
            choices = dict.fromkeys(("travel", "siblings"), "")
            extras = []
            assessment = assessments.get(case.pk)
            for factor, option in assessment.choices_on if assessment else []:
                if factor == "extras":
                    extras.append(option)
                else:
                    choices[factor] = option
            yield [
                case.reference or f"C-{case.pk}",
                case.participant.reference,
                _ref(case.team.reference, "T-", case.team_id),
                case.case_type,
                case.need_level,
                _ref(held.worker.reference, "W-", held.worker_id) if held else "",
                held.started_on if held else "",
                case.opened_on,
                case.closed_on,
                case.court,
                choices["travel"],
                ";".join(sorted(extras)),
                choices["siblings"],
                "yes" if held and case.needs_reallocation else "",
                case.expected_end or "",
            ]


def _contacts(org) -> Iterator[list]:
    rows = (
        Contact.objects.current()
        .filter(case__team__service__organisation=org)
        .order_by("pk")
        .values_list(
            "case__reference",
            "case_id",
            "occurred_at",
            "contact_type",
            "seen",
            "duration_minutes",
            "travel_minutes",
        )
    )
    for ref, case_id, occurred_at, kind, seen, duration, travel in rows.iterator(BATCH):
        yield [ref or f"C-{case_id}", occurred_at, kind, seen, duration, travel]


SOURCES = {
    "teams": _teams,
    "workers": _workers,
    "participants": _participants,
    "cases": _cases,
    "contacts": _contacts,
}


def sheets(org: Organisation | None) -> Iterator[tuple[str, tuple, Iterator[list]]]:
    """(sheet name, header, rows as text) for every sheet; no rows without an organisation
    (the blank template)."""
    for name, columns in EXPORT_COLUMNS.items():
        rows = SOURCES[name](org) if org is not None else iter(())
        yield name, columns, ([neutralise(v) for v in row] for row in rows)


def write_csv(handle, header, rows) -> int:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def export_folder(org, path: Path) -> dict[str, int]:
    path.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, header, rows in sheets(org):
        with (path / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            counts[name] = write_csv(handle, header, rows)
    return counts


def export_zip(org, target) -> dict[str, int]:
    """A zip of the CSV files; `target` is a path or a writable binary file."""
    counts = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, header, rows in sheets(org):
            with archive.open(f"{name}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                counts[name] = write_csv(text, header, rows)
                text.flush()
                text.detach()
    return counts


def export_xlsx(org, target) -> dict[str, int]:
    """One workbook with a sheet per file, written in openpyxl's streaming write-only mode.
    Every cell is text, so the workbook reads back exactly as the CSV files do."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    counts = {}
    for name, header, rows in sheets(org):
        sheet = book.create_sheet(name)
        sheet.append(list(header))
        counts[name] = 0
        for row in rows:
            sheet.append(row)
            counts[name] += 1
    book.save(target)
    return counts


def export(org, path, fmt: str) -> dict[str, int]:
    """Export the organisation to `path` as csv (a folder), zip or xlsx."""
    path = Path(path)
    if fmt == "csv":
        return export_folder(org, path)
    if fmt == "zip":
        return export_zip(org, path)
    return export_xlsx(org, path)
