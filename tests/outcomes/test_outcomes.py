"""Outcomes for adults facing multiple disadvantage: movement from plain rows, stage changes
(and the re-weighting they prompt), reviews, the team and programme pages with their exports,
and the outsider refused."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caseload.core.models import Team
from caseload.outcomes import movement as M
from caseload.outcomes import services
from caseload.outcomes.models import OutcomeReview, StageChange
from caseload.outcomes.selectors import outcomes
from tests.caseload.factories import WorkerFactory
from tests.participants.factories import held_case
from weighting import services as weighting_services
from weighting.models import CaseAssessment

TODAY = timezone.localdate()
D1, D2, D3 = date(2026, 1, 10), date(2026, 4, 10), date(2026, 7, 10)


# --- Movement from plain rows -------------------------------------------------------------------


def test_movement_compares_each_persons_first_and_latest_rating():
    rows = [
        M.Rated(1, D1, "housing", 2),
        M.Rated(1, D2, "housing", 3),
        M.Rated(1, D3, "housing", 4),
        M.Rated(2, D1, "housing", 3),
        M.Rated(2, D3, "housing", 3),
        M.Rated(3, D2, "housing", 4),
        M.Rated(3, D3, "housing", 2),
        M.Rated(4, D3, "housing", 5),  # rated once: does not count
    ]
    (housing,) = M.movement(rows, ["housing"])
    assert (housing.people, housing.improved, housing.same, housing.worsened) == (3, 1, 1, 1)
    # first ratings 2, 3, 4 → 3.00; latest 4, 3, 2 → 3.00
    assert (housing.average_first, housing.average_latest) == (Decimal("3.00"), Decimal("3.00"))
    assert housing.share_improved == Decimal("0.333")


def test_a_domain_nobody_was_rated_in_twice_has_no_averages():
    (trust,) = M.movement([M.Rated(1, D1, "trust", 2)], ["trust"])
    assert (trust.people, trust.average_first, trust.share_improved) == (0, None, None)


def test_averages_by_month_are_of_the_reviews_held_in_the_month():
    rows = [M.Rated(1, D1, "trust", 2), M.Rated(2, D1 + timedelta(days=5), "trust", 3)]
    [(month, averages, people)] = M.averages_by_month(rows, [date(2026, 1, 1)], ["trust"])
    assert (averages["trust"], people) == (Decimal("2.50"), 2)


# --- The services -------------------------------------------------------------------------------


@pytest.fixture
def adult_case(team, caseworker):
    return held_case(caseworker.worker, case_type="adult", opened_on=TODAY - timedelta(days=90))


@pytest.fixture
def assessed(adult_case, manager):
    choices = [
        ("case_type", "adult"),
        ("siblings", "none"),
        ("travel", "under_30"),
        ("court", "none"),
    ]
    proposal = weighting_services.assessment_propose(case=adult_case, by=manager, choices=choices)
    weighting_services.assessment_agree(assessment=proposal, by=manager)
    return adult_case


def needs_review(case) -> bool:
    return CaseAssessment.objects.get(case=case, is_current=True).needs_review


@pytest.mark.parametrize(
    ("stages", "prompted"),
    [
        (["locating", "engaging", "engaged"], False),
        (["engaged", "stabilised"], True),
        (["engaged", "stepping_down"], True),
        (["stabilised", "stepping_down"], False),
        (["engaged", "engaging"], True),
    ],
)
def test_a_stage_change_that_changes_how_intensive_the_work_is_prompts_reweighting(
    assessed, caseworker, stages, prompted
):
    for days, stage in enumerate(stages):
        change = services.stage_change(
            case=assessed, stage=stage, started_on=TODAY - timedelta(days=10 - days), by=caseworker
        )
    assert change.prompted_reweighting is prompted
    assert needs_review(assessed) is (
        prompted or any(s in ("stabilised", "stepping_down") for s in stages[:-1])
    )


def test_a_stage_cannot_start_before_the_current_one_or_repeat_it(adult_case, caseworker):
    services.stage_change(
        case=adult_case, stage="engaging", started_on=TODAY - timedelta(days=5), by=caseworker
    )
    with pytest.raises(ValidationError) as early:
        services.stage_change(
            case=adult_case, stage="engaged", started_on=TODAY - timedelta(days=6), by=caseworker
        )
    assert "started_on" in early.value.message_dict
    with pytest.raises(ValidationError) as same:
        services.stage_change(case=adult_case, stage="engaging", started_on=TODAY, by=caseworker)
    assert "stage" in same.value.message_dict


def test_outcomes_are_for_adult_cases_and_their_holder_or_manager_only(
    team, caseworker, outsider_manager
):
    child = held_case(caseworker.worker, case_type="child_in_need")
    with pytest.raises(ValidationError, match="adult cases only"):
        services.stage_change(case=child, stage="engaging", started_on=TODAY, by=caseworker)
    adult = held_case(caseworker.worker, case_type="adult")
    with pytest.raises(ValidationError, match="holder or the team manager"):
        services.stage_change(case=adult, stage="engaging", started_on=TODAY, by=outsider_manager)


def test_a_review_keeps_the_domains_rated_and_needs_at_least_one(adult_case, caseworker):
    review = services.outcome_review_record(
        case=adult_case,
        reviewed_on=TODAY,
        ratings={"housing": 2, "trust": 4, "health": None},
        by=caseworker,
    )
    assert sorted(review.ratings.values_list("domain", "rating")) == [("housing", 2), ("trust", 4)]
    with pytest.raises(ValidationError, match="at least one"):
        services.outcome_review_record(
            case=adult_case, reviewed_on=TODAY - timedelta(days=1), ratings={}, by=caseworker
        )
    with pytest.raises(ValidationError):
        services.outcome_review_record(
            case=adult_case,
            reviewed_on=TODAY - timedelta(days=2),
            ratings={"housing": 6},
            by=caseworker,
        )


# --- The pages ----------------------------------------------------------------------------------


def test_the_holder_records_a_stage_and_a_review_in_the_browser(client_for, caseworker, assessed):
    client = client_for(caseworker)
    response = client.post(
        reverse("outcomes_stage_create", args=[assessed.pk]),
        {"stage": "stabilised", "started_on": TODAY.isoformat()},
        follow=True,
    )
    assert "marked for review" in response.content.decode()
    assert needs_review(assessed)
    data = {"reviewed_on": TODAY.isoformat(), "housing": "3", "substances": "4"}
    assert (
        client.post(reverse("outcomes_review_create", args=[assessed.pk]), data).status_code == 302
    )
    page = client.get(reverse("case_outcomes", args=[assessed.pk])).content.decode()
    assert "Stabilised" in page and 'id="review-history"' in page


def test_a_review_with_nothing_rated_says_so(client_for, caseworker, adult_case):
    response = client_for(caseworker).post(
        reverse("outcomes_review_create", args=[adult_case.pk]), {"reviewed_on": TODAY.isoformat()}
    )
    assert response.status_code == 200 and "Rate at least one domain." in response.content.decode()
    assert not OutcomeReview.objects.exists()


def test_the_case_pages_refuse_other_teams_and_a_childrens_case(
    client_for, caseworker, adult_case, outsider, outsider_manager
):
    for user in (outsider, outsider_manager):
        for name in ("case_outcomes", "outcomes_stage_create", "outcomes_review_create"):
            assert client_for(user).get(reverse(name, args=[adult_case.pk])).status_code == 404, (
                name
            )
    child = held_case(caseworker.worker, case_type="child_in_need")
    assert client_for(caseworker).get(reverse("case_outcomes", args=[child.pk])).status_code == 404


def _two_people(team, caseworker):
    first = held_case(caseworker.worker, case_type="adult", opened_on=TODAY - timedelta(days=200))
    second = held_case(
        WorkerFactory(team=team, role="caseworker"),
        case_type="adult",
        opened_on=TODAY - timedelta(days=200),
    )
    StageChange.objects.create(case=first, stage="engaged", started_on=TODAY - timedelta(days=100))
    StageChange.objects.create(
        case=first, stage="stabilised", started_on=TODAY - timedelta(days=10)
    )
    for case, (before, after) in ((first, (2, 4)), (second, (3, 2))):
        for days, rating in ((120, before), (5, after)):
            review = OutcomeReview.objects.create(
                case=case, reviewed_on=TODAY - timedelta(days=days)
            )
            review.ratings.create(domain="housing", rating=rating)
    return first, second


def test_the_team_page_shows_stages_and_movement_with_their_numbers(
    client_for, team, manager, caseworker
):
    _two_people(team, caseworker)
    response = client_for(manager).get(reverse("outcomes_team", args=[team.pk]))
    result = response.context["result"]
    assert dict((label, n) for _, label, n in result.by_stage)["Stabilised"] == 1
    assert dict((label, n) for _, label, n in result.by_stage)["Not recorded"] == 1
    housing = next(m for m in result.movement if m.domain == "housing")
    assert (housing.people, housing.improved, housing.worsened) == (2, 1, 1)
    body = response.content.decode()
    for table in ("stage-table", "movement-table", "months-table"):
        assert f'id="{table}"' in body
    assert body.count('<svg class="chart"') == 3


def test_the_export_has_one_row_per_review_and_is_recorded(client_for, team, manager, caseworker):
    first, _ = _two_people(team, caseworker)
    response = client_for(manager).get(reverse("outcomes_team", args=[team.pk]) + "?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["case", "stage_now", "reviewed_on", "housing"]
    assert len(rows) == 5
    assert [first.reference, "Stabilised"] == rows[1][:2] or [
        first.reference,
        "Stabilised",
    ] == rows[3][:2]


def test_the_programme_page_is_for_directors_and_the_team_page_refuses_other_teams(
    client_for, team, manager, director, caseworker, outsider_manager
):
    _two_people(team, caseworker)
    assert (
        client_for(director).get(reverse("outcomes_service", args=[team.service_id])).status_code
        == 200
    )
    assert (
        client_for(manager).get(reverse("outcomes_service", args=[team.service_id])).status_code
        == 403
    )
    assert (
        client_for(outsider_manager).get(reverse("outcomes_team", args=[team.pk])).status_code
        == 404
    )
    assert client_for(caseworker).get(reverse("outcomes_team", args=[team.pk])).status_code == 403


def test_the_outcomes_read_in_a_fixed_number_of_queries(
    team, caseworker, django_assert_num_queries
):
    _two_people(team, caseworker)
    with django_assert_num_queries(2):
        outcomes(Team.objects.filter(pk=team.pk), TODAY)
    for _ in range(3):
        _two_people(team, caseworker)
    with django_assert_num_queries(2):
        outcomes(Team.objects.filter(pk=team.pk), TODAY)


def test_the_demo_has_adults_at_every_stage_and_reviews_that_move(small_demo):
    result = small_demo()
    assert result.counts["outcome_reviews"] > 0
    assert set(StageChange.objects.values_list("stage", flat=True)) >= {"engaging", "engaged"}
    summary = outcomes(Team.objects.filter(service__organisation=result.organisation), TODAY)
    assert any(m.people for m in summary.movement)
