"""Stream rows from a folder of CSV files, a zip of CSV files or one XLSX workbook.

Nothing is loaded whole: CSV is read line by line and XLSX with openpyxl's read-only mode, so
memory stays flat however long a sheet is. Row numbers are the spreadsheet's (the header is
row 1), so a problem points at the row a person sees.

A file that cannot be read from some point on (not UTF-8 there, a cell over the size limit, a
damaged sheet or zip member) raises `FileProblem` with the row, which the check records as a
problem; a source that cannot be opened at all raises `SourceError`, naming the file.
"""

import csv
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .formats import SHEET_BY_NAME, cell_text

MAX_CELL = 128 * 1024  # characters in one CSV cell (Python's csv limit; Excel's is 32,767)
SAVE_AS_UTF8 = "Save it as “CSV UTF-8 (comma delimited)” and upload it again."
UTF8_BOM = b"\xef\xbb\xbf"
_CR_ALONE = re.compile(r"(?<=\r)(?!\n)")  # the place after a carriage return with no line feed


class SourceError(ValueError):
    """The upload or path is not something we can read."""


class FileProblem(Exception):
    """A file that cannot be read from `row` on: the reason, in the administrator's words."""

    def __init__(self, row: int | None, reason: str, column: str = ""):
        super().__init__(reason)
        self.row, self.reason, self.column = row, reason, column


class Cells(dict):
    """One row's cells by column; `overflow` counts filled cells beyond the header's columns."""

    overflow = 0


Row = tuple[int, Cells]


def encoding_problem(sample: bytes, *, complete: bool = False) -> str | None:
    """Why bytes from the start of a CSV file are not UTF-8 text (None when they are): names
    the encoding they look like, with the way to fix it. `complete`: the sample is the whole
    file, so a character cut at its end is wrong too."""
    head = sample[:200]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(head) >= 8 and max(head[0::2].count(0), head[1::2].count(0)) > len(head) * 0.4
    ):
        return f"It is saved as UTF-16 (“Unicode text”), not UTF-8. {SAVE_AS_UTF8}"
    if sample.count(b"\x00") > len(sample) // 10:
        return "It looks like a binary file, not CSV text."
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if complete or error.start < len(sample) - 4:  # a character cut by the sample is fine
            line = sample[: error.start].count(b"\n") + 1
            return not_utf8(sample[: error.start + 1], line)
    return None


def not_utf8(upto: bytes, line: int) -> str:
    """The message for text that stops being UTF-8 at the last byte of `upto`, on `line`:
    which byte, and what the text looks like instead."""
    bad = upto[-1:]
    looks = ""
    try:
        upto[-200:].decode("cp1252")
        looks = " It looks like Windows-1252 or Latin-1 (what Excel saves as plain “CSV”)."
    except UnicodeDecodeError:
        pass
    byte = bad.hex().upper()
    return f"It is not UTF-8 text (byte 0x{byte} on line {line}).{looks} {SAVE_AS_UTF8}"


def _text_lines(binary: Iterable[bytes]) -> Iterator[str]:
    """Decode a CSV file line by line as UTF-8 (a BOM at the start is dropped), so a byte that
    is not UTF-8 is reported on the line where it is."""
    for number, raw in enumerate(binary, start=1):
        if number == 1:
            problem = encoding_problem(raw[:4096], complete=len(raw) < 4096)
            if problem and not raw.startswith(UTF8_BOM):
                raise FileProblem(1, problem)
            raw = raw.removeprefix(UTF8_BOM)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FileProblem(number, not_utf8(raw[: error.start + 1], number)) from None
        if "\r" in text[:-2]:  # lines ended by a carriage return alone (older Mac "CSV")
            yield from (line for line in _CR_ALONE.split(text) if line)
        else:
            yield text


def _header(cells) -> list[str]:
    return [cell_text(c).lower().replace(" ", "_") for c in cells]


def _rows(lines: Iterator, header: list[str]) -> Iterator[Row]:
    width = len(header)
    for number, cells in enumerate(lines, start=2):
        texts = [cell_text(c) for c in cells]
        if not any(texts):
            continue
        row = Cells(zip(header, texts + [""] * (width - len(texts)), strict=False))
        if len(texts) > width and any(texts[width:]):
            row.overflow = sum(1 for text in texts[width:] if text)
        yield number, row


class Source:
    """Where the sheets come from. `label(sheet)` names a file as the administrator sees it."""

    def names(self) -> list[str]:
        raise NotImplementedError

    def label(self, sheet: str) -> str:
        raise NotImplementedError

    def header(self, sheet: str) -> list[str]:
        with self.open_rows(sheet) as (header, _):
            return header

    @contextmanager
    def open_rows(self, sheet: str):
        raise NotImplementedError

    def count(self, sheet: str) -> int:
        with self.open_rows(sheet) as (_, rows):
            return sum(1 for _ in rows)


class _CsvReader:
    """csv.reader over decoded lines, its errors (a cell over the limit, a stray quote) turned
    into a `FileProblem` on the row where they happen."""

    def __init__(self, binary: Iterable[bytes]):
        self.reader = csv.reader(_text_lines(binary))

    def __iter__(self) -> Iterator[list[str]]:
        return self

    def __next__(self) -> list[str]:
        row = self.reader.line_num + 1  # where the next row starts
        try:
            return next(self.reader)
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise FileProblem(
                    row,
                    f"A cell here is longer than {MAX_CELL // 1024} KB, far more than any column "
                    'holds: check for a missing closing quote (") above it.',
                ) from None
            raise FileProblem(row, f"This line cannot be read as CSV ({error}).") from None


def _csv_rows(binary: Iterable[bytes]):
    csv.field_size_limit(MAX_CELL)
    reader = _CsvReader(binary)
    header = _header(next(reader, []))
    return header, _rows(reader, header)


class CsvFolder(Source):
    """A folder holding teams.csv, workers.csv, …"""

    def __init__(self, path: Path):
        self.path = path
        self.files = {
            p.stem.lower(): p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file()
        }

    def names(self) -> list[str]:
        return list(self.files)

    def label(self, sheet: str) -> str:
        return self.files[sheet].name if sheet in self.files else f"{sheet}.csv"

    @contextmanager
    def open_rows(self, sheet: str):
        with self.files[sheet].open("rb") as handle:
            yield _csv_rows(handle)


class CsvZip(Source):
    """A zip of CSV files (one level of folder inside is fine)."""

    def __init__(self, path: Path, name: str | None = None):
        self.path = path
        self.name = name or path.name
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise SourceError(
                f"{self.name} cannot be opened: it is damaged, or it is not a zip."
            ) from None
        self.files = {}
        for info in self.zip.infolist():
            name = PurePosixPath(info.filename)
            if not info.is_dir() and name.suffix.lower() == ".csv" and "__MACOSX" not in name.parts:
                self.files[name.stem.lower()] = info

    def names(self) -> list[str]:
        return list(self.files)

    def label(self, sheet: str) -> str:
        return PurePosixPath(self.files[sheet].filename).name if sheet in self.files else sheet

    @contextmanager
    def open_rows(self, sheet: str):
        try:
            raw = self.zip.open(self.files[sheet])
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as error:
            raise FileProblem(None, f"It cannot be unpacked from the zip ({error}).") from None
        with raw:
            yield _csv_rows(_unpacked(raw))


def _unpacked(raw) -> Iterator[bytes]:
    """A zip member's lines; damage found while unpacking is a problem on the line it hits."""
    number = 0
    try:
        for number, line in enumerate(raw, start=1):  # noqa: B007 - the count is for the error
            yield line
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
        raise FileProblem(number + 1, f"The zip is damaged here ({error}).") from None


class Workbook(Source):
    """One XLSX workbook with a sheet per file, read in openpyxl's streaming read-only mode."""

    def __init__(self, path: Path, name: str | None = None):
        from openpyxl import load_workbook

        self.path = path
        self.name = name or path.name
        try:
            self.book = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
            raise SourceError(
                f"{self.name} cannot be opened as an Excel workbook: it is damaged, or it is "
                f"another kind of file with an .xlsx name ({type(error).__name__}). Save it "
                "from Excel as an .xlsx workbook and upload it again."
            ) from None
        self.sheets = {name.strip().lower(): name for name in self.book.sheetnames}

    def names(self) -> list[str]:
        return list(self.sheets)

    def label(self, sheet: str) -> str:
        return f"{self.name}, sheet {self.sheets.get(sheet, sheet)}"

    @contextmanager
    def open_rows(self, sheet: str):
        rows = _sheet_rows(self.book, self.sheets[sheet])
        header = _header(next(rows, ()))
        yield header, _rows(rows, header)

    def close(self) -> None:
        self.book.close()


def _sheet_rows(book, title: str) -> Iterator[tuple]:
    """A sheet's rows; a sheet damaged part-way is a problem on the row where it breaks."""
    number = 0
    try:
        for number, row in enumerate(book[title].iter_rows(values_only=True), start=1):  # noqa: B007
            yield row
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a bad sheet
        raise FileProblem(
            number + 1, f"The sheet is damaged here and cannot be read ({type(error).__name__})."
        ) from None


def open_source(path, name: str | None = None) -> Source:
    """A source for a folder of CSVs, a .zip of CSVs or an .xlsx workbook; `name` is the file's
    name as uploaded (it is stored under another)."""
    path = Path(path)
    if path.is_dir():
        return CsvFolder(path)
    if not path.exists():
        raise SourceError(f"{path} does not exist.")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return Workbook(path, name)
    if suffix == ".zip":
        return CsvZip(path, name)
    if suffix == ".csv":
        raise SourceError("Give the folder that holds the CSV files (or a zip of them).")
    raise SourceError("Use a folder of CSV files, a .zip of CSV files or an .xlsx workbook.")


def known_sheets(source: Source) -> list[str]:
    return [name for name in source.names() if name in SHEET_BY_NAME]
