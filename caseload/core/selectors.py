"""Read paths for the organisation: every query takes the user and stays within their scope."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .access import manages_team
from .dates import in_post_on
from .models import Allocation, Case, Service, Team, Worker
from .staffing import Staffing, team_staffing


def teams_with_staffing(user, *, on=None) -> QuerySet[Team]:
    """Teams the user may see, each annotated with headcount, FTE in post (permanent and
    agency) and vacant FTE against the establishment. One query whatever the size."""
    on = on or timezone.localdate()
    in_post = in_post_on(on, "workers__")
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=9, decimal_places=2))
    return (
        Team.objects.visible_to(user)
        .select_related("service")
        .annotate(
            headcount=Count("workers", filter=in_post),
            fte_in_post=Coalesce(Sum("workers__fte", filter=in_post), zero),
            agency_fte=Coalesce(
                Sum("workers__fte", filter=in_post & Q(workers__agency=True)), zero
            ),
        )
        .order_by("service__name", "name")
    )


def staffing_of(team: Team) -> Staffing:
    """The team's staffing (`staffing.team_staffing`). Needs a team from `teams_with_staffing`."""
    return team_staffing(
        establishment=team.establishment_fte, in_post=team.fte_in_post, agency=team.agency_fte
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
