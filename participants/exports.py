"""Contacts as rows to download: CSV (its header as it has always been, for systems) or XLSX
with a title block and typed cells (`caseload.core.spreadsheet`). Cells that a spreadsheet
would run as a formula are neutralised in both."""

from collections.abc import Iterable, Iterator

from django.utils import timezone

from caseload.core.spreadsheet import Column, Table, neutralise

__all__ = ["HEADER", "contact_rows", "contact_table", "neutralise"]

# The CSV header (kept as it is: systems read it), the heading people read, and the kind.
COLUMNS = [
    Column("contact id", "Contact", "count"),
    Column("correction of", "Correction of contact", "count"),
    Column("case reference", "Case"),
    Column("person reference", "Person"),
    Column("case type", "Case type"),
    Column("date", "Date", "date"),
    Column("time", "Time", "time"),
    Column("type", "Contact type"),
    Column("seen", "Seen", "yes_no"),
    Column("child seen alone", "Child seen alone", "yes_no"),
    Column("duration minutes", "Minutes", "count"),
    Column("travel minutes", "Travel minutes", "count"),
    Column("worker", "Worker"),
    Column("recorded by", "Recorded by"),
    Column("recorded at", "Recorded at", "datetime"),
]
NOTES = Column("notes", "Notes")
HEADER = [column.name for column in COLUMNS]


def _yes_no(value) -> str:
    return "" if value is None else ("yes" if value else "no")


def contact_values(contact) -> list:
    """One contact's cells, typed: dates and times local and as dates and times, numbers as
    numbers (the case and participant must be loaded with it)."""
    moment = timezone.localtime(contact.occurred_at)
    return [
        contact.pk,
        contact.corrects_id,
        contact.case.reference,
        contact.case.participant.reference,
        contact.case.get_case_type_display(),
        moment.date(),
        moment.time().replace(second=0, microsecond=0, tzinfo=None),
        contact.get_contact_type_display(),
        _yes_no(contact.seen),
        _yes_no(contact.seen_alone),
        contact.duration_minutes,
        contact.travel_minutes,
        contact.worker.name if contact.worker else "",
        contact.recorded_by.get_full_name() if contact.recorded_by else "",
        timezone.localtime(contact.recorded_at).replace(tzinfo=None, second=0, microsecond=0),
    ]


def contact_row(contact, *, include_notes: bool) -> list[str]:
    """One contact as CSV cells, as the CSV has always had them."""
    values = contact_values(contact)
    values[0] = str(values[0])
    values[1] = "" if values[1] is None else str(values[1])
    values[5] = values[5].isoformat()
    values[6] = values[6].strftime("%H:%M")
    values[14] = values[14].strftime("%Y-%m-%d %H:%M")
    if include_notes:
        values.append(contact.notes)
    return [neutralise(cell) for cell in values]


def contact_rows(contacts: Iterable, *, include_notes: bool) -> Iterator[list[str]]:
    """The CSV header, then one row per contact."""
    yield HEADER + ([NOTES.name] if include_notes else [])
    for contact in contacts:
        yield contact_row(contact, include_notes=include_notes)


def contact_table(contacts: Iterable, export) -> Table:
    """The contacts of an export as a table for the XLSX download."""
    columns = COLUMNS + ([NOTES] if export.include_notes else [])

    def rows():
        for contact in contacts:
            values = contact_values(contact)
            yield values + ([contact.notes] if export.include_notes else [])

    return Table(
        title=f"Contacts and attempts: {export.team.name}",
        scope=(
            f"{export.team.name}, from {export.date_from:%d %B %Y} to {export.date_to:%d %B %Y}"
        ),
        on=None,
        columns=columns,
        rows=rows(),
        notes=(f"Downloaded by {export.exported_by.get_full_name() or export.exported_by}.",),
        sheet_name="Contacts",
    )
