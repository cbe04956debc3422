"""Staffing against establishment, stated once (docs/figures.md, "Staffing"). Pure: plain
numbers in and out.

- *In post*: the FTE of workers in post on the day, permanent and agency.
- *Agency*: the part of that FTE that agency workers fill.
- *Vacant*: the establishment not filled by permanent staff, never below zero. A post an agency
  worker covers is still vacant (a post to recruit to, as the DfE's workforce statistics count
  it); the part of the vacancy that agency covers is shown beside it, never hidden in it.
- A service's and the organisation's figures are their teams' added up, so an over-staffed
  team never hides another team's vacancy.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class Staffing:
    """A team's (or several teams', added up) establishment, in-post, agency and vacant FTE."""

    establishment: Decimal
    in_post: Decimal
    agency: Decimal
    vacant: Decimal
    covered_by_agency: Decimal

    @property
    def uncovered(self) -> Decimal:
        """Vacant FTE that nobody, not even agency, is covering."""
        return self.vacant - self.covered_by_agency

    def __add__(self, other: "Staffing") -> "Staffing":
        return Staffing(
            self.establishment + other.establishment,
            self.in_post + other.in_post,
            self.agency + other.agency,
            self.vacant + other.vacant,
            self.covered_by_agency + other.covered_by_agency,
        )


NONE = Staffing(ZERO, ZERO, ZERO, ZERO, ZERO)


def team_staffing(*, establishment: Decimal, in_post: Decimal, agency: Decimal) -> Staffing:
    """One team's staffing from its establishment and the FTE in post (of which agency)."""
    vacant = max(ZERO, establishment - (in_post - agency))
    return Staffing(establishment, in_post, agency, vacant, min(agency, vacant))


def added_up(teams: Iterable[Staffing]) -> Staffing:
    """Several teams' staffing added up (a service, the organisation), figure by figure."""
    rows = list(teams)
    if not rows:
        return NONE
    return Staffing(
        sum((r.establishment for r in rows), ZERO),
        sum((r.in_post for r in rows), ZERO),
        sum((r.agency for r in rows), ZERO),
        sum((r.vacant for r in rows), ZERO),
        sum((r.covered_by_agency for r in rows), ZERO),
    )
