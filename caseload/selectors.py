"""Read paths for the organisation: every query takes the user and stays within their scope."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Service, Team, Worker


def _in_post(prefix: str, on) -> Q:
    return (Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": on})) & (
        Q(**{f"{prefix}leave_date__isnull": True}) | Q(**{f"{prefix}leave_date__gte": on})
    )


def teams_with_staffing(user, *, on=None) -> QuerySet[Team]:
    """Teams the user may see, each annotated with headcount, FTE in post (permanent and
    agency) and vacant FTE against the establishment. One query whatever the size."""
    on = on or timezone.localdate()
    in_post = _in_post("workers__", on)
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


def vacancy_fte(team: Team) -> Decimal:
    """Vacant FTE: the establishment not filled by permanent staff (agency cover is still a
    vacancy). Needs a team from `teams_with_staffing`."""
    permanent = team.fte_in_post - team.agency_fte
    return max(Decimal("0"), team.establishment_fte - permanent)


def team_members(team: Team, *, on=None) -> QuerySet[Worker]:
    """Workers in post in the team, managers first then by name."""
    on = on or timezone.localdate()
    return team.workers.filter(_in_post("", on)).select_related("user").order_by("role", "name")


def services_visible_to(user) -> QuerySet[Service]:
    """Services that hold at least one team the user may see."""
    return Service.objects.filter(teams__in=Team.objects.visible_to(user)).distinct()
