"""A watchdog for long database work, so that a PostgreSQL that stops answering fails it within
seconds instead of leaving it waiting for ever.

TCP keepalives and the TCP user timeout (settings) notice a peer that has gone from the network,
but not a link that still accepts bytes and never answers (a hung proxy or pooler, a frozen
host behind a load balancer): a query sent there waits for ever. While `watching()` is active,
a thread looks at the connection every second; when one statement has been running for
DB_SILENCE_SECONDS, it asks the server directly whether it is there (a new TCP connection and
PostgreSQL's SSL request, which any server answers at once, before any sign-in). If that gets no
answer within a couple of seconds either, the work's socket is shut down, so the waiting query
fails at once with an OperationalError. A server that answers is only slow: the work goes on,
and the server's own statement_timeout bounds it.
"""

import contextlib
import logging
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)
SSL_REQUEST = struct.pack("!ii", 8, 80877103)  # PostgreSQL's SSLRequest: answered with S or N
PROBE_TIMEOUT = 2.0  # seconds the server has to answer the probe
LOOK_EVERY = 1.0  # seconds between looks at the connection


def server_answers(host: str, port: int, *, timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether a PostgreSQL server at host:port answers a new connection within `timeout`."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as probe:
            probe.settimeout(timeout)
            probe.sendall(SSL_REQUEST)
            return probe.recv(1) in (b"S", b"N")
    except OSError:
        return False


def _busy(raw) -> bool:
    """Whether a psycopg connection is in the middle of a statement (or a COPY)."""
    from psycopg.pq import TransactionStatus

    try:
        return raw.info.transaction_status == TransactionStatus.ACTIVE
    except Exception:  # noqa: BLE001 - a closed or broken connection is not busy
        return False


def _cut(raw) -> None:
    """Shut the connection's socket down under the waiting query, which then fails at once."""
    with contextlib.suppress(Exception):
        fd = os.dup(raw.pgconn.socket)
        with socket.socket(fileno=fd) as sock:
            sock.shutdown(socket.SHUT_RDWR)


class _Watch:
    def __init__(self, raw, host: str, port: int, silence: float):
        self.raw, self.host, self.port, self.silence = raw, host, port, silence
        self.stopped = threading.Event()
        self.cut = False

    def run(self) -> None:
        busy_since = None
        while not self.stopped.wait(LOOK_EVERY):
            if not _busy(self.raw):
                busy_since = None
                continue
            now = time.monotonic()
            busy_since = busy_since or now
            if now - busy_since < self.silence:
                continue
            if server_answers(self.host, self.port):
                busy_since = now  # slow, not gone: look again after another silence
                continue
            log.error(
                "PostgreSQL at %s:%s has not answered for %.0f s: ending the query",
                self.host,
                self.port,
                now - busy_since,
            )
            self.cut = True
            _cut(self.raw)
            return


@contextlib.contextmanager
def watching(*, silence: float | None = None) -> Iterator[None]:
    """Watch this thread's database connection while the block runs (PostgreSQL over TCP only;
    elsewhere it does nothing). `silence`: seconds a statement may run before the server is
    asked whether it is there (DB_SILENCE_SECONDS)."""
    host = connection.settings_dict.get("HOST") or ""
    if connection.vendor != "postgresql" or not host or host.startswith("/"):
        yield
        return
    connection.ensure_connection()
    port = int(connection.settings_dict.get("PORT") or 5432)
    watch = _Watch(
        connection.connection, host, port, silence if silence is not None else _silence()
    )
    thread = threading.Thread(target=watch.run, name="db-watchdog", daemon=True)
    thread.start()
    try:
        yield
    finally:
        watch.stopped.set()
        thread.join(timeout=PROBE_TIMEOUT + LOOK_EVERY)


def _silence() -> float:
    return settings.DB_SILENCE_SECONDS
