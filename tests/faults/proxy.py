"""A TCP proxy a test can cut: between a client (a worker, beat, an import) and a real Redis or
PostgreSQL, it passes bytes until told to misbehave the way networks and hosts do.

- `freeze()`: every connection stays open and nothing more gets through either way, and new
  connections are accepted but answered by no one: a dead host or a network partition as the
  client sees it (no error, no answer). `thaw(old=...)` passes new connections again; the
  frozen ones are reset (`"reset"`: the host came back and forgot them), stay silent for ever
  (`"hang"`: the service moved elsewhere, the old host is gone) or go on where they stopped
  (`"resume"`: a brief hang).
- `refuse()`: nobody listens any more (connection refused); `listen()` opens the port again.
- `cut()`: every open connection is reset at once; new ones pass.

Threads, not asyncio, so it runs beside anything the test does; `close()` stops it all.
"""

import contextlib
import select
import socket
import struct
import threading
import time

POLL = 0.05  # seconds between looks at the proxy's state


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset (no orderly goodbye), as a dropped link looks to the peer."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class _Link:
    def __init__(self, client: socket.socket, upstream: socket.socket | None, frozen: bool):
        self.client, self.upstream = client, upstream
        self.closed = False
        self.frozen = frozen

    def close(self) -> None:
        self.closed = True
        _reset(self.client)
        if self.upstream is not None:
            _reset(self.upstream)


class FaultProxy:
    """Listen on 127.0.0.1:`port` and pass to `upstream` (host, port)."""

    def __init__(self, port: int, upstream: tuple[str, int]):
        self.port, self.upstream = port, upstream
        self.frozen = False
        self.links: list[_Link] = []
        self.lock = threading.Lock()
        self.stopped = False
        self.listener: socket.socket | None = None
        self.listen()

    # --- what the test does -------------------------------------------------------------

    def listen(self) -> None:
        """Accept connections on the port (again, after `refuse()`)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(POLL)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def freeze(self) -> None:
        """Connections stay open; nothing more passes, in either direction."""
        self.frozen = True
        with self.lock:
            for link in self.links:
                link.frozen = True

    def thaw(self, *, old: str = "reset") -> None:
        """New connections pass again; the frozen ones are reset, hang for ever or resume."""
        if old not in ("reset", "hang", "resume"):
            raise ValueError(old)
        with self.lock:
            frozen = [link for link in self.links if link.frozen]
        if old == "reset":
            for link in frozen:
                link.close()
        elif old == "resume":
            for link in frozen:
                link.frozen = False
        self.frozen = False

    def cut(self) -> None:
        """Reset every open connection now."""
        with self.lock:
            links, self.links = self.links, []
        for link in links:
            link.close()

    def refuse(self) -> None:
        """Stop listening (new connections are refused) and reset the open ones."""
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.close()
        self.cut()

    def close(self) -> None:
        self.stopped = True
        self.refuse()

    @property
    def connections(self) -> int:
        with self.lock:
            return sum(1 for link in self.links if not link.closed)

    # --- inside ---------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while not self.stopped and self.listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = None
            if not self.frozen:  # a dead host: the connection opens but no one answers
                try:
                    upstream = socket.create_connection(self.upstream, timeout=2)
                except OSError:
                    _reset(client)
                    continue
            link = _Link(client, upstream, frozen=self.frozen)
            with self.lock:
                self.links.append(link)
            threading.Thread(target=self._pump, args=(link,), daemon=True).start()

    def _pump(self, link: _Link) -> None:
        try:
            while not link.closed and not self.stopped:
                if link.frozen:
                    time.sleep(POLL)
                    continue
                if link.upstream is None:  # opened while frozen, never connected onwards
                    link.close()
                    return
                readable, _, _ = select.select([link.client, link.upstream], [], [], POLL)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        link.close()
                        return
                    other = link.upstream if sock is link.client else link.client
                    other.sendall(data)
        except (OSError, ValueError):
            link.close()
        finally:
            with self.lock:
                if link in self.links:
                    self.links.remove(link)
