"""Exclusions: a named worker never holds a case (or a household's cases) while one is in force,
whichever way the case is allocated — the allocate page, the service, a leaver's plan, a
rebalance, the import — and only managers and above see them."""

import pytest
from django.urls import reverse

from caseload.allocation import selectors, services
from caseload.core.models import Allocation, Case
from caseload.exclusions import services as exclusions
from caseload.exclusions.models import Exclusion
from caseload.imports.engine import CaseloadImport
from caseload.imports.readers import open_source
from tests.caseload.factories import WorkerFactory
from tests.imports.sample import sample, write_csv
from tests.participants.factories import CaseFactory, HouseholdFactory, held_case

pytestmark = pytest.mark.django_db


def _exclude(case, worker, manager, *, household=False, reason="conflict_of_interest"):
    return exclusions.exclusion_create(
        case=case, worker=worker, whole_household=household, reason=reason, detail="", by=manager
    )


def _siblings(team):
    household = HouseholdFactory(organisation=team.service.organisation)
    return [
        CaseFactory(
            team=team,
            participant__household=household,
            participant__organisation=team.service.organisation,
        )
        for _ in range(2)
    ]


def test_an_excluded_worker_is_shown_ineligible_and_cannot_be_chosen_on_the_allocate_page(
    client_for, team, manager, outsider_manager
):
    case = CaseFactory(team=team)
    kept_away = WorkerFactory(team=team, name="Kit Kept")
    WorkerFactory(team=team, name="Fay Free")
    _exclude(case, kept_away, manager)
    client = client_for(manager)
    url = reverse("case_allocate", args=[case.pk])
    response = client.get(url)
    found = {c.name: c for c in response.context["found"].candidates}
    assert not found["Kit Kept"].eligible and found["Fay Free"].eligible
    assert found["Kit Kept"].ineligible_reason.startswith("Excluded")
    page = response.content.decode()
    assert f'value="{kept_away.pk}"' not in page and "Excluded" in page
    refused = client.post(url, {"worker": kept_away.pk, "reason": "new"})
    assert refused.status_code == 200 and not case.allocations.exists()
    assert client_for(outsider_manager).get(url).status_code in (403, 404)


def test_allocation_create_refuses_an_excluded_worker_and_a_household_exclusion_covers_siblings(
    team, manager
):
    first, second = _siblings(team)
    worker = WorkerFactory(team=team, name="Hal Household")
    _exclude(first, worker, manager, household=True, reason="family_request")
    for case in (first, second):
        with pytest.raises(
            services.AllocationError, match="Hal Household cannot hold this case: Excluded"
        ):
            services.allocation_create(case=case, worker=worker, by=manager)
    assert not Allocation.objects.exists()


def test_a_case_exclusion_does_not_reach_the_siblings(team, manager):
    first, second = _siblings(team)
    worker = WorkerFactory(team=team)
    _exclude(first, worker, manager)
    services.allocation_create(case=second, worker=worker, by=manager)
    assert second.allocations.get().worker == worker


def test_a_removed_exclusion_no_longer_applies_and_its_history_is_kept(client_for, team, manager):
    case = CaseFactory(team=team)
    worker = WorkerFactory(team=team, name="Rae Removed")
    exclusion = _exclude(case, worker, manager)
    client = client_for(manager)
    response = client.post(
        reverse("exclusion_remove", args=[exclusion.pk]),
        {"case": case.pk, "removal_reason": "The conflict has ended"},
    )
    assert response.status_code == 302
    exclusion.refresh_from_db()
    assert not exclusion.in_force and exclusion.removed_by == manager
    services.allocation_create(case=case, worker=worker, by=manager)
    page = client.get(reverse("case_exclusions", args=[case.pk])).content.decode()
    assert "Rae Removed" in page and "The conflict has ended" in page
    assert exclusion.history.count() == 2


def test_removing_needs_a_reason(client_for, team, manager):
    case = CaseFactory(team=team)
    exclusion = _exclude(case, WorkerFactory(team=team), manager)
    client_for(manager).post(
        reverse("exclusion_remove", args=[exclusion.pk]), {"case": case.pk, "removal_reason": ""}
    )
    exclusion.refresh_from_db()
    assert exclusion.in_force


def test_the_worker_who_holds_the_case_cannot_be_excluded_until_it_is_reallocated(team, manager):
    holder = WorkerFactory(team=team, name="Hope Holder")
    case = held_case(holder)
    with pytest.raises(Exception, match="Hope Holder holds case .* now: reallocate it first"):
        _exclude(case, holder, manager)


def test_the_same_exclusion_twice_is_refused_by_the_service_and_the_database(team, manager):
    case = CaseFactory(team=team)
    worker = WorkerFactory(team=team)
    _exclude(case, worker, manager)
    with pytest.raises(Exception, match="already excluded"):
        _exclude(case, worker, manager)
    assert Exclusion.objects.count() == 1


def test_a_leavers_plan_never_suggests_an_excluded_worker_and_marks_them(client_for, team, manager):
    leaver = WorkerFactory(team=team, name="Lee Leaver")
    case = held_case(leaver)
    roomy = WorkerFactory(team=team, name="Rob Roomy")
    busy = WorkerFactory(team=team, name="Bea Busy")
    for _ in range(3):
        held_case(busy)
    _exclude(case, roomy, manager)
    plan = selectors.leaver_plan(leaver)
    assert plan.cases[0].suggested == busy.pk
    assert roomy.pk not in plan.cases[0].eligible_ids
    page = client_for(manager).get(reverse("worker_leaver", args=[leaver.pk])).content.decode()
    assert "Rob Roomy – Excluded" in page
    response = client_for(manager).post(
        reverse("worker_leaver", args=[leaver.pk]), {f"case-{case.pk}": roomy.pk, "confirm": "1"}
    )
    assert case.allocations.current().get().worker == leaver
    assert response.status_code == 200


def test_a_rebalance_never_moves_a_case_to_an_excluded_worker_and_says_so(
    client_for, team, manager
):
    over = WorkerFactory(team=team, name="Olly Over")
    cases = [held_case(over) for _ in range(17)]
    only_room = WorkerFactory(team=team, name="Ria Room")
    for case in cases:
        _exclude(case, only_room, manager)
    plan = selectors.rebalance_plan(team)
    assert all(m["to"].pk != only_room.pk for m in plan.moves)
    other = WorkerFactory(team=team, name="Tom Taker")
    plan = selectors.rebalance_plan(team)
    assert plan.moves and all(m["to"] == other for m in plan.moves)
    assert plan.moves[0]["excluded"] == ["Ria Room"]
    page = client_for(manager).get(reverse("team_rebalance", args=[team.pk])).content.decode()
    assert "Not to: Ria Room" in page and "Excluded" in page


@pytest.mark.parametrize("household", [False, True], ids=["case", "household"])
def test_the_import_refuses_an_excluded_holder_as_a_problem_on_the_row(
    tmp_path, organisation, manager, household
):
    data = sample()
    CaseloadImport(open_source(write_csv(tmp_path / "one", data)), organisation).commit()
    c2 = Case.objects.get(reference="C2")
    kept = WorkerFactory(team=c2.team, reference="W9", name="Kay Kept")
    _exclude(c2, kept, manager, household=household)
    data["cases"][1]["worker_ref"] = "W9"
    outcome = CaseloadImport(open_source(write_csv(tmp_path / "two", data)), organisation).check()
    where = ("cases.csv", 3, "worker_ref")
    found = [p for p in outcome.problems if (p.file, p.row, p.column) == where]
    assert found and "W9 cannot hold this case: Excluded" in found[0].reason
    assert len(outcome.problems) == 1


@pytest.mark.parametrize(
    "who, status",
    [("caseworker", 403), ("outsider", 403), ("outsider_manager", 404), ("director", 200)],
)
def test_only_managers_and_above_in_scope_see_exclusions_and_only_the_teams_manager_records(
    request, client_for, team, manager, who, status
):
    case = CaseFactory(team=team)
    worker = WorkerFactory(team=team, name="Secret Sam")
    _exclude(case, worker, manager)
    client = client_for(request.getfixturevalue(who))
    url = reverse("case_exclusions", args=[case.pk])
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        assert "Secret Sam" in response.content.decode()
    other = WorkerFactory(team=team)
    posted = client.post(url, {"worker": other.pk, "scope": "case", "reason": "risk_to_staff"})
    assert posted.status_code in (403, 404)
    assert not Exclusion.objects.filter(worker=other).exists()
    detail = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert ("Exclusions" in detail) == (who == "director")


def test_the_teams_manager_records_an_exclusion_from_the_page(client_for, team, manager):
    first, _ = _siblings(team)
    worker = WorkerFactory(team=team, name="Wyn Worker")
    client = client_for(manager)
    url = reverse("case_exclusions", args=[first.pk])
    missing = client.post(url, {"worker": worker.pk, "scope": "household", "reason": "other"})
    assert "Say what the reason is" in missing.content.decode()
    response = client.post(
        url,
        {"worker": worker.pk, "scope": "household", "reason": "other", "detail": "Neighbour"},
    )
    assert response.status_code == 302
    made = Exclusion.objects.get()
    assert made.household_id == first.participant.household_id and made.case is None
    assert made.recorded_by == manager and made.detail == "Neighbour"
