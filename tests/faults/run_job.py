"""A scheduled job in a process of its own, for the fault suite to kill: holds the claim of
`recompute_all` (as the real task does, with its 30-minute limit) and works for ever.

    python -m tests.faults.run_job
"""

import os
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.config.settings")

import django  # noqa: E402

django.setup()

from caseload.flags.runs import recorded  # noqa: E402


def forever() -> dict:
    print("working", flush=True)
    while True:
        time.sleep(1)


recorded("recompute_all", forever, claim=timedelta(minutes=30))
