"""The small demo organisation, seeded once per test process and written back after that.

Seeding the small demo takes seconds (thousands of rows built through the ORM; the browser tests
add a year of snapshots), and a dozen test files need it. The first time a process asks,
`kept` builds it for real and keeps the rows that building wrote (every table, read before and
after); later asks write those same rows back (COPY on PostgreSQL), a fraction of a second. The
database then holds exactly what building would have left, with the same primary keys each time.

Written back only onto the content the rows were taken from: if any table holds anything else
(a test's own rows, a flush that re-created the defaults), `kept` builds for real again (and
keeps that too). So a test sees the demo's real rows, never a copy that no longer fits.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

from caseload.core import bulk
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
    """What one build wrote, onto what content, and what it returned."""

    before: dict[str, frozenset]
    tables: list[_Table]
    result: object


def _key(row: tuple) -> tuple:
    """A hashable form of a row (JSON columns may come back as lists or dicts)."""
    try:
        hash(row)
    except TypeError:
        return tuple(repr(value) if isinstance(value, list | dict) else value for value in row)
    return row


def _contents() -> tuple[dict[str, tuple[str, ...]], dict[str, dict[tuple, tuple]]]:
    """Every table's columns and rows."""
    columns, rows = {}, {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            columns[table] = tuple(column[0] for column in cursor.description)
            rows[table] = {_key(row): row for row in cursor.fetchall()}
    return columns, rows


def _frozen(rows: dict[str, dict[tuple, tuple]]) -> dict[str, frozenset]:
    return {name: frozenset(found) for name, found in rows.items()}


def capture(build: Callable[[], object], before: dict | None = None) -> Capture:
    """Build for real and keep what changed, table by table (`before`: the rows now)."""
    before = _contents()[1] if before is None else before
    result = build()
    columns, after = _contents()
    pks = {
        model._meta.db_table: model._meta.pk.column
        for model in apps.get_models(include_auto_created=True)
    }
    tables = []
    for name, rows in after.items():
        old = before.get(name, {})
        added = [row for key, row in rows.items() if key not in old]
        removed = [row for key, row in old.items() if key not in rows]
        if added or removed:
            tables.append(_Table(name, columns[name], pks.get(name), added, removed))
    return Capture(before=_frozen(before), tables=tables, result=copy.deepcopy(result))


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
        raise RuntimeError(f"demo rows: building changed {table.name}, which has no primary key")
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


def write_back(found: Capture) -> None:
    """Write the captured rows back (onto the content they were taken from), in one
    transaction (foreign keys are checked at its end), and refresh the planner's statistics on
    those tables, as seeding does: planned on the tables as they were, the dashboards' queries
    took seconds instead of milliseconds."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in found.tables:
            if table.removed:
                _delete(cursor, table)
        for table in found.tables:
            if table.added:
                _insert(cursor, table)
        _sequences_past(cursor, found.tables)
    written = {table.name for table in found.tables}
    bulk.statistics_refresh(
        [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in written]
    )


def written_back(captures: list[Capture], rows: dict | None = None) -> Capture | None:
    """Write back the capture taken on the content the database holds now, if there is one."""
    now = _frozen(_contents()[1] if rows is None else rows)
    for found in captures:
        if found.before == now:
            write_back(found)
            return found
    return None


def kept(captures: list[Capture], build: Callable[[], object]) -> object:
    """What `build()` returns, with the database as `build()` leaves it: written back from one
    of `captures` taken on the content the database holds now, or built for real and kept."""
    _, rows = _contents()
    found = written_back(captures, rows)
    if found is None:
        found = capture(build, before=rows)
        captures.append(found)
    return copy.deepcopy(found.result)


def small_demo(captures: dict, seed: int = 1) -> demo.SeedResult:
    """The small demo organisation, as `demo.seed(size="small", seed=seed)` leaves it."""
    result = kept(
        captures.setdefault(("small", seed), []), lambda: demo.seed(size="small", seed=seed)
    )
    result.organisation = Organisation.objects.get(pk=result.organisation.pk)
    return result
