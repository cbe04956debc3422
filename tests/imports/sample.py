"""A small, valid import written as CSV files or an XLSX workbook, to break one cell at a time."""

import csv
from copy import deepcopy
from pathlib import Path

from caseload.imports.formats import EXPORT_COLUMNS

SAMPLE = {
    "teams": [
        {
            "team_ref": "T1",
            "team_name": "Assessment East",
            "service": "Children's Safeguarding",
            "establishment_fte": "6",
        },
        {
            "team_ref": "T2",
            "team_name": "Early Help West",
            "service": "Early Help",
            "establishment_fte": "4.5",
        },
    ],
    "workers": [
        {
            "worker_ref": "W1",
            "name": "Sam Social",
            "email": "sam@example.org",
            "team_ref": "T1",
            "role": "social_worker",
            "qualified": "yes",
            "experience": "experienced",
            "fte": "1",
            "agency": "no",
            "start_date": "2019-04-01",
            "leave_date": "",
            "caseload_promise": "",
        },
        {
            "worker_ref": "W2",
            "name": "Nia Newly",
            "email": "",
            "team_ref": "T1",
            "role": "social_worker",
            "qualified": "Y",
            "experience": "newly_qualified",
            "fte": "0.8",
            "agency": "false",
            "start_date": "01/09/2025",
            "leave_date": "",
            "caseload_promise": "10",
        },
        {
            "worker_ref": "W3",
            "name": "Pat Support",
            "email": "",
            "team_ref": "T2",
            "role": "support_worker",
            "qualified": "no",
            "experience": "experienced",
            "fte": "1.0",
            "agency": "0",
            "start_date": "",
            "leave_date": "",
            "caseload_promise": "",
        },
    ],
    "participants": [
        {
            "participant_ref": "P1",
            "given_name": "Amy",
            "family_name": "Able",
            "date_of_birth": "2015-06-01",
            "household_ref": "H1",
        },
        {
            "participant_ref": "P2",
            "given_name": "Ben",
            "family_name": "Able",
            "date_of_birth": "2017-02-03",
            "household_ref": "H1",
        },
        {
            "participant_ref": "P3",
            "given_name": "Cleo",
            "family_name": "Cole",
            "date_of_birth": "31/12/2012",
            "household_ref": "",
        },
    ],
    "cases": [
        {
            "case_ref": "C1",
            "participant_ref": "P1",
            "team_ref": "T1",
            "case_type": "child_protection",
            "need_level": "high",
            "worker_ref": "W1",
            "allocated_on": "2025-01-10",
            "opened_on": "2025-01-05",
            "closed_on": "",
            "court": "pre_proceedings",
            "travel": "30_60",
            "extras": "interpreter;high_risk",
            "siblings": "",
            "needs_reallocation": "",
        },
        {
            "case_ref": "C2",
            "participant_ref": "P2",
            "team_ref": "T1",
            "case_type": "child_in_need",
            "need_level": "medium",
            "worker_ref": "W2",
            "allocated_on": "",
            "opened_on": "2025-02-01",
            "closed_on": "",
            "court": "none",
            "travel": "",
            "extras": "",
            "siblings": "",
            "needs_reallocation": "",
        },
        {
            "case_ref": "C3",
            "participant_ref": "P3",
            "team_ref": "T2",
            "case_type": "early_help",
            "need_level": "low",
            "worker_ref": "W3",
            "allocated_on": "",
            "opened_on": "2025-03-01",
            "closed_on": "",
            "court": "",
            "travel": "under_30",
            "extras": "",
            "siblings": "",
            "needs_reallocation": "",
        },
        {
            "case_ref": "C4",
            "participant_ref": "P3",
            "team_ref": "T2",
            "case_type": "early_help",
            "need_level": "low",
            "worker_ref": "",
            "allocated_on": "",
            "opened_on": "2024-03-01",
            "closed_on": "2024-09-01",
            "court": "",
            "travel": "",
            "extras": "",
            "siblings": "",
            "needs_reallocation": "",
        },
        {
            "case_ref": "C5",
            "participant_ref": "P3",
            "team_ref": "T2",
            "case_type": "child_in_need",
            "need_level": "low",
            "worker_ref": "",
            "allocated_on": "",
            "opened_on": "2025-05-01",
            "closed_on": "",
            "court": "",
            "travel": "",
            "extras": "",
            "siblings": "",
            "needs_reallocation": "",
        },
    ],
    "contacts": [
        {
            "case_ref": "C1",
            "date": "2025-03-03T10:30",
            "type": "home_visit",
            "seen": "yes",
            "duration_minutes": "60",
            "travel_minutes": "20",
        },
        {
            "case_ref": "C2",
            "date": "04/03/2025",
            "type": "phone",
            "seen": "no",
            "duration_minutes": "10",
            "travel_minutes": "",
        },
    ],
}


def sample() -> dict:
    return deepcopy(SAMPLE)


def write_csv(folder: Path, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, rows in data.items():
        columns = [c for c in EXPORT_COLUMNS[sheet] if any(c in r for r in rows)]
        columns += [c for r in rows for c in r if c not in columns]
        with (folder / f"{sheet}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def write_xlsx(path: Path, data: dict) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet, rows in data.items():
        ws = book.create_sheet(sheet)
        columns = list(EXPORT_COLUMNS[sheet])
        ws.append(columns)
        for row in rows:
            ws.append([row.get(c, "") for c in columns])
    book.save(path)
    return path
