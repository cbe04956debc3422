"""Home pages, the organisation, My caseload and cases. Thin: scoped rows in, one service call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from caseload.checkins.selectors import checkin_due
from caseload.core import once, selectors
from caseload.core.access import (
    DIRECTORS_AND_ADMINS,
    MANAGERS_AND_ABOVE,
    manages_team,
    role_required,
)
from caseload.core.forms import add_service_errors
from caseload.core.models import Team, Worker
from caseload.core.staffing import added_up
from caseload.transfers import selectors as transfers
from participants.models import Participant
from reports.selectors import breach_history
from security.audit import audit_record, audit_view
from security.choices import AuditAction
from weighting import loads
from weighting import selectors as weighting

from . import services
from .forms import CaseCloseForm, CaseCreateForm, CaseUpdateForm, WorkerUpdateForm
from .selectors import (
    can_see_caseload,
    case_changes,
    team_for_page,
    worker_caseload,
    worker_for_user,
)
from .selectors import my_caseload as my_caseload_cases

TEAMS_PER_PAGE = 50  # the organisation page's teams, a page at a time


def _with_vacancies(teams) -> list[Team]:
    teams = list(teams)
    for team in teams:
        team.staffing = selectors.staffing_of(team)
    return teams


def _totals(teams: list[Team]) -> dict:
    return {
        "headcount": sum(t.headcount for t in teams),
        "staffing": added_up(t.staffing for t in teams),
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
    return my_caseload(request)


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
    team = team_for_page(request.user, pk)
    rows, totals = loads.team_loads(team)
    return render(
        request,
        "caseload/team_detail.html",
        {
            "team": team,
            "rows": rows,
            "totals": totals,
            "attention": weighting.team_cases_needing_attention(team),
            "queue_size": team.queue_size,
            "can_allocate": manages_team(request.user, team.pk),
            "open_flags": team.open_flags,
            "transfers": transfers.pending_for_team(team),
            "coming_reductions": (
                weighting.reductions_changing(team)
                if request.user.role in MANAGERS_AND_ABOVE or request.user.is_superuser
                else None
            ),
        },
    )


@require_GET
@role_required(*DIRECTORS_AND_ADMINS)
def organisation(request) -> HttpResponse:
    """Services and their teams for a director or administrator: the organisation's and each
    service's figures (every team added up), then the teams a page at a time (`TEAMS_PER_PAGE`),
    grouped by service, or one service's (`?service=`), so a national organisation's thousands
    of teams cost the same page as a council's hundred: only the page's teams are read whole."""
    overview = selectors.staffing_overview(request.user)
    summaries = overview.services
    chosen = next((s for s, _, _ in summaries if str(s.pk) == request.GET.get("service", "")), None)
    page = Paginator(overview.team_ids_of(chosen), TEAMS_PER_PAGE).get_page(request.GET.get("page"))
    # Only the page's teams are read whole and added up from their workers.
    order = {pk: index for index, pk in enumerate(page)}
    teams = sorted(
        selectors.teams_with_staffing(request.user).filter(pk__in=list(page)),
        key=lambda team: order[team.pk],
    )
    totals_of = {service.pk: totals for service, _, totals in summaries}
    groups: dict = {}
    for team in _with_vacancies(teams):
        groups.setdefault(team.service, []).append(team)
    return render(
        request,
        "caseload/organisation.html",
        {
            "summaries": summaries,
            "services": [
                (service, rows, totals_of[service.pk]) for service, rows in groups.items()
            ],
            "totals": {
                "headcount": sum(t["headcount"] for _, _, t in summaries),
                "staffing": added_up(t["staffing"] for _, _, t in summaries),
            },
            "team_count": len(overview.team_ids),
            "chosen": chosen,
            "page": page,
            "query": f"service={chosen.pk}" if chosen else "",
        },
    )


@require_GET
def worker_detail(request, pk: int) -> HttpResponse:
    """A worker's page, for themselves and for those who may see their team."""
    worker = worker_for_user(request.user, pk)
    if not can_see_caseload(request.user, worker):
        return render(request, "403.html", status=403)
    row, cases = worker_caseload(worker)
    return render(
        request,
        "caseload/worker_detail.html",
        {
            "worker": worker,
            "row": row,
            "cases": cases,
            "reductions": worker.reductions.select_related("type"),
            "next_change": weighting.next_reduction_change(worker),
            "history": breach_history(worker),
            "allocations": worker.allocations.select_related("case", "made_by").order_by(
                "-started_on", "-pk"
            )[:50],
            "can_manage": manages_team(request.user, worker.team_id),
        },
    )


@login_not_required
@require_GET
def healthz(request) -> JsonResponse:
    """Liveness and database check for load balancers and docker compose (no data exposed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def my_caseload(request) -> HttpResponse:
    """The open cases the signed-in worker holds."""
    cases = my_caseload_cases(request.user, sort=request.GET.get("sort", ""))
    worker = Worker.objects.filter(user=request.user).select_related("team__service").first()
    load = None
    if worker:
        organisation_id = worker.team.service.organisation_id
        weights = weighting.case_weights(cases, organisation_id)
        for case in cases:
            case.weight = weights[case.pk]
        load = loads.worker_loads([worker], organisation_id)[worker.pk]
    return render(
        request,
        "caseload/my_caseload.html",
        {
            "cases": cases,
            "worker": worker,
            "load": load,
            "checkin_due": worker is not None and checkin_due(worker),
        },
    )


@require_GET
def case_detail(request, pk: int) -> HttpResponse:
    """A case: who holds it, its allocation history and how it changed over time."""
    case = selectors.case_for_user(request.user, pk)
    weight = weighting.case_weights([case.pk], case.team.service.organisation_id)[case.pk]
    assessments = weighting.case_assessment_history(case, weight.labels)
    audit_view(request, case)
    return render(
        request,
        "caseload/case_detail.html",
        {
            "case": case,
            "can_change": selectors.can_change_case(request.user, case),
            "sees_exclusions": request.user.role in MANAGERS_AND_ABOVE or request.user.is_superuser,
            "can_transfer": case.is_open and manages_team(request.user, case.team_id),
            "transfer_pending": bool(transfers.pending_case_ids([case.pk])),
            "history": case_changes(case, assessments, weight.labels),
            "weight": weight,
            "versions": weighting.weight_under_versions(case, weight),
            "assessments": assessments,
            "can_propose": weighting.can_propose(request.user, case),
            "can_agree": weighting.can_agree(request.user, case),
        },
    )


@require_http_methods(["GET", "POST"])
def case_create(request, participant_pk: int) -> HttpResponse:
    """Open a case for a participant in one of the user's teams."""
    participant = get_object_or_404(Participant.objects.visible_to(request.user), pk=participant_pk)
    teams = selectors.teams_user_can_add_to(request.user)
    if not teams.exists():
        raise PermissionDenied("Only managers and caseworkers open cases.")
    form = CaseCreateForm(request.POST or None, teams=teams)
    if request.method == "POST" and (first := once.previous(request)) is not None:
        return _opened_already(request, first)
    if request.method == "POST" and form.is_valid():
        try:
            done = once.submit(
                request,
                lambda: services.case_create(
                    participant=participant, by=request.user, **form.cleaned_data
                ),
                url=lambda case: case.get_absolute_url(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if done.repeated:
                return _opened_already(request, done)
            case = done.result
            audit_record(request=request, action=AuditAction.CREATE, obj=case)
            messages.success(
                request, f"Case {case.reference} opened; it is waiting for allocation."
            )
            return redirect(case)
    audit_view(request, participant)
    return render(
        request,
        "caseload/case_form.html",
        {"form": form, "participant": participant, "creating": True},
    )


def _opened_already(request, first: once.Done) -> HttpResponse:
    """The same form sent again (a double click, a retry after a dropped connection)."""
    messages.info(request, "This case was opened when the form was first sent; not twice.")
    return redirect(first.url)


@require_http_methods(["GET", "POST"])
def case_update(request, pk: int) -> HttpResponse:
    """Change a case's type, need level or court work."""
    case = selectors.case_for_user(request.user, pk)
    if not selectors.can_change_case(request.user, case):
        raise PermissionDenied("Only the case holder or the team manager can change this case.")
    form = CaseUpdateForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            audit_record(request=request, action=AuditAction.EDIT, obj=case)
            messages.success(request, "Case updated.")
            return redirect(case)
    audit_view(request, case)
    return render(
        request,
        "caseload/case_form.html",
        {"form": form, "case": case, "participant": case.participant},
    )


@require_http_methods(["GET", "POST"])
def case_close(request, pk: int) -> HttpResponse:
    """Close a case with a reason."""
    case = selectors.case_for_user(request.user, pk)
    if not selectors.can_change_case(request.user, case):
        raise PermissionDenied("Only the case holder or the team manager can close this case.")
    form = CaseCloseForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_close(
                case=case,
                closed_on=form.cleaned_data["closed_on"],
                reason=form.cleaned_data["closure_reason"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            audit_record(request=request, action=AuditAction.EDIT, obj=case, detail="closed")
            messages.success(request, f"Case {case.reference} closed.")
            return redirect(case)
    audit_view(request, case)
    return render(request, "caseload/case_close.html", {"form": form, "case": case})


@require_http_methods(["GET", "POST"])
def worker_update(request, pk: int) -> HttpResponse:
    """A manager changes a team member's FTE, experience, own promise or leaving date."""
    worker = get_object_or_404(Worker.objects.visible_to(request.user), pk=pk)
    if not (manages_team(request.user, worker.team_id)):
        raise PermissionDenied("Only the worker's team manager can change these details.")
    form = WorkerUpdateForm(request.POST or None, instance=Worker.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_update(
                worker=worker,
                by=request.user,
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{worker.name}'s details saved.")
            return redirect(worker)
    return render(request, "caseload/worker_form.html", {"form": form, "worker": worker})
