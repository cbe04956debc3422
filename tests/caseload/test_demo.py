"""The demo organisation is realistic and deterministic."""

import pytest
from django.core.management import call_command

from caseload.core.models import Organisation, Team, User, Worker
from caseload.demo import seed as demo

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "teams": list(
            Team.objects.order_by("reference").values_list(
                "service__name", "name", "reference", "establishment_fte"
            )
        ),
        "workers": list(
            Worker.objects.order_by("reference").values_list(
                "reference",
                "team__reference",
                "name",
                "role",
                "qualified",
                "experience",
                "fte",
                "agency",
                "start_date",
                "leave_date",
                "user__username",
            )
        ),
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_seeding_small_with_the_same_seed_twice_gives_the_same_organisation():
    call_command("seed_demo", size="small", seed=1, stdout=None)
    first = _snapshot()
    call_command("seed_demo", size="small", seed=1, replace=True)
    assert _snapshot() == first
    assert Organisation.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_different_seed_gives_a_different_organisation():
    demo.seed(size="small", seed=1)
    first = _snapshot()
    call_command("flush", interactive=False, verbosity=0)
    demo.seed(size="small", seed=2)
    assert _snapshot()["workers"] != first["workers"]


def test_the_small_demo_has_every_role_part_timers_agency_newly_qualified_and_vacancies(
    small_demo,
):
    small_demo(seed=1)
    roles = set(Worker.objects.values_list("role", flat=True))
    assert roles == {
        "team_manager",
        "advanced_practitioner",
        "social_worker",
        "support_worker",
        "caseworker",
    }
    assert Worker.objects.filter(fte__lt=1).exists()
    assert Worker.objects.filter(agency=True).exists()
    assert Worker.objects.filter(experience="newly_qualified").exists()
    assert Worker.objects.filter(leave_date__isnull=False).exists()
    assert not Worker.objects.filter(role="support_worker", qualified=True).exists()
    assert set(User.objects.values_list("role", flat=True)) == {
        "caseworker",
        "manager",
        "director",
        "administrator",
    }


def test_seeding_refuses_to_add_to_a_database_that_already_holds_data(small_demo):
    from django.core.management.base import CommandError

    small_demo(seed=1)
    with pytest.raises(CommandError, match="already holds data"):
        call_command("seed_demo", size="small")
    call_command("seed_demo", size="small", if_empty=True)
    assert Organisation.objects.count() == 1
