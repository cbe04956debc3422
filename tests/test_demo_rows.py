"""The small demo written back (tests/demo_rows.py) is the small demo seeded, row for row, and
is written back only onto the content it was taken from."""

from django.db import transaction

from caseload.core.models import Organisation
from tests import demo_rows


def _rows() -> dict[str, frozenset]:
    _, rows = demo_rows._contents()
    return {table: frozenset(found) for table, found in rows.items()}


def test_the_demo_written_back_holds_exactly_the_rows_seeding_wrote(db, _demo_captures):
    empty = transaction.savepoint()
    seeded = demo_rows.seeded(captures := {}, seed=1)
    after_seeding = _rows()
    transaction.savepoint_rollback(empty)
    assert demo_rows._unchanged_since(captures[1])

    written_back = demo_rows.seeded(captures, seed=1)

    assert _rows() == after_seeding
    assert written_back.counts == seeded.counts
    assert written_back.logins == seeded.logins
    assert written_back.organisation == seeded.organisation
    transaction.savepoint_rollback(empty)
    Organisation.objects.create(name="Somewhere else")
    assert not demo_rows._unchanged_since(captures[1])  # so `seeded` would seed for real
    _demo_captures.setdefault(1, captures[1])
