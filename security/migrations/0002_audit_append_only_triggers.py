"""Make the audit table append-only in the database itself.

PostgreSQL: a trigger refuses every UPDATE and DELETE on security_auditevent, whoever asks.
SQLite (the embedded demo): a trigger refuses UPDATE; DELETE is left to the model, because
Django's `flush` (used by tests and `seed_demo --replace`) empties SQLite tables with DELETE.
"""

from django.db import migrations

PG_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION security_auditevent_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = 'security_auditevent is append-only: ' || TG_OP || ' refused',
            ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS security_auditevent_append_only ON security_auditevent",
    """
    CREATE TRIGGER security_auditevent_append_only
        BEFORE UPDATE OR DELETE ON security_auditevent
        FOR EACH ROW EXECUTE FUNCTION security_auditevent_append_only()
    """,
]
PG_REVERSE = [
    "DROP TRIGGER IF EXISTS security_auditevent_append_only ON security_auditevent",
    "DROP FUNCTION IF EXISTS security_auditevent_append_only()",
]
SQLITE_FORWARD = [
    """
    CREATE TRIGGER IF NOT EXISTS security_auditevent_no_update
    BEFORE UPDATE ON security_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'security_auditevent is append-only: UPDATE refused');
    END
    """
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS security_auditevent_no_update"]


def _run(schema_editor, statements_by_vendor: dict) -> None:
    statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD})


def reverse(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_REVERSE, "sqlite": SQLITE_REVERSE})


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
