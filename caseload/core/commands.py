"""What the report commands share: choosing the organisations and one service or team by
name, with a message that says what was not found."""

from django.core.management.base import CommandError
from django.db.models import QuerySet

from .models import Organisation, Service, Team


def organisations_named(name: str | None) -> QuerySet[Organisation]:
    """Every organisation by name, or the one called `name` (an error if there is none)."""
    organisations = Organisation.objects.order_by("name")
    if name:
        organisations = organisations.filter(name=name)
        if not organisations.exists():
            raise CommandError(f"Organisation {name!r}: no such organisation")
    return organisations


def one(queryset, what: str, name: str):
    """The one row of `queryset` called `name`; an error if there is none or more than one."""
    found = list(queryset[:2])
    if not found:
        raise CommandError(f"{what} {name!r}: no such {what.lower()}")
    if len(found) > 1:
        raise CommandError(f"{what} {name!r} is ambiguous: add --organisation or --service")
    return found[0]


def service_and_team(organisation, service_name: str | None, team_name: str | None) -> tuple:
    """The service and the team of the organisation named on the command line (either may be
    None); a team is looked for in the named service when there is one."""
    service = team = None
    if service_name:
        service = one(
            Service.objects.filter(organisation=organisation, name=service_name),
            "Service",
            service_name,
        )
    if team_name:
        teams = Team.objects.filter(service__organisation=organisation, name=team_name)
        if service is not None:
            teams = teams.filter(service=service)
        team = one(teams.select_related("service"), "Team", team_name)
    return service, team
