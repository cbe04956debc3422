"""Check-in pages: a worker answers and reads their own answers; a team's managers read the
answers beside the measured load. Thin: scoped rows in, one service call."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from caseload.core import once
from caseload.core.access import MANAGERS_AND_ABOVE, manages_team, role_required
from caseload.core.forms import add_service_errors
from caseload.core.models import Team, Worker
from caseload.core.selectors import team_members
from weighting import loads

from . import selectors, services
from .forms import CheckInForm


def _own_worker(request) -> Worker:
    worker = Worker.objects.filter(user=request.user).select_related("team__service").first()
    if worker is None:
        raise Http404("Your sign-in is not linked to a worker record.")
    return worker


@require_http_methods(["GET", "POST"])
def checkin_create(request) -> HttpResponse:
    """The worker answers "Is my caseload manageable?" (at most once a day)."""
    worker = _own_worker(request)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and (first := once.previous(request)) is not None:
        return redirect(first.url)
    if request.method == "POST" and form.is_valid():
        try:
            done = once.submit(
                request,
                lambda: services.checkin_create(
                    worker=worker,
                    answer=form.cleaned_data["answer"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                ),
                url=lambda _: reverse("checkin_list"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not done.repeated:
                messages.success(request, "Thank you: your answer is recorded.")
            return redirect("checkin_list")
    return render(
        request,
        "checkins/checkin_form.html",
        {"form": form, "worker": worker, "answered_today": selectors.answered_today(worker)},
    )


@require_GET
def checkin_list(request) -> HttpResponse:
    """The worker's own answers, with their notes and the load measured each time."""
    worker = _own_worker(request)
    return render(
        request,
        "checkins/checkin_list.html",
        {
            "worker": worker,
            "checkins": selectors.worker_checkins(worker)[:60],
            "due": selectors.checkin_due(worker),
        },
    )


@require_GET
@role_required(*MANAGERS_AND_ABOVE)
def team_checkins(request, pk: int) -> HttpResponse:
    """Each member's latest answer beside their measured cases and points today, and every
    answer of the last months beside the load measured that day. Notes only for the team's
    managers."""
    team = get_object_or_404(Team.objects.visible_to(request.user).select_related("service"), pk=pk)
    today = timezone.localdate()
    members = list(team_members(team, on=today))
    rows = loads.worker_loads(members, team.service.organisation_id, today, team_ids=[team.pk])
    latest = selectors.latest_answers(members, today)
    history = selectors.team_checkins(team).select_related("worker")[:200]
    return render(
        request,
        "checkins/team_checkins.html",
        {
            "team": team,
            "members": [(m, rows[m.pk], latest.get(m.pk)) for m in members],
            "history": history,
            "show_notes": manages_team(request.user, team.pk),
            "shares": [(row, None) for row in selectors.monthly_shares([team.pk], today, months=6)],
        },
    )
