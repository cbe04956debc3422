"""Reasons you can report on: an override needs a reason from the list (and words for
"Other"), and the team dashboard counts allocation and override reasons over a period, both
ends included."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.allocation import services
from reports.selectors import allocation_reasons
from tests.caseload.factories import WorkerFactory
from tests.participants.factories import AllocationFactory, CaseFactory, held_case

pytestmark = pytest.mark.django_db


def _full(worker):
    for _ in range(15):
        held_case(worker)


def test_going_above_promise_needs_an_override_reason_from_the_list(team, manager):
    worker = WorkerFactory(team=team, name="Full Fay")
    _full(worker)
    case = CaseFactory(team=team)
    with pytest.raises(services.OverrideNeeded, match="Give a reason to override"):
        services.allocation_create(case=case, worker=worker, by=manager)
    with pytest.raises(services.OverrideNeeded, match="Say more about the override"):
        services.allocation_create(case=case, worker=worker, by=manager, override_category="other")
    made = services.allocation_create(
        case=case, worker=worker, by=manager, override_category="siblings"
    )
    assert made.override_category == "siblings" and made.override_reason == ""


def test_words_alone_count_as_other(team, manager):
    worker = WorkerFactory(team=team)
    _full(worker)
    made = services.allocation_create(
        case=CaseFactory(team=team), worker=worker, by=manager, override_reason="Only one free"
    )
    assert made.override_category == "other"


def test_the_allocate_page_offers_the_override_reasons(client_for, team, manager):
    worker = WorkerFactory(team=team, name="Busy Bo")
    _full(worker)
    case = CaseFactory(team=team)
    client = client_for(manager)
    url = reverse("case_allocate", args=[case.pk])
    page = client.get(url).content.decode()
    assert "Continuity: the worker knows the family" in page
    response = client.post(
        url,
        {
            "worker": worker.pk,
            "reason": "new",
            "override_category": "continuity",
            "note": "Knows mum",
        },
    )
    assert response.status_code == 302
    made = case.allocations.get()
    assert (made.override_category, made.note) == ("continuity", "Knows mum")


def test_the_team_dashboard_counts_reasons_over_a_period_both_ends_included(
    client_for, team, other_team, manager, outsider_manager, django_assert_num_queries
):
    today = timezone.localdate()
    since, until = today - timedelta(days=30), today - timedelta(days=10)
    worker = WorkerFactory(team=team)
    for started, reason, override in [
        (since, "new", ""),  # the first day: in
        (until, "leaver", "nobody_else"),  # the last day: in
        (since - timedelta(days=1), "new", ""),  # the day before: out
        (until + timedelta(days=1), "rebalance", ""),  # the day after: out
        (since + timedelta(days=5), "new", "nobody_else"),
    ]:
        case = CaseFactory(team=team, opened_on=today - timedelta(days=60))
        AllocationFactory(
            case=case, worker=worker, started_on=started, reason=reason, override_category=override
        )
    elsewhere = CaseFactory(team=other_team, opened_on=today - timedelta(days=60))
    AllocationFactory(case=elsewhere, worker=WorkerFactory(team=other_team), started_on=since)
    with django_assert_num_queries(1):
        counts = allocation_reasons(team, since=since, until=until)
    reasons = dict(counts.reasons)
    assert counts.total == 3
    assert reasons["New case"] == 2 and reasons["Worker leaving or absent"] == 1
    assert reasons["Rebalancing the team"] == 0
    assert dict(counts.overrides)["Nobody eligible has room"] == 2 and counts.overridden == 2
    url = reverse("dashboard_team", args=[team.pk])
    query = f"?reasons_from={since.isoformat()}&reasons_to={until.isoformat()}"
    page = client_for(manager).get(url + query).content.decode()
    assert "3 allocations of Assessment North's cases" in page
    assert "2 of them above a promise or bandwidth" in page
    wrong = client_for(manager).get(
        url + f"?reasons_from={until.isoformat()}&reasons_to={since.isoformat()}"
    )
    assert "Reasons to: choose a day on or after" in wrong.content.decode()
    assert wrong.context["reasons"].until == today  # the default period instead
    assert client_for(outsider_manager).get(url + query).status_code in (403, 404)
