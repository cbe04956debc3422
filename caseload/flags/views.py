"""Flags for managers, notifications for managers and directors, task runs for administrators."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.core.access import MANAGERS_AND_ABOVE, manages_team, role_required
from caseload.core.choices import AccessRole
from caseload.core.models import Flag, Notification, TaskRun, Team

from . import services
from .runs import runs_mark_lost


@require_GET
@role_required(*MANAGERS_AND_ABOVE)
def team_flags(request, pk: int) -> HttpResponse:
    """A team's open flags (and, with ?resolved=1, the resolved ones too)."""
    team = get_object_or_404(Team.objects.visible_to(request.user), pk=pk)
    show_resolved = request.GET.get("resolved") == "1"
    flags = Flag.objects.filter(team=team).select_related("worker", "case", "acknowledged_by")
    if not show_resolved:
        flags = flags.open()
    page = Paginator(flags.order_by("resolved_at", "-opened_at"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    can_acknowledge = manages_team(request.user, team.pk)
    return render(
        request,
        "caseload/flags.html",
        {
            "team": team,
            "page": page,
            "show_resolved": show_resolved,
            "can_acknowledge": can_acknowledge,
            "query": "resolved=1" if show_resolved else "",
            "refresh_minutes": settings.RECOMPUTE_EVERY_MINUTES,
        },
    )


@require_POST
def flag_acknowledge(request, pk: int) -> HttpResponse:
    """A manager acknowledges a flag with a note."""
    flag = get_object_or_404(Flag.objects.visible_to(request.user), pk=pk)
    if not (manages_team(request.user, flag.team_id)):
        raise PermissionDenied("Only the team's manager can acknowledge its flags.")
    note = request.POST.get("note", "").strip()
    if not note:
        messages.error(request, "Note: say what you are doing about it to acknowledge the flag.")
    else:
        try:
            services.flag_acknowledge(flag=flag, by=request.user, note=note[:2000])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, "Flag acknowledged. It resolves by itself when the condition clears."
            )
    return redirect("team_flags", pk=flag.team_id)


@require_http_methods(["GET", "POST"])
@role_required(AccessRole.MANAGER, AccessRole.DIRECTOR, AccessRole.ADMINISTRATOR)
def notifications(request) -> HttpResponse:
    """What is new since the user last looked; looking marks them seen."""
    if request.method == "POST":
        request.user.wants_daily_digest = request.POST.get("wants_daily_digest") == "on"
        request.user.save(update_fields=["wants_daily_digest"])
        messages.success(
            request, "Daily digest " + ("on." if request.user.wants_daily_digest else "off.")
        )
        return redirect("notifications")
    rows = Notification.objects.filter(recipient=request.user).select_related(
        "flag__team", "flag__worker", "flag__case"
    )
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page)
    new_ids = [n.pk for n in items if n.seen_at is None]
    Notification.objects.filter(pk__in=new_ids).update(seen_at=timezone.now())
    return render(
        request,
        "caseload/notifications.html",
        {"page": page, "items": items, "new_ids": set(new_ids), "query": ""},
    )


@require_GET
@role_required(AccessRole.ADMINISTRATOR)
def task_runs(request) -> HttpResponse:
    """Every background run with its outcome and counts, newest first (a run whose worker died
    is marked lost first, so none says "running" for ever)."""
    runs_mark_lost()
    page = Paginator(TaskRun.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "caseload/task_runs.html", {"page": page, "query": ""})
