"""Movement in outcomes: from each person's first rating in a domain to their latest. Plain
data in and out, no Django.

- A person **counts** in a domain once they have been rated in it at two reviews or more.
- They **improved** when the latest rating is higher than the first, **worsened** when lower,
  and **stayed the same** otherwise.
- The **average first** and **average latest** ratings are over the people who count, to 0.01.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rated:
    """One rating: whose (case id), when, in which domain, and what."""

    case_id: int
    reviewed_on: date
    domain: str
    rating: int


@dataclass(frozen=True)
class DomainMovement:
    """A domain's movement over the people rated in it at least twice."""

    domain: str
    people: int
    improved: int
    same: int
    worsened: int
    average_first: Decimal | None
    average_latest: Decimal | None

    @property
    def share_improved(self) -> Decimal | None:
        if not self.people:
            return None
        return (Decimal(self.improved) / self.people).quantize(Decimal("0.001"), ROUND_HALF_UP)


def _average(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(CENT, ROUND_HALF_UP)


def movement(ratings: Iterable[Rated], domains: Iterable[str]) -> list[DomainMovement]:
    """Each domain's movement, in the order of `domains`."""
    by: dict[tuple[str, int], list[Rated]] = defaultdict(list)
    for row in ratings:
        by[(row.domain, row.case_id)].append(row)
    result = []
    for domain in domains:
        pairs = []
        for (d, _), rows in by.items():
            if d != domain or len(rows) < 2:
                continue
            rows.sort(key=lambda r: r.reviewed_on)
            pairs.append((rows[0].rating, rows[-1].rating))
        result.append(
            DomainMovement(
                domain=domain,
                people=len(pairs),
                improved=sum(last > first for first, last in pairs),
                same=sum(last == first for first, last in pairs),
                worsened=sum(last < first for first, last in pairs),
                average_first=_average([first for first, _ in pairs]),
                average_latest=_average([last for _, last in pairs]),
            )
        )
    return result


def averages_by_month(
    ratings: Iterable[Rated], months: list[date], domains: Iterable[str]
) -> list[tuple[date, dict[str, Decimal | None], int]]:
    """For each month (its first day): the average rating per domain of the reviews held in it,
    and how many people were reviewed."""
    by_month: dict[date, list[Rated]] = defaultdict(list)
    for row in ratings:
        by_month[row.reviewed_on.replace(day=1)].append(row)
    domains = list(domains)
    result = []
    for month in months:
        rows = by_month.get(month, [])
        result.append(
            (
                month,
                {d: _average([r.rating for r in rows if r.domain == d]) for d in domains},
                len({r.case_id for r in rows}),
            )
        )
    return result
