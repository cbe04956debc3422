"""Weighting pages: propose and agree a case's factors, the scheme, the standards."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from caseload.core import once
from caseload.core.access import (
    DIRECTORS_AND_ADMINS,
    MANAGERS_AND_ABOVE,
    manages_team,
    role_required,
)
from caseload.core.forms import add_service_errors
from caseload.core.history import history_rows
from caseload.core.models import Worker
from caseload.core.selectors import case_for_user
from security.audit import audit_view

from . import selectors, services
from .choices import StandardKind
from .forms import (
    AgreeForm,
    FactorChoiceForm,
    ReductionForm,
    ReductionTypeForm,
    SchemeVersionForm,
    StandardForm,
)
from .models import LoadStandard, WeightingScheme


def _suggested_choices(case, scheme) -> list[tuple[str, str]]:
    """A starting point for a first proposal: the case's own type and court work."""
    known = {(f.code, o.code) for f in scheme.factor_list for o in f.options.all()}
    guesses = [
        ("case_type", case.case_type),
        ("court", case.court),
        ("siblings", "none"),
        ("travel", "under_30"),
    ]
    return [pair for pair in guesses if pair in known]


@require_http_methods(["GET", "POST"])
def case_factors_propose(request, pk: int) -> HttpResponse:
    """A worker proposes the case's factors."""
    case = case_for_user(request.user, pk)
    if not selectors.can_propose(request.user, case):
        raise PermissionDenied("Only the team's workers and manager can propose factors.")
    audit_view(request, case)
    scheme = selectors.scheme_in_force(case.team.service.organisation_id)
    current = selectors.assessments_on([case.pk], timezone.localdate()).get(case.pk)
    choices = current.choices_on if current else _suggested_choices(case, scheme)
    form = FactorChoiceForm(request.POST or None, scheme=scheme, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_propose(case=case, by=request.user, choices=form.chosen())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Factors proposed. They count now and await your manager's agreement."
            )
            return redirect(case)
    return render(request, "weighting/propose.html", {"form": form, "case": case, "scheme": scheme})


@require_http_methods(["GET", "POST"])
def case_factors_agree(request, pk: int) -> HttpResponse:
    """The supervisor agrees the proposed factors or amends them with a note."""
    case = case_for_user(request.user, pk)
    if not selectors.can_agree(request.user, case):
        raise PermissionDenied("Only the team's manager can agree factors.")
    audit_view(request, case)
    current = selectors.assessments_on([case.pk], timezone.localdate()).get(case.pk)
    if current is None:
        messages.info(request, "Nobody has proposed factors for this case yet.")
        return redirect(case)
    scheme = selectors.scheme_in_force(case.team.service.organisation_id)
    form = AgreeForm(request.POST or None, scheme=scheme, choices=current.proposed_choices)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_agree(
                assessment=current,
                by=request.user,
                choices=form.chosen(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Factors {assessment.get_status_display().lower()}.")
            return redirect(case)
    weights = selectors.case_weights([case.pk], case.team.service.organisation_id)
    return render(
        request,
        "weighting/agree.html",
        {"form": form, "case": case, "assessment": current, "weight": weights[case.pk]},
    )


@require_GET
def scheme_detail(request, pk: int | None = None) -> HttpResponse:
    """The scheme in force (or one version), with every version listed."""
    organisation_id = request.user.organisation_id
    versions = selectors.schemes_for(organisation_id)
    if pk is None:
        scheme = selectors.scheme_in_force(organisation_id)
    else:
        scheme = selectors.with_factors(
            get_object_or_404(WeightingScheme, pk=pk, pk__in=[v.pk for v in versions])
        )
    today = timezone.localdate()
    in_force = selectors.scheme_in_force(organisation_id)
    return render(
        request,
        "weighting/scheme.html",
        {
            "scheme": scheme,
            "versions": versions,
            "in_force": in_force,
            "today": today,
            "can_edit": request.user.sees_whole_organisation and organisation_id,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*DIRECTORS_AND_ADMINS)
def scheme_edit(request) -> HttpResponse:
    """Save new points as a new version in force from a date."""
    organisation = request.user.organisation
    if organisation is None:
        raise PermissionDenied("Your sign-in is not linked to an organisation.")
    base = selectors.scheme_in_force(organisation.pk)
    form = SchemeVersionForm(request.POST or None, scheme=base)
    if request.method == "POST" and (first := once.previous(request)) is not None:
        messages.info(request, "This version was saved when the form was first sent; not twice.")
        return redirect(first.url)
    if request.method == "POST" and form.is_valid():
        try:
            done = once.submit(
                request,
                lambda: services.scheme_version_create(
                    organisation=organisation,
                    by=request.user,
                    points=form.points(),
                    in_force_from=form.cleaned_data["in_force_from"],
                    note=form.cleaned_data["note"],
                ),
                url=lambda scheme: reverse("scheme_version", args=[scheme.pk]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            scheme = done.result
            if done.repeated:
                messages.info(request, "This version was saved when the form was first sent.")
                return redirect(done.url)
            messages.success(
                request,
                f"Version {scheme.version} saved, in force from {scheme.in_force_from:%d %b %Y}.",
            )
            return redirect(done.url)
    return render(request, "weighting/scheme_edit.html", {"form": form, "base": base})


@require_http_methods(["GET", "POST"])
def standards(request) -> HttpResponse:
    """Bandwidth and caseload promise per kind of worker; directors and administrators edit."""
    organisation_id = request.user.organisation_id
    can_edit = request.user.sees_whole_organisation and organisation_id is not None
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only directors and administrators change the standards.")
    current = selectors.standards_for(organisation_id)
    forms = [
        StandardForm(
            request.POST or None,
            kind=kind,
            initial={
                "band_bottom": current[kind].band_bottom,
                "band_top": current[kind].band_top,
                "caseload_promise": current[kind].caseload_promise,
            },
        )
        for kind in StandardKind.values
    ]
    if request.method == "POST" and all(f.is_valid() for f in forms):
        changed = 0
        for form in forms:
            if form.has_changed():
                services.standard_update(
                    organisation=request.user.organisation,
                    kind=form.kind,
                    by=request.user,
                    **form.cleaned_data,
                )
                changed += 1
        messages.success(
            request,
            f"{changed} standard{'s' if changed != 1 else ''} updated."
            if changed
            else "Nothing changed.",
        )
        return redirect("standards")
    history = (
        history_rows(
            LoadStandard.history.filter(organisation_id=organisation_id), hidden=("organisation",)
        )
        if organisation_id
        else []
    )
    return render(
        request,
        "weighting/standards.html",
        {"forms": forms, "can_edit": can_edit, "history": history},
    )


@require_http_methods(["GET", "POST"])
def reduction_add(request, worker_pk: int) -> HttpResponse:
    """A manager records a capacity reduction of one of the organisation's types for a worker
    in their team."""
    worker = get_object_or_404(
        Worker.objects.visible_to(request.user).select_related("team__service"), pk=worker_pk
    )
    if not (manages_team(request.user, worker.team_id)):
        raise PermissionDenied("Only the worker's team manager can change their capacity.")
    types = list(
        selectors.reduction_types_for(worker.team.service.organisation_id, active_only=True)
    )
    form = ReductionForm(request.POST or None, types=types)
    if request.method == "POST" and (first := once.previous(request)) is not None:
        return redirect(first.url)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["type"] = next(t for t in types if t.pk == data["type"])
        try:
            done = once.submit(
                request,
                lambda: services.reduction_create(worker=worker, by=request.user, **data),
                url=lambda _: worker.get_absolute_url(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not done.repeated:
                messages.success(request, f"Capacity reduction recorded for {worker.name}.")
            return redirect(done.url)
    return render(
        request, "weighting/reduction_form.html", {"form": form, "worker": worker, "types": types}
    )


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS_AND_ABOVE)
def reduction_types(request) -> HttpResponse:
    """The organisation's reduction types: everyone who records reductions reads them;
    directors and administrators add and change them."""
    organisation = request.user.organisation
    if organisation is None:
        raise PermissionDenied("Reduction types belong to an organisation.")
    can_edit = request.user.role in DIRECTORS_AND_ADMINS or request.user.is_superuser
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only directors and administrators change reduction types.")
    if request.method == "POST" and request.POST.get("install") == "defaults":
        made = services.reduction_types_install_defaults(organisation=organisation)
        messages.success(request, f"{made} default type{'s' if made != 1 else ''} added.")
        return redirect("reduction_types")
    form = ReductionTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reduction_type_save(
                organisation=organisation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Reduction type “{form.cleaned_data['name']}” added.")
            return redirect("reduction_types")
    return render(
        request,
        "weighting/reduction_types.html",
        {
            "types": selectors.reduction_types_for(organisation.pk),
            "form": form if can_edit else None,
            "can_edit": can_edit,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*DIRECTORS_AND_ADMINS)
def reduction_type_edit(request, pk: int) -> HttpResponse:
    """A director changes a reduction type (reductions already recorded keep theirs)."""
    kind = get_object_or_404(
        selectors.reduction_types_for(request.user.organisation_id or 0), pk=pk
    )
    initial = {
        "name": kind.name,
        "default_percent": kind.default_percent,
        "maximum_percent": kind.maximum_percent,
        "default_days": kind.default_days,
        "active": kind.active,
    }
    form = ReductionTypeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.reduction_type_save(
                organisation=request.user.organisation,
                by=request.user,
                kind=kind,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Reduction type “{kind.name}” saved.")
            return redirect("reduction_types")
    return render(request, "weighting/reduction_type_form.html", {"form": form, "kind": kind})
