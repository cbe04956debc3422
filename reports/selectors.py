"""Read paths for the dashboards, exports and the report command.

`organisation_report(organisation_id, on)` loads everything for one organisation on one date in
a fixed number of queries, whatever the number of services, teams, workers or cases, and hands
plain rows to `reports.figures`. Who held what on the date comes from allocation history, so a
past date gives that day's figures.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from caseload.models import Allocation, Case, Organisation, Service, Team, Worker
from participants import visits
from participants.models import Contact
from participants.selectors import visit_frequencies
from weighting.selectors import worker_loads

from . import figures as F


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


def _end_of(on: date) -> datetime:
    return timezone.make_aware(datetime.combine(on + timedelta(days=1), time.min))


def open_on(on: date) -> Q:
    """Cases open on the date: opened by then and not closed by then."""
    return Q(opened_on__lte=on) & (Q(closed_on__isnull=True) | Q(closed_on__gt=on))


def _held_on(on: date) -> Q:
    return Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))


def waiting_cases(teams: QuerySet | list, on: date) -> list[tuple[int, date]]:
    """(team id, waiting since) for every open case nobody held on the date, in one query.
    A case waits from when it opened or, if it was held before, when its last holder's
    allocation ended."""
    held = Allocation.objects.filter(_held_on(on), case=OuterRef("pk"))
    rows = (
        Case.objects.filter(open_on(on), team__in=teams)
        .annotate(is_held=Exists(held))
        .filter(is_held=False)
        .annotate(last_end=Max("allocations__ended_on", filter=Q(allocations__ended_on__lte=on)))
        .values_list("team_id", "opened_on", "last_end")
    )
    return [(team_id, max(opened, last_end or opened)) for team_id, opened, last_end in rows]


def overdue_visit_counts(
    teams, organisation_id, on: date, *, replay: bool = False
) -> dict[int, int]:
    """Open cases per team whose statutory visit was overdue on the date, counted by the
    database (two queries). Only visits recorded by then count, so a past date gives that
    day's answer; the same numbers as `overdue_visit_counts_case_by_case`."""
    from participants.flags import overdue_visit_cases

    cases = Case.objects.filter(open_on(on), team__in=teams)
    overdue, _ = overdue_visit_cases(cases, organisation_id, on, seen_until=_end_of(on))
    rows = overdue.order_by().values("team_id").annotate(n=Count("pk")).values_list("team_id", "n")
    return dict(rows)


def overdue_visit_counts_case_by_case(teams, organisation_id, on: date) -> dict[int, int]:
    """Open cases per team whose statutory visit was overdue on the date (three queries),
    worked out case by case in Python: the plain statement the tests hold the other to."""
    frequencies = visit_frequencies(organisation_id)
    cases = list(
        Case.objects.filter(open_on(on), team__in=teams).values_list(
            "pk", "team_id", "case_type", "opened_on"
        )
    )
    last_seen = {
        row["case_id"]: timezone.localtime(row["last"]).date()
        for row in Contact.objects.current()
        .filter(case__team__in=teams, seen=True, occurred_at__lt=_end_of(on))
        .values("case_id")
        .annotate(last=Max("occurred_at"))
    }
    counts: dict[int, int] = defaultdict(int)
    for pk, team_id, case_type, opened_on in cases:
        frequency = frequencies.get(case_type)
        if frequency is None:
            continue
        status = visits.visit_status(
            last_seen=last_seen.get(pk), opened_on=opened_on, frequency=frequency, today=on
        )
        if status.is_overdue:
            counts[team_id] += 1
    return counts


def _in_post(worker: Worker, on: date) -> bool:
    return (worker.start_date is None or worker.start_date <= on) and (
        worker.leave_date is None or worker.leave_date >= on
    )


def _staff(teams: list[Team], organisation_id, on: date, *, replay: bool = False):
    """Workers in post on the date, and anyone else still holding a case then, with loads."""
    held_by = (
        Allocation.objects.filter(_held_on(on), case__opened_on__lte=on)
        .filter(Q(case__closed_on__isnull=True) | Q(case__closed_on__gt=on))
        .values("worker_id")
    )
    workers = list(
        Worker.objects.filter(team__in=teams)
        .filter(
            (Q(start_date__isnull=True) | Q(start_date__lte=on))
            & (Q(leave_date__isnull=True) | Q(leave_date__gte=on))
            | Q(pk__in=held_by)
        )
        .order_by("pk")
    )
    loads = worker_loads(workers, organisation_id, on, with_case_ids=replay)
    service_of = {team.pk: team.service_id for team in teams}
    rows = []
    for worker in workers:
        load_row = loads[worker.pk]
        in_post = _in_post(worker, on)
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
            )
        )
    return rows, {w.pk: w for w in workers}, loads


def _scope(kind, name, pk, staff, waiting, overdue, establishment, **extra) -> Scope:
    return Scope(
        scope=kind,
        name=name,
        pk=pk,
        figures=F.scope_figures(
            staff, waiting, overdue_visits=overdue, establishment_fte=establishment
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
    replay: bool = False,
) -> Report:
    """Every figure for the organisation, each service and each team on the date. Given a
    service or a team, only that part is loaded (its organisation row then covers only it).
    Today's loads and overdue visits are summed in the database; `replay=True` works today out
    case by case from history, as a past date is (the tests check both agree)."""
    on = on or timezone.localdate()
    teams = Team.objects.filter(service__organisation=organisation)
    if service is not None:
        teams = teams.filter(service=service)
    if team is not None:
        teams = teams.filter(pk=team.pk)
    teams = list(teams.select_related("service").order_by("service__name", "name"))
    service_of = {team.pk: team.service_id for team in teams}
    staff, workers, loads = _staff(teams, organisation.pk, on, replay=replay)
    waiting = [
        F.WaitingCase(team_id, service_of[team_id], (on - since).days)
        for team_id, since in waiting_cases(teams, on)
    ]
    overdue = overdue_visit_counts(teams, organisation.pk, on, replay=replay)

    by_team: dict[int, tuple[list, list]] = {team.pk: ([], []) for team in teams}
    for row in staff:
        by_team[row.team_id][0].append(row)
    for row in waiting:
        by_team[row.team_id][1].append(row)

    services: dict[int, tuple[Service, list[Team]]] = {}
    for team in teams:
        services.setdefault(team.service_id, (team.service, []))[1].append(team)

    def gather(team_list):
        members = [row for team in team_list for row in by_team[team.pk][0]]
        queue = [row for team in team_list for row in by_team[team.pk][1]]
        return (
            members,
            queue,
            sum(overdue.get(team.pk, 0) for team in team_list),
            sum((team.establishment_fte for team in team_list), Decimal("0")),
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
