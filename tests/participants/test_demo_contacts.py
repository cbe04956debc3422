"""The demo gives every open case a realistic contact history, quickly."""

import pytest
from django.db.models import F
from django.utils import timezone

from caseload.casework.selectors import my_caseload
from caseload.core.models import Case, Team, User
from participants import selectors
from participants.models import Contact, VisitPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(small_demo):
    return small_demo(seed=1)


def test_every_open_case_has_contacts_and_the_default_policies_exist(seeded):
    result = seeded
    assert result.counts["contacts"] == Contact.objects.count() > 0
    opened_before_today = Case.objects.open().exclude(opened_on=timezone.localdate())
    assert not opened_before_today.filter(contacts__isnull=True).exists()
    assert not Contact.objects.filter(case__status="closed").exists()
    assert VisitPolicy.objects.filter(organisation=None).count() == 6


def test_the_demo_has_failed_attempts_overdue_visits_and_no_future_contacts(seeded):
    now = timezone.now()
    assert Contact.objects.filter(seen=False).count() > Contact.objects.count() // 10
    assert not Contact.objects.filter(occurred_at__gt=now).exists()
    assert not Contact.objects.filter(recorded_at__lt=F("occurred_at")).exists()
    assert not Contact.objects.filter(seen=True, contact_type__in=["phone", "message"]).exists()
    director = User.objects.get(username="director")
    overdue = sum(
        len(selectors.overdue_visits(director, team))
        for team in Team.objects.select_related("service")
    )
    open_cases = Case.objects.open().count()
    assert 0.05 * open_cases < overdue < 0.3 * open_cases


def test_the_demo_has_some_overdue_visits_and_many_on_time(seeded):
    from caseload.core.models import Case
    from participants.selectors import with_visit_status

    cases = list(Case.objects.open().exclude(status="awaiting_allocation"))
    with_visit_status(cases, organisation_id=cases[0].team.service.organisation_id)
    overdue = [c for c in cases if c.visit and c.visit.is_overdue]
    assert 0 < len(overdue) < len(cases) // 2
    assert my_caseload(User.objects.get(username="caseworker"), sort="due")


def test_adult_cases_show_many_attempts(seeded):
    adult = Contact.objects.filter(case__case_type="adult")
    assert adult.filter(seen=False).count() > adult.count() // 3
