"""The bulk writers the refresh uses: plain rows in with their new ids back, and one column set
row by row, on PostgreSQL (COPY, UPDATE … FROM VALUES) and elsewhere (Django's bulk calls)."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from caseload.core import bulk
from caseload.core.models import Flag

pytestmark = pytest.mark.django_db
COLUMNS = ["team_id", "kind", "worker_id", "case_id", "subject_key", "detail", "opened_at"]


def _rows(team, count, start=0):
    now = timezone.now()
    return [
        (team.pk, "above_promise", None, None, f"worker:{n}", f"detail {n}", now)
        for n in range(start, start + count)
    ]


def test_inserted_rows_come_back_as_their_ids_in_order_with_the_other_fields_defaulted(team):
    ids = bulk.insert_rows_returning_ids(Flag, COLUMNS, _rows(team, 3))
    flags = {f.pk: f for f in Flag.objects.filter(pk__in=ids)}
    assert [flags[pk].subject_key for pk in ids] == ["worker:0", "worker:1", "worker:2"]
    assert all(f.acknowledgement_note == "" and f.resolved_at is None for f in flags.values())
    assert bulk.insert_rows_returning_ids(Flag, COLUMNS, []) == []


def test_a_row_the_database_refuses_fails_the_whole_insert(team):
    bulk.insert_rows_returning_ids(Flag, COLUMNS, _rows(team, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_rows_returning_ids(Flag, COLUMNS, _rows(team, 2))  # worker:0 is open already
    assert Flag.objects.count() == 1


def test_each_row_gets_its_own_value_and_the_others_are_left_alone(team):
    ids = bulk.insert_rows_returning_ids(Flag, COLUMNS, _rows(team, 3))
    bulk.update_column(Flag, "detail", [(ids[0], "first"), (ids[2], "third")])
    details = dict(Flag.objects.values_list("pk", "detail"))
    assert [details[pk] for pk in ids] == ["first", "detail 1", "third"]
    bulk.update_column(Flag, "detail", [])
