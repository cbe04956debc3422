"""The sections of the daily digest. Each is a function `(user, teams, *, since, today)` that
returns a `Section`, or None when there is nothing to say; the digest shows them in the order
of SECTIONS. A new section is one more function here: nothing else changes. Each section costs
one or two queries, whatever the number of teams, and names teams, workers and case references
only, never the people supported."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, F, Min
from django.db.models.functions import Coalesce

from caseload.core import mail
from caseload.core.choices import CaseStatus
from caseload.core.models import Case, Flag, Team, User, Worker
from caseload.flags.notifications import flag_line
from caseload.supervision.selectors import overdue as supervision_overdue
from caseload.transfers.models import Transfer
from participants.selectors import overdue_visit_cases
from weighting.choices import AssessmentStatus
from weighting.models import CaseAssessment

MOST_ROWS = 10  # per section; the rest are counted and linked


@dataclass
class Row:
    """One line of a section, with the page it is about."""

    text: str
    url: str


@dataclass
class Section:
    """A heading, a sentence that sums it up, its rows (at most MOST_ROWS) and how many more."""

    key: str
    title: str
    summary: str
    rows: list[Row] = field(default_factory=list)
    more: int = 0


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def flags_opened(user: User, teams: list[Team], *, since: datetime, today: date):
    """Flags opened since the last digest and still open."""
    flags = list(
        Flag.objects.open()
        .filter(team__in=teams, opened_at__gte=since)
        .select_related("team", "worker", "case")
        .order_by("team__name", "-opened_at")[: MOST_ROWS + 1]
    )
    if not flags:
        return None
    total = Flag.objects.open().filter(team__in=teams, opened_at__gte=since).count()
    rows = []
    for flag in flags[:MOST_ROWS]:
        line = flag_line(flag)
        rows.append(
            Row(
                f"{flag.team.name}: {line['kind']}: {line['subject']} ({line['detail']})",
                mail.link("team_flags", flag.team_id),
            )
        )
    return Section(
        "flags_opened",
        "Flags opened since yesterday",
        f"{_plural(total, 'flag')} opened in the last day and still open.",
        rows,
        total - len(rows),
    )


def _per_team(
    key, title, summary, counts: list[dict], teams: list[Team], text, url_name: str, *, by_team=True
):
    """A section of a line per team, most first: `counts` holds {"team": id, "n": count, …}
    per team, `text(team, row)` words a line and `summary(total)` the sentence above."""
    if not counts:
        return None
    by_pk = {team.pk: team for team in teams}
    counts.sort(key=lambda row: (-row["n"], by_pk[row["team"]].name))
    rows = [
        Row(
            text(by_pk[row["team"]], row),
            mail.link(url_name, row["team"]) if by_team else mail.link(url_name),
        )
        for row in counts
    ]
    total = sum(row["n"] for row in counts)
    return Section(key, title, summary(total), rows[:MOST_ROWS], max(0, len(rows) - MOST_ROWS))


def waiting_for_allocation(user: User, teams: list[Team], *, since: datetime, today: date):
    """Cases in the teams' queues: waiting for allocation or needing reallocation (a move to
    another worker), with the longest wait."""
    counts = list(
        Case.objects.in_queue()
        .filter(team__in=teams)
        .values("team")
        .annotate(n=Count("pk"), since=Min(Coalesce("waiting_since", "opened_on")))
    )

    def text(team, row):
        longest = _plural((today - row["since"]).days, "day")
        return f"{team.name}: {_plural(row['n'], 'case')}, the longest waiting {longest}"

    return _per_team(
        "waiting",
        "Waiting for allocation or reallocation",
        lambda total: f"{_plural(total, 'case')} in your teams' queues.",
        counts,
        teams,
        text,
        "team_queue",
    )


def visits_overdue(user: User, teams: list[Team], *, since: datetime, today: date):
    """Open cases whose statutory visit is overdue, per team."""
    by_organisation: dict[int, list[int]] = {}
    for team in teams:
        by_organisation.setdefault(team.service.organisation_id, []).append(team.pk)
    counts: list[dict] = []
    for organisation_id, team_ids in by_organisation.items():
        cases = Case.objects.open().filter(team_id__in=team_ids)
        rows, _ = overdue_visit_cases(cases, organisation_id, today)
        counts += list(rows.values("team").annotate(n=Count("pk")).order_by())
    return _per_team(
        "visits",
        "Visits overdue",
        lambda total: f"{_plural(total, 'case')} not seen as often as the visit policy asks.",
        counts,
        teams,
        lambda team, row: f"{team.name}: {_plural(row['n'], 'case')} with a visit overdue",
        "team_detail",
    )


def factors_to_agree(user: User, teams: list[Team], *, since: datetime, today: date):
    """Case factors that workers proposed and a supervisor has not yet agreed (managers: the
    supervision that is due on their teams' cases)."""
    if not user.is_manager:
        return None
    counts = list(
        CaseAssessment.objects.filter(
            is_current=True, status=AssessmentStatus.PROPOSED, case__team__in=teams
        )
        .exclude(case__status=CaseStatus.CLOSED)
        .values(team=F("case__team"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _per_team(
        "factors",
        "Case factors waiting for your agreement",
        lambda total: f"{_plural(total, 'case')} whose weighting a worker proposed.",
        counts,
        teams,
        lambda team, row: f"{team.name}: {_plural(row['n'], 'case')} with factors to agree",
        "team_detail",
    )


def transfers_waiting(user: User, teams: list[Team], *, since: datetime, today: date):
    """Transfers into the teams that wait for a manager's answer (managers: they decide)."""
    if not user.is_manager:
        return None
    counts = list(
        Transfer.objects.pending()
        .filter(to_team__in=teams)
        .values(team=F("to_team"))
        .annotate(n=Count("pk"), since=Min("requested_at"))
        .order_by()
    )

    def text(team, row):
        oldest = _plural((today - row["since"].date()).days, "day")
        return (
            f"{team.name}: {_plural(row['n'], 'transfer')} to answer, the oldest asked {oldest} ago"
        )

    return _per_team(
        "transfers",
        "Transfers waiting for your answer",
        lambda total: f"{_plural(total, 'transfer')} into your teams to accept or decline.",
        counts,
        teams,
        text,
        "transfers",
        by_team=False,
    )


def supervision_due(user: User, teams: list[Team], *, since: datetime, today: date):
    """Workers whose supervision is overdue, per team (managers: they supervise)."""
    if not user.is_manager:
        return None
    late = supervision_overdue(Worker.objects.in_post(today).filter(team__in=teams), today)
    per_team: dict[int, int] = {}
    for team_id, _ in late.values():
        per_team[team_id] = per_team.get(team_id, 0) + 1
    return _per_team(
        "supervision",
        "Supervision overdue",
        lambda total: f"{_plural(total, 'worker')} whose supervision is overdue.",
        [{"team": team_id, "n": n} for team_id, n in per_team.items()],
        teams,
        lambda team, row: f"{team.name}: {_plural(row['n'], 'worker')} to supervise",
        "supervision_team",
    )


def flags_still_open(user: User, teams: list[Team], *, since: datetime, today: date):
    """Every open flag, per team."""
    counts = list(Flag.objects.open().filter(team__in=teams).values("team").annotate(n=Count("pk")))
    return _per_team(
        "flags_open",
        "All open flags",
        lambda total: f"{_plural(total, 'flag')} open in all.",
        counts,
        teams,
        lambda team, row: f"{team.name}: {_plural(row['n'], 'open flag')}",
        "team_flags",
    )


SectionBuilder = Callable[..., Section | None]
SECTIONS: tuple[SectionBuilder, ...] = (
    flags_opened,
    waiting_for_allocation,
    visits_overdue,
    factors_to_agree,
    transfers_waiting,
    supervision_due,
    flags_still_open,
)
