"""Read paths for the dashboards, exports and the report command.

`organisation_report(organisation_id, on)` loads everything for one organisation on one date in
a fixed number of queries, whatever the number of services, teams, workers or cases, and hands
plain rows to `reports.figures`. Who held what on the date comes from allocation history, so a
past date gives that day's figures.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db import models as sql
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from caseload.checkins.selectors import MonthShares, latest_answer_by_worker
from caseload.core.choices import AllocationReason, OverrideReason
from caseload.core.dates import end_of_day, in_post_on
from caseload.core.models import Allocation, Case, Organisation, Service, Team, Worker
from caseload.core.staffing import Staffing, added_up, team_staffing
from caseload.supervision.selectors import statuses_for_teams
from participants.selectors import overdue_visit_cases
from weighting.loads import worker_loads

from . import figures as F
from .models import ScopeSnapshot, WorkerSnapshot


@dataclass
class Scope:
    """One row of a report: the organisation, a service or a team, with its figures."""

    scope: str  # "organisation", "service" or "team"
    name: str
    pk: int
    figures: dict
    service: Service | None = None
    team: Team | None = None
    counts: list[int] = field(default_factory=list)  # case holders' open case counts
    # Check-in answers month by month and the case holders in the distribution's bins, as the
    # snapshot recorded them (None: work them out).
    checkins: list[MonthShares] | None = None
    bins: list[tuple[str, int]] | None = None

    def row(self) -> dict:
        """The report row: scope, scope_name and the figures, exactly as FIELDS names them."""
        return {"scope": self.scope, "scope_name": self.name, **self.figures}


@dataclass
class Report:
    """Every scope in an organisation on a date, and the per-worker rows behind them."""

    organisation: Organisation
    on: date
    organisation_scope: Scope
    services: list[Scope]
    teams: list[Scope]
    staff: list[F.StaffRow]
    workers: dict[int, Worker]
    loads: dict
    taken_at: datetime | None = None  # when the figures come from a snapshot

    def scopes(self, *, service: Service | None = None, team: Team | None = None) -> list[Scope]:
        """The rows to print: all, or one service and its teams, or one team."""
        if team is not None:
            return [s for s in self.teams if s.pk == team.pk]
        if service is not None:
            return [s for s in self.services if s.pk == service.pk] + [
                s for s in self.teams if s.team.service_id == service.pk
            ]
        return [self.organisation_scope, *self.services, *self.teams]

    def service(self, pk: int) -> Scope:
        return next(s for s in self.services if s.pk == pk)

    def team(self, pk: int) -> Scope:
        return next(s for s in self.teams if s.pk == pk)


def waiting_cases(teams: QuerySet | list, on: date) -> list[tuple[int, date]]:
    """(team id, waiting since) for every open case nobody held on the date, in one query.
    A case waits from when it opened or, if it was held before, when its last holder's
    allocation ended."""
    held = Allocation.objects.held_on(on).filter(case=OuterRef("pk"))
    rows = (
        Case.objects.open_on(on)
        .filter(team__in=teams)
        .annotate(is_held=Exists(held))
        .filter(is_held=False)
        .annotate(last_end=Max("allocations__ended_on", filter=Q(allocations__ended_on__lte=on)))
        .values_list("team_id", "opened_on", "last_end")
    )
    return [(team_id, max(opened, last_end or opened)) for team_id, opened, last_end in rows]


def overdue_visit_counts(teams, organisation_id, on: date) -> dict[int, int]:
    """Open cases per team whose statutory visit was overdue on the date, counted by the
    database (two queries). Only visits recorded by then count, so a past date gives that
    day's answer."""
    cases = Case.objects.open_on(on).filter(team__in=teams)
    overdue, _ = overdue_visit_cases(cases, organisation_id, on, seen_until=end_of_day(on))
    rows = overdue.order_by().values("team_id").annotate(n=Count("pk")).values_list("team_id", "n")
    return dict(rows)


def _staff(teams: list[Team], organisation_id, on: date, *, every_team: bool):
    """Workers in post on the date, and anyone else still holding a case then, with loads.
    `every_team`: the teams are all the organisation's, so the database is asked by
    organisation rather than by a list of 2,500 team ids (0.5 s less at national size)."""
    team_ids = [team.pk for team in teams]
    if every_team:
        of_teams = Q(team__service__organisation_id=organisation_id)
    else:
        of_teams = Q(team_id__in=team_ids)
    # Asked of each worker not in post: read whole, the day's holdings of the teams (or of the
    # organisation) took 0.3 s for one team's dashboard and 0.5 s more for the report at
    # national size.
    holding = Exists(Allocation.objects.held_on(on).filter(worker=OuterRef("pk")))
    workers = list(
        Worker.objects.filter(of_teams)
        .filter(in_post_on(on) | holding)
        .annotate(is_in_post=ExpressionWrapper(in_post_on(on), output_field=BooleanField()))
        .order_by("pk")
    )
    loads = worker_loads(workers, organisation_id, on, team_ids=None if every_team else team_ids)
    answers = latest_answer_by_worker(team_ids, on)
    supervision = statuses_for_teams(team_ids, on)
    service_of = {team.pk: team.service_id for team in teams}
    rows = []
    for worker in workers:
        load_row = loads[worker.pk]
        in_post = worker.is_in_post
        rows.append(
            F.StaffRow(
                worker_id=worker.pk,
                team_id=worker.team_id,
                service_id=service_of[worker.team_id],
                role=worker.role,
                qualified=worker.qualified,
                agency=worker.agency,
                fte=worker.fte,
                in_post=in_post,
                open_cases=load_row.load.open_cases,
                load=load_row.load if in_post else None,
                band=load_row.band if in_post else None,
                checkin=answers.get(worker.pk) if in_post else None,
                supervision_overdue=in_post
                and worker.pk in supervision
                and supervision[worker.pk].overdue,
            )
        )
    return rows, {w.pk: w for w in workers}, loads


def _scope(kind, name, pk, staff, waiting, overdue, establishment, vacant, **extra) -> Scope:
    return Scope(
        scope=kind,
        name=name,
        pk=pk,
        figures=F.scope_figures(
            staff,
            waiting,
            overdue_visits=overdue,
            establishment_fte=establishment,
            vacant_fte=vacant,
        ),
        counts=sorted(s.open_cases for s in staff if s.holds_cases),
        **extra,
    )


def organisation_report(
    organisation: Organisation,
    on: date | None = None,
    *,
    service: Service | None = None,
    team: Team | None = None,
) -> Report:
    """Every figure for the organisation, each service and each team on the date. Given a
    service or a team, only that part is loaded (its organisation row then covers only it).
    Loads and overdue visits are counted and summed by the database, from allocation and
    contact history, so a past date gives that day's figures."""
    on = on or timezone.localdate()
    if team is not None:  # the caller has it (a team dashboard: with its service)
        teams = [team]
    else:
        of = Team.objects.filter(service__organisation=organisation)
        if service is not None:
            of = of.filter(service=service)
        teams = list(of.select_related("service").order_by("service__name", "name"))
    service_of = {team.pk: team.service_id for team in teams}
    every_team = service is None and team is None
    staff, workers, loads = _staff(teams, organisation.pk, on, every_team=every_team)
    waiting = [
        F.WaitingCase(team_id, service_of[team_id], (on - since).days)
        for team_id, since in waiting_cases(teams, on)
    ]
    overdue = overdue_visit_counts(teams, organisation.pk, on)

    by_team: dict[int, tuple[list, list]] = {team.pk: ([], []) for team in teams}
    for row in staff:
        by_team[row.team_id][0].append(row)
    for row in waiting:
        by_team[row.team_id][1].append(row)

    services: dict[int, tuple[Service, list[Team]]] = {}
    for team in teams:
        services.setdefault(team.service_id, (team.service, []))[1].append(team)

    def staffing(team) -> Staffing:
        in_post = [row for row in by_team[team.pk][0] if row.in_post]
        return team_staffing(
            establishment=team.establishment_fte,
            in_post=sum((row.fte for row in in_post), Decimal("0")),
            agency=sum((row.fte for row in in_post if row.agency), Decimal("0")),
        )

    staffings = {team.pk: staffing(team) for team in teams}

    def gather(team_list):
        members = [row for team in team_list for row in by_team[team.pk][0]]
        queue = [row for team in team_list for row in by_team[team.pk][1]]
        return (
            members,
            queue,
            sum(overdue.get(team.pk, 0) for team in team_list),
            sum((team.establishment_fte for team in team_list), Decimal("0")),
            added_up(staffings[team.pk] for team in team_list).vacant,
        )

    return Report(
        organisation=organisation,
        on=on,
        organisation_scope=_scope(
            "organisation", organisation.name, organisation.pk, *gather(teams)
        ),
        services=[
            _scope("service", service.name, service.pk, *gather(members), service=service)
            for service, members in services.values()
        ],
        teams=[
            _scope("team", team.name, team.pk, *gather([team]), service=team.service, team=team)
            for team in teams
        ],
        staff=staff,
        workers=workers,
        loads=loads,
    )


def scope_team_ids(organisation: Organisation, scope: Scope) -> QuerySet | list[int]:
    """The ids of the teams a scope covers: the team, the service's or the organisation's
    (a query the caller's query can run, not a list of 2,500 ids read from the report)."""
    if scope.scope == "team":
        return [scope.pk]
    teams = _teams_of(organisation, scope.pk if scope.scope == "service" else None)
    return teams.values_list("pk", flat=True)


def monthly_snapshots(scope_key: str, on: date) -> list[tuple[date, dict]]:
    """(day, figures) of the last daily snapshot in each month of the year before `on` (not
    `on` itself), oldest first. One query: the database picks each month's last day, so only
    those rows (and only their figures, not the case holders' counts, which at national size
    are 25,000 numbers a day) leave it."""
    since = on.replace(year=on.year - 1)
    days = ScopeSnapshot.objects.filter(scope_key=scope_key, taken_on__gt=since, taken_on__lt=on)
    last_days = (
        days.annotate(month=TruncMonth("taken_on"))
        .order_by()
        .values("month")
        .annotate(last=Max("taken_on"))
        .values("last")
    )
    return list(
        days.filter(taken_on__in=last_days).order_by("taken_on").values_list("taken_on", "figures")
    )


def _snapshot_scope(row, kind: str, service: Service | None = None) -> Scope:
    """A scope from its snapshot row. Only what was read: a side-by-side row (`_children`) has
    its figures only, a dashboard's own row its bins instead of every case holder's count (a
    row taken before bins were recorded reads the counts after all)."""
    deferred = row.get_deferred_fields()
    bins = None if "bins" in deferred else row.bins
    checkins = None if "checkins" in deferred else row.checkins
    counts_wanted = "distribution" not in deferred or ("bins" not in deferred and bins is None)
    return Scope(
        scope=kind,
        name=row.scope_name,
        pk=int(row.scope_key.split(":")[1]),
        figures={name: row.figures.get(name) for name in F.FIELDS},
        counts=list(row.distribution) if counts_wanted else [],
        service=service if kind != "organisation" else None,
        checkins=None
        if checkins is None
        else [
            MonthShares(**{**month, "month": date.fromisoformat(month["month"])})
            for month in checkins
        ],
        bins=None if bins is None else [(label, holders) for label, holders in bins],
    )


def report_from_snapshot(
    organisation: Organisation, *, service: Service | None = None, max_age: timedelta
) -> Report | None:
    """Today's figures as the scheduled snapshot left them, every row of them (the downloads
    and the evidence pack), when it is recent enough; None when there is none, it is older
    than `max_age`, or a team is missing from it (then the caller works the figures out live).
    The organisation's services, or one service and its teams; a team's dashboard is always
    live. The dashboards read a page of rows instead (`dashboard_from_snapshot`)."""
    oldest = timezone.now() - max_age
    snapshots = _todays(organisation)
    if not _snapshot_complete(organisation, service, snapshots, oldest):
        return None
    kind = "service" if service is None else "team"
    children = _children(organisation, service, snapshots).order_by("scope_name", "pk")
    rows = _top_rows(organisation, service, snapshots)
    return _snapshot_report(
        organisation, service, rows, [_snapshot_scope(row, kind, service) for row in children]
    )


@dataclass
class SnapshotDashboard:
    """A dashboard's figures from today's snapshot: its own (the organisation's, or a service's
    in `report.services`), and one page of the services or teams side by side, filtered by
    name and sorted by a figure in the database, with how many there are in all."""

    report: Report
    page: Page
    total: int


def dashboard_from_snapshot(
    organisation: Organisation,
    *,
    service: Service | None = None,
    max_age: timedelta,
    query: str = "",
    sort: str = "",
    page: str | int | None = None,
    per_page: int,
) -> SnapshotDashboard | None:
    """The organisation's (or a service's) dashboard from today's snapshot, when it is recent
    and complete (None otherwise, as `report_from_snapshot`): its own row, and one page of its
    services' (or teams') rows whose name contains `query`, in the order of `sort` (a figure in
    FIELDS, "-" first for highest first; missing figures last; then by name). Five queries,
    whatever the number of teams: only the rows on the page leave the database."""
    oldest = timezone.now() - max_age
    snapshots = _todays(organisation)
    expected = _snapshot_complete(organisation, service, snapshots, oldest)
    if not expected:
        return None
    kind = "service" if service is None else "team"
    children = _children(organisation, service, snapshots)
    if query:
        children = children.filter(scope_name__icontains=query)
    listing = Paginator(children.order_by(*_snapshot_order(sort)), per_page).get_page(page)
    listing.object_list = [_snapshot_scope(row, kind, service) for row in listing.object_list]
    rows = _top_rows(organisation, service, snapshots.defer("distribution"))
    return SnapshotDashboard(
        report=_snapshot_report(organisation, service, rows, list(listing.object_list)),
        page=listing,
        total=expected[kind],
    )


def _todays(organisation) -> QuerySet[ScopeSnapshot]:
    return ScopeSnapshot.objects.filter(organisation=organisation, taken_on=timezone.localdate())


def _teams_of(organisation, service) -> QuerySet[Team]:
    teams = Team.objects.filter(service__organisation=organisation)
    return teams if service is None else teams.filter(service=service)


def _children(organisation, service, snapshots) -> QuerySet[ScopeSnapshot]:
    """The snapshot rows shown side by side: the organisation's services, or the service's
    teams, with their figures only (not the case holders' counts, bins or check-ins)."""
    parent = f"service:{service.pk}" if service else f"organisation:{organisation.pk}"
    rows = snapshots.filter(parent_key=parent, scope="team" if service else "service")
    return rows.defer("distribution", "bins", "checkins")


def _snapshot_complete(organisation, service, snapshots, oldest) -> dict | None:
    """{"service": services with teams, "team": teams} (of the organisation, or of the
    service) when every one of them has a row in today's snapshot taken since `oldest`, and so
    do the organisation's and the service's own, else None. Two queries, counting the rows
    rather than reading them (rows taken before `parent_key` was recorded count as missing)."""
    teams = _teams_of(organisation, service)
    expected = teams.aggregate(team=Count("pk"), service=Count("service", distinct=True))
    own = [f"organisation:{organisation.pk}"]
    if service is None:
        team_rows = Q(scope="team", parent_key__isnull=False)
        service_rows = Q(scope="service", parent_key=own[0])
    else:
        own.append(f"service:{service.pk}")
        team_rows = Q(scope="team", parent_key=own[1])
        service_rows = Q(scope_key=own[1])
    fresh = snapshots.filter(taken_at__gte=oldest).aggregate(
        own=Count("pk", filter=Q(scope_key__in=own)),
        team=Count("pk", filter=team_rows),
        service=Count("pk", filter=service_rows),
    )
    if fresh["own"] != len(own) or fresh["team"] != expected["team"]:
        return None
    if fresh["service"] != expected["service"]:
        return None
    return expected


def _top_rows(organisation, service, snapshots) -> dict[str, ScopeSnapshot]:
    """The organisation's row and, for a service, the service's: one query."""
    keys = [f"organisation:{organisation.pk}"]
    if service is not None:
        keys.append(f"service:{service.pk}")
    return {row.scope_key: row for row in snapshots.filter(scope_key__in=keys)}


def _snapshot_order(sort: str) -> list:
    """The database's order for `sort`, the order `views._sorted` gives rows worked out live:
    by the figure (highest first for "-field"), rows without it last, then by name."""
    field = sort.lstrip("-")
    if field not in F.FIELDS:
        return ["scope_name", "pk"]
    # A figure that is missing is JSON null (SQLite's text of it casts to 0, not NULL).
    missing = Q(**{f"figures__{field}": None}) | Q(**{f"figures__{field}__isnull": True})
    last = sql.Case(sql.When(missing, then=1), default=0, output_field=sql.IntegerField())
    value = Cast(KeyTextTransform(field, "figures"), FloatField())
    return [last, value.desc() if sort.startswith("-") else value.asc(), "scope_name", "pk"]


def _snapshot_report(organisation, service, rows, children: list[Scope]) -> Report:
    """A report of the organisation's row and either its services side by side, or one service
    (the service's row) and its teams side by side."""
    organisation_row = rows[f"organisation:{organisation.pk}"]
    own = [organisation_row]
    services, teams = children, []
    if service is not None:
        service_row = rows[f"service:{service.pk}"]
        own.append(service_row)
        services, teams = [_snapshot_scope(service_row, "service", service)], children
    report = Report(
        organisation=organisation,
        on=timezone.localdate(),
        organisation_scope=_snapshot_scope(organisation_row, "organisation"),
        services=services,
        teams=teams,
        staff=[],
        workers={},
        loads={},
    )
    report.taken_at = max(row.taken_at for row in own)
    return report


@dataclass(frozen=True)
class BreachHistory:
    """Over the last `days` days: on how many the worker was above promise and above
    bandwidth, out of how many days have figures (daily snapshots), and the first such day."""

    days: int
    above_promise: int
    above_bandwidth: int
    days_with_figures: int
    since: date | None

    @property
    def complete(self) -> bool:
        return self.days_with_figures >= self.days


def breach_history(worker: Worker, *, days: int = 90, today: date | None = None) -> BreachHistory:
    """From the daily worker snapshots (taken by the schedule, and backfilled from allocation
    history for a new installation), so it is true from the first day of data, not from the
    first flag. One query."""
    today = today or timezone.localdate()
    row = WorkerSnapshot.objects.filter(
        worker=worker, taken_on__gt=today - timedelta(days=days), taken_on__lte=today
    ).aggregate(
        promise=Count("pk", filter=Q(above_promise=True)),
        bandwidth=Count("pk", filter=Q(above_bandwidth=True)),
        total=Count("pk"),
        since=Min("taken_on"),
    )
    return BreachHistory(days, row["promise"], row["bandwidth"], row["total"], row["since"])


# --- Why cases were allocated: the reasons chosen, counted over a period -----------------------


@dataclass
class ReasonCounts:
    """Allocations of a team's cases that started in a period, counted by the reason chosen,
    and those that went above a promise or bandwidth by their override reason. Each list holds
    (label, count) for every reason on the list, in the list's order, zeros included."""

    since: date
    until: date
    total: int
    reasons: list[tuple[str, int]]
    overrides: list[tuple[str, int]]
    overridden: int


def allocation_reasons(team: Team, *, since: date, until: date) -> ReasonCounts:
    """Allocations of the team's cases (to anyone) that started from `since` to `until`, both
    included, by reason and by override reason. One query."""
    rows = (
        Allocation.objects.filter(case__team=team, started_on__gte=since, started_on__lte=until)
        .values("reason", "override_category")
        .annotate(count=Count("pk"))
    )
    by_reason: dict[str, int] = {}
    by_override: dict[str, int] = {}
    for row in rows:
        by_reason[row["reason"]] = by_reason.get(row["reason"], 0) + row["count"]
        if row["override_category"]:
            category = row["override_category"]
            by_override[category] = by_override.get(category, 0) + row["count"]
    return ReasonCounts(
        since=since,
        until=until,
        total=sum(by_reason.values()),
        reasons=[(label, by_reason.get(value, 0)) for value, label in AllocationReason.choices],
        overrides=[(label, by_override.get(value, 0)) for value, label in OverrideReason.choices],
        overridden=sum(by_override.values()),
    )
