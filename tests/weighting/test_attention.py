"""The team page's "case factors to agree or review": which open cases are listed, at the edges."""

from datetime import timedelta

import pytest
from django.utils import timezone

from caseload.casework import services as caseload_services
from caseload.core.dates import end_of_day
from tests.caseload.factories import TeamFactory, WorkerFactory
from tests.oracles import team_cases_needing_attention_case_by_case
from tests.participants.factories import held_case
from weighting import selectors, services
from weighting.models import CaseAssessment

pytestmark = pytest.mark.django_db

CHOICES = [
    ("case_type", "child_in_need"),
    ("siblings", "none"),
    ("travel", "under_30"),
    ("court", "none"),
]


def _agreed(case, caseworker, manager, *, at=None):
    assessment = services.assessment_agree(
        assessment=services.assessment_propose(case=case, by=caseworker, choices=CHOICES),
        by=manager,
    )
    if at is not None:
        CaseAssessment.objects.filter(pk=assessment.pk).update(agreed_at=at)
    return assessment


def _listed(team) -> set[int]:
    return {case.pk for case in selectors.team_cases_needing_attention(team)}


def test_cases_with_no_factors_or_awaiting_agreement_are_listed_and_agreed_ones_are_not(
    team, caseworker, manager
):
    worker = caseworker.worker
    bare, proposed, agreed = held_case(worker), held_case(worker), held_case(worker)
    services.assessment_propose(case=proposed, by=caseworker, choices=CHOICES)
    _agreed(agreed, caseworker, manager)
    assert _listed(team) == {bare.pk, proposed.pk}
    assert _listed(team) == team_cases_needing_attention_case_by_case(team)


def test_an_agreement_exactly_the_stale_age_old_is_not_listed_and_one_a_moment_older_is(
    team, caseworker, manager, settings
):
    settings.ASSESSMENT_STALE_WEEKS = 12
    edge = end_of_day(timezone.localdate()) - timedelta(weeks=12)
    worker = caseworker.worker
    at_edge, past_edge = held_case(worker), held_case(worker)
    _agreed(at_edge, caseworker, manager, at=edge)
    _agreed(past_edge, caseworker, manager, at=edge - timedelta(microseconds=1))
    assert _listed(team) == {past_edge.pk}
    assert _listed(team) == team_cases_needing_attention_case_by_case(team)
    [listed] = selectors.team_cases_needing_attention(team)
    assert listed.weight.stale


def test_a_change_that_needs_review_lists_the_case_first(team, caseworker, manager):
    worker = caseworker.worker
    waiting = held_case(worker)
    services.assessment_propose(case=waiting, by=caseworker, choices=CHOICES)
    changed = held_case(worker)
    _agreed(changed, caseworker, manager)
    caseload_services.case_update(case=changed, need_level="high", by=manager)
    cases = selectors.team_cases_needing_attention(team)
    assert [c.pk for c in cases][:1] == [changed.pk]
    assert cases[0].weight.needs_review
    assert {c.pk for c in cases} == team_cases_needing_attention_case_by_case(team)


def test_closed_cases_and_other_teams_cases_are_not_listed(team, caseworker, manager):
    closed = held_case(caseworker.worker)
    caseload_services.case_close(
        case=closed, closed_on=timezone.localdate(), reason="needs_met", by=manager
    )
    elsewhere = held_case(WorkerFactory(team=TeamFactory(service=team.service)))
    assert closed.pk not in _listed(team)
    assert elsewhere.pk not in _listed(team)
    assert _listed(team) == team_cases_needing_attention_case_by_case(team)


def test_each_listed_case_carries_its_holder_and_weight(team, caseworker):
    case = held_case(caseworker.worker)
    [listed] = selectors.team_cases_needing_attention(team)
    assert listed.pk == case.pk
    assert listed.current.worker == caseworker.worker
    assert listed.weight.status == "none"
