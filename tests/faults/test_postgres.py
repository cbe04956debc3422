"""Found item 3: PostgreSQL vanishing under an import. An import whose database stopped answering
hung with no error; when the link dropped, its run stayed "importing" for ever (the failure was
written on the dead connection); a killed import left its temporary folder behind. Now the
import fails within seconds, records its failure on a fresh connection, a run that stopped is
marked failed and checked again from its page, and the folder goes.

Each test commits a real import run in a process of its own (`run_import`, the worker's own
service call, slowed down), whose database is behind a proxy the test cuts, freezes or kills.
"""

import tempfile
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caseload.core.models import ImportRun
from caseload.imports import refstore, services
from participants.models import Participant
from tests.imports.sample import sample, write_xlsx

from .conftest import database_url, record, wait_until

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("committed")]
PEOPLE = 40  # eight batches of five


@pytest.fixture
def scratch(tmp_path, settings, monkeypatch):
    """Shared with the import's process: where uploads are kept and temporary folders made."""
    settings.IMPORT_DIR = tmp_path / "imports"
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return {"IMPORT_DIR": str(settings.IMPORT_DIR), "TMPDIR": str(folder)}


def _queued_run(administrator) -> ImportRun:
    """An uploaded, checked and confirmed run of PEOPLE people, waiting for its worker."""
    data = sample()
    person = data["participants"][0]
    data["participants"] += [
        dict(person, participant_ref=f"Q{n}", household_ref="") for n in range(PEOPLE)
    ]
    path = write_xlsx(Path(tempfile.gettempdir()) / "council.xlsx", data)
    folder, names = services.store_upload([SimpleUploadedFile("council.xlsx", path.read_bytes())])
    path.unlink()
    run = ImportRun.objects.create(
        organisation=administrator.organisation,
        started_by=administrator,
        file_names=names,
        stored_as=folder,
        status="queued",
    )
    return run


def _importing(start, run, proxy, scratch, phase: str = "write", **env):
    process = start(
        "tests.faults.run_import",
        str(run.pk),
        "1",
        phase,
        DATABASE_URL=database_url(proxy.port),
        TASK_LEASE_SECONDS="4",
        DB_SILENCE_SECONDS="3",
        **scratch,
        **env,
    )
    started = f"{'writing' if phase == 'write' else 'checking'} people Q"
    assert wait_until(lambda: process.said(started), timeout=60) is not None, process.output
    return process


def _status(run) -> str:
    return ImportRun.objects.values_list("status", flat=True).get(pk=run.pk)


def test_an_import_whose_database_stops_answering_fails_within_seconds_and_says_so(
    postgres_proxy, administrator, scratch, start
):
    run = _queued_run(administrator)
    process = _importing(start, run, postgres_proxy, scratch)
    postgres_proxy.freeze()
    frozen_at = time.monotonic()
    failed = wait_until(lambda: process.said("has not answered", after=frozen_at), timeout=45)
    assert failed is not None, "the import was still waiting 45 s after its database went quiet"
    postgres_proxy.thaw(old="reset")  # the database is back; the import's session is gone
    recorded = wait_until(lambda: _status(run) == "failed", timeout=30)
    assert recorded is not None, process.output
    run.refresh_from_db()
    assert "OperationalError" in run.detail
    assert not Participant.objects.filter(reference__startswith="Q").exists()
    assert wait_until(lambda: process.popen.poll() is not None, timeout=30) is not None
    assert not list(Path(scratch["TMPDIR"]).glob("caseload-import-*"))
    record("PostgreSQL stops answering during an import", to_fail=failed, to_recover=recorded)


@pytest.mark.parametrize("phase", ["check", "write"])
def test_an_import_whose_database_link_drops_records_its_failure_when_it_is_back(
    postgres_proxy, administrator, scratch, start, phase
):
    """The link drops while the files are checked (no transaction open yet) or written, and
    stays down for a few seconds: the failure is recorded once the database is back."""
    run = _queued_run(administrator)
    process = _importing(start, run, postgres_proxy, scratch, phase)
    postgres_proxy.refuse()  # every connection reset, and nobody answers for a while
    dropped_at = time.monotonic()
    failed = wait_until(lambda: process.said(f"import {run.pk} failed"), timeout=30)
    time.sleep(max(0.0, 8 - (time.monotonic() - dropped_at)))
    postgres_proxy.listen()
    recorded = wait_until(lambda: _status(run) == "failed", timeout=60)
    assert recorded is not None, f"the run still says {_status(run)}\n{process.output}"
    run.refresh_from_db()
    assert "OperationalError" in run.detail
    assert not Participant.objects.filter(reference__startswith="Q").exists()
    record(
        f"PostgreSQL link drops for 8 s during an import ({phase})",
        to_fail=failed if failed is not None else -1,
        to_recover=recorded,
    )


def test_a_killed_import_is_marked_failed_checked_again_and_its_folder_removed(
    postgres_proxy, administrator, scratch, start, settings, client_for, monkeypatch
):
    run = _queued_run(administrator)
    process = _importing(start, run, postgres_proxy, scratch)
    left = list(Path(scratch["TMPDIR"]).glob("caseload-import-*"))
    assert left, "the import's temporary folder should exist while it works"
    process.kill()
    killed_at = time.monotonic()
    assert _status(run) == "importing"

    settings.IMPORT_STALE_MINUTES = 0.05  # three seconds, for the test
    client = client_for(administrator)
    marked = wait_until(
        lambda: client.get(run.get_absolute_url()) and _status(run) == "failed", timeout=30
    )
    assert marked is not None
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Check these files again" in page

    monkeypatch.setattr(refstore, "ORPHAN_AFTER", 0)
    with refstore.RefStore():  # the next import (or check) clears what the killed one left
        assert not any(folder.exists() for folder in left)

    from caseload.config.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        client.post(reverse("import_retry", args=[run.pk]))
    finally:
        app.conf.task_always_eager = eager
    assert _status(run) == "checked"
    record(
        "import process killed (SIGKILL)",
        to_fail=0.0,
        to_recover=time.monotonic() - killed_at,
    )
