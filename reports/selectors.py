"""Read paths for the dashboards, exports and the report command.

`organisation_report(organisation_id, on)` loads everything for one organisation on one date in
a fixed number of queries, whatever the number of services, teams, workers or cases, and hands
plain rows to `reports.figures`. Who held what on the date comes from allocation history, so a
past date gives that day's figures.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from caseload.checkins.selectors import latest_answer_by_worker
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


def _staff(teams: list[Team], organisation_id, on: date):
    """Workers in post on the date, and anyone else still holding a case then, with loads."""
    team_ids = [team.pk for team in teams]
    # Only these teams' workers' allocations: unfiltered, the "still holding a case" test read
    # every allocation in the organisation (0.3 s for one team's dashboard at national size).
    held_by = Allocation.objects.held_on(on).filter(worker__team_id__in=team_ids)
    workers = list(
        Worker.objects.filter(team_id__in=team_ids)
        .filter(in_post_on(on) | Q(pk__in=held_by.values("worker_id")))
        .annotate(is_in_post=ExpressionWrapper(in_post_on(on), output_field=BooleanField()))
        .order_by("pk")
    )
    loads = worker_loads(workers, organisation_id, on, team_ids=team_ids)
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
    teams = Team.objects.filter(service__organisation=organisation)
    if service is not None:
        teams = teams.filter(service=service)
    if team is not None:
        teams = teams.filter(pk=team.pk)
    teams = list(teams.select_related("service").order_by("service__name", "name"))
    service_of = {team.pk: team.service_id for team in teams}
    staff, workers, loads = _staff(teams, organisation.pk, on)
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

    def gather(team_list):
        members = [row for team in team_list for row in by_team[team.pk][0]]
        queue = [row for team in team_list for row in by_team[team.pk][1]]
        return (
            members,
            queue,
            sum(overdue.get(team.pk, 0) for team in team_list),
            sum((team.establishment_fte for team in team_list), Decimal("0")),
            added_up(staffing(team) for team in team_list).vacant,
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


def _snapshot_scope(row, **extra) -> Scope:
    return Scope(
        scope=row.scope,
        name=row.scope_name,
        pk=int(row.scope_key.split(":")[1]),
        figures={name: row.figures.get(name) for name in F.FIELDS},
        counts=list(row.distribution),
        **extra,
    )


def report_from_snapshot(
    organisation: Organisation, *, service: Service | None = None, max_age: timedelta
) -> Report | None:
    """Today's figures as the scheduled snapshot left them, when it is recent enough; None when
    there is none, it is older than `max_age`, or a team is missing from it (then the caller
    works the figures out live). Only the organisation and service scopes: a team's dashboard
    is always live. The organisation's figures show its services side by side, never its
    teams, so its teams' rows are counted, not read: three queries for 25 teams or 2,500."""
    today = timezone.localdate()
    oldest = timezone.now() - max_age
    snapshots = ScopeSnapshot.objects.filter(organisation=organisation, taken_on=today)
    if service is not None:
        return _service_from_snapshot(organisation, service, snapshots, oldest)
    services = {
        s.pk: s
        for s in Service.objects.filter(organisation=organisation)
        .annotate(team_count=Count("teams"))
        .filter(team_count__gt=0)
        .order_by("name")
    }
    fresh = snapshots.filter(scope="team", taken_at__gte=oldest).aggregate(n=Count("pk"))["n"]
    if fresh != sum(s.team_count for s in services.values()):
        return None  # a team is missing from the snapshot, or its row is stale
    keys = {f"organisation:{organisation.pk}"} | {f"service:{pk}" for pk in services}
    rows = {row.scope_key: row for row in snapshots.filter(scope_key__in=keys)}
    if set(rows) != keys or min(r.taken_at for r in rows.values()) < oldest:
        return None
    return _snapshot_report(
        organisation,
        rows,
        services=[_snapshot_scope(rows[f"service:{pk}"], service=s) for pk, s in services.items()],
        teams=[],
    )


def _service_from_snapshot(organisation, service, snapshots, oldest) -> Report | None:
    """One service's figures and its teams' side by side, from the snapshot."""
    teams = list(Team.objects.filter(service=service).select_related("service").order_by("name"))
    keys = {f"organisation:{organisation.pk}", f"service:{service.pk}"}
    keys |= {f"team:{t.pk}" for t in teams}
    rows = {row.scope_key: row for row in snapshots.filter(scope_key__in=keys)}
    if set(rows) != keys or min(r.taken_at for r in rows.values()) < oldest:
        return None
    return _snapshot_report(
        organisation,
        rows,
        services=[_snapshot_scope(rows[f"service:{service.pk}"], service=service)],
        teams=[_snapshot_scope(rows[f"team:{t.pk}"], service=service, team=t) for t in teams],
    )


def _snapshot_report(organisation, rows, *, services, teams) -> Report:
    report = Report(
        organisation=organisation,
        on=timezone.localdate(),
        organisation_scope=_snapshot_scope(rows[f"organisation:{organisation.pk}"]),
        services=services,
        teams=teams,
        staff=[],
        workers={},
        loads={},
    )
    report.taken_at = max(r.taken_at for r in rows.values())
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
