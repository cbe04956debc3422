"""Tables as XLSX for people and CSV for systems (caseload.core.spreadsheet), without a
database; and, where LibreOffice is installed, what it shows when it opens the XLSX."""

import csv
import io
import shutil
import subprocess
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from caseload.core.spreadsheet import (
    Column,
    Table,
    Typed,
    _heading_width,
    _lines,
    csv_text,
    xlsx_bytes,
)

COLUMNS = [
    Column("team", "Team"),
    Column("on", "Date", "date"),
    Column("share_20_plus", "Case holders with 20 or more cases", "share"),
    Column("caseload_per_fte", "Caseload per FTE (DfE method)", "ratio"),
    Column("cases", "Open cases", "count"),
    Column("above", "Above promise", "yes_no"),
]
ROWS = [
    ["North", date(2026, 3, 31), Decimal("0.313"), Decimal("1234.5"), 21, True],
    ["=cmd|' /C calc'!A0", date(2026, 4, 30), None, None, 0, False],
]


def _table(rows=ROWS, notes=()):
    return Table(
        title="Side by side: Children's services",
        scope="Children's services, Northshire (service)",
        on=date(2026, 12, 1),
        columns=COLUMNS,
        rows=rows,
        notes=notes,
        sheet_name="Side by side",
    )


def _sheet(table):
    return load_workbook(io.BytesIO(xlsx_bytes(table))).active


def test_the_csv_has_machine_names_and_plain_values_and_no_title():
    rows = list(csv.reader(io.StringIO(csv_text(_table()))))
    assert rows[0] == ["team", "on", "share_20_plus", "caseload_per_fte", "cases", "above"]
    assert rows[1] == ["North", "2026-03-31", "0.313", "1234.5", "21", "yes"]
    assert rows[2] == ["'=cmd|' /C calc'!A0", "2026-04-30", "", "", "0", "no"]


def test_the_xlsx_has_a_title_block_then_bold_frozen_headings_people_read():
    sheet = _sheet(_table(notes=("A note.",)))
    assert sheet.title == "Side by side"
    assert sheet["A1"].value == "Side by side: Children's services" and sheet["A1"].font.bold
    assert sheet["A2"].value == "Children's services, Northshire (service) on 1 December 2026"
    assert sheet["A3"].value == "A note."
    assert sheet["A4"].value is None
    assert [c.value for c in sheet[5]] == [c.heading for c in COLUMNS]
    assert all(c.font.bold for c in sheet[5])
    assert sheet.freeze_panes == "A6"
    assert sheet.print_title_rows == "$5:$5"
    assert sheet["C5"].alignment.horizontal == "right"  # over figures
    assert sheet["A5"].alignment.horizontal == "left"


def test_cells_are_typed_shares_percent_dates_dates_counts_whole_text_neutralised():
    sheet = _sheet(_table())
    team, on, share, ratio, cases, above = sheet[5]
    assert on.is_date and on.value == datetime(2026, 3, 31) and on.number_format == "d mmm yyyy"
    assert share.value == pytest.approx(0.313) and share.number_format == "0.0%"
    assert ratio.value == pytest.approx(1234.5) and ratio.number_format == "#,##0.00"
    assert cases.value == 21 and cases.number_format == "#,##0"
    assert above.value == "yes"
    blank = sheet[6]
    assert blank[0].value == "'=cmd|' /C calc'!A0"  # never a formula
    assert blank[2].value is None and blank[3].value is None  # nothing to divide by: empty


def test_a_typed_cell_keeps_its_own_kind_in_a_column_of_mixed_figures():
    table = Table(
        title="t",
        scope="s",
        on=None,
        columns=[Column("figure", "Figure"), Column("value", "Value", "ratio")],
        rows=[["share", Typed(Decimal("0.5"), "share")], ["when", Typed(time(9, 30), "time")]],
    )
    sheet = _sheet(table)
    assert sheet["A2"].value == "s"  # no date: the scope alone
    assert sheet["B5"].number_format == "0.0%" and sheet["B6"].number_format == "hh:mm"
    assert list(csv.reader(io.StringIO(csv_text(table))))[1] == ["share", "0.5"]


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("Caseload per FTE", 16, 1),
        ("Caseload per FTE", 15, 2),
        ("Caseload per FTE", 12, 2),
        ("Caseload per FTE", 11, 2),
        ("Caseload per FTE", 7, 2),  # a word longer than the width has a line of its own
        ("Caseload per FTE", 6, 3),
        ("", 5, 1),
    ],
)
def test_a_heading_wraps_at_word_boundaries(text, width, lines):
    assert _lines(text, width) == lines


def test_each_column_is_wide_enough_for_its_heading_on_two_lines_and_no_wider():
    heading = "Caseload per establishment FTE with unallocated cases"
    width = _heading_width(heading)
    assert _lines(heading, width) == 2 and _lines(heading, width - 1) == 3
    sheet = _sheet(_table())
    assert sheet.column_dimensions["A"].width == 2 + len("=cmd|' /C calc'!A0")
    share_width = sheet.column_dimensions["C"].width
    assert share_width == _heading_width(COLUMNS[2].heading) + 2


def test_an_unknown_kind_is_refused_by_name():
    with pytest.raises(ValueError, match="percent"):
        Column("x", "X", "percent")


AS_SHOWN = "Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_shows_percentages_dates_and_two_places(tmp_path):
    path = tmp_path / "table.xlsx"
    path.write_bytes(xlsx_bytes(_table()))
    subprocess.run(
        # CSV of the cells "as shown" (the filter's ninth option): what a person sees.
        [
            "soffice",
            "--headless",
            "--convert-to",
            f"csv:{AS_SHOWN}",
            "--outdir",
            str(tmp_path),
            str(path),
        ],  # fmt: skip
        check=True,
        capture_output=True,
        timeout=120,
    )
    shown = list(csv.reader((tmp_path / "table.csv").open(encoding="utf-8")))
    assert shown[0][0] == "Side by side: Children's services"
    assert shown[3][:3] == ["Team", "Date", "Case holders with 20 or more cases"]
    assert shown[4] == ["North", "31 Mar 2026", "31.3%", "1,234.50", "21", "yes"]
