"""Read paths for the API that the pages do not already have: a user's tokens, and the figures
on a date for the teams and services the user may see (the `caseload_report` rows)."""

from datetime import date

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from caseload.core import selectors as core
from caseload.core.models import Case, Service, Team, Worker
from reports.selectors import organisation_report
from weighting import loads
from weighting import selectors as weighting

from .models import ApiToken


def tokens_of(user) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created")


def token_of(user, pk) -> ApiToken:
    """One of the user's own tokens by its number (as a form sends it), or 404: another
    user's token, or something that is not a number, is not found."""
    if not str(pk).isdigit():
        raise Http404("No such token")
    return get_object_or_404(ApiToken, pk=int(pk), user=user)


def figure_rows(user, *, on: date, service_id=None, team_id=None) -> list[dict]:
    """The figures on the date, one row per scope the user may see, with `scope`,
    `scope_name`, `scope_id` and the `reports.figures.FIELDS` (as `caseload_report` prints
    them). Directors and administrators: their organisation, its services and teams (or one
    service and its teams, or one team); managers: each team they manage. A service or team
    outside the user's scope is 404."""
    teams = Team.objects.visible_to(user).select_related("service__organisation")
    team = get_object_or_404(teams, pk=team_id) if team_id is not None else None
    service = None
    if service_id is not None:
        service = get_object_or_404(
            Service.objects.filter(pk__in=teams.values("service_id")), pk=service_id
        )
    if team is not None and service is not None and team.service_id != service.pk:
        return []
    if user.sees_whole_organisation:
        organisation = user.organisation
        if organisation is None:
            return []
        report = organisation_report(organisation, on, service=service, team=team)
        return [_row(scope) for scope in report.scopes(service=service, team=team)]
    if service is not None:
        teams = teams.filter(service=service)
    rows = []
    for each in [team] if team is not None else teams.order_by("service__name", "name"):
        report = organisation_report(each.service.organisation, on, team=each)
        rows.append(_row(report.team(each.pk)))
    return rows


def _row(scope) -> dict:
    return {"scope_id": scope.pk, **scope.row()}


def me(user) -> dict:
    """Who the token's user is: role, organisation, their worker record and visible teams."""
    worker = Worker.objects.filter(user=user).values_list("pk", flat=True).first()
    return {
        "username": user.get_username(),
        "role": user.role,
        "organisation_id": user.organisation_id,
        "worker": worker,
        "teams": list(Team.objects.visible_to(user).order_by("pk").values_list("pk", flat=True)),
    }


def teams_for(user, *, on=None) -> QuerySet[Team]:
    """The teams the user may see with their staffing (`core.selectors.teams_with_staffing`)."""
    return core.teams_with_staffing(user, on=on)


def with_staffing(teams) -> list[Team]:
    """Each team with `staffing` (`core.selectors.staffing_of`)."""
    teams = list(teams)
    for team in teams:
        team.staffing = core.staffing_of(team)
    return teams


def team_loads_for(user, pk) -> Team:
    """One team the user may see, with `bandwidth`, `members` (load rows), `queue_size` and
    `open_flags`: what the team page shows. 404 outside the user's scope."""
    team = get_object_or_404(teams_for(user), pk=pk)
    team.staffing = core.staffing_of(team)
    team.members, team.bandwidth = loads.team_loads(team)
    team.queue_size = team.cases.in_queue().count()
    team.open_flags = team.flags.open().count()
    return team


def cases_for(user) -> QuerySet[Case]:
    """The cases the user may see (`Case.objects.visible_to`), newest first."""
    return (
        Case.objects.visible_to(user)
        .select_related("participant", "team__service")
        .order_by("-opened_on", "-pk")
    )


def with_weights(cases) -> list[Case]:
    """Each case with `weight` (today, under its organisation's scheme) and `current` (its
    holding, if held). A fixed number of queries per organisation on the page."""
    cases = list(cases)
    by_organisation: dict[int, list[Case]] = {}
    for case in cases:
        by_organisation.setdefault(case.team.service.organisation_id, []).append(case)
    for organisation_id, some in by_organisation.items():
        weights = weighting.case_weights(some, organisation_id)
        for case in some:
            case.weight = weights[case.pk]
    holders = core.current_allocations([c.pk for c in cases])
    for case in cases:
        case.current = holders.get(case.pk)
    return cases


def case_detail_for(user, pk) -> Case:
    """One case the user may see (`core.selectors.case_for_user`), with `weight` and its
    `weight.lines` (codes, labels and points)."""
    case = core.case_for_user(user, pk)
    case.weight = weighting.case_weights([case.pk], case.team.service.organisation_id)[case.pk]
    labels = case.weight.labels
    case.weight.lines = [
        {
            "factor": line.factor,
            "option": line.option,
            "factor_label": labels.get((line.factor, line.option), (line.factor,))[0],
            "option_label": labels.get((line.factor, line.option), ("", line.option))[1],
            "points": line.points,
        }
        for line in case.weight.points.lines
    ]
    return case
