"""One import run committed in a process of its own, for the fault suite to break: the
worker's own service call (`import_run_commit`), slowed down so that the test can cut, freeze
or kill it while it is inside its transaction.

    python -m tests.faults.run_import RUN_ID SECONDS_PER_BATCH

Each batch of people waits SECONDS_PER_BATCH before it is written (five people a batch).
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.config.settings")

import django  # noqa: E402

django.setup()

from caseload.imports import engine, services  # noqa: E402

run_id, pause = int(sys.argv[1]), float(sys.argv[2])
engine.BATCH = 5
apply_participants = engine.CaseloadImport._apply_participants


def slowly(self, chunk):
    if self.write:
        print(f"writing people {chunk[0]['participant_ref']}", flush=True)
        time.sleep(pause)
    return apply_participants(self, chunk)


engine.CaseloadImport._apply_participants = slowly
run = services.import_run_commit(run_id=run_id)
print(f"finished: {run.status}", flush=True)
