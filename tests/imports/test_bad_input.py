"""Files that are not what they should be (the wrong encoding, control characters, cells too
large, rows too long, nothing but headers, damaged workbooks) are refused with a problem that
names the file, the row and the column; never a traceback, never a 500, and nothing written."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caseload.core.models import Case, ImportRun, Team, Worker
from caseload.imports.engine import CaseloadImport
from caseload.imports.readers import SourceError, open_source
from caseload.imports.services import import_path
from participants.models import Participant

from .sample import sample, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


def _nothing_written():
    return not (Team.objects.exists() or Worker.objects.exists() or Participant.objects.exists())


def _folder_with(tmp_path, sheet: str, raw: bytes):
    """The sample as CSV files, with one file replaced by these bytes."""
    folder = write_csv(tmp_path / "in", sample())
    (folder / f"{sheet}.csv").write_bytes(raw)
    return folder


def _sample_bytes(sheet: str, tmp_path) -> bytes:
    return (write_csv(tmp_path / "original", sample()) / f"{sheet}.csv").read_bytes()


def _commit(folder, organisation):
    outcome = CaseloadImport(open_source(folder), organisation).commit()
    assert not outcome.written
    assert _nothing_written()
    return outcome


def _problem_at(outcome, file: str, row, column: str = ""):
    found = [p for p in outcome.problems if (p.file, p.row, p.column) == (file, row, column)]
    assert found, [str(p) for p in outcome.problems]
    return found[0].reason


def test_utf8_with_and_without_a_byte_order_mark_both_import(tmp_path, organisation):
    plain = _sample_bytes("teams", tmp_path)
    folder = _folder_with(tmp_path, "teams", b"\xef\xbb\xbf" + plain)
    outcome = CaseloadImport(open_source(folder), organisation).commit()
    assert outcome.written, [str(p) for p in outcome.problems]
    assert Team.objects.filter(reference="T1").exists()


def test_lines_ended_by_a_carriage_return_alone_import_too(tmp_path, organisation):
    raw = _sample_bytes("teams", tmp_path).replace(b"\r\n", b"\r")
    outcome = CaseloadImport(open_source(_folder_with(tmp_path, "teams", raw)), organisation)
    assert outcome.commit().written
    assert Team.objects.count() == 2


def test_a_utf16_file_is_named_as_utf16_with_how_to_fix_it(tmp_path, organisation):
    text = _sample_bytes("workers", tmp_path).decode()
    outcome = _commit(_folder_with(tmp_path, "workers", text.encode("utf-16")), organisation)
    reason = _problem_at(outcome, "workers.csv", 1)
    assert "UTF-16" in reason and "CSV UTF-8" in reason


def test_a_latin1_file_is_named_with_its_line_and_how_to_fix_it(tmp_path, organisation):
    data = sample()
    data["participants"][1]["family_name"] = "Müller"
    path = write_csv(tmp_path / "latin", data) / "participants.csv"
    raw = path.read_text(encoding="utf-8").encode("latin-1")
    outcome = _commit(_folder_with(tmp_path, "participants", raw), organisation)
    reason = _problem_at(outcome, "participants.csv", 3)
    assert "not UTF-8" in reason and "Windows-1252 or Latin-1" in reason and "0xFC" in reason


def test_a_file_that_stops_being_utf8_after_a_few_kilobytes_names_the_row(tmp_path, organisation):
    data = sample()
    base = data["contacts"][0]
    data["contacts"] = [dict(base) for _ in range(300)]
    path = write_csv(tmp_path / "long", data) / "contacts.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[250] = lines[250].replace(b"home_visit", b"home_visit\xe9")
    outcome = _commit(_folder_with(tmp_path, "contacts", b"".join(lines)), organisation)
    assert "not UTF-8" in _problem_at(outcome, "contacts.csv", 251)


def test_a_nul_or_other_control_character_is_a_problem_on_its_cell(tmp_path, organisation):
    data = sample()
    data["participants"][0]["given_name"] = "Ro\x00bin"
    data["teams"][1]["team_name"] = "Early\x1bHelp"
    outcome = _commit(write_csv(tmp_path / "in", data), organisation)
    assert "control character (NUL)" in _problem_at(outcome, "participants.csv", 2, "given_name")
    assert "code 27" in _problem_at(outcome, "teams.csv", 3, "team_name")


def test_a_nul_is_refused_by_the_check_before_any_commit(tmp_path, organisation):
    data = sample()
    data["workers"][0]["name"] = "Sam\x00Social"
    outcome = CaseloadImport(open_source(write_csv(tmp_path / "in", data)), organisation).check()
    assert not outcome.ok
    assert _problem_at(outcome, "workers.csv", 2, "name")


def test_a_row_with_more_cells_than_the_header_is_refused_not_cut_short(tmp_path, organisation):
    raw = _sample_bytes("teams", tmp_path).splitlines(keepends=True)
    raw[1] = raw[1].rstrip(b"\r\n") + b"," * 300 + b"stray,cells\r\n"
    raw.append(b"T3,Third,Early Help,2,,,\r\n")  # empty cells after the last column are fine
    outcome = _commit(_folder_with(tmp_path, "teams", b"".join(raw)), organisation)
    reason = _problem_at(outcome, "teams.csv", 2)
    assert "2 filled cells after the last column of the header (column 4)" in reason
    assert [p.row for p in outcome.problems if p.file == "teams.csv"] == [2]


def test_a_cell_over_the_size_limit_is_a_problem_on_its_row(tmp_path, organisation):
    raw = _sample_bytes("participants", tmp_path).splitlines(keepends=True)
    raw.insert(2, b'P9,"' + b"x" * 200_000 + b'",Smith,2010-01-01,\r\n')
    outcome = _commit(_folder_with(tmp_path, "participants", b"".join(raw)), organisation)
    assert "longer than 128 KB" in _problem_at(outcome, "participants.csv", 3)


def test_an_oversize_text_cell_under_the_csv_limit_is_a_problem_on_its_cell(tmp_path, organisation):
    data = sample()
    data["teams"][0]["team_name"] = "N" * 5000
    outcome = _commit(write_csv(tmp_path / "in", data), organisation)
    assert "At most 200 characters" in _problem_at(outcome, "teams.csv", 2, "team_name")


def test_files_with_headers_only_import_nothing_and_say_so(tmp_path, organisation):
    data = {sheet: [] for sheet in sample()}
    folder = write_csv(tmp_path / "in", data)
    for sheet, row in sample().items():  # write_csv writes no header for an empty sheet
        (folder / f"{sheet}.csv").write_text(",".join(row[0]) + "\n", encoding="utf-8")
    outcome = _commit(folder, organisation)
    assert outcome.problem_count == 1
    assert "nothing to import" in outcome.problems[0].reason
    assert "teams.csv" in outcome.problems[0].file


def test_an_empty_file_is_a_problem_not_a_missing_column(tmp_path, organisation):
    outcome = _commit(_folder_with(tmp_path, "cases", b""), organisation)
    assert "The file is empty" in _problem_at(outcome, "cases.csv", 1)


def test_a_corrupt_or_disguised_workbook_is_refused_by_name(tmp_path, organisation):
    good = write_xlsx(tmp_path / "good.xlsx", sample()).read_bytes()
    for name, raw in (("cut.xlsx", good[: len(good) // 2]), ("notes.xlsx", b"just text\n")):
        (tmp_path / name).write_bytes(raw)
        with pytest.raises(SourceError, match=f"^{name} cannot be opened as an Excel workbook"):
            import_path(path=tmp_path / name, organisation=organisation, commit=True)
    assert _nothing_written()


def test_a_damaged_zip_member_is_a_problem_naming_the_file(tmp_path, organisation):
    data = sample()
    data["contacts"] = [dict(data["contacts"][0], duration_minutes=str(n)) for n in range(400)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(write_csv(tmp_path / "in", data).iterdir()):
            archive.write(path, path.name)
    raw = bytearray(buffer.getvalue())
    start = raw.find(b"contacts.csv") + len("contacts.csv") + 100
    raw[start : start + 60] = b"\xff" * 60  # damage the compressed contacts.csv
    (tmp_path / "data.zip").write_bytes(bytes(raw))
    outcome = _commit(tmp_path / "data.zip", organisation)
    assert any(p.file == "contacts.csv" and "zip" in p.reason for p in outcome.problems), [
        str(p) for p in outcome.problems
    ]


class TestUploads:
    """The same files through the page, checked in the background (eagerly here, as in the
    demo): the answer is the run's page with its problems, never a 500, never "checking"."""

    @pytest.fixture
    def upload(self, client_for, administrator, django_capture_on_commit_callbacks):
        from caseload.config.celery import app

        eager, app.conf.task_always_eager = app.conf.task_always_eager, True
        client = client_for(administrator)

        def post(*files):
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(reverse("import_list"), {"files": list(files)})
            return response, client

        yield post
        app.conf.task_always_eager = eager

    def _csv_files(self, tmp_path, **replace) -> list:
        folder = write_csv(tmp_path / "csv", sample())
        for sheet, raw in replace.items():
            (folder / f"{sheet}.csv").write_bytes(raw)
        return [SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]

    def test_bytes_that_stop_being_utf8_late_in_the_file_are_a_problem_row(self, upload, tmp_path):
        raw = _sample_bytes("participants", tmp_path)
        padding = b"".join(b"P%d,Pad,Ding,2012-01-01,\r\n" % n for n in range(100, 400))
        late = raw + padding + b"P999,Ren\xe9e,Roe,2012-01-01,\r\n"
        response, client = upload(*self._csv_files(tmp_path, participants=late))
        run = ImportRun.objects.get()
        assert response.status_code == 302 and response.url == run.get_absolute_url()
        assert run.status == "problems"
        assert run.problems[0]["file"] == "participants.csv" and run.problems[0]["row"] == 305
        page = client.get(run.get_absolute_url()).content.decode()
        assert "not UTF-8" in page and "Import these" not in page

    def test_a_cell_over_the_csv_field_limit_is_a_problem_row(self, upload, tmp_path):
        raw = _sample_bytes("teams", tmp_path) + b'T9,"' + b"y" * 140_000 + b'",Early Help,1\r\n'
        response, _ = upload(*self._csv_files(tmp_path, teams=raw))
        run = ImportRun.objects.get()
        assert response.status_code == 302
        assert (run.status, run.problems[0]["file"], run.problems[0]["row"]) == (
            "problems",
            "teams.csv",
            4,
        )

    def test_a_utf16_csv_is_refused_at_upload_naming_the_file_and_the_fix(self, upload, tmp_path):
        text = _sample_bytes("teams", tmp_path).decode()
        response, _ = upload(*self._csv_files(tmp_path, teams=text.encode("utf-16")))
        assert response.status_code == 400
        page = response.content.decode()
        assert "teams.csv cannot be read" in page and "UTF-16" in page and "CSV UTF-8" in page
        assert not ImportRun.objects.exists()

    def test_a_workbook_that_breaks_during_the_check_fails_the_run_not_the_page(
        self, upload, tmp_path, monkeypatch
    ):
        from caseload.imports import engine

        def broken(self, chunk):
            raise RuntimeError("something nobody expected")

        monkeypatch.setattr(engine.CaseloadImport, "_apply_cases", broken)
        path = write_xlsx(tmp_path / "council.xlsx", sample())
        response, client = upload(SimpleUploadedFile("council.xlsx", path.read_bytes()))
        run = ImportRun.objects.get()
        assert response.status_code == 302
        assert run.status == "failed" and "something nobody expected" in run.detail
        assert not Case.objects.exists()
