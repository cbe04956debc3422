"""The import template: example rows that import cleanly as they are, and drop-down lists of
the accepted values on every column that has a fixed list."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from caseload.core.choices import CaseType, WorkerRole
from caseload.imports.engine import CaseloadImport
from caseload.imports.formats import EXPORT_COLUMNS, PARSERS, SIBLINGS, TRAVEL
from caseload.imports.readers import open_source
from caseload.imports.template import ACCEPTED, EXAMPLES, template_xlsx, template_zip

pytestmark = pytest.mark.django_db


def _workbook(tmp_path):
    path = tmp_path / "template.xlsx"
    template_xlsx(path)
    return path


@pytest.mark.parametrize("fmt", ["xlsx", "zip"])
def test_the_template_with_its_examples_checks_clean_and_would_create_every_example(
    tmp_path, organisation, fmt
):
    if fmt == "xlsx":
        path = _workbook(tmp_path)
    else:
        path = tmp_path / "template.zip"
        template_zip(path)
    outcome = CaseloadImport(open_source(path), organisation).check()
    assert outcome.ok, outcome.problems
    for sheet, rows in EXAMPLES.items():
        if sheet != "contacts":
            assert outcome.counts[sheet]["create"] == len(rows), sheet


def test_every_example_row_has_every_column_of_its_sheet():
    for sheet, rows in EXAMPLES.items():
        assert all(len(row) == len(EXPORT_COLUMNS[sheet]) for row in rows), sheet


def test_each_column_with_a_fixed_list_has_a_drop_down_of_exactly_its_codes(tmp_path):
    book = load_workbook(_workbook(tmp_path))
    accepted = book["accepted values"]
    lists = {}
    for sheet in EXPORT_COLUMNS:
        for check in book[sheet].data_validations.dataValidation:
            column = book[sheet].cell(row=1, column=next(iter(check.sqref.ranges)).min_col).value
            assert check.type == "list" and str(check.sqref).endswith("10000")
            letter_range = check.formula1.split("!")[1].replace("$", "")
            lists[column] = [cell.value for (cell,) in accepted[letter_range]]
    assert lists["role"] == list(WorkerRole.values)
    assert lists["case_type"] == list(CaseType.values)
    assert lists["travel"] == list(TRAVEL) and lists["siblings"] == list(SIBLINGS)
    assert lists["seen"] == ["yes", "no"]
    assert set(lists) == set(ACCEPTED)
    for column, codes in lists.items():  # every code offered is one the import accepts
        for code in codes:
            PARSERS[column](code)


def test_the_headings_are_frozen_and_the_required_ones_bold(tmp_path):
    book = load_workbook(_workbook(tmp_path))
    cases = book["cases"]
    assert cases.freeze_panes == "A2"
    bold = {cell.value for cell in cases[1] if cell.font.bold}
    assert bold == {"case_ref", "participant_ref", "team_ref", "case_type", "need_level",
                    "opened_on"}  # fmt: skip
    assert "read me" in book.sheetnames and "accepted values" in book.sheetnames


def test_the_csv_template_has_a_file_per_sheet_with_the_examples(tmp_path):
    path = tmp_path / "t.zip"
    template_zip(path)
    with zipfile.ZipFile(path) as archive:
        cases = io.TextIOWrapper(archive.open("cases.csv"), encoding="utf-8").read()
    assert cases.splitlines()[0] == ",".join(EXPORT_COLUMNS["cases"])
    assert "EXAMPLE-C1" in cases
