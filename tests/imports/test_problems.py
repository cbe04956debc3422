"""Every kind of problem is caught before anything is written, with its file, row, column and
reason: the database is left exactly as it was."""

from datetime import timedelta

import pytest
from django.utils import timezone

from caseload.core.models import Case, ImportRun, Team, Worker
from caseload.imports.engine import CaseloadImport
from caseload.imports.readers import open_source
from participants.models import Participant

from .sample import sample, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

TOMORROW = (timezone.localdate() + timedelta(days=1)).isoformat()


def _set(data, sheet, index, **cells):
    data[sheet][index].update(cells)
    return data


def _duplicate_worker(data):
    data["workers"].append(dict(data["workers"][0], name="Someone Else"))
    return data


# (what is wrong, how to break the sample, where the problem is, words in the reason)
CASES = [
    (
        "an unknown team",
        lambda d: _set(d, "workers", 1, team_ref="T9"),
        ("workers.csv", 3, "team_ref"),
        "Unknown team T9",
    ),
    (
        "an unknown person",
        lambda d: _set(d, "cases", 0, participant_ref="P9"),
        ("cases.csv", 2, "participant_ref"),
        "Unknown person P9",
    ),
    (
        "an unknown worker",
        lambda d: _set(d, "cases", 1, worker_ref="W9"),
        ("cases.csv", 3, "worker_ref"),
        "Unknown worker W9",
    ),
    (
        "an unknown case",
        lambda d: _set(d, "contacts", 0, case_ref="C9"),
        ("contacts.csv", 2, "case_ref"),
        "Unknown case C9",
    ),
    (
        "a duplicate reference",
        _duplicate_worker,
        ("workers.csv", 5, "worker_ref"),
        "Duplicate reference W1",
    ),
    (
        "a bad date",
        lambda d: _set(d, "cases", 0, opened_on="2025-02-30"),
        ("cases.csv", 2, "opened_on"),
        "is not a date",
    ),
    (
        "a date in the wrong shape",
        lambda d: _set(d, "workers", 0, start_date="March 2019"),
        ("workers.csv", 2, "start_date"),
        "use 2024-03-31 or 31/03/2024",
    ),
    (
        "FTE out of range",
        lambda d: _set(d, "workers", 2, fte="1.2"),
        ("workers.csv", 4, "fte"),
        "out of range",
    ),
    (
        "FTE of nothing",
        lambda d: _set(d, "workers", 2, fte="0"),
        ("workers.csv", 4, "fte"),
        "out of range",
    ),
    (
        "a support worker holding a child-protection case",
        lambda d: _set(d, "cases", 2, case_type="child_protection"),
        ("cases.csv", 4, "worker_ref"),
        "W3 cannot hold this case",
    ),
    (
        "a closed case with a holder",
        lambda d: _set(d, "cases", 3, worker_ref="W3"),
        ("cases.csv", 5, "worker_ref"),
        "A closed case cannot have a holder",
    ),
    (
        "a date of birth in the future",
        lambda d: _set(d, "participants", 2, date_of_birth=TOMORROW),
        ("participants.csv", 4, "date_of_birth"),
        "in the future",
    ),
    (
        "a blank required cell",
        lambda d: _set(d, "participants", 0, family_name=""),
        ("participants.csv", 2, "family_name"),
        "This cell is blank",
    ),
    (
        "an unknown case type",
        lambda d: _set(d, "cases", 1, case_type="adoption"),
        ("cases.csv", 3, "case_type"),
        "'adoption' is not a case type",
    ),
    (
        "a yes/no that is neither",
        lambda d: _set(d, "workers", 0, qualified="maybe"),
        ("workers.csv", 2, "qualified"),
        "is not yes or no",
    ),
    (
        "an unknown extra",
        lambda d: _set(d, "cases", 0, extras="interpreter;wifi"),
        ("cases.csv", 2, "extras"),
        "'wifi' is not a extra complexity",
    ),
    (
        "a case closing before it opened",
        lambda d: _set(d, "cases", 3, closed_on="2024-01-01"),
        ("cases.csv", 5, "closed_on"),
        "closes before it opened",
    ),
    (
        "a phone call counted as a visit",
        lambda d: _set(d, "contacts", 1, seen="yes"),
        ("contacts.csv", 3, "seen"),
        "cannot be a visit",
    ),
]


def _state():
    return (
        sorted(Worker.objects.values_list("reference", "fte", "team_id")),
        sorted(Case.objects.values_list("reference", "status")),
        Participant.objects.count(),
        Team.objects.count(),
    )


@pytest.mark.parametrize("label, breaks, where, words", CASES, ids=[c[0] for c in CASES])
def test_each_problem_gives_a_row_level_message_and_writes_nothing(
    tmp_path, organisation, label, breaks, where, words
):
    before = _state()
    path = write_csv(tmp_path / "in", breaks(sample()))
    outcome = CaseloadImport(open_source(path), organisation).commit()
    assert not outcome.written
    found = [p for p in outcome.problems if (p.file, p.row, p.column) == where]
    assert found, [str(p) for p in outcome.problems]
    assert words in found[0].reason
    assert _state() == before


def test_problems_in_a_workbook_name_the_sheet(tmp_path, organisation):
    data = _set(sample(), "workers", 2, fte="1.2")
    outcome = CaseloadImport(open_source(write_xlsx(tmp_path / "in.xlsx", data)), organisation)
    problem = outcome.check().problems[0]
    assert str(problem).startswith("in.xlsx, sheet workers, row 4, column fte: FTE 1.2")


def test_a_missing_file_and_a_missing_column_are_problems(tmp_path, organisation):
    data = sample()
    del data["teams"]
    for row in data["cases"]:
        del row["need_level"]
    outcome = CaseloadImport(open_source(write_csv(tmp_path / "in", data)), organisation).check()
    reasons = {(p.file, p.column, p.reason) for p in outcome.problems}
    assert ("teams.csv", "", "The teams file or sheet is missing.") in reasons
    assert ("cases.csv", "need_level", "Required column missing.") in reasons


def test_extra_columns_are_ignored_with_a_warning(tmp_path, organisation):
    data = sample()
    data["teams"][0]["cost_centre"] = "CC1"
    outcome = CaseloadImport(open_source(write_csv(tmp_path / "in", data)), organisation).check()
    assert outcome.ok
    assert outcome.warnings == ["teams.csv: ignored extra columns cost_centre."]


def test_a_case_waiting_to_be_reallocated_may_keep_an_ineligible_holder(tmp_path, organisation):
    data = _set(sample(), "cases", 2, need_level="high", needs_reallocation="yes")
    outcome = CaseloadImport(open_source(write_csv(tmp_path / "in", data)), organisation).commit()
    assert outcome.ok
    assert Case.objects.get(reference="C3").needs_reallocation


def test_problems_are_recorded_on_the_import_run(tmp_path, organisation):
    from caseload.imports.services import import_path

    data = _set(sample(), "workers", 2, fte="1.2")
    run, _ = import_path(
        path=write_csv(tmp_path / "in", data), organisation=organisation, commit=True
    )
    run = ImportRun.objects.get(pk=run.pk)
    assert run.status == "problems" and run.problem_count == 1
    assert run.problems[0] == {
        "file": "workers.csv",
        "row": 4,
        "column": "fte",
        "reason": run.problems[0]["reason"],
    }
