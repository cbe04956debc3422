"""The fault suite's fixtures: a Redis of its own, proxies it can cut in front of Redis and the
test PostgreSQL, processes of Caseload's own (a worker, beat, an import) with their output
timestamped, and a record of how long each fault took to show and to heal.

Ports: FAULT_PORTS="6381-6389" makes the suite use only those; by default it asks the system
for free ones. The times measured are printed at the end of the run and written to
var/fault-times.json (docs/operations.md quotes them).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import _skip_or_fail

from .proxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]
TIMES: dict[str, dict] = {}
_PORTS_TAKEN: set[int] = set()


# --- time ---------------------------------------------------------------------------------


def wait_until(predicate, *, timeout: float, every: float = 0.2) -> float | None:
    """Seconds until `predicate()` is true, or None if it is not within `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(every)
    return None


def record(fault: str, **seconds) -> None:
    """Keep a fault's measured times (seconds, rounded) for the summary and the docs."""
    TIMES[fault] = {name: round(value, 1) for name, value in seconds.items()}


def pytest_sessionfinish(session):
    """Under pytest-xdist, hand this process's times to the controlling process, which prints
    and writes them (tests/conftest.py): a test process's own terminal is not shown."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["fault_times"] = dict(TIMES)


def pytest_terminal_summary(terminalreporter):
    if not hasattr(terminalreporter.config, "workeroutput"):
        summarise(terminalreporter, TIMES)


def summarise(terminalreporter, times_by_fault: dict[str, dict]) -> None:
    """Print the measured times and add them to var/fault-times.json."""
    if not times_by_fault:
        return
    terminalreporter.section("fault suite: measured seconds")
    for fault, times in sorted(times_by_fault.items()):
        terminalreporter.write_line(
            f"{fault:<55} " + ", ".join(f"{name} {value:.1f}" for name, value in times.items())
        )
    folder = ROOT / "var"
    folder.mkdir(exist_ok=True)
    target = folder / "fault-times.json"
    known = json.loads(target.read_text()) if target.exists() else {}
    known.update(times_by_fault)
    target.write_text(json.dumps(known, indent=2, sort_keys=True) + "\n")


# --- ports and services ---------------------------------------------------------------------


def _in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    """A port for something the suite starts (from FAULT_PORTS when it is set)."""
    spec = os.environ.get("FAULT_PORTS", "")
    if not spec:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    first, _, last = spec.partition("-")
    for port in range(int(first), int(last or first) + 1):
        if port not in _PORTS_TAKEN and not _in_use(port):
            _PORTS_TAKEN.add(port)
            return port
    raise RuntimeError(f"no free port left in FAULT_PORTS={spec}")


@pytest.fixture
def committed(transactional_db):
    """A database whose writes the suite's other processes see (committed at once), holding
    the defaults a migrated database holds (the weighting scheme and standards, the visit
    policies). Not `serialized_rollback`: after the browser tests' flush has re-created the
    content types, restoring them that way clashes."""
    from participants.services import visit_policies_ensure_defaults
    from weighting.defaults import ensure_defaults

    ensure_defaults()
    visit_policies_ensure_defaults()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A redis-server of the suite's own (never the machine's): (host, port)."""
    binary = shutil.which("redis-server")
    if binary is None:
        _skip_or_fail("the fault suite needs redis-server on the PATH")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if wait_until(lambda: _in_use(port), timeout=10) is None:
        process.kill()
        pytest.fail("redis-server did not start")
    yield ("127.0.0.1", port)
    process.terminate()
    process.wait(timeout=10)
    _PORTS_TAKEN.discard(port)


@pytest.fixture
def redis_proxy(redis_server):
    proxy = FaultProxy(free_port(), redis_server)
    yield proxy
    proxy.close()
    _PORTS_TAKEN.discard(proxy.port)


@pytest.fixture
def postgres_proxy(require_postgres):
    """A proxy in front of the test database."""
    settings = connection.settings_dict
    upstream = (settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432))
    proxy = FaultProxy(free_port(), upstream)
    yield proxy
    proxy.close()
    _PORTS_TAKEN.discard(proxy.port)


def database_url(port: int | None = None) -> str:
    """The test database, straight or (with `port`) through a proxy."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@127.0.0.1:{port or s['PORT'] or 5432}/{s['NAME']}"


# --- processes ------------------------------------------------------------------------------


class Process:
    """A Caseload process started by the suite, its output kept line by line with the time."""

    def __init__(self, args: list[str], env: dict):
        self.lines: list[tuple[float, str]] = []
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.popen.stdout:
            self.lines.append((time.monotonic(), line.rstrip()))

    def first(self, words: str, *, after: float = 0.0) -> float | None:
        """When a line holding `words` was first printed after `after` (a monotonic time)."""
        return next((at for at, line in self.lines if at >= after and words in line), None)

    def said(self, words: str, *, after: float = 0.0) -> bool:
        return self.first(words, after=after) is not None

    @property
    def output(self) -> str:
        return "\n".join(line for _, line in self.lines[-80:])

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start():
    """Start Caseload processes (`python -m …`); each is stopped after the test."""
    started: list[Process] = []

    def starting(*module_and_args: str, **env: str) -> Process:
        process = Process([sys.executable, "-m", *module_and_args], env)
        started.append(process)
        return process

    yield starting
    for process in started:
        process.stop()
