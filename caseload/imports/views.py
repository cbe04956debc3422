"""Administrators' import pages: upload and check, see the problems, confirm, watch progress.

Only administrators see imports (directors do not: an import touches every team and person,
see docs/decisions/0007-import.md). The files are never served back.
"""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.core import once
from caseload.core.access import role_required
from caseload.core.choices import AccessRole, ImportStatus
from caseload.core.models import ImportRun

from . import services, template
from .forms import ImportUploadForm

PROBLEMS_PER_PAGE = 100


def _organisation(request):
    if request.user.organisation_id is None:
        raise PermissionDenied("Imports go into your own organisation; you have none.")
    return request.user.organisation


@require_http_methods(["GET", "POST"])
@role_required(AccessRole.ADMINISTRATOR)
def import_list(request) -> HttpResponse:
    """Earlier imports, newest first, and the form to upload files for a check."""
    if request.method == "POST" and services.upload_too_large(request.META.get("CONTENT_LENGTH")):
        form = ImportUploadForm()  # the body is never read
        form.cleaned_data = {}
        form.add_error(None, f"The upload is larger than {services.upload_limit_mb()} MB.")
        return _list_page(request, form)
    if request.method == "POST" and (first := once.previous(request)) is not None:
        return _uploaded_already(request, first)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = once.submit(
                request,
                lambda: services.import_run_create(
                    organisation=_organisation(request),
                    by=request.user,
                    files=form.cleaned_data["files"],
                    request=request,
                ),
                url=lambda run: run.get_absolute_url(),
            )
        except ValidationError as error:
            form.add_error("files", error)
        else:
            return _uploaded_already(request, done) if done.repeated else redirect(done.url)
    return _list_page(request, form)


def _uploaded_already(request, first: once.Done) -> HttpResponse:
    """The same upload sent again (a retry after a dropped connection): the first one's run."""
    messages.info(request, "These files were uploaded when the form was first sent; not twice.")
    return redirect(first.url)


def _sweep(request) -> None:
    """Runs that stopped (their worker died or lost the database) are marked failed first."""
    services.import_runs_fail_stale(organisation=request.user.organisation)


def _list_page(request, form) -> HttpResponse:
    _sweep(request)
    runs = ImportRun.objects.visible_to(request.user).select_related("started_by")
    page = Paginator(runs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "caseload/import_list.html",
        {"form": form, "page": page, "query": "", "max_mb": services.upload_limit_mb()},
        status=400 if form.errors else 200,
    )


@require_GET
@role_required(AccessRole.ADMINISTRATOR)
def import_detail(request, pk: int) -> HttpResponse:
    """One run: the check's problems or plan, the confirm button, progress, the summary."""
    _sweep(request)
    run = get_object_or_404(ImportRun.objects.visible_to(request.user), pk=pk)
    problems = Paginator(run.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    progress = services.progress_of(run)
    percent = None
    if progress and progress.get("total"):
        percent = int(100 * progress["done"] / progress["total"])
    return render(
        request,
        "caseload/import_detail.html",
        {
            "run": run,
            "page": problems,
            "query": "",
            "progress": progress,
            "percent": percent,
            "counts": run.counts.get("counts", {}),
            "totals": run.totals,
            "can_import": run.status == ImportStatus.CHECKED,
            "can_retry": run.status == ImportStatus.FAILED and bool(run.stored_as),
        },
    )


def _act_on_run(request, pk: int, service, done: str = "") -> HttpResponse:
    """Call a run's service (confirm, retry) and go back to the run's page."""
    run = get_object_or_404(ImportRun.objects.visible_to(request.user), pk=pk)
    try:
        service(run=run, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if done:
            messages.success(request, done)
    return redirect(run)


@require_POST
@role_required(AccessRole.ADMINISTRATOR)
def import_retry(request, pk: int) -> HttpResponse:
    """Check a failed run's files again, in the background."""
    return _act_on_run(
        request,
        pk,
        services.import_run_retry,
        "Checking the files again. Nothing is imported until you say.",
    )


@require_POST
@role_required(AccessRole.ADMINISTRATOR)
def import_confirm(request, pk: int) -> HttpResponse:
    """Start importing a checked run in the background."""
    return _act_on_run(request, pk, services.import_run_confirm)


@require_GET
@role_required(AccessRole.ADMINISTRATOR)
def import_template(request) -> HttpResponse:
    """The template: an XLSX workbook with a sheet per file, example rows and drop-down lists of
    the accepted values, or a zip of CSV files with the same example rows."""
    as_zip = request.GET.get("format") == "zip"
    buffer = io.BytesIO()
    if as_zip:
        template.template_zip(buffer)
        content_type, name = "application/zip", "caseload-import-template.zip"
    else:
        template.template_xlsx(buffer)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = "caseload-import-template.xlsx"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
