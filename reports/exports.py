"""Dashboard tables as downloads: XLSX for a board paper (a title block, the headings people
read, shares as percentages, dates as dates) or CSV with the machine names for systems. The
files are written by `caseload.core.spreadsheet`."""

from django.http import HttpResponse

from caseload.core import mail
from caseload.core.spreadsheet import Column, Table, Typed, csv_text, xlsx_bytes

from . import figures as F

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# What each table is, as its title says it.
TITLES = {
    "figures": "Every figure",
    "compare": "Side by side, every figure",
    "members": "Members against promise and bandwidth",
    "trend": "Every figure, month by month",
    "distribution": "Case holders by open cases held",
}


def notes() -> tuple[str, ...]:
    """The note under a table of figures, with the address of the guide that defines them."""
    guide = mail.link("guide_figures")
    return (
        f"A blank figure means there is nothing to divide by. Every figure is defined at {guide}",
    )


def figure_columns() -> list[Column]:
    """A column for every figure, named as the report names it and headed as the page does."""
    return [Column(name, F.LABELS[name][0], F.LABELS[name][1]) for name in F.FIELDS]


SCOPE_COLUMNS = [Column("scope", "Level"), Column("scope_name", "Name")]


def download(table: Table, *, filename: str, fmt: str) -> HttpResponse:
    """The table in the format asked for ("csv" or "xlsx")."""
    if fmt == "xlsx":
        body = xlsx_bytes(table)
    else:
        body = csv_text(table).encode("utf-8")
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def figure_rows(figures: dict) -> list[list]:
    """One scope's figures for people: a figure per row, each value in its own format."""
    return [[F.LABELS[name][0], Typed(figures.get(name), F.LABELS[name][1])] for name in F.FIELDS]


FIGURE_ROW_COLUMNS = [
    Column("figure", "Figure"),
    Column("value", "Value", "ratio"),
]
