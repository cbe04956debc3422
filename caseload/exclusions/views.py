"""The exclusions page of a case: managers and above see them; the case's managers record and
remove them. Each POST calls one service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from caseload.core import once
from caseload.core.access import MANAGERS_AND_ABOVE, manages_team, role_required
from caseload.core.forms import add_service_errors
from caseload.core.selectors import case_for_user
from security.audit import audit_record, audit_view
from security.choices import AuditAction

from . import selectors, services
from .forms import ExclusionForm, ExclusionRemoveForm
from .models import Exclusion


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS_AND_ABOVE)
def case_exclusions(request, pk: int) -> HttpResponse:
    """The workers kept from this case or its household, with the history of removed ones;
    the case's managers add one here."""
    case = case_for_user(request.user, pk)
    can_record = manages_team(request.user, case.team_id) and case.is_open
    if request.method == "POST" and not can_record:
        raise PermissionDenied("Only the case's team manager records exclusions.")
    workers = list(selectors.excludable_workers(case))
    form = ExclusionForm(
        request.POST or None,
        workers=workers,
        has_household=bool(case.participant.household_id),
    )
    if request.method == "POST" and (first := once.previous(request)) is not None:
        return redirect(first.url)
    if request.method == "POST" and form.is_valid():
        # The form's choices are these workers, so the one chosen is among them.
        worker = next(w for w in workers if w.pk == form.cleaned_data["worker"])
        try:
            done = once.submit(
                request,
                lambda: services.exclusion_create(
                    case=case,
                    worker=worker,
                    whole_household=form.cleaned_data["scope"] == "household",
                    reason=form.cleaned_data["reason"],
                    detail=form.cleaned_data["detail"],
                    by=request.user,
                ),
                url=lambda _: request.path,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not done.repeated:
                audit_record(
                    request=request, action=AuditAction.CREATE, obj=case, detail="exclusion"
                )
                messages.success(request, f"{worker.name} is excluded.")
            return redirect(done.url)
    audit_view(request, case)
    return render(
        request,
        "exclusions/case_exclusions.html",
        {
            "case": case,
            "exclusions": selectors.case_exclusions(case),
            "form": form if can_record else None,
            "remove_form": ExclusionRemoveForm(),
            "can_record": can_record,
        },
    )


@require_POST
@role_required(*MANAGERS_AND_ABOVE)
def exclusion_remove(request, pk: int) -> HttpResponse:
    """End an exclusion, with the reason; the case's managers only."""
    exclusion = get_object_or_404(Exclusion.objects.select_related("case", "household"), pk=pk)
    case_pk = request.POST.get("case")
    case = case_for_user(request.user, int(case_pk) if case_pk and case_pk.isdigit() else 0)
    touches = exclusion.case_id == case.pk or (
        exclusion.household_id and exclusion.household_id == case.participant.household_id
    )
    if not touches or not manages_team(request.user, case.team_id):
        raise PermissionDenied("Only the case's team manager removes its exclusions.")
    form = ExclusionRemoveForm(request.POST)
    if form.is_valid():
        try:
            services.exclusion_remove(
                exclusion=exclusion, by=request.user, reason=form.cleaned_data["removal_reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            audit_record(
                request=request, action=AuditAction.EDIT, obj=case, detail="exclusion removed"
            )
            messages.success(request, f"{exclusion.worker.name} is no longer excluded.")
    else:
        messages.error(request, "Say why the exclusion no longer applies.")
    return redirect("case_exclusions", pk=case.pk)
