"""One import run committed in a process of its own, for the fault suite to break: the
worker's own service call (`import_run_commit`), slowed down so that the test can cut, freeze
or kill it in the middle.

    python -m tests.faults.run_import RUN_ID SECONDS PHASE

PHASE `write`: each batch of people (five a batch) waits SECONDS before it is written, inside
the import's transaction. PHASE `check`: each person waits SECONDS/5 while the files are
checked, before any transaction is open.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.config.settings")

import django  # noqa: E402

django.setup()

from caseload.imports import engine, services  # noqa: E402

run_id, pause, phase = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
engine.BATCH = 5
apply_participants = engine.CaseloadImport._apply_participants
check_participants = engine.CaseloadImport._check_participants


def writing_slowly(self, chunk):
    if self.write:
        print(f"writing people {chunk[0]['participant_ref']}", flush=True)
        time.sleep(pause)
    return apply_participants(self, chunk)


def checking_slowly(self, number, row):
    print(f"checking people {row['participant_ref']}", flush=True)
    time.sleep(pause / 5)
    return check_participants(self, number, row)


if phase == "write":
    engine.CaseloadImport._apply_participants = writing_slowly
else:
    engine.CaseloadImport._check_participants = checking_slowly
run = services.import_run_commit(run_id=run_id)
print(f"finished: {run.status}", flush=True)
