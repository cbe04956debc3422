"""Fast inserts for imports: PostgreSQL's COPY, with primary keys taken from the table's
sequence first, and the simple-history rows written the same way. Elsewhere (SQLite, the
embedded default) Django's bulk_create does the same job more slowly.

Django's bulk_create spends most of its time preparing each value in Python; COPY hands rows
to the database as they are, which makes a national import several times quicker.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import AutoField, BigAutoField, Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

BATCH = 2000


def _columns(model) -> list:
    return [f for f in model._meta.concrete_fields]


def _take_ids(model, count: int) -> list[int]:
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model, fields: list, rows) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    # psycopg 3's own cursor, its errors raised as Django's (a refused row is an IntegrityError)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608 - our names
            for row in rows:
                copy.write_row(row)


def insert(
    model: type[Model], objs: list, *, history: bool = False, user=None, reason: str = ""
) -> None:
    """Insert the objects and set their primary keys; with `history`, their "created"
    history rows too (as simple-history's bulk_create_with_history would)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        if history:
            bulk_create_with_history(
                objs, model, batch_size=BATCH, default_user=user, default_change_reason=reason
            )
        else:
            model.objects.bulk_create(objs, batch_size=BATCH)
        return
    for obj, pk in zip(objs, _take_ids(model, len(objs)), strict=True):
        obj.pk = pk
        obj._state.adding = False
    fields = _columns(model)
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        for field in stamped:
            field.pre_save(obj, add=True)
    _copy(model, fields, ([getattr(obj, f.attname) for f in fields] for obj in objs))
    if history:
        _copy_history(model, objs, user=user, reason=reason)


def _copy_history(model, objs: list, *, user, reason: str) -> None:
    historical = model.history.model
    fields = [f for f in _columns(historical) if not isinstance(f, AutoField | BigAutoField)]
    now = timezone.now()
    extra = {
        "history_date": now,
        "history_change_reason": reason or None,
        "history_type": "+",
        "history_user_id": user.pk if user else None,
    }
    _copy(
        historical,
        fields,
        (
            [extra[f.attname] if f.attname in extra else getattr(obj, f.attname) for f in fields]
            for obj in objs
        ),
    )


def insert_rows(model: type[Model], columns: list[str], rows: list[tuple]) -> None:
    """Insert plain rows (no primary keys wanted back, no history), e.g. factor lines."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=BATCH
        )
        return
    fields = [model._meta.get_field(name) for name in columns]
    _copy(model, fields, rows)


def insert_rows_returning_ids(
    model: type[Model], columns: list[str], rows: list[tuple]
) -> list[int]:
    """Insert plain rows and return their new primary keys, in order, without building a model
    instance per row on PostgreSQL (ids from the sequence, then COPY). Columns not named take
    their field's default. A row the database refuses (a unique constraint) fails the lot."""
    if not rows:
        return []
    named = [model._meta.get_field(name) for name in columns]
    rest = [f for f in _columns(model) if f not in named and not f.primary_key]
    defaults = tuple(f.get_default() for f in rest)
    if connection.vendor != "postgresql":
        objs = [
            model(
                **dict(zip(columns, row, strict=True)),
                **{f.attname: d for f, d in zip(rest, defaults, strict=True)},
            )
            for row in rows
        ]
        model.objects.bulk_create(objs, batch_size=BATCH)
        return [obj.pk for obj in objs]
    ids = _take_ids(model, len(rows))
    fields = [model._meta.pk, *named, *rest]
    _copy(model, fields, ((pk, *row, *defaults) for pk, row in zip(ids, rows, strict=True)))
    return ids


def update_column(model: type[Model], column: str, values: Sequence[tuple[int, object]]) -> None:
    """Set one column of many rows, each to its own value, from (primary key, value) pairs: on
    PostgreSQL one `UPDATE … FROM (VALUES …)` per 5,000 rows instead of Django's bulk_update
    (a CASE of a thousand branches per statement, each value prepared in Python)."""
    if not values:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(
            [model(pk=pk, **{column: value}) for pk, value in values], [column], batch_size=1000
        )
        return
    field = model._meta.get_field(column)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    name = connection.ops.quote_name(field.column)
    kind = field.db_type(connection)
    with connection.cursor() as cursor:
        for start in range(0, len(values), 5000):
            chunk = values[start : start + 5000]
            rows = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET {name} = v.value::{kind} "  # noqa: S608 - our names
                f"FROM (VALUES {rows}) AS v(id, value) WHERE {table}.{pk} = v.id",
                [item for pair in chunk for item in pair],
            )


ANALYZE_AFTER_ROWS = 5000  # rows written at once: above this, refresh the planner's statistics


def statistics_refresh(models: list[type[Model]] | None = None) -> None:
    """Refresh the database's planner statistics for these tables (every table with None) after
    a large write, outside any transaction. Without it PostgreSQL plans the next queries on the
    tables as they were before the rows arrived (empty, at a first import) and a team's
    recompute takes tens of seconds instead of a tenth of one; autovacuum would catch up, but
    only minutes later."""
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models or []]
    with connection.cursor() as cursor:
        if models is None:
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}")  # noqa: S608 - our table names
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")  # noqa: S608 - our table names
