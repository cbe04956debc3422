"""Contacts as CSV rows. Cells that a spreadsheet would run as a formula are neutralised."""

from collections.abc import Iterable, Iterator

from django.utils import timezone

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "contact id",
    "correction of",
    "case reference",
    "person reference",
    "case type",
    "date",
    "time",
    "type",
    "seen",
    "child seen alone",
    "duration minutes",
    "travel minutes",
    "worker",
    "recorded by",
    "recorded at",
]


def neutralise(value) -> str:
    """Text as a CSV cell that cannot run as a formula: a leading quote is added where needed."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _yes_no(value) -> str:
    return "" if value is None else ("yes" if value else "no")


def contact_row(contact, *, include_notes: bool) -> list[str]:
    """One contact as CSV cells (the case and participant must be loaded with it)."""
    moment = timezone.localtime(contact.occurred_at)
    cells = [
        contact.pk,
        contact.corrects_id or "",
        contact.case.reference,
        contact.case.participant.reference,
        contact.case.get_case_type_display(),
        moment.date().isoformat(),
        moment.strftime("%H:%M"),
        contact.get_contact_type_display(),
        _yes_no(contact.seen),
        _yes_no(contact.seen_alone),
        contact.duration_minutes,
        contact.travel_minutes,
        contact.worker.name if contact.worker else "",
        contact.recorded_by.get_full_name() if contact.recorded_by else "",
        timezone.localtime(contact.recorded_at).strftime("%Y-%m-%d %H:%M"),
    ]
    if include_notes:
        cells.append(contact.notes)
    return [neutralise(cell) for cell in cells]


def contact_rows(contacts: Iterable, *, include_notes: bool) -> Iterator[list[str]]:
    """The header, then one row per contact."""
    yield HEADER + (["notes"] if include_notes else [])
    for contact in contacts:
        yield contact_row(contact, include_notes=include_notes)
