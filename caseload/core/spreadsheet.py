"""Tables as files people and systems read: XLSX for a board paper, CSV for a system.

A `Table` says what it is (a title, the scope and the date), and each `Column` has the machine
name a CSV keeps, the heading a person reads and a kind that says how its cells look. The XLSX
has a title block, the headings in bold and frozen, shares as percentages, dates as dates and
widths that fit; the CSV has one header row of machine names and plain values. Text cells that
a spreadsheet would run as a formula are neutralised in both. No Django here.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# kind → (XLSX number format, the widest a cell of it usually is, in characters)
FORMATS = {
    "text": ("@", 0),
    "count": ("#,##0", 8),
    "ratio": ("#,##0.00", 9),
    "fte": ("#,##0.00", 9),
    "days": ("0.0", 8),
    "share": ("0.0%", 8),
    "date": ("d mmm yyyy", 11),
    "datetime": ("d mmm yyyy hh:mm", 17),
    "time": ("hh:mm", 6),
    "yes_no": ("@", 4),
}
MAX_WIDTH = 45
ROWS_MEASURED = 200  # text widths are measured on the first rows only (the file streams)


def neutralise(value) -> str:
    """Text as a cell that cannot run as a formula: a leading quote is added where needed."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Column:
    """One column: `name` for systems (the CSV header), `heading` for people, and its kind."""

    name: str
    heading: str
    kind: str = "text"

    def __post_init__(self):
        if self.kind not in FORMATS:
            raise ValueError(f"Unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Typed:
    """A cell whose kind is its own, not its column's (a column of figures of mixed kinds)."""

    value: object
    kind: str


@dataclass
class Table:
    """A table to download: what it is, for which scope and date, its columns and rows."""

    title: str
    scope: str
    on: date | None
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    notes: Sequence[str] = field(default_factory=tuple)
    sheet_name: str = "Table"


def _plain(value, kind: str):
    """A value as a CSV cell: numbers as they are, dates ISO 8601, yes/no, text neutralised."""
    if isinstance(value, Typed):
        return _plain(value.value, value.kind)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return value
    return neutralise(value)


def csv_text(table: Table, *, header: str = "name") -> str:
    """The table as CSV: one header row (the machine names, or the headings if asked), then
    one row per row. No title block: a system reads it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([getattr(column, header) for column in table.columns])
    for row in table.rows:
        writer.writerow([_plain(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    return out.getvalue()


def _typed(value, kind: str):
    """A value as an XLSX cell value: numbers as numbers, dates as dates, text neutralised."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | float | date):
        return value
    if kind == "count":
        try:
            return int(value)
        except (TypeError, ValueError):
            pass
    return neutralise(value)


def _lines(text: str, width: int) -> int:
    """How many lines `text` takes wrapped at word boundaries in `width` characters."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width:
            lines, used = lines + 1, len(word)
        else:
            used += len(word) + (1 if used else 0)
    return lines


def _heading_width(heading: str) -> int:
    """The narrowest width (in characters) at which the heading wraps onto two lines at most:
    spreadsheets do not grow a row for a wrapped heading, so a third line would be hidden."""
    width = max((len(word) for word in heading.split()), default=1)
    while _lines(heading, width) > 2:
        width += 1
    return width


def _width(column: Column, rows: list[Sequence], index: int) -> float:
    widest = FORMATS[column.kind][1]
    if column.kind in ("text", "yes_no"):
        widest = max((len(str(row[index] or "")) for row in rows), default=0)
    return min(MAX_WIDTH, max(_heading_width(column.heading), widest, 6) + 2)


def write_xlsx(table: Table, target) -> int:
    """Write the table as an XLSX workbook to `target` (a path or a binary file), streaming
    its rows. Returns the number of rows written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.sheet_name[:31])
    rows = iter(table.rows)
    first: list[Sequence] = [row for row, _ in zip(rows, range(ROWS_MEASURED), strict=False)]
    for index, column in enumerate(table.columns):
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = _width(column, first, index)

    def line(value, *, font=None, heading_of: Column | None = None):
        cell = WriteOnlyCell(sheet, value=value)
        if font:
            cell.font = font
        if heading_of is not None:  # over numbers, the heading sits right like its figures
            numeric = heading_of.kind not in ("text", "yes_no")
            cell.alignment = Alignment(
                wrap_text=True, vertical="bottom", horizontal="right" if numeric else "left"
            )
        return cell

    # A streaming sheet writes its panes and widths with its first row: set them first.
    header_row = 4 + len(table.notes)
    sheet.freeze_panes = f"A{header_row + 1}"
    # Printed (or saved as PDF): landscape, every column on the page, the headings on each.
    sheet.page_setup.orientation = "landscape" if len(table.columns) > 4 else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.append([line(table.title, font=Font(bold=True, size=14))])
    when = f" on {table.on.day} {table.on:%B %Y}" if table.on else ""
    sheet.append([line(f"{table.scope}{when}", font=Font(size=11))])
    for note in table.notes:
        sheet.append([line(note, font=Font(italic=True, color="555555"))])
    sheet.append([])
    sheet.append([line(c.heading, font=Font(bold=True), heading_of=c) for c in table.columns])

    formats = [FORMATS[c.kind][0] for c in table.columns]
    count = 0
    for row in _chain(first, rows):
        cells = []
        for value, column, number_format in zip(row, table.columns, formats, strict=True):
            kind = column.kind
            if isinstance(value, Typed):
                kind, number_format = value.kind, FORMATS[value.kind][0]
                value = value.value
            cell = WriteOnlyCell(sheet, value=_typed(value, kind))
            if cell.value is not None and kind not in ("text", "yes_no"):
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
        count += 1
    book.save(target)
    return count


def _chain(first: list, rest):
    yield from first
    yield from rest


def xlsx_bytes(table: Table) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(table, buffer)
    return buffer.getvalue()
