"""The small demo written back (tests/demo_rows.py) is the small demo seeded, row for row, and
is written back only onto the content it was taken from."""

from django.db import transaction

from caseload.core.models import Organisation
from tests import demo_rows


def _rows() -> dict[str, frozenset]:
    return demo_rows._frozen(demo_rows._contents()[1])


def test_the_demo_written_back_holds_exactly_the_rows_seeding_wrote(db):
    captures = {}
    empty = transaction.savepoint()
    seeded = demo_rows.small_demo(captures, seed=1)
    after_seeding = _rows()
    transaction.savepoint_rollback(empty)

    written_back = demo_rows.small_demo(captures, seed=1)

    assert _rows() == after_seeding
    assert len(captures["small", 1]) == 1  # written back, not seeded again
    assert written_back.counts == seeded.counts
    assert written_back.logins == seeded.logins
    assert written_back.organisation == seeded.organisation


def test_a_database_holding_other_rows_is_seeded_not_written_back(db):
    captures = {}
    empty = transaction.savepoint()
    demo_rows.small_demo(captures, seed=1)
    transaction.savepoint_rollback(empty)
    Organisation.objects.create(name="Somewhere else")

    demo_rows.small_demo(captures, seed=1)

    assert len(captures["small", 1]) == 2
    assert Organisation.objects.filter(name="Northshire County Council").count() == 1
