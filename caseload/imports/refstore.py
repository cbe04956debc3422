"""Disk-backed sets, maps and counters for one import, so its memory does not grow with the file.

An import has to remember every reference it has seen (to find duplicates and unknown
references) and a few facts per row (a person's household, a household's open cases, a case's
id and holder). At national scale that is millions of entries; kept in Python dicts it made the
import's memory grow with the file. A `RefStore` keeps them in a private SQLite file instead, in
a directory of its own made by `tempfile.mkdtemp()` (readable by this user only) and removed
when the store is closed. A process killed with its store open cannot remove it, so the folder
holds a lock for as long as its process lives, and the next store removes folders whose lock
nobody holds (`sweep_orphans`). The file is scratch space: no journal, no syncing, one transaction
that is never committed, and a bounded page cache, so its memory stays the same whatever the
file's size.

Only the operations the engine needs are offered: per-row `add`, `in`, `get`, `[key] = value`
and `increment`, and per-batch `update` (from any iterator, inserted in `executemany` batches),
`get_many` and `missing`, each a handful of statements for a batch of rows. Nothing is logged.
"""

import contextlib
import fcntl
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

INSERT_BATCH = 5000  # rows per executemany when loading
LOOKUP = 256  # keys per batched lookup; the last group is padded with NULLs (never equal)
CACHE_KIB = 8000  # SQLite's page cache, in KiB (PRAGMA cache_size=-8000)
PREFIX = "caseload-import-"
LOCK = "in-use.lock"  # held (flock) by the store's process for as long as the store is open
ORPHAN_AFTER = 60  # seconds: a folder younger than this may not have taken its lock yet


def sweep_orphans() -> int:
    """Remove the folders of stores whose process died without closing them (a killed worker
    cannot clean up): their lock is no longer held by anyone. Returns how many went."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            if time.time() - folder.stat().st_mtime < ORPHAN_AFTER or not folder.is_dir():
                continue
            with (folder / LOCK).open("a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except FileNotFoundError:
            pass  # made by something older, or half made: no lock to hold, so nobody holds it
        except OSError:
            continue  # locked: a live import is using it
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def _groups(items: Iterable, size: int) -> Iterator[list]:
    items = iter(items)
    while group := list(islice(items, size)):
        yield group


class RefStore:
    """A temporary SQLite file holding an import's large sets and maps. Use it as a context
    manager (or call `close()`): closing removes the directory and everything in it."""

    def __init__(self) -> None:
        sweep_orphans()
        self.folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        try:
            self.lock = (self.folder / LOCK).open("w")
            fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self.db = sqlite3.connect(
                self.folder / "refs.sqlite3", isolation_level=None, cached_statements=256
            )
            for pragma in (
                "journal_mode=OFF",
                "synchronous=OFF",
                f"cache_size=-{CACHE_KIB}",
                "locking_mode=EXCLUSIVE",
                "temp_store=FILE",
            ):
                self.db.execute(f"PRAGMA {pragma}")
            # One transaction for the store's life: statements need not each write the file.
            # It is never committed; the file is thrown away.
            self.db.execute("BEGIN")
        except BaseException:
            self._remove()
            raise
        self.names: set[str] = set()

    def __enter__(self) -> "RefStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Forget everything and remove the directory. Safe to call more than once."""
        db, self.db = getattr(self, "db", None), None
        if db is not None:
            try:
                db.close()
            finally:
                self._remove()

    def _remove(self) -> None:
        lock = getattr(self, "lock", None)
        if lock is not None:
            with contextlib.suppress(OSError):
                lock.close()  # releases the flock
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def closed(self) -> bool:
        return self.db is None

    def _table(self, name: str, columns: str) -> str:
        if not name.isidentifier() or name in self.names:
            raise ValueError(f"bad or repeated table name {name!r}")
        self.names.add(name)
        self.db.execute(f"CREATE TABLE {name} ({columns}) WITHOUT ROWID")
        return name

    def set(self, name: str, *, key: str = "TEXT") -> "DiskSet":
        return DiskSet(self, name, key)

    def map(self, name: str, *, key: str = "TEXT", value: str = "") -> "DiskMap":
        return DiskMap(self, name, key, value)

    def counter(self, name: str, *, key: str = "TEXT") -> "DiskCounter":
        return DiskCounter(self, name, key)


class _Table:
    columns = "k"

    def __init__(self, store: RefStore, name: str, schema: str) -> None:
        self.store = store
        self.name = store._table(name, schema)
        self.cursor = store.db.cursor()
        marks = ", ".join("?" * LOOKUP)
        self._select_in = f"SELECT {self.columns} FROM {name} WHERE k IN ({marks})"  # noqa: S608
        self._select_one = f"SELECT {self.columns} FROM {name} WHERE k = ?"  # noqa: S608

    def __contains__(self, key) -> bool:
        return self.cursor.execute(self._select_one, (key,)).fetchone() is not None

    def _found(self, keys: Iterable) -> Iterator[tuple]:
        """Rows of the keys that are stored, a fixed-size statement per LOOKUP keys."""
        for group in _groups(keys, LOOKUP):
            if len(group) < LOOKUP:
                group += [None] * (LOOKUP - len(group))
            yield from self.cursor.execute(self._select_in, group)

    def _insert_many(self, sql: str, rows: Iterable) -> None:
        for group in _groups(rows, INSERT_BATCH):
            self.cursor.executemany(sql, group)

    def __len__(self) -> int:
        return self.cursor.execute(f"SELECT count(*) FROM {self.name}").fetchone()[0]  # noqa: S608


class DiskSet(_Table):
    """A set of keys: `add`, `in`, `update` from an iterator, `missing` for a batch."""

    def __init__(self, store: RefStore, name: str, key: str) -> None:
        super().__init__(store, name, f"k {key} PRIMARY KEY")
        self._insert = f"INSERT OR IGNORE INTO {name} (k) VALUES (?)"  # noqa: S608

    def add(self, key) -> bool:
        """Add the key; whether it was new (False: it was there already)."""
        return self.cursor.execute(self._insert, (key,)).rowcount == 1

    def update(self, keys: Iterable) -> None:
        self._insert_many(self._insert, ((key,) for key in keys))

    def missing(self, keys: Iterable) -> set:
        """The keys (distinct) that are not in the set."""
        keys = set(keys)
        return keys - {row[0] for row in self._found(keys)}


class DiskMap(_Table):
    """A map: `get`, `[key] = value`, `in`, `update` from pairs, `get_many` for a batch."""

    columns = "k, v"

    def __init__(self, store: RefStore, name: str, key: str, value: str) -> None:
        super().__init__(store, name, f"k {key} PRIMARY KEY, v {value}")
        self._put = f"INSERT OR REPLACE INTO {name} (k, v) VALUES (?, ?)"  # noqa: S608

    def get(self, key, default=None):
        row = self.cursor.execute(self._select_one, (key,)).fetchone()
        return default if row is None else row[1]

    def __setitem__(self, key, value) -> None:
        self.cursor.execute(self._put, (key, value))

    def update(self, pairs: Iterable[tuple]) -> None:
        """Set every (key, value); a key given twice keeps the last value, as dict.update."""
        self._insert_many(self._put, pairs)

    def get_many(self, keys: Iterable) -> dict:
        """{key: value} for the keys (distinct) that are in the map."""
        return dict(self._found(set(keys)))


class DiskCounter(DiskMap):
    """Counts per key: `increment`, `[key]` (0 when never counted), `get_many`."""

    def __init__(self, store: RefStore, name: str, key: str) -> None:
        super().__init__(store, name, key, "INTEGER NOT NULL")
        self._increment = (
            f"INSERT INTO {name} (k, v) VALUES (?, ?) "  # noqa: S608
            "ON CONFLICT (k) DO UPDATE SET v = v + excluded.v"
        )

    def increment(self, key, by: int = 1) -> None:
        self.cursor.execute(self._increment, (key, by))

    def __getitem__(self, key) -> int:
        return self.get(key, 0)


class MemorySet(set):
    """A set in memory whose `add` says whether the key was new, as `DiskSet.add` does: for
    the small sets (teams', workers' references) that may stay in memory."""

    def add(self, key) -> bool:
        if key in self:
            return False
        super().add(key)
        return True
