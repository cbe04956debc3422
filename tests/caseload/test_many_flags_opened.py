"""The first recompute after a national import opens hundreds of thousands of flags at once;
telling the managers about them must work on the embedded default (SQLite) too."""

import pytest
from django.utils import timezone

from caseload.core.choices import FlagKind
from caseload.core.models import Flag, Notification, Worker
from caseload.flags import notifications

pytestmark = pytest.mark.django_db


def test_opening_more_flags_than_sqlite_takes_ids_in_one_query_notifies_the_manager_of_each(
    team, manager, mailoutbox, django_capture_on_commit_callbacks
):
    count = 1300  # more than SQLite's 999 ids in one query
    workers = Worker.objects.bulk_create(
        [Worker(team=team, name=f"Worker {n}", role="social_worker") for n in range(count)]
    )
    now = timezone.now()
    flags = Flag.objects.bulk_create(
        [
            Flag(
                kind=FlagKind.ABOVE_PROMISE,
                team=team,
                worker=worker,
                subject_key=f"worker:{worker.pk}",
                opened_at=now,
            )
            for worker in workers
        ]
    )
    flags = list(Flag.objects.filter(team=team))  # as the recompute hands them over
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_opened({team.pk: flags})
    assert Notification.objects.filter(recipient=manager).count() == count
    assert len(mailoutbox) == 1
    assert f"{count} new flags" in mailoutbox[0].subject
