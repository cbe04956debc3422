"""Home pages and the organisation views. Thin: pick the scoped rows, render."""

from decimal import Decimal

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from . import selectors
from .access import DIRECTORS_AND_ADMINS, MANAGERS_AND_ABOVE, role_required
from .models import Team, Worker


def _with_vacancies(teams) -> list[Team]:
    teams = list(teams)
    for team in teams:
        team.vacancy_fte = selectors.vacancy_fte(team)
    return teams


def _totals(teams: list[Team]) -> dict:
    return {
        "headcount": sum(t.headcount for t in teams),
        "fte_in_post": sum((t.fte_in_post for t in teams), Decimal("0")),
        "agency_fte": sum((t.agency_fte for t in teams), Decimal("0")),
        "establishment_fte": sum((t.establishment_fte for t in teams), Decimal("0")),
        "vacancy_fte": sum((t.vacancy_fte for t in teams), Decimal("0")),
    }


@require_GET
def home(request) -> HttpResponse:
    """Each role's own landing page."""
    user = request.user
    if user.sees_whole_organisation:
        return organisation(request)
    if user.is_manager:
        teams = _with_vacancies(selectors.teams_with_staffing(user))
        members = {team.pk: list(selectors.team_members(team)) for team in teams}
        return render(
            request,
            "caseload/home_manager.html",
            {"teams": [(team, members[team.pk]) for team in teams]},
        )
    worker = Worker.objects.select_related("team__service").filter(user=user).first()
    colleagues = selectors.team_members(worker.team).exclude(pk=worker.pk) if worker else []
    return render(
        request, "caseload/home_caseworker.html", {"worker": worker, "colleagues": colleagues}
    )


@require_GET
@role_required(*MANAGERS_AND_ABOVE)
def team_list(request) -> HttpResponse:
    """The teams the user may see, with staffing against establishment."""
    teams = _with_vacancies(selectors.teams_with_staffing(request.user))
    return render(request, "caseload/team_list.html", {"teams": teams, "totals": _totals(teams)})


@require_GET
@role_required(*MANAGERS_AND_ABOVE)
def team_detail(request, pk: int) -> HttpResponse:
    """One team: its members with role, FTE and agency; establishment and vacancies."""
    team = get_object_or_404(selectors.teams_with_staffing(request.user), pk=pk)
    team.vacancy_fte = selectors.vacancy_fte(team)
    members = selectors.team_members(team)
    return render(request, "caseload/team_detail.html", {"team": team, "members": members})


@require_GET
@role_required(*DIRECTORS_AND_ADMINS)
def organisation(request) -> HttpResponse:
    """Services and their teams for a director or administrator."""
    teams = _with_vacancies(selectors.teams_with_staffing(request.user))
    services: dict = {}
    for team in teams:
        services.setdefault(team.service, []).append(team)
    return render(
        request,
        "caseload/organisation.html",
        {
            "services": [(service, rows, _totals(rows)) for service, rows in services.items()],
            "totals": _totals(teams),
        },
    )


@require_GET
def worker_detail(request, pk: int) -> HttpResponse:
    """A worker's page, for themselves and for those who may see their team."""
    worker = get_object_or_404(
        Worker.objects.visible_to(request.user).select_related("team__service", "user"), pk=pk
    )
    if request.user.is_caseworker and worker.user_id != request.user.pk:
        return render(request, "403.html", status=403)
    return render(request, "caseload/worker_detail.html", {"worker": worker})


@login_not_required
@require_GET
def healthz(request) -> JsonResponse:
    """Liveness and database check for load balancers and docker compose (no data exposed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
