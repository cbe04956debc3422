"""Retention: closed cases past the retention period for their type are listed for review by a
scheduled job; nothing is deleted."""

from datetime import date

import pytest
from django.urls import reverse

from caseload.config.celery import app
from caseload.core.models import Case
from security.choices import ReviewStatus
from security.models import RetentionReview, RetentionRule
from security.retention import DEFAULT_RULES, Rule, retain_until
from security.services import retention_review_decide, retention_review_scan
from security.tasks import retention_review_scan as retention_task
from tests.participants.factories import CaseFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("rule", "closed_on", "born", "expected"),
    [
        (Rule(6, 25), date(2010, 1, 1), date(2000, 5, 5), date(2025, 5, 5)),
        (Rule(6, 25), date(2024, 1, 1), date(1990, 5, 5), date(2030, 1, 1)),
        (Rule(0, 75), date(2020, 3, 3), date(2004, 2, 29), date(2079, 2, 28)),
        (Rule(6, None), date(2019, 7, 1), date(1980, 1, 1), date(2025, 7, 1)),
    ],
)
def test_a_record_is_kept_until_the_later_of_years_after_closure_and_an_age(
    rule, closed_on, born, expected
):
    assert retain_until(rule=rule, closed_on=closed_on, date_of_birth=born) == expected


def test_every_case_type_has_a_default_rule_with_its_basis():
    from caseload.core.choices import CaseType

    assert set(DEFAULT_RULES) == set(CaseType.values)
    assert all(rule.basis for rule in DEFAULT_RULES.values())


def _closed(team, *, case_type, closed_on, born, opened_on=date(2000, 1, 1)):
    return CaseFactory(
        team=team,
        case_type=case_type,
        status="closed",
        opened_on=opened_on,
        closed_on=closed_on,
        closure_reason="needs_met",
        participant__date_of_birth=born,
    )


def test_the_scan_lists_closed_cases_past_retention_and_deletes_nothing(team):
    past = _closed(
        team, case_type="child_in_need", closed_on=date(2012, 1, 1), born=date(1999, 1, 1)
    )
    young = _closed(
        team, case_type="child_in_need", closed_on=date(2012, 1, 1), born=date(2005, 1, 1)
    )
    looked_after = _closed(
        team, case_type="looked_after", closed_on=date(2005, 1, 1), born=date(1985, 1, 1)
    )
    adult = _closed(team, case_type="adult", closed_on=date(2019, 1, 1), born=date(1970, 1, 1))
    open_case = CaseFactory(team=team, participant__date_of_birth=date(1950, 1, 1))
    cases_before = Case.objects.count()

    assert retention_review_scan(today=TODAY) == 2

    listed = set(RetentionReview.objects.values_list("case_id", flat=True))
    assert listed == {past.pk, adult.pk}
    assert young.pk not in listed and looked_after.pk not in listed and open_case.pk not in listed
    assert Case.objects.count() == cases_before


def test_running_the_scan_twice_lists_each_case_once(team):
    _closed(team, case_type="adult", closed_on=date(2010, 1, 1), born=date(1970, 1, 1))
    assert retention_review_scan(today=TODAY) == 1
    assert retention_review_scan(today=TODAY) == 0
    assert RetentionReview.objects.count() == 1


def test_an_organisation_can_set_its_own_period_per_case_type(team):
    RetentionRule.objects.create(
        organisation=team.service.organisation,
        case_type="adult",
        keep_years_after_closure=10,
    )
    _closed(team, case_type="adult", closed_on=date(2019, 1, 1), born=date(1970, 1, 1))
    assert retention_review_scan(today=TODAY) == 0


def test_a_case_kept_after_review_is_not_listed_again_within_a_year(team, administrator):
    _closed(team, case_type="adult", closed_on=date(2010, 1, 1), born=date(1970, 1, 1))
    retention_review_scan(today=TODAY)
    review = RetentionReview.objects.get()
    retention_review_decide(
        review=review, status=ReviewStatus.KEEP, note="Litigation", by=administrator
    )
    assert retention_review_scan(today=TODAY) == 0


def test_the_nightly_job_is_scheduled_and_runs_the_scan(team):
    entry = app.conf.beat_schedule["security-retention-review-scan"]
    assert entry["task"] == "security.retention_review_scan"
    _closed(team, case_type="adult", closed_on=date(2010, 1, 1), born=date(1970, 1, 1))
    assert retention_task.apply().get() == 1


def test_administrators_see_the_list_and_others_are_refused(
    client_for, administrator, director, manager, outsider, team
):
    case = _closed(team, case_type="adult", closed_on=date(2010, 1, 1), born=date(1970, 1, 1))
    client = client_for(administrator)
    client.post(reverse("retention_reviews"))
    page = client.get(reverse("retention_reviews")).content.decode()
    assert case.reference in page and "<caption>" in page
    for user in (director, manager, outsider):
        assert client_for(user).get(reverse("retention_reviews")).status_code == 403
