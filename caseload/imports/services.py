"""Import runs: receive an upload safely, check it, import it in the background, record it.

Uploads are size-capped, allow-listed by extension *and* by content, and stored under
IMPORT_DIR (outside the web root; nothing serves them back). Each run is an `ImportRun` row and
an audit event. Progress while a run works is kept in the cache, because the import itself is
one transaction that nobody else can see into until it commits.
"""

import logging
import shutil
import time
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from caseload.core.choices import IMPORT_IN_PROGRESS, ImportStatus
from caseload.core.enqueue import enqueue_after_commit
from caseload.core.lease import Heartbeat
from caseload.core.models import ImportRun, Organisation, User
from caseload.core.watchdog import watching
from security.audit import audit_record
from security.choices import AuditAction

from .engine import CaseloadImport, Outcome
from .formats import SHEET_BY_NAME
from .readers import SourceError, encoding_problem, open_source

log = logging.getLogger(__name__)
ZIP_MAGIC = b"PK\x03\x04"
KEEP_PROBLEMS = 500  # stored on the run; the count says how many there were in all


# --- receiving files ------------------------------------------------------------------------


def upload_limit_mb() -> int:
    return settings.IMPORT_MAX_UPLOAD_MB


def upload_too_large(content_length: str | None) -> bool:
    """Whether a request body is over the cap (with room for the form's own fields), so it
    can be refused before Django reads the files."""
    try:
        size = int(content_length or 0)
    except ValueError:
        return False
    return size > settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024 + 64 * 1024


def import_dir() -> Path:
    return Path(settings.IMPORT_DIR)


def _sniff_csv(head: bytes, name: str, *, complete: bool) -> None:
    if head.startswith(ZIP_MAGIC):
        raise ValidationError(
            f"{name} is not a CSV file: it is a zip or a workbook (name it .zip or .xlsx)."
        )
    if not head.strip():
        raise ValidationError(f"{name} is empty: it has no header row.")
    problem = encoding_problem(head.removeprefix(b"\xef\xbb\xbf"), complete=complete)
    if problem:
        raise ValidationError(f"{name} cannot be read. {problem}")


def _sniff_zip(path: Path, name: str, *, workbook: bool) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ValidationError(
            f"{name} is damaged or is not a {'workbook' if workbook else 'zip'}."
        ) from None
    if unzipped > settings.IMPORT_MAX_UNZIPPED_MB * 1024 * 1024:
        raise ValidationError(f"{name} unpacks to more than {settings.IMPORT_MAX_UNZIPPED_MB} MB.")
    if workbook:
        if "xl/workbook.xml" not in names:
            raise ValidationError(f"{name} is not an Excel workbook (.xlsx).")
        return
    files = [n for n in names if not n.endswith("/") and "__MACOSX" not in n]
    if not files or any(not n.lower().endswith(".csv") for n in files):
        raise ValidationError(f"{name} must hold only CSV files.")


def _kind(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx", ".zip"):
        raise ValidationError(
            f"{name}: only .csv, .xlsx and .zip files can be imported (not {suffix or 'no type'})."
        )
    return suffix


def store_upload(files) -> tuple[str, list[str]]:
    """Check the uploaded files and save them in a new private folder. Returns the folder
    (inside IMPORT_DIR) and the original names. Raises ValidationError, keeping nothing."""
    if not files:
        raise ValidationError("Choose a file to import.")
    cap = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
    kinds = [_kind(f.name) for f in files]
    if len(files) > 1 and set(kinds) != {".csv"}:
        raise ValidationError("Upload one workbook, one zip, or several CSV files together.")
    if sum(f.size for f in files) > cap:
        raise ValidationError(f"The upload is larger than {settings.IMPORT_MAX_UPLOAD_MB} MB.")
    folder = uuid.uuid4().hex
    target = import_dir() / folder
    target.mkdir(parents=True, mode=0o700)
    try:
        for upload, kind in zip(files, kinds, strict=True):
            _save_one(upload, kind, target)
    except ValidationError:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return folder, [f.name for f in files]


def _save_one(upload, kind: str, target: Path) -> None:
    name = upload.name
    if kind == ".csv":
        stem = Path(name).stem.lower()
        if stem not in SHEET_BY_NAME:
            raise ValidationError(
                f"{name}: a CSV file must be named after its sheet: "
                + ", ".join(f"{s}.csv" for s in SHEET_BY_NAME)
                + "."
            )
        path = target / f"{stem}.csv"
    else:
        path = target / ("workbook.xlsx" if kind == ".xlsx" else "upload.zip")
    with path.open("wb") as handle:
        head = b""
        for chunk in upload.chunks():
            head = head or chunk[:4096]
            handle.write(chunk)
    if kind == ".csv":
        _sniff_csv(head, name, complete=upload.size <= len(head))
    elif not head.startswith(ZIP_MAGIC):
        raise ValidationError(f"{name} is not a real {kind} file.")
    else:
        _sniff_zip(path, name, workbook=kind == ".xlsx")


def _source_path(run: ImportRun) -> Path:
    folder = import_dir() / run.stored_as
    files = list(folder.iterdir())
    single = [p for p in files if p.suffix in (".xlsx", ".zip")]
    return single[0] if single else folder


def _open(run: ImportRun):
    name = run.file_names[0] if len(run.file_names) == 1 else None
    return open_source(_source_path(run), name)


# --- progress -------------------------------------------------------------------------------


def _progress_key(run_id: int) -> str:
    return f"import-progress:{run_id}"


def progress_of(run: ImportRun) -> dict | None:
    """{'phase', 'done', 'total'} while a run works (from the cache), else None."""
    if not run.in_progress:
        return None
    try:
        return cache.get(_progress_key(run.pk))
    except Exception:  # noqa: BLE001 - progress is a nicety; the page still works
        return None


def _reporter(run_id: int):
    def report(phase: str, done: int, total: int) -> None:
        try:
            cache.set(_progress_key(run_id), {"phase": phase, "done": done, "total": total}, 3600)
        except Exception:  # noqa: BLE001 - never fail an import over its progress bar
            log.debug("progress not stored for import %s", run_id)

    return report


# --- runs -----------------------------------------------------------------------------------

STOPPED = (
    "The import stopped before it finished: the worker doing it stopped, lost its database, or "
    "never received it. Nothing was imported. Check the files again to retry."
)


def _record(run: ImportRun, outcome: Outcome, status: str) -> None:
    run.rows = outcome.rows
    run.counts = outcome.as_dict()
    run.problems = [p.as_dict() for p in outcome.problems[:KEEP_PROBLEMS]]
    run.problem_count = outcome.problem_count
    run.warnings = outcome.warnings
    run.status = status
    run.finished_at = timezone.now()
    run.save()


def import_runs_fail_stale(*, organisation: Organisation | None = None) -> int:
    """Mark failed the runs waiting or working with no sign of life for IMPORT_STALE_MINUTES:
    their worker died, lost its database, or never got the task. Returns how many."""
    cutoff = timezone.now() - timedelta(minutes=settings.IMPORT_STALE_MINUTES)
    stale = ImportRun.objects.filter(status__in=IMPORT_IN_PROGRESS).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    if organisation is not None:
        stale = stale.filter(organisation=organisation)
    return stale.update(status=ImportStatus.FAILED, detail=STOPPED, finished_at=timezone.now())


def _alive(run_id: int) -> Heartbeat:
    """Renew the run's heartbeat while a worker works on it (from a connection of its own:
    the import's may be inside its long transaction)."""
    return Heartbeat(
        lambda: ImportRun.objects.filter(pk=run_id, status__in=IMPORT_IN_PROGRESS).update(
            heartbeat_at=timezone.now()
        )
    )


def _fresh_connection() -> None:
    """Drop this thread's database connection (it may be the one that failed), so the next
    query opens a new one; never inside a caller's transaction, which owns it."""
    if not connection.in_atomic_block:
        connection.close()


RECORD_FAILURE_PAUSES = (0, 1, 2, 4, 8, 15, 30)  # seconds between tries: about a minute


def _record_failure(run_id: int, error: BaseException) -> bool:
    """Record that a run failed, on a fresh connection, trying for about a minute (the worker
    can do nothing else without its database); if the database stays away longer the
    stale-run sweep marks it failed later. Whether it was recorded."""
    detail = f"{type(error).__name__}: {error}"[:500]
    for pause in RECORD_FAILURE_PAUSES:
        time.sleep(pause)
        _fresh_connection()
        try:
            ImportRun.objects.filter(pk=run_id).update(
                status=ImportStatus.FAILED, detail=detail, finished_at=timezone.now()
            )
        except DatabaseError:
            log.warning("import %s: could not record its failure yet", run_id)
            continue
        return True
    return False


@transaction.atomic
def import_run_create(*, organisation: Organisation, by: User, files, request=None) -> ImportRun:
    """Keep the uploaded files and start checking them in the background (after commit)."""
    folder, names = store_upload(files)
    run = ImportRun.objects.create(
        organisation=organisation,
        started_by=by,
        file_names=names,
        stored_as=folder,
        heartbeat_at=timezone.now(),
    )
    audit_record(
        request=request,
        user=by,
        action=AuditAction.CREATE,
        obj=run,
        detail=f"Uploaded for import: {', '.join(names)}"[:300],
    )
    enqueue_after_commit("caseload.import_check", run.pk)
    return run


def import_run_check(*, run_id: int) -> ImportRun:
    """The dry run: every problem and what would change, recorded on the run. A failure (a
    file that breaks the reader, a lost database) is recorded on the run, never left as
    "checking"."""
    import_runs_fail_stale()
    run = ImportRun.objects.select_related("organisation", "started_by").get(pk=run_id)
    if run.status != ImportStatus.CHECKING:
        return run  # checked already (a second delivery), or given up on as stopped
    try:
        with _alive(run.pk), watching():
            source = _open(run)
            outcome = CaseloadImport(
                source, run.organisation, by=run.started_by, progress=_reporter(run.pk)
            ).check()
    except SourceError as error:
        run.problems = [
            {"file": ", ".join(run.file_names), "row": None, "column": "", "reason": str(error)}
        ]
        run.problem_count, run.status, run.finished_at = 1, ImportStatus.PROBLEMS, timezone.now()
        run.save()
        return run
    except Exception as error:  # noqa: BLE001 - recorded on the run; nothing was written
        log.exception("import check %s failed", run_id)
        _record_failure(run_id, error)
        return _reloaded(run)
    _record(run, outcome, ImportStatus.CHECKED if outcome.ok else ImportStatus.PROBLEMS)
    return run


def _reloaded(run: ImportRun) -> ImportRun:
    try:
        run.refresh_from_db()
    except DatabaseError:
        pass  # the database is still away; the caller gets the run as it last saw it
    return run


@transaction.atomic
def import_run_confirm(*, run: ImportRun, by: User, request=None) -> ImportRun:
    """The administrator confirms a checked run: import it in the background."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status != ImportStatus.CHECKED:
        raise ValidationError("Only a checked run with no problems can be imported.")
    run.status, run.heartbeat_at = ImportStatus.QUEUED, timezone.now()
    run.save(update_fields=["status", "heartbeat_at"])
    audit_record(
        request=request,
        user=by,
        action=AuditAction.EDIT,
        obj=run,
        detail=f"Confirmed import of {run.rows} rows",
    )
    enqueue_after_commit("caseload.import_commit", run.pk)
    return run


@transaction.atomic
def import_run_retry(*, run: ImportRun, by: User, request=None) -> ImportRun:
    """Check a failed run's files again (it may have stopped, or met a fault): back to
    "checking", in the background. The administrator confirms again before anything is
    written."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status != ImportStatus.FAILED:
        raise ValidationError("Only a failed import can be checked again.")
    if not run.stored_as or not (import_dir() / run.stored_as).is_dir():
        raise ValidationError(
            "The files of this import are not kept (it came from the command line): "
            "upload them again."
        )
    run.status, run.heartbeat_at, run.finished_at = ImportStatus.CHECKING, timezone.now(), None
    run.detail, run.problems, run.problem_count, run.warnings = "", [], 0, []
    run.counts, run.rows = {}, 0
    run.save()
    audit_record(request=request, user=by, action=AuditAction.EDIT, obj=run, detail="Retried")
    enqueue_after_commit("caseload.import_check", run.pk)
    return run


def import_run_commit(*, run_id: int) -> ImportRun:
    """Import a confirmed run: all or nothing. Claims the run so it cannot run twice. A
    failure is recorded on a fresh connection (the import's may be the one that died)."""
    import_runs_fail_stale()
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.IMPORTING, heartbeat_at=timezone.now()
    )
    run = ImportRun.objects.select_related("organisation", "started_by").get(pk=run_id)
    if not claimed:
        return run
    try:
        with _alive(run.pk), watching():
            source = _open(run)
            outcome = CaseloadImport(
                source, run.organisation, by=run.started_by, progress=_reporter(run.pk)
            ).commit()
    except Exception as error:  # noqa: BLE001 - recorded on the run; the transaction rolled back
        log.exception("import %s failed", run_id)
        _record_failure(run_id, error)
        return _reloaded(run)
    _record(run, outcome, ImportStatus.DONE if outcome.written else ImportStatus.PROBLEMS)
    return run


def import_path(
    *, path, organisation: Organisation, by: User | None = None, commit: bool, progress=None
) -> tuple[ImportRun, Outcome]:
    """The command line's import: check (and with `commit` write) a path, recorded as a run."""
    source = open_source(path)
    names = sorted(source.names()) if Path(path).is_dir() else [Path(path).name]
    run = ImportRun.objects.create(
        organisation=organisation,
        started_by=by,
        file_names=names,
        stored_as="",
        status=ImportStatus.IMPORTING if commit else ImportStatus.CHECKING,
        detail=f"Command line: {path}"[:500],
        heartbeat_at=timezone.now(),
    )
    job = CaseloadImport(source, organisation, by=by, progress=progress)
    try:
        with _alive(run.pk), watching():
            outcome = job.commit() if commit else job.check()
    except Exception as error:
        _record_failure(run.pk, error)
        raise
    if commit:
        status = ImportStatus.DONE if outcome.written else ImportStatus.PROBLEMS
    else:
        status = ImportStatus.CHECKED if outcome.ok else ImportStatus.PROBLEMS
    _record(run, outcome, status)
    audit_record(
        request=None,
        user=by,
        username="command line",
        action=AuditAction.CREATE,
        obj=run,
        detail=f"{'Imported' if commit else 'Checked'} {path}"[:300],
    )
    return run, outcome
