"""Allocation pages for team managers: the queue, allocating one case, a leaver's caseload
and rebalancing a team. Each POST calls one service; the service owns the locks and checks."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from security.audit import audit_record, audit_view
from security.choices import AuditAction
from weighting import selectors as weighting

from . import allocation, queue, selectors, services
from .access import MANAGERS_AND_ABOVE, manages_team, role_required
from .choices import MANAGER_ROLES, AllocationReason
from .eligibility import ineligibility_reason
from .forms import AllocateForm, MovesForm
from .models import Case, Team, Worker


def _managed_team(user, pk: int) -> Team:
    team = get_object_or_404(Team.objects.visible_to(user).select_related("service"), pk=pk)
    if not (manages_team(user, team.pk)):
        raise PermissionDenied("Only the team's manager can allocate its work.")
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
        {"team": team, "cases": queue.team_queue(team), "can_allocate": can_allocate},
    )


@require_http_methods(["GET", "POST"])
def case_allocate(request, pk: int) -> HttpResponse:
    """Every worker in the team (and, on request, the service) with their load now and after
    this case, sorted by fit; allocate, overriding with a reason where needed."""
    case = selectors.case_for_user(request.user, pk)
    _managed_team(request.user, case.team_id)
    if not case.is_open:
        raise PermissionDenied("A closed case cannot be allocated.")
    audit_view(request, case)
    wider = request.GET.get("wider") == "1" or request.POST.get("wider") == "1"
    found = queue.candidates_for(case, wider=wider)
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
                replacing=int(request.POST.get("replacing") or 0) or None,
            )
        except ValidationError as error:
            field = "override_reason" if isinstance(error, services.OverrideNeeded) else None
            form.add_error(field, error.messages)
        else:
            audit_record(request=request, action=AuditAction.EDIT, obj=case, detail="allocated")
            messages.success(request, f"Case {case.reference} allocated to {worker.name}.")
            return redirect("team_queue", pk=case.team_id)
    return render(
        request,
        "caseload/allocate.html",
        {"case": case, "found": found, "form": form, "reallocating": reallocating},
    )


def _leaver_plan(worker: Worker):
    """Suggested destinations for every open case the worker holds, and the preview."""
    organisation_id = worker.team.service.organisation_id
    cases = list(Case.objects.open().held_by(worker).select_related("participant").order_by("pk"))
    weights = weighting.case_weights(cases, organisation_id)
    # Receivers: everyone else in post in the team who is not leaving too.
    members = [
        m for m in selectors.team_members(worker.team) if m.pk != worker.pk and not m.leave_date
    ]
    loads = weighting.worker_loads(members, organisation_id, with_case_ids=False)
    holders = [
        allocation.Holder(
            worker_id=m.pk,
            name=m.name,
            cases=loads[m.pk].load.open_cases,
            points=loads[m.pk].load.weighted_load,
            promise=loads[m.pk].load.promise,
            capacity=loads[m.pk].load.capacity,
            is_manager=m.role in MANAGER_ROLES,
            can_hold={
                c.pk
                for c in cases
                if not ineligibility_reason(
                    case_type=c.case_type,
                    need_level=c.need_level,
                    court=c.court,
                    role=m.role,
                    qualified=m.qualified,
                )
            },
        )
        for m in members
    ]
    planned = [
        allocation.PlannedCase(
            c.pk, weighting.estimated_points(c, weights[c.pk]), c.participant.household_id
        )
        for c in cases
    ]
    moves = {m.case_id: m.to_worker_id for m in allocation.plan_leaver(planned, holders)}
    for case in cases:
        case.points = weighting.estimated_points(case, weights[case.pk])
        case.suggested = moves.get(case.pk)
        case.eligible_ids = [h.worker_id for h in holders if case.pk in h.can_hold]
    return cases, members, {h.worker_id: h for h in holders}


@require_http_methods(["GET", "POST"])
def worker_leaver(request, pk: int) -> HttpResponse:
    """Reallocate a leaving or absent worker's whole caseload on one screen: a suggested
    destination per case (siblings kept together), the resulting loads, one confirmation."""
    worker = get_object_or_404(
        Worker.objects.visible_to(request.user).select_related("team__service"), pk=pk
    )
    _managed_team(request.user, worker.team_id)
    cases, members, holders = _leaver_plan(worker)
    by_id = {m.pk: m for m in members}
    chosen = {}
    for case in cases:
        raw = request.POST.get(f"case-{case.pk}") if request.method == "POST" else case.suggested
        chosen[case.pk] = int(raw) if raw and str(raw).isdigit() and int(raw) in by_id else None
        case.chosen = chosen[case.pk]
    preview = {
        m.pk: {
            "worker": m,
            "cases": holders[m.pk].cases,
            "points": holders[m.pk].points,
            "promise": holders[m.pk].promise,
            "capacity": holders[m.pk].capacity,
            "cases_after": holders[m.pk].cases,
            "points_after": holders[m.pk].points,
        }
        for m in members
    }
    for case in cases:
        if case.chosen:
            preview[case.chosen]["cases_after"] += 1
            preview[case.chosen]["points_after"] += case.points
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
            "preview": list(preview.values()),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def team_rebalance(request, pk: int) -> HttpResponse:
    """Suggested moves that bring the most workers within promise and bandwidth; the manager
    ticks the ones to make."""
    team = _managed_team(request.user, pk)
    rows, _ = weighting.team_loads(team)
    organisation_id = team.service.organisation_id
    case_ids = [c for row in rows for c in row.case_ids]
    cases = {c.pk: c for c in Case.objects.filter(pk__in=case_ids).select_related("participant")}
    weights = weighting.case_weights(list(cases.values()), organisation_id)
    holders = [
        allocation.Holder(
            worker_id=row.worker.pk,
            name=row.worker.name,
            cases=row.load.open_cases,
            points=row.load.weighted_load,
            promise=row.load.promise,
            capacity=row.load.capacity,
            can_hold={
                c.pk
                for c in cases.values()
                if not ineligibility_reason(
                    case_type=c.case_type,
                    need_level=c.need_level,
                    court=c.court,
                    role=row.worker.role,
                    qualified=row.worker.qualified,
                )
            }
            if not row.worker.leave_date
            else set(),
        )
        for row in rows
    ]
    held = {
        row.worker.pk: [allocation.PlannedCase(c, weights[c].total, None) for c in row.case_ids]
        for row in rows
    }
    suggestions = allocation.plan_rebalance(held, holders)
    workers = {row.worker.pk: row.worker for row in rows}
    moves = [
        {
            "case": cases[c],
            "points": weights[c].total,
            "from": workers[f],
            "to": workers[t],
            "key": f"{c}-{t}",
        }
        for c, f, t in suggestions
    ]
    form = MovesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ticked = [m for m in moves if m["key"] in request.POST.getlist("move")]
        if not ticked:
            form.add_error(None, "Tick at least one move to make.")
        else:
            try:
                services.allocations_move(
                    moves=[(m["case"], m["to"]) for m in ticked],
                    by=request.user,
                    reason=AllocationReason.REBALANCE,
                    note=form.cleaned_data["note"],
                    override_reason=form.cleaned_data["override_reason"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request, f"{len(ticked)} case{'s' if len(ticked) != 1 else ''} moved."
                )
                return redirect("team_detail", pk=team.pk)
    return render(
        request,
        "caseload/rebalance.html",
        {"team": team, "moves": moves, "rows": rows, "form": form},
    )
