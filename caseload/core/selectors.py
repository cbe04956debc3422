"""Read paths for the organisation: every query takes the user and stays within their scope."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .access import manages_team
from .dates import in_post_on
from .models import Allocation, Case, Service, Team, Worker
from .staffing import Staffing, added_up, team_staffing


def _staffing_sums(on, prefix: str = "") -> dict:
    """Headcount, FTE in post and agency FTE of the workers in post on the day, as aggregates
    over workers (`prefix` "workers__" when aggregating from teams)."""
    in_post = in_post_on(on, prefix)
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=9, decimal_places=2))
    return {
        "headcount": Count(f"{prefix}id" if prefix else "id", filter=in_post),
        "fte_in_post": Coalesce(Sum(f"{prefix}fte", filter=in_post), zero),
        "agency_fte": Coalesce(
            Sum(f"{prefix}fte", filter=in_post & Q(**{f"{prefix}agency": True})), zero
        ),
    }


def teams_with_staffing(user, *, on=None) -> QuerySet[Team]:
    """Teams the user may see, each annotated with headcount, FTE in post (permanent and
    agency) and vacant FTE against the establishment. One query whatever the size."""
    on = on or timezone.localdate()
    return (
        Team.objects.visible_to(user)
        .select_related("service")
        .annotate(**_staffing_sums(on, "workers__"))
        .order_by("service__name", "name")
    )


def staffing_of(team: Team) -> Staffing:
    """The team's staffing (`staffing.team_staffing`). Needs a team from `teams_with_staffing`."""
    return team_staffing(
        establishment=team.establishment_fte, in_post=team.fte_in_post, agency=team.agency_fte
    )


@dataclass(frozen=True)
class StaffingOverview:
    """The services a user may see with their teams' staffing added up, and every team's id in
    the order the organisation page lists them (by service name, then team name)."""

    services: list[tuple[Service, int, dict]]  # (service, teams, {"headcount", "staffing"})
    team_ids: list[tuple[int, int]]  # (team id, service id)

    def team_ids_of(self, service: Service | None) -> list[int]:
        return [
            pk for pk, service_id in self.team_ids if service is None or service_id == service.pk
        ]


def staffing_overview(user, *, on=None) -> StaffingOverview:
    """Each service the user may see, with its number of teams and its teams' staffing added
    up, by service name. Three queries (the teams, their workers added up by team, the
    services) and no team built as an object, so a national organisation's thousands of teams
    cost little; vacancies are worked out team by team (`team_staffing`) before being added
    up."""
    on = on or timezone.localdate()
    visible = Team.objects.visible_to(user)
    sums = {
        team_id: (headcount, in_post, agency)
        for team_id, headcount, in_post, agency in Worker.objects.filter(
            team__in=visible.values("pk")
        )
        .order_by()
        .values("team_id")
        .annotate(**_staffing_sums(on))
        .values_list("team_id", "headcount", "fte_in_post", "agency_fte")
    }
    nobody = (0, Decimal("0"), Decimal("0"))
    gathered: dict[int, list] = {}
    team_ids = []
    for team_id, service_id, establishment in visible.order_by("service__name", "name").values_list(
        "pk", "service_id", "establishment_fte"
    ):
        team_ids.append((team_id, service_id))
        headcount, in_post, agency = sums.get(team_id, nobody)
        gathered.setdefault(service_id, []).append(
            (headcount, team_staffing(establishment=establishment, in_post=in_post, agency=agency))
        )
    services = Service.objects.filter(pk__in=list(gathered)).order_by("name", "pk")
    return StaffingOverview(
        services=[
            (
                service,
                len(teams := gathered[service.pk]),
                {
                    "headcount": sum(headcount for headcount, _ in teams),
                    "staffing": added_up(staffing for _, staffing in teams),
                },
            )
            for service in services
        ],
        team_ids=team_ids,
    )


def team_members(team: Team, *, on=None) -> QuerySet[Worker]:
    """Workers in post in the team, managers first then by name."""
    on = on or timezone.localdate()
    return team.workers.in_post(on).select_related("user", "team").order_by("role", "name")


def services_visible_to(user) -> QuerySet[Service]:
    """Services that hold at least one team the user may see."""
    return Service.objects.filter(teams__in=Team.objects.visible_to(user)).distinct()


def teams_user_can_add_to(user) -> QuerySet[Team]:
    """Teams in which the user may record people and open cases: a manager's teams, a
    caseworker's own team. Directors and administrators read; they do not record casework."""
    if user.is_manager:
        return Team.objects.managed_by(user)
    if user.is_caseworker:
        return Team.objects.visible_to(user)
    return Team.objects.none()


def current_allocations(cases) -> dict[int, Allocation]:
    """Current allocation (with worker) for each case id, in one query."""
    rows = Allocation.objects.current().filter(case__in=cases).select_related("worker")
    return {row.case_id: row for row in rows}


def case_for_user(user, pk: int) -> Case:
    """A case the user may see, with its participant, team and allocation history."""
    case = get_object_or_404(
        Case.objects.visible_to(user).select_related("participant__household", "team__service"),
        pk=pk,
    )
    case.allocation_history = list(
        case.allocations.select_related("worker", "made_by").order_by("-started_on", "-pk")
    )
    case.current = next((a for a in case.allocation_history if a.ended_on is None), None)
    return case


def can_change_case(user, case: Case) -> bool:
    """Managers of the case's team, and the worker who holds it, may change it."""
    if not case.is_open:
        return False
    if manages_team(user, case.team_id):
        return True
    holder = getattr(case, "current", None)
    if holder is None:
        holder = case.allocations.current().first()
    return bool(holder and holder.worker.user_id == user.pk)
