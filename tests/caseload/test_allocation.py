"""Allocation against the database: the queue, overrides, escalation, leavers, rebalancing,
who may do it, and two managers at once on real PostgreSQL."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.allocation import services
from caseload.casework import services as casework_services
from caseload.core.models import Allocation, CapacityReduction, Case, Worker
from tests.caseload.factories import ReductionTypeFactory, WorkerFactory
from tests.participants.factories import CaseFactory, HouseholdFactory, held_case
from tests.race import race

pytestmark = pytest.mark.django_db


def _fill(worker, count):
    for _ in range(count):
        held_case(worker)


def test_an_ineligible_allocation_is_refused_with_the_reason(team, manager):
    case = CaseFactory(team=team, case_type="child_protection")
    support = WorkerFactory(team=team, role="support_worker", name="Sam Support")
    with pytest.raises(
        services.AllocationError, match="Sam Support cannot hold this case: Support workers"
    ):
        services.allocation_create(case=case, worker=support, by=manager)
    assert not Allocation.objects.exists()


def test_going_above_promise_needs_a_written_override_which_is_kept(team, manager):
    worker = WorkerFactory(team=team, name="Full Worker")
    _fill(worker, 15)
    case = CaseFactory(team=team)
    with pytest.raises(
        services.OverrideNeeded, match="above their caseload promise \\(16 cases, promise 15\\)"
    ):
        services.allocation_create(case=case, worker=worker, by=manager)
    made = services.allocation_create(
        case=case, worker=worker, by=manager, override_reason="Sibling of a child she holds"
    )
    assert made.override_reason == "Sibling of a child she holds"


def test_a_rise_in_need_past_the_holders_eligibility_puts_the_case_in_the_queue(
    client_for, team, manager
):
    support = WorkerFactory(team=team, role="support_worker")
    case = held_case(support, need_level="medium")
    casework_services.case_update(case=case, need_level="high", by=manager)
    case.refresh_from_db()
    assert case.needs_reallocation
    html = client_for(manager).get(reverse("team_queue", args=[team.pk])).content.decode()
    assert case.reference in html and "Needs reallocation" in html


def test_the_allocate_page_lists_ineligible_workers_with_the_reason_and_qualified_first(
    client_for, team, manager
):
    case = CaseFactory(team=team, case_type="child_protection")
    WorkerFactory(team=team, role="support_worker", name="Sam Support")
    WorkerFactory(team=team, name="Quinn Qualified")
    response = client_for(manager).get(reverse("case_allocate", args=[case.pk]))
    html = response.content.decode()
    assert html.index("Quinn Qualified") < html.index("Sam Support")
    assert "Support workers hold child-in-need and early-help cases only." in html


def test_a_worker_leaving_or_away_soon_is_marked_and_ranked_after_those_who_stay(
    client_for, team, manager, outsider_manager
):
    today = timezone.localdate()
    leaving = WorkerFactory(team=team, name="Lena Leaving", leave_date=today + timedelta(days=21))
    away = WorkerFactory(team=team, name="Alex Away")
    CapacityReduction.objects.create(
        worker=away,
        percent=100,
        type=ReductionTypeFactory(organisation=team.service.organisation),
        starts_on=today + timedelta(days=7),
    )
    staying = WorkerFactory(team=team, name="Sol Staying")
    held_case(staying)  # the busier one still ranks before the leaver
    case = CaseFactory(team=team)
    response = client_for(manager).get(reverse("case_allocate", args=[case.pk]))
    names = [c.name for c in response.context["found"].candidates]
    assert names.index("Sol Staying") < names.index("Lena Leaving")
    assert names.index("Sol Staying") < names.index("Alex Away")
    page = response.content.decode()
    leave_day = leaving.leave_date
    assert f"Leaving {leave_day.day} {leave_day:%b %Y}" in page
    assert "Away from" in page and "(long-term sickness)" in page
    assert client_for(outsider_manager).get(
        reverse("case_allocate", args=[case.pk])
    ).status_code in (403, 404)


def test_allocating_from_the_page_with_and_without_an_override(client_for, team, manager):
    worker = WorkerFactory(team=team, name="Busy Bee")
    _fill(worker, 15)
    case = CaseFactory(team=team)
    client = client_for(manager)
    url = reverse("case_allocate", args=[case.pk])
    response = client.post(url, {"worker": worker.pk, "reason": "new"})
    assert "Give a reason to override." in response.content.decode()
    assert not case.allocations.exists()
    response = client.post(
        url, {"worker": worker.pk, "reason": "new", "override_reason": "Only NQ free"}
    )
    assert response.status_code == 302
    assert case.allocations.get().override_reason == "Only NQ free"
    history = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Only NQ free" in history


@pytest.mark.parametrize("intruder", ["outsider_manager", "outsider"])
def test_another_teams_manager_or_worker_cannot_see_the_queue_allocate_or_reallocate(
    request, client_for, team, caseworker, intruder
):
    client = client_for(request.getfixturevalue(intruder))
    case = CaseFactory(team=team)
    for url in (
        reverse("team_queue", args=[team.pk]),
        reverse("case_allocate", args=[case.pk]),
        reverse("worker_leaver", args=[caseworker.worker.pk]),
        reverse("team_rebalance", args=[team.pk]),
    ):
        assert client.get(url).status_code in (403, 404), url
        posted = client.post(url, {"worker": caseworker.worker.pk, "reason": "new"})
        assert posted.status_code in (403, 404, 405), url
    assert not case.allocations.exists()


def test_a_caseworker_in_the_team_cannot_allocate(client_for, team, caseworker):
    case = CaseFactory(team=team)
    response = client_for(caseworker).post(
        reverse("case_allocate", args=[case.pk]), {"worker": caseworker.worker.pk, "reason": "new"}
    )
    assert response.status_code == 403


def test_the_queue_page_makes_the_same_number_of_queries_for_more_cases(
    client_for, team, manager, django_assert_max_num_queries
):
    client = client_for(manager)
    CaseFactory(team=team)
    with django_assert_max_num_queries(16) as first:
        client.get(reverse("team_queue", args=[team.pk]))
    for _ in range(8):
        CaseFactory(team=team)
    with django_assert_max_num_queries(16) as second:
        client.get(reverse("team_queue", args=[team.pk]))
    assert len(first.captured_queries) == len(second.captured_queries)


class TestLeaver:
    def _setup(self, team):
        leaver = WorkerFactory(
            team=team, name="Lee Leaver", leave_date=timezone.localdate() + timedelta(days=14)
        )
        household = HouseholdFactory(organisation=team.service.organisation)
        siblings = [
            held_case(
                leaver,
                participant__household=household,
                participant__organisation=team.service.organisation,
            )
            for _ in range(2)
        ]
        other = held_case(leaver)
        return leaver, siblings, other

    def test_the_screen_suggests_a_destination_keeping_siblings_together_and_moves_every_case(
        self, client_for, team, manager
    ):
        leaver, siblings, other = self._setup(team)
        WorkerFactory(team=team, name="Roomy One")
        WorkerFactory(team=team, name="Roomy Two")
        client = client_for(manager)
        url = reverse("worker_leaver", args=[leaver.pk])
        page = client.get(url)
        cases = page.context["cases"]
        suggested = {c.pk: c.suggested for c in cases}
        assert suggested[siblings[0].pk] == suggested[siblings[1].pk] is not None
        data = {f"case-{pk}": worker for pk, worker in suggested.items()} | {"confirm": "1"}
        response = client.post(url, data)
        assert response.status_code == 302
        assert not Case.objects.held_by(leaver).exists()
        assert Allocation.objects.filter(reason="leaver").count() == 3

    def test_sending_siblings_to_different_workers_says_so_plainly(
        self, client_for, team, manager, outsider_manager
    ):
        leaver, siblings, other = self._setup(team)
        first, second = WorkerFactory(team=team), WorkerFactory(team=team)
        url = reverse("worker_leaver", args=[leaver.pk])
        page = client_for(manager).post(
            url,
            {
                f"case-{siblings[0].pk}": first.pk,
                f"case-{siblings[1].pk}": second.pk,
                f"case-{other.pk}": first.pk,
                "preview": "1",
            },
        )
        assert [sorted(c.pk for c in g) for g in page.context["splits"]] == [
            sorted(c.pk for c in siblings)
        ]
        assert "These choices split siblings" in page.content.decode()
        after = {p.worker.pk: p for p in page.context["preview"]}
        assert (after[first.pk].cases, after[first.pk].cases_after) == (0, 2)
        assert (after[second.pk].cases, after[second.pk].cases_after) == (0, 1)
        together = client_for(manager).get(url)
        assert not together.context["splits"]
        assert client_for(outsider_manager).get(url).status_code in (403, 404)

    def test_one_bad_destination_moves_none_of_the_cases(self, client_for, team, manager):
        leaver, siblings, other = self._setup(team)
        roomy = WorkerFactory(team=team, name="Roomy One")
        full = WorkerFactory(team=team, name="Full One")
        _fill(full, 15)
        data = {f"case-{c.pk}": roomy.pk for c in siblings} | {
            f"case-{other.pk}": full.pk,
            "confirm": "1",
        }
        response = client_for(manager).post(reverse("worker_leaver", args=[leaver.pk]), data)
        html = response.content.decode()
        assert response.status_code == 200
        assert f"Case {other.reference}: This would take Full One above" in html
        assert Case.objects.held_by(leaver).count() == 3
        assert not Allocation.objects.filter(reason="leaver").exists()


def test_rebalancing_makes_only_the_ticked_moves(client_for, team, manager):
    over = WorkerFactory(team=team, name="Over Loaded")
    _fill(over, 18)
    WorkerFactory(team=team, name="Has Room")
    client = client_for(manager)
    page = client.get(reverse("team_rebalance", args=[team.pk]))
    moves = page.context["moves"]
    assert moves
    response = client.post(reverse("team_rebalance", args=[team.pk]), {"move": [moves[0]["key"]]})
    assert response.status_code == 302
    assert Allocation.objects.filter(reason="rebalance").count() == 1


def test_rebalancing_moves_a_households_cases_together_and_shows_every_load_after(
    client_for, team, manager, outsider_manager
):
    over = WorkerFactory(team=team, name="Over Loaded")
    household = HouseholdFactory(organisation=team.service.organisation)
    siblings = [
        held_case(
            over,
            participant__household=household,
            participant__organisation=team.service.organisation,
        )
        for _ in range(2)
    ]
    for _ in range(14):  # cases only the over-loaded qualified worker may hold
        held_case(over, case_type="child_protection")
    room = WorkerFactory(team=team, name="Has Room", role="support_worker", qualified=False)
    Worker.objects.filter(user=manager).update(leave_date=timezone.localdate() - timedelta(days=1))
    client = client_for(manager)
    url = reverse("team_rebalance", args=[team.pk])
    page = client.get(url)
    moves = page.context["moves"]
    grouped = [m for m in moves if len(m["cases"]) > 1]
    assert [sorted(c.pk for c in m["cases"]) for m in grouped] == [sorted(c.pk for c in siblings)]
    after = {p.worker.pk: p for p in page.context["preview"]}
    moved = sum(len(m["cases"]) for m in moves)
    assert moved == 2
    assert after[room.pk].cases_after == 2
    assert after[over.pk].cases_after == 14
    response = client.post(url, {"move": [grouped[0]["key"]]})
    assert response.status_code == 302
    holders = {Case.objects.get(pk=c.pk).allocations.current().get().worker_id for c in siblings}
    assert holders == {room.pk}
    assert client_for(outsider_manager).get(url).status_code in (403, 404)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_managers_allocating_one_case_at_once_make_exactly_one_allocation(
    require_postgres, team, manager
):
    case = CaseFactory(team=team)
    first, second = WorkerFactory(team=team, name="First"), WorkerFactory(team=team, name="Second")
    results = race(
        [
            lambda: services.allocation_create(case=case, worker=first, by=manager),
            lambda: services.allocation_create(case=case, worker=second, by=manager),
        ]
    )
    made = [r for r in results if isinstance(r, Allocation)]
    refused = [r for r in results if isinstance(r, services.AllocationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert "already allocated to" in refused[0].message
    assert Allocation.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_allocations_to_a_worker_at_promise_minus_one_need_an_override_for_the_second(
    require_postgres, team, manager
):
    worker = WorkerFactory(team=team, name="Nearly Full")
    _fill(worker, 14)
    cases = [CaseFactory(team=team), CaseFactory(team=team)]
    results = race(
        [
            lambda: services.allocation_create(case=cases[0], worker=worker, by=manager),
            lambda: services.allocation_create(case=cases[1], worker=worker, by=manager),
        ]
    )
    assert sum(isinstance(r, Allocation) for r in results) == 1, results
    assert sum(isinstance(r, services.OverrideNeeded) for r in results) == 1, results
    assert Case.objects.held_by(worker).count() == 15


def test_recent_new_allocations_count_the_last_7_and_30_days_at_their_edges(team):
    from caseload.allocation.selectors import recent_allocations
    from tests.participants.factories import AllocationFactory

    today = timezone.localdate()
    worker = WorkerFactory(team=team)
    for days_ago in (0, 6, 7, 29, 30):
        case = CaseFactory(team=team, opened_on=today - timedelta(days=40))
        AllocationFactory(
            case=case,
            worker=worker,
            started_on=today - timedelta(days=days_ago),
            ended_on=today if days_ago else None,
        )
    assert recent_allocations([worker], today=today) == {worker.pk: (2, 4)}


def test_the_allocate_page_shows_recent_allocations_and_gives_ties_to_the_one_with_fewer(
    client_for, team, manager, outsider_manager
):
    from tests.participants.factories import AllocationFactory

    today = timezone.localdate()
    lately = WorkerFactory(team=team, name="Aaron Lately")
    WorkerFactory(team=team, name="Zoe Quiet")
    for _ in range(3):  # three closed cases this week: no load now, but new work lately
        case = CaseFactory(team=team, opened_on=today - timedelta(days=3))
        AllocationFactory(case=case, worker=lately, started_on=today - timedelta(days=2))
        case.status, case.closed_on = "closed", today
        case.save()
    case = CaseFactory(team=team)
    response = client_for(manager).get(reverse("case_allocate", args=[case.pk]))
    names = [c.name for c in response.context["found"].candidates]
    assert names.index("Zoe Quiet") < names.index("Aaron Lately")
    page = response.content.decode()
    assert "New allocations, last 30 days" in page and "New allocations, last 7 days" in page
    assert '<td class="num">3</td><td class="num">3</td>' in page
    assert client_for(outsider_manager).get(
        reverse("case_allocate", args=[case.pk])
    ).status_code in (403, 404)
