"""The import format: sheets, their columns and how each cell is read. Pure: no database.

Every parser takes the cell's text and returns the value, or raises `CellError` with a reason
that an administrator can act on.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from caseload.core.choices import CaseType, Court, ExperienceBand, NeedLevel, WorkerRole
from participants.choices import ContactType
from weighting.scoring import OWN_PROMISE_MOST


@dataclass(frozen=True)
class Sheet:
    """One file (or workbook sheet) and its columns; `required` must be present and filled."""

    name: str
    ref: str | None
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    optional_sheet: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


SHEETS = (
    Sheet("teams", "team_ref", ("team_ref", "team_name", "service"), ("establishment_fte",)),
    Sheet(
        "workers",
        "worker_ref",
        ("worker_ref", "name", "team_ref", "role", "qualified", "experience", "fte"),
        ("email", "agency", "start_date", "leave_date", "caseload_promise"),
    ),
    Sheet(
        "participants",
        "participant_ref",
        ("participant_ref", "given_name", "family_name", "date_of_birth"),
        ("household_ref",),
    ),
    Sheet(
        "cases",
        "case_ref",
        ("case_ref", "participant_ref", "team_ref", "case_type", "need_level", "opened_on"),
        (
            "worker_ref",
            "allocated_on",
            "closed_on",
            "court",
            "travel",
            "extras",
            "siblings",
            "needs_reallocation",
            "expected_end",
        ),
    ),
    Sheet(
        "contacts",
        None,
        ("case_ref", "date", "type", "seen"),
        ("duration_minutes", "travel_minutes"),
        optional_sheet=True,
    ),
)
SHEET_BY_NAME = {sheet.name: sheet for sheet in SHEETS}

# The column order of each sheet in exports and the template (the order of the issue).
EXPORT_COLUMNS = {
    "teams": ("team_ref", "team_name", "service", "establishment_fte"),
    "workers": (
        "worker_ref",
        "name",
        "email",
        "team_ref",
        "role",
        "qualified",
        "experience",
        "fte",
        "agency",
        "start_date",
        "leave_date",
        "caseload_promise",
    ),
    "participants": (
        "participant_ref",
        "given_name",
        "family_name",
        "date_of_birth",
        "household_ref",
    ),
    "cases": (
        "case_ref",
        "participant_ref",
        "team_ref",
        "case_type",
        "need_level",
        "worker_ref",
        "allocated_on",
        "opened_on",
        "closed_on",
        "court",
        "travel",
        "extras",
        "siblings",
        "needs_reallocation",
        "expected_end",
    ),
    "contacts": ("case_ref", "date", "type", "seen", "duration_minutes", "travel_minutes"),
}

TRAVEL = ("under_30", "30_60", "over_60")
EXTRAS = ("interpreter", "disability", "high_risk")
SIBLINGS = ("none", "one_or_two", "three_or_more")
MAX_MINUTES = 720
MAX_TEXT = {"name": 200, "team_name": 200, "service": 200, "given_name": 100, "family_name": 100}
MAX_REF = 50

# A cell that a spreadsheet would run as a formula. Exports prefix it with ' (see exporter).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in the administrator's words."""


# Characters no text column can hold: the database refuses NUL, and the rest are invisible
# debris from other systems. Tab, line feed and carriage return are ordinary.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_characters(text: str) -> None:
    """Raise CellError if the text holds a control character, saying which and where."""
    found = _CONTROL.search(text)
    if found:
        code = ord(found.group())
        name = "NUL" if code == 0 else f"code {code}"
        raise CellError(
            f"This cell holds an invisible control character ({name}) at character "
            f"{found.start() + 1}, which cannot be stored: delete it and type the text again."
        )


def cell_text(value) -> str:
    """Any cell (CSV text or an XLSX value) as trimmed text, so both formats read the same."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time.min:
            return value.date().isoformat()
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        text = text[1:]  # our own export's neutralising quote
    return text


_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str) -> date:
    """ISO 8601 (2024-03-31) or dd/mm/yyyy (31/03/2024)."""
    match = _DMY.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
    except ValueError:
        raise CellError(f"'{text}' is not a date: use 2024-03-31 or 31/03/2024.") from None


def parse_datetime(text: str) -> datetime:
    """A date, or a date and time (2024-03-31T14:30 or 2024-03-31 14:30); no time means 09:00."""
    if len(text) > 10 and text[4:5] == "-":
        try:
            return datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            raise CellError(
                f"'{text}' is not a date and time: use 2024-03-31T14:30 or 31/03/2024."
            ) from None
    return datetime.combine(parse_date(text), time(9, 0))


_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}


def parse_bool(text: str) -> bool:
    """yes/no, y/n, true/false or 1/0, in any case."""
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise CellError(f"'{text}' is not yes or no: use yes/no, y/n, true/false or 1/0.")


def parse_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(f"'{text}' is not a number.") from None
    if not value.is_finite():
        raise CellError(f"'{text}' is not a number.")
    return value


def parse_fte(text: str) -> Decimal:
    """Full-time equivalent: more than 0 and at most 1, two decimal places."""
    value = parse_decimal(text)
    if not Decimal("0") < value <= Decimal("1"):
        raise CellError(f"FTE {text} is out of range: it must be more than 0 and at most 1.")
    return value.quantize(Decimal("0.01"))


def parse_whole(text: str, *, most: int) -> int:
    """A whole number from 0 to `most`."""
    value = parse_decimal(text)
    if value != value.to_integral_value() or not 0 <= value <= most:
        raise CellError(f"'{text}' must be a whole number from 0 to {most}.")
    return int(value)


def parse_choice(text: str, allowed, what: str) -> str:
    """One of the allowed codes (case-insensitive; spaces and hyphens read as underscores)."""
    code = text.strip().lower()
    if code in allowed:
        return code
    code = re.sub(r"[\s-]+", "_", code)
    if code not in allowed:
        raise CellError(f"'{text}' is not a {what}: use one of {', '.join(allowed)}.")
    return code


def parse_extras(text: str) -> list[str]:
    """Any of interpreter, disability, high_risk, separated by ; (blank for none)."""
    picked = []
    for part in text.split(";"):
        if part.strip():
            code = parse_choice(part, EXTRAS, "extra complexity")
            if code not in picked:
                picked.append(code)
    return sorted(picked)


def parse_ref(text: str) -> str:
    if len(text) > MAX_REF:
        raise CellError(f"A reference may be at most {MAX_REF} characters.")
    return text


def parse_text(text: str, column: str) -> str:
    most = MAX_TEXT.get(column, 200)
    if len(text) > most:
        raise CellError(f"At most {most} characters.")
    return text


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_email(text: str) -> str:
    if not _EMAIL.match(text) or len(text) > 254:
        raise CellError(f"'{text}' is not an email address.")
    return text.lower()


# Allowed codes, computed once (an enum's `.values` builds a new list on every call).
_WORKERROLE = tuple(WorkerRole.values)
_EXPERIENCEBAND = tuple(ExperienceBand.values)
_CASETYPE = tuple(CaseType.values)
_NEEDLEVEL = tuple(NeedLevel.values)
_COURT = tuple(Court.values)
_CONTACTTYPE = tuple(ContactType.values)

# column → parser, for the columns whose parsing needs nothing but the text.
PARSERS = {
    "team_ref": parse_ref,
    "worker_ref": parse_ref,
    "participant_ref": parse_ref,
    "case_ref": parse_ref,
    "household_ref": parse_ref,
    "establishment_fte": lambda t: _establishment(parse_decimal(t)),
    "email": parse_email,
    "role": lambda t: parse_choice(t, _WORKERROLE, "worker role"),
    "qualified": parse_bool,
    "agency": parse_bool,
    "seen": parse_bool,
    "needs_reallocation": parse_bool,
    "experience": lambda t: parse_choice(t, _EXPERIENCEBAND, "experience band"),
    "fte": parse_fte,
    "start_date": parse_date,
    "leave_date": parse_date,
    "date_of_birth": parse_date,
    "allocated_on": parse_date,
    "opened_on": parse_date,
    "closed_on": parse_date,
    "expected_end": parse_date,
    "date": parse_datetime,
    "caseload_promise": lambda t: parse_whole(t, most=OWN_PROMISE_MOST),
    "case_type": lambda t: parse_choice(t, _CASETYPE, "case type"),
    "need_level": lambda t: parse_choice(t, _NEEDLEVEL, "level of need"),
    "court": lambda t: parse_choice(t, _COURT, "court status"),
    "travel": lambda t: parse_choice(t, TRAVEL, "travel band"),
    "siblings": lambda t: parse_choice(t, SIBLINGS, "siblings band"),
    "extras": parse_extras,
    "type": lambda t: parse_choice(t, _CONTACTTYPE, "contact type"),
    "duration_minutes": lambda t: parse_whole(t, most=MAX_MINUTES),
    "travel_minutes": lambda t: parse_whole(t, most=MAX_MINUTES),
}

# What a blank optional cell means.
DEFAULTS = {
    "establishment_fte": Decimal("0"),
    "email": "",
    "agency": False,
    "needs_reallocation": False,
    "court": Court.NONE.value,
    "travel": "under_30",
    "extras": [],
    "duration_minutes": 0,
    "travel_minutes": 0,
}


def _establishment(value: Decimal) -> Decimal:
    if value < 0 or value >= Decimal("100000"):
        raise CellError("The establishment must be 0 or more FTE.")
    return value.quantize(Decimal("0.01"))


def siblings_band(others: int) -> str:
    """The siblings option for the number of other open cases in the household."""
    if others <= 0:
        return "none"
    return "one_or_two" if others <= 2 else "three_or_more"
