"""An import that stops (its worker killed, its database lost, its task never delivered) does not
say "checking" or "importing" for ever: past IMPORT_STALE_MINUTES without a sign of life it is
marked failed, and the administrator checks its files again from its page. (A failure recorded
when the import's own database connection broke: tests/faults/test_postgres.py.)"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from caseload.core.models import ImportRun, Team
from caseload.imports import services
from tests.caseload.factories import OrganisationFactory, UserFactory

from .sample import sample, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.IMPORT_STALE_MINUTES = 5


@pytest.fixture
def eager(django_capture_on_commit_callbacks):
    """Tasks enqueued after commit run at once, as in the demo."""
    from caseload.config.celery import app

    was, app.conf.task_always_eager = app.conf.task_always_eager, True

    def posting(client, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    yield posting
    app.conf.task_always_eager = was


def _uploaded_run(administrator, tmp_path, status: str, quiet_for: timedelta) -> ImportRun:
    """A run whose files were uploaded and kept, last heard of `quiet_for` ago."""
    folder, names = services.store_upload(
        [SimpleUploadedFile("council.xlsx", write_xlsx(tmp_path / "c.xlsx", sample()).read_bytes())]
    )
    run = ImportRun.objects.create(
        organisation=administrator.organisation,
        started_by=administrator,
        file_names=names,
        stored_as=folder,
        status=status,
    )
    ImportRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - quiet_for, created_at=timezone.now() - quiet_for
    )
    return run


@pytest.mark.parametrize("status", ["checking", "queued", "importing"])
def test_a_run_silent_past_the_limit_is_shown_failed_with_a_way_to_retry(
    client_for, administrator, tmp_path, status
):
    run = _uploaded_run(administrator, tmp_path, status, quiet_for=timedelta(minutes=6))
    page = client_for(administrator).get(run.get_absolute_url()).content.decode()
    run.refresh_from_db()
    assert run.status == "failed" and run.finished_at is not None
    assert "stopped before it finished" in page and "Nothing was imported" in page
    assert "Check these files again" in page
    assert 'http-equiv="refresh"' not in page


def test_a_run_that_is_alive_or_recent_is_left_alone(client_for, administrator, tmp_path):
    working = _uploaded_run(administrator, tmp_path, "importing", quiet_for=timedelta(minutes=4))
    client_for(administrator).get(reverse("import_list"))
    working.refresh_from_db()
    assert working.status == "importing"


def test_retrying_a_failed_run_checks_its_files_again_and_nothing_is_imported_until_confirmed(
    client_for, administrator, tmp_path, eager
):
    run = _uploaded_run(administrator, tmp_path, "importing", quiet_for=timedelta(hours=1))
    client = client_for(administrator)
    client.get(run.get_absolute_url())  # marks it failed
    response = eager(client, reverse("import_retry", args=[run.pk]))
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    run.refresh_from_db()
    assert run.status == "checked" and run.detail == ""
    assert not Team.objects.exists()
    assert "Import these" in client.get(run.get_absolute_url()).content.decode()


def test_only_a_failed_run_with_kept_files_can_be_retried(client_for, administrator, tmp_path):
    checked = _uploaded_run(administrator, tmp_path, "checked", quiet_for=timedelta(0))
    client = client_for(administrator)
    client.post(reverse("import_retry", args=[checked.pk]))
    checked.refresh_from_db()
    assert checked.status == "checked"
    from_command_line = ImportRun.objects.create(
        organisation=administrator.organisation, status="failed", stored_as=""
    )
    response = client.post(reverse("import_retry", args=[from_command_line.pk]), follow=True)
    assert "upload them again" in response.content.decode()


@pytest.mark.parametrize("who", ["caseworker", "manager", "director", "outsider"])
def test_only_administrators_may_retry_and_only_in_their_organisation(
    client_for, request, who, administrator, tmp_path
):
    run = _uploaded_run(administrator, tmp_path, "failed", quiet_for=timedelta(0))
    url = reverse("import_retry", args=[run.pk])
    assert client_for(request.getfixturevalue(who)).post(url).status_code == 403
    elsewhere = UserFactory(
        username="eve", role="administrator", organisation=OrganisationFactory(name="Elsewhere")
    )
    assert client_for(elsewhere).post(url).status_code == 404
    run.refresh_from_db()
    assert run.status == "failed"


def test_retrying_needs_a_csrf_token_and_a_post(administrator, tmp_path):
    from django.test import Client

    run = _uploaded_run(administrator, tmp_path, "failed", quiet_for=timedelta(0))
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    assert client.post(reverse("import_retry", args=[run.pk])).status_code == 403
    assert client.get(reverse("import_retry", args=[run.pk])).status_code == 405


def test_an_upload_with_the_broker_down_answers_at_once_and_waits_to_be_retried(
    client_for, administrator, tmp_path, settings, django_capture_on_commit_callbacks
):
    import time

    from caseload.config.celery import app

    old = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = "redis://127.0.0.1:1/0", False
    app._pool = None
    upload = SimpleUploadedFile(
        "council.xlsx", write_xlsx(tmp_path / "c.xlsx", sample()).read_bytes()
    )
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(administrator).post(reverse("import_list"), {"files": upload})
        elapsed = time.monotonic() - started
    finally:
        app.conf.broker_url, app.conf.task_always_eager = old
        app._pool = None
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    assert elapsed < 5, elapsed
    assert run.status == "checking"
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    page = client_for(administrator).get(run.get_absolute_url()).content.decode()
    assert "never received it" in page and "Check these files again" in page
