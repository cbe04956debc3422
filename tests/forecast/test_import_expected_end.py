"""A case's expected end comes in with the import and goes out with the export; one before the
case opened is a problem on its column."""

from datetime import date

import pytest

from caseload.core.models import Case
from caseload.imports.engine import CaseloadImport
from caseload.imports.exporter import export
from caseload.imports.readers import open_source
from tests.imports.sample import sample, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


def test_the_expected_end_is_imported_and_exported(tmp_path, organisation):
    data = sample()
    data["cases"][0]["expected_end"] = "2027-03-31"
    outcome = CaseloadImport(open_source(write_csv(tmp_path / "in", data)), organisation).commit()
    assert outcome.ok, [str(p) for p in outcome.problems]
    case = Case.objects.get(reference=data["cases"][0]["case_ref"])
    assert case.expected_end == date(2027, 3, 31)
    assert all(c.expected_end is None for c in Case.objects.exclude(pk=case.pk))
    export(organisation, tmp_path / "out", "csv")
    lines = (tmp_path / "out" / "cases.csv").read_text().splitlines()
    assert lines[0].split(",")[-1] == "expected_end"
    assert any(line.endswith(",2027-03-31") for line in lines[1:])


def test_an_expected_end_before_the_case_opened_is_a_problem_on_its_column(tmp_path, organisation):
    data = sample()
    data["cases"][0]["expected_end"] = "2020-01-01"
    outcome = CaseloadImport(open_source(write_csv(tmp_path / "in", data)), organisation).commit()
    assert not outcome.ok
    problems = [p for p in outcome.problems if p.column == "expected_end"]
    assert problems and "before it opened" in problems[0].reason
    assert not Case.objects.exists()
