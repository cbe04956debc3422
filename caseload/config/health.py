"""Health checks for the processes docker compose (or any supervisor) runs, without Django.

`python -m caseload.config.health beat` exits 0 while beat's loop is alive: its scheduler
touches a file on every tick (caseload/config/celery.py), at least every 30 seconds; a beat
stuck on a broker that stopped answering stops touching it. The worker's check is Celery's
own `inspect ping` addressed to that worker alone (docker-compose.yml).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

STALE_AFTER = 90  # seconds: three of beat's longest sleeps


def liveness_file(process: str) -> Path:
    """Where a process says it is alive (LIVENESS_DIR, default the temporary directory)."""
    folder = os.environ.get("LIVENESS_DIR") or tempfile.gettempdir()
    return Path(folder) / f"caseload-{process}.alive"


def is_alive(process: str, *, stale_after: float = STALE_AFTER) -> bool:
    try:
        age = time.time() - liveness_file(process).stat().st_mtime
    except OSError:
        return False
    return age <= stale_after


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] != "beat":
        print("usage: python -m caseload.config.health beat", file=sys.stderr)
        return 2
    if is_alive(argv[0]):
        return 0
    print(f"{argv[0]}: no sign of life for over {STALE_AFTER} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
