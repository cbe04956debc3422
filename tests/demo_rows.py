"""The small demo organisation, seeded once per test process and written back after that.

`demo.seed(size="small")` takes seconds (it builds thousands of rows through the ORM, one
generator draw at a time); a dozen test files need it. The first time a process asks for a seed,
`seeded` runs `demo.seed` for real and keeps the rows it wrote (every table, read before and
after); later asks write those same rows back with a few multi-row INSERTs. The database then
holds exactly what seeding would have left, with the same primary keys each time.

Written back only onto the database the rows were taken from: if any table's content differs
from what it held before the first seeding (a test's own rows, a flush that re-created the
defaults), `seeded` seeds for real again. So a test sees the demo's real rows, never a stale copy.
"""

import copy
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

from caseload.core.models import Organisation
from caseload.demo import seed as demo


@dataclass
class _Table:
    name: str
    columns: tuple[str, ...]
    pk: str | None
    added: list[tuple]
    removed: list[tuple]


@dataclass
class Capture:
    """What one `demo.seed(size="small", seed=N)` wrote, and onto what."""

    before: dict[str, frozenset]
    tables: list[_Table]
    result: demo.SeedResult


def _key(row: tuple) -> tuple:
    """A hashable form of a row (JSON columns may come back as lists or dicts)."""
    try:
        hash(row)
    except TypeError:
        return tuple(repr(value) if isinstance(value, list | dict) else value for value in row)
    return row


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _read(cursor, table: str) -> tuple[tuple[str, ...], dict[tuple, tuple]]:
    cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
    columns = tuple(column[0] for column in cursor.description)
    return columns, {_key(row): row for row in cursor.fetchall()}


def _contents() -> tuple[dict[str, tuple[str, ...]], dict[str, dict[tuple, tuple]]]:
    columns, rows = {}, {}
    with connection.cursor() as cursor:
        for table in _tables():
            columns[table], rows[table] = _read(cursor, table)
    return columns, rows


def _primary_keys() -> dict[str, str]:
    return {
        model._meta.db_table: model._meta.pk.column
        for model in apps.get_models(include_auto_created=True)
    }


def capture(seed: int) -> Capture:
    """Seed for real and keep what changed, table by table."""
    _, before = _contents()
    result = demo.seed(size="small", seed=seed)
    columns, after = _contents()
    pks = _primary_keys()
    tables = []
    for name, rows in after.items():
        old = before.get(name, {})
        added = [row for key, row in rows.items() if key not in old]
        removed = [row for key, row in old.items() if key not in rows]
        if added or removed:
            tables.append(_Table(name, columns[name], pks.get(name), added, removed))
    frozen = {name: frozenset(rows) for name, rows in before.items()}
    return Capture(before=frozen, tables=tables, result=copy.deepcopy(result))


def _unchanged_since(found: Capture) -> bool:
    _, rows = _contents()
    return rows.keys() == found.before.keys() and all(
        frozenset(rows[name]) == found.before[name] for name in rows
    )


def _insert(cursor, table: _Table) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in table.columns)
    if connection.vendor == "postgresql":  # COPY: a statement with 100,000 parameters is slow
        with cursor.cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for row in table.added:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(table.columns))
    cursor.executemany(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})", table.added)


def _delete(cursor, table: _Table) -> None:
    if table.pk is None:
        raise RuntimeError(f"demo seeding changed {table.name}, which has no primary key")
    quote = connection.ops.quote_name
    at = table.columns.index(table.pk)
    for row in table.removed:
        cursor.execute(f"DELETE FROM {quote(table.name)} WHERE {quote(table.pk)} = %s", [row[at]])
        if cursor.rowcount != 1:
            raise RuntimeError(f"demo rows: {table.name} {table.pk}={row[at]} is not there")


def _sequences_past(cursor, tables: list[_Table]) -> None:
    """PostgreSQL: move each table's id sequence past the ids written back (never backwards:
    a process's ids stay unique, as caches keyed by id expect). SQLite does this itself."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    for table in tables:
        if not table.added or table.pk is None:
            continue
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quote(table.name), table.pk])
        (sequence,) = cursor.fetchone()
        if sequence is None:
            continue
        cursor.execute(
            f"SELECT setval(%s, GREATEST((SELECT MAX({quote(table.pk)}) FROM "
            f"{quote(table.name)}), (SELECT last_value FROM {sequence})))",
            [sequence],
        )


def write_back(found: Capture) -> demo.SeedResult:
    """Write the captured rows back (onto the content they were taken from)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in found.tables:
            if table.removed:
                _delete(cursor, table)
        for table in found.tables:
            if table.added:
                _insert(cursor, table)
        _sequences_past(cursor, found.tables)
    result = copy.deepcopy(found.result)
    result.organisation = Organisation.objects.get(pk=found.result.organisation.pk)
    return result


def seeded(captures: dict[int, Capture], seed: int = 1) -> demo.SeedResult:
    """The small demo organisation for `seed`, as `demo.seed(size="small", seed=seed)` leaves
    it: written back from `captures` when the database is as it was, seeded (and kept) if not."""
    found = captures.get(seed)
    if found is not None and _unchanged_since(found):
        return write_back(found)
    found = capture(seed)
    captures.setdefault(seed, found)
    return copy.deepcopy(found.result)
