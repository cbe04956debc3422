"""What a check or an import found: problems with their place, warnings and counts."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """Something wrong with a cell, a row or a file: where it is and why."""

    file: str
    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        where = [self.file] + ([f"row {self.row}"] if self.row else [])
        where += [f"column {self.column}"] if self.column else []
        return f"{', '.join(where)}: {self.reason}"

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class Outcome:
    """What a check or an import found: problems, warnings and counts per sheet."""

    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, Counter] = field(default_factory=dict)
    rows: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def count(self, sheet: str, what: str, n: int = 1) -> None:
        self.counts.setdefault(sheet, Counter())[what] += n

    def totals(self) -> dict[str, int]:
        total: Counter = Counter()
        for counter in self.counts.values():
            total.update({k: v for k, v in counter.items() if k in ("create", "update", "same")})
        return {k: total.get(k, 0) for k in ("create", "update", "same")}

    def as_dict(self) -> dict:
        return {
            "counts": {sheet: dict(counter) for sheet, counter in self.counts.items()},
            "totals": self.totals(),
            "rows": self.rows,
            "warnings": self.warnings,
            "problem_count": self.problem_count,
        }
