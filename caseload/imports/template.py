"""The import template: every sheet's columns, example rows that import cleanly, drop-down lists
of the accepted values, and a sheet that says how to fill it in (docs/import-format.md).

The reader ignores sheets it does not know ("read me", "accepted values"), so a filled-in
template imports as it is. The CSV template (a zip) carries the same example rows."""

import io
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from caseload.core.choices import CaseType, Court, ExperienceBand, NeedLevel, WorkerRole
from participants.choices import ContactType

from .formats import EXPORT_COLUMNS, EXTRAS, SHEET_BY_NAME

# Each column with a fixed set of codes: the codes, and what they mean.
ACCEPTED = {
    "role": WorkerRole.choices,
    "experience": ExperienceBand.choices,
    "case_type": CaseType.choices,
    "need_level": NeedLevel.choices,
    "court": Court.choices,
    "type": ContactType.choices,
    "travel": [
        ("under_30", "under 30 minutes"),
        ("30_60", "30 to 60 minutes"),
        ("over_60", "over 60 minutes"),
    ],
    "siblings": [
        ("none", "no siblings with open cases"),
        ("one_or_two", "one or two"),
        ("three_or_more", "three or more"),
    ],
    "qualified": [("yes", "social work qualified"), ("no", "not qualified")],
    "agency": [("yes", "agency"), ("no", "permanent")],
    "seen": [("yes", "the person was seen"), ("no", "an attempt, or not seen")],
    "needs_reallocation": [("yes", "needs reallocation"), ("no", "does not")],
}

# Example rows that import cleanly and refer to one another: a team, two workers, two siblings,
# an allocated case and one waiting, and a visit.
EXAMPLES = {
    "teams": [["EXAMPLE-T1", "Example Assessment Team", "Example Children's Services", "6"]],
    "workers": [
        ["EXAMPLE-W1", "Sam Example", "sam.example@example.org", "EXAMPLE-T1",
         "social_worker", "yes", "experienced", "1", "no", "2023-09-04", "", ""],
        ["EXAMPLE-W2", "Alex Example", "", "EXAMPLE-T1",
         "support_worker", "no", "experienced", "0.6", "yes", "2024-01-08", "", "12"],
    ],
    "participants": [
        ["EXAMPLE-P1", "Jo", "Example", "2015-06-30", "EXAMPLE-H1"],
        ["EXAMPLE-P2", "Kim", "Example", "2018-02-14", "EXAMPLE-H1"],
    ],
    "cases": [
        ["EXAMPLE-C1", "EXAMPLE-P1", "EXAMPLE-T1", "child_protection", "high", "EXAMPLE-W1",
         "2025-01-10", "2025-01-06", "", "pre_proceedings", "30_60", "interpreter;high_risk",
         "one_or_two", "no", ""],
        ["EXAMPLE-C2", "EXAMPLE-P2", "EXAMPLE-T1", "child_in_need", "low", "",
         "", "2025-02-03", "", "none", "under_30", "", "", "no", "2025-08-01"],
    ],
    "contacts": [["EXAMPLE-C1", "2025-02-03T10:30", "home_visit", "yes", "60", "45"]],
}  # fmt: skip

ABOUT = [
    "How to fill in this template",
    "",
    "Each sheet is one file of the import: teams, workers, participants, cases, contacts.",
    "The grey rows are examples that import as they are: replace them with your own rows.",
    "Columns in bold must be filled; the others may be left blank.",
    "Columns with a fixed list of values offer a drop-down; the sheet 'accepted values' "
    "lists every code and what it means.",
    "Dates: 2024-03-31 or 31/03/2024. Contact dates may carry a time: 2024-03-31T14:30.",
    "extras: any of " + ", ".join(EXTRAS) + ", separated by ; (blank for none).",
    "Rows are matched by their _ref columns: importing the same file again changes nothing.",
    "Upload the workbook at Imports: it is checked first, and nothing is written until you "
    "confirm.",
]
GUIDE_LINE = "Every column, accepted value and problem message is explained in the import guide: {}"

_EXAMPLE_FILL = PatternFill("solid", fgColor="EDEDED")
_BOLD = Font(bold=True)
_LAST_ROW = 10000


def _accepted_sheet(book) -> dict[str, str]:
    """The 'accepted values' sheet; returns each column's range for its drop-down."""
    sheet = book.create_sheet("accepted values")
    ranges = {}
    for index, (column, choices) in enumerate(ACCEPTED.items()):
        code_col = get_column_letter(index * 2 + 1)
        sheet.cell(row=1, column=index * 2 + 1, value=column).font = _BOLD
        sheet.cell(row=1, column=index * 2 + 2, value="means").font = _BOLD
        for row, (code, label) in enumerate(choices, start=2):
            sheet.cell(row=row, column=index * 2 + 1, value=code)
            sheet.cell(row=row, column=index * 2 + 2, value=str(label))
        sheet.column_dimensions[code_col].width = 22
        sheet.column_dimensions[get_column_letter(index * 2 + 2)].width = 28
        ranges[column] = f"'accepted values'!${code_col}$2:${code_col}${len(choices) + 1}"
    sheet.freeze_panes = "A2"
    return ranges


def _data_sheet(book, name: str, ranges: dict[str, str]) -> None:
    columns = EXPORT_COLUMNS[name]
    required = SHEET_BY_NAME[name].required
    sheet = book.create_sheet(name)
    sheet.append(list(columns))
    for number, column in enumerate(columns, start=1):
        letter = get_column_letter(number)
        heading = sheet.cell(row=1, column=number)
        heading.font = Font(bold=column in required)
        sheet.column_dimensions[letter].width = max(14, len(column) + 4)
        if column in ranges:
            check = DataValidation(
                type="list",
                formula1=f"={ranges[column]}",
                allow_blank=column not in required,
                showErrorMessage=True,
                errorTitle=f"Not a {column}",
                error="Pick one of the values in the list (see the sheet 'accepted values').",
            )
            check.add(f"{letter}2:{letter}{_LAST_ROW}")
            sheet.add_data_validation(check)
    for row in EXAMPLES[name]:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.fill = _EXAMPLE_FILL
    sheet.freeze_panes = "A2"


def template_xlsx(target, *, guide_url: str) -> None:
    """The template workbook: read me (with a link to the import guide at `guide_url`), a sheet
    per file with examples, the accepted values."""
    book = Workbook()
    about = book.active
    about.title = "read me"
    for line in ABOUT:
        about.append([line])
    about.append([GUIDE_LINE.format(guide_url)])
    about.cell(row=about.max_row, column=1).hyperlink = guide_url
    about["A1"].font = Font(bold=True, size=14)
    about.column_dimensions["A"].width = 110
    ranges = _accepted_sheet(book)
    for name in EXPORT_COLUMNS:
        _data_sheet(book, name, ranges)
    book.move_sheet("accepted values", offset=len(EXPORT_COLUMNS))
    book.save(target)


def template_zip(target) -> None:
    """The CSV template: a zip with a file per sheet, each with its example rows."""
    import csv

    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, columns in EXPORT_COLUMNS.items():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(EXAMPLES[name])
            archive.writestr(f"{name}.csv", text.getvalue())
