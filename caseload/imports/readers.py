"""Stream rows from a folder of CSV files, a zip of CSV files or one XLSX workbook.

Nothing is loaded whole: CSV is read line by line and XLSX with openpyxl's read-only mode, so
memory stays flat however long a sheet is. Row numbers are the spreadsheet's (the header is
row 1), so a problem points at the row a person sees.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .formats import SHEET_BY_NAME, cell_text

Row = tuple[int, dict[str, str]]


class SourceError(ValueError):
    """The upload or path is not something we can read."""


def _header(cells) -> list[str]:
    return [cell_text(c).lower().replace(" ", "_") for c in cells]


def _rows(lines: Iterator, header: list[str]) -> Iterator[Row]:
    for number, cells in enumerate(lines, start=2):
        texts = [cell_text(c) for c in cells]
        if not any(texts):
            continue
        yield number, dict(zip(header, texts + [""] * (len(header) - len(texts)), strict=False))


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


def _csv_rows(handle):
    reader = csv.reader(handle)
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
        with self.files[sheet].open(encoding="utf-8-sig", newline="") as handle:
            yield _csv_rows(handle)


class CsvZip(Source):
    """A zip of CSV files (one level of folder inside is fine)."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise SourceError("The zip file cannot be opened.") from None
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
        with self.zip.open(self.files[sheet]) as raw:
            yield _csv_rows(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))


class Workbook(Source):
    """One XLSX workbook with a sheet per file, read in openpyxl's streaming read-only mode."""

    def __init__(self, path: Path, name: str | None = None):
        from openpyxl import load_workbook

        self.path = path
        self.name = name or path.name
        try:
            self.book = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
            raise SourceError(f"The workbook cannot be opened ({type(error).__name__}).") from None
        self.sheets = {name.strip().lower(): name for name in self.book.sheetnames}

    def names(self) -> list[str]:
        return list(self.sheets)

    def label(self, sheet: str) -> str:
        return f"{self.name}, sheet {self.sheets.get(sheet, sheet)}"

    @contextmanager
    def open_rows(self, sheet: str):
        rows = self.book[self.sheets[sheet]].iter_rows(values_only=True)
        header = _header(next(rows, ()))
        yield header, _rows(rows, header)

    def close(self) -> None:
        self.book.close()


def open_source(path, name: str | None = None) -> Source:
    """A source for a folder of CSVs, a .zip of CSVs or an .xlsx workbook; `name` is the
    workbook's name as uploaded (it is stored under another)."""
    path = Path(path)
    if path.is_dir():
        return CsvFolder(path)
    if not path.exists():
        raise SourceError(f"{path} does not exist.")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return Workbook(path, name)
    if suffix == ".zip":
        return CsvZip(path)
    if suffix == ".csv":
        raise SourceError("Give the folder that holds the CSV files (or a zip of them).")
    raise SourceError("Use a folder of CSV files, a .zip of CSV files or an .xlsx workbook.")


def known_sheets(source: Source) -> list[str]:
    return [name for name in source.names() if name in SHEET_BY_NAME]
