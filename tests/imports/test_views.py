"""The import pages: administrators only (and only their own organisation's runs), CSRF on
every form, uploads capped in size and allow-listed by type and content, never served back."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from caseload.core.models import Case, ImportRun, Worker
from security.models import AuditEvent
from tests.caseload.factories import OrganisationFactory, UserFactory

from .sample import sample, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the tasks enqueued after commit (eagerly, as in the demo, even with Redis set)."""
    from caseload.config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True

    def posting(client, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    yield posting
    app.conf.task_always_eager = eager


def _xlsx_upload(tmp_path, data=None) -> SimpleUploadedFile:
    path = write_xlsx(tmp_path / "council.xlsx", data or sample())
    return SimpleUploadedFile("council.xlsx", path.read_bytes())


def _csv_uploads(tmp_path, data=None) -> list[SimpleUploadedFile]:
    folder = write_csv(tmp_path / "csv", data or sample())
    return [SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]


@pytest.mark.parametrize(
    "who", ["caseworker", "manager", "director", "outsider", "outsider_manager"]
)
def test_only_administrators_may_open_the_import_pages(client_for, request, who, administrator):
    run = ImportRun.objects.create(organisation=administrator.organisation, file_names=["x.xlsx"])
    client = client_for(request.getfixturevalue(who))
    for url in (
        reverse("import_list"),
        reverse("import_detail", args=[run.pk]),
        reverse("import_template"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("import_confirm", args=[run.pk])).status_code == 403


def test_an_administrator_of_another_organisation_cannot_see_a_run(client_for, administrator):
    run = ImportRun.objects.create(organisation=administrator.organisation, file_names=["x.xlsx"])
    elsewhere = UserFactory(
        username="eve", role="administrator", organisation=OrganisationFactory(name="Elsewhere")
    )
    client = client_for(elsewhere)
    assert client.get(reverse("import_detail", args=[run.pk])).status_code == 404
    assert client.post(reverse("import_confirm", args=[run.pk])).status_code == 404
    assert "x.xlsx" not in client.get(reverse("import_list")).content.decode()


def test_an_administrator_uploads_checks_confirms_and_sees_the_summary(
    client_for, administrator, tmp_path, on_commit
):
    client = client_for(administrator)
    response = on_commit(client, reverse("import_list"), {"files": _xlsx_upload(tmp_path)})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    page = client.get(run.get_absolute_url()).content.decode()
    assert "No problems found" in page and "Import these 15 rows" in page
    assert not Case.objects.exists()  # the check wrote nothing
    response = on_commit(client, reverse("import_confirm", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "done" and run.totals["create"] == 15
    assert Case.objects.count() == 5 and Worker.objects.filter(reference="W1").exists()
    assert "Imported" in client.get(run.get_absolute_url()).content.decode()
    assert AuditEvent.objects.filter(object_id=run.pk, action="create").exists()
    assert AuditEvent.objects.filter(object_id=run.pk, action="edit").exists()


def test_several_csv_files_can_be_uploaded_together(client_for, administrator, tmp_path, on_commit):
    on_commit(client_for(administrator), reverse("import_list"), {"files": _csv_uploads(tmp_path)})
    assert ImportRun.objects.get().status == "checked"


def test_a_broken_upload_lists_its_problems_and_offers_no_import(
    client_for, administrator, tmp_path, on_commit
):
    data = sample()
    data["workers"][0]["fte"] = "2"
    client = client_for(administrator)
    on_commit(client, reverse("import_list"), {"files": _xlsx_upload(tmp_path, data)})
    run = ImportRun.objects.get()
    page = client.get(run.get_absolute_url()).content.decode()
    assert "1 problem found: nothing has been imported" in page
    assert "FTE 2 is out of range" in page
    assert "Import these" not in page
    assert client.post(reverse("import_confirm", args=[run.pk])).status_code == 302
    assert not Case.objects.exists()


def test_the_forms_need_a_csrf_token(administrator, tmp_path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    response = client.post(reverse("import_list"), {"files": _xlsx_upload(tmp_path)})
    assert response.status_code == 403
    run = ImportRun.objects.create(organisation=administrator.organisation, status="checked")
    assert client.post(reverse("import_confirm", args=[run.pk])).status_code == 403
    assert ImportRun.objects.get(pk=run.pk).status == "checked"


def _refused(client, files, words):
    response = client.post(reverse("import_list"), {"files": files})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not ImportRun.objects.exists()


def test_an_upload_too_large_is_refused_with_a_clear_message(
    client_for, administrator, settings, tmp_path
):
    settings.IMPORT_MAX_UPLOAD_MB = 0
    _refused(client_for(administrator), _xlsx_upload(tmp_path), "larger than 0 MB")


def test_an_upload_too_large_is_refused_before_it_is_read(client_for, administrator, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    client = client_for(administrator)
    response = client.post(
        reverse("import_list"),
        {"files": SimpleUploadedFile("big.zip", b"PK\x03\x04" + b"0" * (1200 * 1024))},
    )
    assert response.status_code == 400
    assert "The upload is larger than 1 MB." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_file_of_another_type_is_refused(client_for, administrator):
    upload = SimpleUploadedFile("cases.pdf", b"%PDF-1.4")
    _refused(client_for(administrator), upload, "only .csv, .xlsx and .zip files")


def test_a_file_whose_content_is_not_its_type_is_refused(client_for, administrator):
    client = client_for(administrator)
    _refused(client, SimpleUploadedFile("book.xlsx", b"just,text\n"), "not a real .xlsx file")
    _refused(client, SimpleUploadedFile("cases.csv", b"PK\x03\x04\x00\x00binary"), "not a CSV")


def test_a_zip_must_hold_only_csv_files(client_for, administrator):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cases.csv", "case_ref\n")
        archive.writestr("run.exe", "MZ")
    upload = SimpleUploadedFile("data.zip", buffer.getvalue())
    _refused(client_for(administrator), upload, "must hold only CSV files")


def test_a_csv_must_be_named_after_its_sheet(client_for, administrator):
    upload = SimpleUploadedFile("export.csv", b"a,b\n1,2\n")
    _refused(client_for(administrator), upload, "must be named after its sheet")


def test_uploads_are_kept_outside_the_web_root_and_never_served(
    client_for, administrator, settings, tmp_path
):
    client_for(administrator).post(reverse("import_list"), {"files": _xlsx_upload(tmp_path)})
    run = ImportRun.objects.get()
    stored = settings.IMPORT_DIR / run.stored_as / "workbook.xlsx"
    assert stored.exists()
    assert (
        run.stored_as not in client_for(administrator).get(run.get_absolute_url()).content.decode()
    )
    from django.conf import settings as live

    assert not str(stored).startswith(str(live.STATIC_ROOT))


def test_the_template_downloads_as_a_workbook_or_a_zip(client_for, administrator):
    client = client_for(administrator)
    response = client.get(reverse("import_template"))
    assert response["Content-Disposition"].endswith('.xlsx"')
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == [
        "read me",
        "teams",
        "workers",
        "participants",
        "cases",
        "contacts",
        "accepted values",
    ]
    response = client.get(reverse("import_template") + "?format=zip")
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names == ["teams.csv", "workers.csv", "participants.csv", "cases.csv", "contacts.csv"]


def test_the_template_is_refused_to_everyone_but_an_administrator(
    client_for, outsider_manager, director
):
    for user in (outsider_manager, director):
        assert client_for(user).get(reverse("import_template")).status_code == 403


def test_a_run_in_progress_refreshes_itself_and_shows_progress(client_for, administrator):
    from django.core.cache import cache

    run = ImportRun.objects.create(organisation=administrator.organisation, status="importing")
    cache.set(f"import-progress:{run.pk}", {"phase": "Importing cases", "done": 50, "total": 200})
    page = client_for(administrator).get(run.get_absolute_url()).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Importing cases: 50 of 200 rows" in page and 'value="25"' in page
