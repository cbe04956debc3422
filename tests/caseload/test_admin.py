"""Only a platform operator is a superuser; the demo's `admin` is an organisation administrator
who works in Caseload's own pages. Records the app writes itself are read-only in the Django
admin, and adding one there is refused, not a 500."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from caseload.core.models import Flag, TaskRun, User
from tests.caseload.factories import UserFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    """A platform operator: a superuser in no organisation."""
    return UserFactory(username="ops", role="administrator", is_staff=True, is_superuser=True)


def test_the_demo_admin_is_an_organisation_administrator_not_a_superuser(client):
    out = io.StringIO()
    call_command("seed_demo", size="small", stdout=out)
    admin = User.objects.get(username="admin")
    assert (admin.role, admin.is_superuser, admin.is_staff) == ("administrator", False, False)
    assert admin.organisation is not None
    assert not User.objects.filter(is_superuser=True).exists()
    printed = out.getvalue()
    assert "organisation administrator" in printed
    assert "None of these is a superuser" in printed and "createsuperuser" in printed
    client.force_login(admin)
    assert client.get(reverse("import_list")).status_code == 200
    django_admin = client.get(reverse("admin:index"))
    assert django_admin.status_code == 302 and "/admin/login/" in django_admin.url
    assert client.get(reverse("admin:participants_participant_changelist")).status_code == 302
    assert "Admin</a>" not in client.get(reverse("home"), follow=True).content.decode()


def test_adding_a_task_run_in_the_admin_is_refused_not_a_500(client_for, operator):
    client = client_for(operator)
    url = reverse("admin:caseload_taskrun_add")
    assert client.get(url).status_code == 403
    assert client.post(url, {"task": "made up"}).status_code == 403
    assert not TaskRun.objects.exists()


def test_task_runs_audit_and_flags_are_read_only_in_the_admin(client_for, operator, team):
    run = TaskRun.objects.create(task="recompute_all", started_at=timezone.now(), outcome="ok")
    flag = Flag.objects.create(
        kind="above_promise",
        team=team,
        worker=WorkerFactory(team=team),
        subject_key="worker:1",
        opened_at=timezone.now(),
    )
    client = client_for(operator)
    for model, obj in (("taskrun", run), ("flag", flag)):
        change = reverse(f"admin:caseload_{model}_change", args=[obj.pk])
        page = client.get(change)
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        assert client.post(change, {"task": "changed"}).status_code == 403
        delete = reverse(f"admin:caseload_{model}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    run.refresh_from_db()
    assert run.task == "recompute_all" and Flag.objects.filter(pk=flag.pk).exists()
    assert client.get(reverse("admin:security_auditevent_add")).status_code == 403
