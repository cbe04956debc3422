"""Allocation pages for team managers: the queue, allocating one case, a leaver's caseload
and rebalancing a team. Each POST calls one service; the service owns the locks and checks."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from caseload.core.access import MANAGERS_AND_ABOVE, manages_team, role_required
from caseload.core.choices import AllocationReason
from caseload.core.models import Team, Worker
from caseload.core.selectors import case_for_user
from security.audit import audit_record, audit_view
from security.choices import AuditAction

from . import rules, selectors, services
from .forms import AllocateForm, MovesForm


def _require_manager(user, team_id: int) -> None:
    if not manages_team(user, team_id):
        raise PermissionDenied("Only the team's manager can allocate its work.")


def _managed_team(user, pk: int) -> Team:
    team = get_object_or_404(Team.objects.visible_to(user).select_related("service"), pk=pk)
    _require_manager(user, team.pk)
    return team


@require_GET
@role_required(*MANAGERS_AND_ABOVE)
def team_queue(request, pk: int) -> HttpResponse:
    """The team's cases awaiting allocation or needing reallocation, by priority."""
    team = get_object_or_404(Team.objects.visible_to(request.user).select_related("service"), pk=pk)
    can_allocate = manages_team(request.user, team.pk)
    return render(
        request,
        "caseload/queue.html",
        {"team": team, "cases": selectors.team_queue(team), "can_allocate": can_allocate},
    )


@require_http_methods(["GET", "POST"])
def case_allocate(request, pk: int) -> HttpResponse:
    """Every worker in the team (and, on request, the service) with their load now and after
    this case, sorted by fit; allocate, overriding with a reason where needed."""
    case = case_for_user(request.user, pk)
    _require_manager(request.user, case.team_id)  # the case is visible, so is its team
    if not case.is_open:
        raise PermissionDenied("A closed case cannot be allocated.")
    audit_view(request, case)
    wider = request.GET.get("wider") == "1" or request.POST.get("wider") == "1"
    found = selectors.candidates_for(case, wider=wider)
    reallocating = case.current is not None
    form = AllocateForm(
        request.POST or None, candidates=found.candidates, reallocating=reallocating
    )
    if reallocating and case.needs_reallocation:
        form.fields["reason"].initial = AllocationReason.ESCALATION
    if request.method == "POST" and form.is_valid():
        worker = get_object_or_404(Worker, pk=form.cleaned_data["worker"])
        try:
            services.allocation_create(
                case=case,
                worker=worker,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                override_reason=form.cleaned_data["override_reason"],
                override_category=form.cleaned_data["override_category"],
                replacing=int(request.POST.get("replacing") or 0) or None,
            )
        except ValidationError as error:
            field = "override_category" if isinstance(error, services.OverrideNeeded) else None
            form.add_error(field, error.messages)
        else:
            audit_record(request=request, action=AuditAction.EDIT, obj=case, detail="allocated")
            messages.success(request, f"Case {case.reference} allocated to {worker.name}.")
            return redirect("team_queue", pk=case.team_id)
    return render(
        request,
        "caseload/allocate.html",
        {
            "case": case,
            "found": found,
            "form": form,
            "reallocating": reallocating,
            "horizon_days": settings.ALLOCATION_HORIZON_DAYS,
            "fairness_band": rules.FAIRNESS_BAND_POINTS,
        },
    )


@require_http_methods(["GET", "POST"])
def worker_leaver(request, pk: int) -> HttpResponse:
    """Reallocate a leaving or absent worker's whole caseload on one screen: a suggested
    destination per case (siblings kept together), the resulting loads, one confirmation."""
    worker = get_object_or_404(
        Worker.objects.visible_to(request.user).select_related("team__service"), pk=pk
    )
    _managed_team(request.user, worker.team_id)
    plan = selectors.leaver_plan(worker)
    cases, members, holders = plan.cases, plan.members, plan.holders
    by_id = {m.pk: m for m in members}
    chosen = {}
    for case in cases:
        raw = request.POST.get(f"case-{case.pk}") if request.method == "POST" else case.suggested
        chosen[case.pk] = int(raw) if raw and str(raw).isdigit() and int(raw) in by_id else None
        case.chosen = chosen[case.pk]
    preview = selectors.loads_after(
        members, holders, [(c.points, None, c.chosen) for c in cases if c.chosen]
    )
    splits = selectors.split_households(cases, chosen)
    form = MovesForm(request.POST or None)
    if request.method == "POST" and "confirm" in request.POST and form.is_valid():
        missing = [c.reference for c in cases if not c.chosen]
        if missing:
            form.add_error(None, f"Choose a worker for every case (missing: {', '.join(missing)}).")
        else:
            try:
                services.allocations_move(
                    moves=[(c, by_id[c.chosen]) for c in cases],
                    by=request.user,
                    reason=AllocationReason.LEAVER,
                    note=form.cleaned_data["note"],
                    override_reason=form.cleaned_data["override_reason"],
                    override_category=form.cleaned_data["override_category"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, f"All {len(cases)} of {worker.name}'s cases reallocated.")
                return redirect("team_detail", pk=worker.team_id)
    return render(
        request,
        "caseload/leaver.html",
        {
            "worker": worker,
            "cases": cases,
            "members": members,
            "preview": preview,
            "splits": splits,
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def team_rebalance(request, pk: int) -> HttpResponse:
    """Suggested moves that bring the most workers within promise and bandwidth; the manager
    ticks the ones to make."""
    team = _managed_team(request.user, pk)
    plan = selectors.rebalance_plan(team)
    moves, rows = plan.moves, plan.rows
    form = MovesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ticked = [m for m in moves if m["key"] in request.POST.getlist("move")]
        if not ticked:
            form.add_error(None, "Tick at least one move to make.")
        else:
            chosen = [(case, m["to"]) for m in ticked for case in m["cases"]]
            try:
                services.allocations_move(
                    moves=chosen,
                    by=request.user,
                    reason=AllocationReason.REBALANCE,
                    note=form.cleaned_data["note"],
                    override_reason=form.cleaned_data["override_reason"],
                    override_category=form.cleaned_data["override_category"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request, f"{len(chosen)} case{'s' if len(chosen) != 1 else ''} moved."
                )
                return redirect("team_detail", pk=team.pk)
    return render(
        request,
        "caseload/rebalance.html",
        {"team": team, "moves": moves, "rows": rows, "preview": plan.preview, "form": form},
    )
