"""Dashboard tables as CSV or XLSX downloads. Cells a spreadsheet would run as a formula are
neutralised in both."""

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook

from participants.exports import neutralise

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cell(value):
    """Numbers stay numbers (so a spreadsheet can sum them); text is neutralised."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | float) or value is None:
        return value
    return neutralise(value)


def download(
    header: Sequence[str], rows: Sequence[Sequence], *, filename: str, fmt: str
) -> HttpResponse:
    """A download of the table in the format asked for ("csv" or "xlsx")."""
    cells = [[_cell(value) for value in row] for row in rows]
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=filename[:31])
        sheet.append(list(header))
        for row in cells:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        body = buffer.getvalue()
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows(["" if value is None else value for value in row] for row in cells)
        body = text.getvalue().encode("utf-8")
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
