"""Supervision pages: a team's supervision at a glance, a worker's records, recording one and
setting how often. Thin: scoped rows in, one service call."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.core import once
from caseload.core.access import MANAGERS_AND_ABOVE, manages_team, role_required
from caseload.core.forms import add_service_errors
from caseload.core.models import Case, Team, Worker
from caseload.core.selectors import team_members

from . import selectors, services
from .forms import ActionFormSet, PlanForm, SupervisionForm
from .models import SupervisionAction


def _worker(request, worker_pk: int) -> Worker:
    worker = get_object_or_404(
        Worker.objects.visible_to(request.user).select_related("team__service", "user"),
        pk=worker_pk,
    )
    if not selectors.may_read(request.user, worker):
        raise PermissionDenied("Only the worker and their managers read their supervision.")
    return worker


def _managed_worker(request, worker_pk: int) -> Worker:
    worker = _worker(request, worker_pk)
    if not manages_team(request.user, worker.team_id):
        raise PermissionDenied("Only the worker's team manager records their supervision.")
    return worker


@require_GET
def supervision_mine(request) -> HttpResponse:
    """The signed-in worker's own supervision records."""
    worker = Worker.objects.filter(user=request.user).first()
    if worker is None:
        raise Http404("Your sign-in is not linked to a worker record.")
    return redirect("supervision_worker", worker.pk)


@require_GET
@role_required(*MANAGERS_AND_ABOVE)
def supervision_team(request, team_pk: int) -> HttpResponse:
    """Each member's last supervision, how often, when the next is due and whether overdue."""
    team = get_object_or_404(Team.objects.visible_to(request.user), pk=team_pk)
    today = timezone.localdate()
    members = list(team_members(team, on=today))
    statuses = selectors.statuses_for_teams([team.pk], today)
    rows = [(m, statuses[m.pk]) for m in members if m.pk in statuses]
    rows.sort(key=lambda row: (not row[1].overdue, row[1].due_on or today, row[0].name))
    return render(
        request,
        "supervision/team.html",
        {
            "team": team,
            "rows": rows,
            "overdue": sum(status.overdue for _, status in rows),
            "can_record": manages_team(request.user, team.pk),
        },
    )


@require_GET
def supervision_worker(request, worker_pk: int) -> HttpResponse:
    """A worker's supervisions with the cases discussed and the actions agreed."""
    worker = _worker(request, worker_pk)
    return render(
        request,
        "supervision/worker.html",
        {
            "worker": worker,
            "status": selectors.status_of(worker, timezone.localdate()),
            "plan": selectors.plan_of(worker),
            "supervisions": selectors.worker_supervisions(worker)[:50],
            "can_record": manages_team(request.user, worker.team_id),
        },
    )


@require_http_methods(["GET", "POST"])
def supervision_create(request, worker_pk: int) -> HttpResponse:
    """The team manager records a supervision held with the worker."""
    worker = _managed_worker(request, worker_pk)
    cases = Case.objects.held_by(worker).order_by("reference")
    owners = Worker.objects.in_post().filter(team=worker.team).order_by("name")
    form = SupervisionForm(request.POST or None, cases=cases)
    actions = ActionFormSet(request.POST or None, form_kwargs={"owners": owners}, prefix="actions")
    if request.method == "POST" and (first := once.previous(request)) is not None:
        return redirect(first.url)
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        agreed = [
            services.ActionIn(row["description"], row["owner"], row["due_on"])
            for row in actions.cleaned_data
            if row.get("description")
        ]
        try:
            done = once.submit(
                request,
                lambda: services.supervision_record(
                    worker=worker,
                    by=request.user,
                    held_on=form.cleaned_data["held_on"],
                    caseload_reviewed=form.cleaned_data["caseload_reviewed"],
                    cases=list(form.cleaned_data["cases"]),
                    notes=form.cleaned_data["notes"],
                    actions=agreed,
                ),
                url=lambda _: reverse("supervision_worker", args=[worker.pk]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not done.repeated:
                messages.success(request, f"Supervision with {worker.name} recorded.")
            return redirect(done.url)
    return render(
        request,
        "supervision/supervision_form.html",
        {"worker": worker, "form": form, "actions": actions},
    )


@require_http_methods(["GET", "POST"])
def supervision_plan(request, worker_pk: int) -> HttpResponse:
    """The team manager sets how often the worker is supervised and when they qualified."""
    worker = _managed_worker(request, worker_pk)
    form = PlanForm(request.POST or None, instance=selectors.plan_of(worker))
    if request.method == "POST" and form.is_valid():
        try:
            services.supervision_plan_set(
                worker=worker,
                by=request.user,
                every_weeks=form.cleaned_data["every_weeks"],
                qualified_on=form.cleaned_data["qualified_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{worker.name}'s supervision frequency saved.")
            return redirect("supervision_worker", worker.pk)
    return render(request, "supervision/plan_form.html", {"worker": worker, "form": form})


@require_POST
def supervision_action_done(request, worker_pk: int) -> HttpResponse:
    """The action's owner or the team manager marks an action done."""
    worker = _worker(request, worker_pk)
    action_pk = request.POST.get("action", "")
    if not action_pk.isdigit():
        raise Http404("No such action")
    action = get_object_or_404(SupervisionAction, pk=int(action_pk), supervision__worker=worker)
    try:
        services.supervision_action_done(action=action, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Action marked done.")
    return redirect("supervision_worker", worker.pk)
