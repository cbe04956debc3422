"""People: search, a person's page, and the forms to record and change them. Contacts: log,
edit within 24 hours, correct, read and export them; the visit policy page."""

import csv
from itertools import chain

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from caseload.core import once
from caseload.core.access import DIRECTORS_AND_ADMINS, MANAGERS_AND_ABOVE, role_required
from caseload.core.choices import CHILDREN_CASE_TYPES
from caseload.core.forms import add_service_errors
from caseload.core.history import history_rows
from caseload.core.selectors import case_for_user, teams_user_can_add_to
from caseload.core.spreadsheet import xlsx_bytes
from security.audit import audit_record, audit_view
from security.choices import AuditAction

from . import exports, selectors, services
from .forms import (
    ContactCorrectionForm,
    ContactExportForm,
    ContactForm,
    ParticipantForm,
    ParticipantSearchForm,
    VisitPolicyForm,
)


@require_GET
def participant_list(request) -> HttpResponse:
    """Search people by name, reference and date of birth; paginated."""
    form = ParticipantSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.participant_search(
        request.user, q=filters.get("q") or "", date_of_birth=filters.get("date_of_birth")
    )
    page = Paginator(people, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    if filters.get("q") or filters.get("date_of_birth"):
        audit_record(
            request=request, action=AuditAction.SEARCH, detail=f"{page.paginator.count} found"
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "participants/participant_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "searching": bool(filters.get("q") or filters.get("date_of_birth")),
            "can_add": teams_user_can_add_to(request.user).exists(),
        },
    )


@require_GET
def participant_detail(request, pk: int) -> HttpResponse:
    """A person: household and siblings with who holds each, their cases, and history."""
    participant = selectors.participant_for_user(request.user, pk)
    audit_view(request, participant)
    return render(
        request,
        "participants/participant_detail.html",
        {
            "participant": participant,
            "cases": selectors.participant_cases(request.user, participant),
            "siblings": selectors.siblings(request.user, participant),
            "history": history_rows(participant.history.all(), hidden=("registered_by_team",)),
            "can_add": teams_user_can_add_to(request.user).exists(),
        },
    )


def _team_for_new_people(user):
    team = teams_user_can_add_to(user).first()
    if team is None:
        raise PermissionDenied("Only managers and caseworkers record people.")
    return team


@require_http_methods(["GET", "POST"])
def participant_create(request) -> HttpResponse:
    """Record a new person; `?sibling_of=ID` puts them in that person's household."""
    team = _team_for_new_people(request.user)
    households = selectors.households_for(request.user)
    sibling = None
    initial = {}
    if request.GET.get("sibling_of", "").isdigit():
        sibling = selectors.participant_for_user(request.user, int(request.GET["sibling_of"]))
        audit_view(request, sibling)
        initial = {"family_name": sibling.family_name}
    form = ParticipantForm(request.POST or None, households=households, initial=initial)
    if request.method == "POST" and (first := once.previous(request)) is not None:
        messages.info(request, "This person was recorded when the form was first sent; not twice.")
        return redirect(first.url)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)

        def record():
            if sibling is not None and data.get("household") is None:
                data["household"] = services.sibling_household(participant=sibling)
            return services.participant_create(
                organisation=team.service.organisation, team=team, by=request.user, **data
            )

        try:
            done = once.submit(request, record, url=lambda person: person.get_absolute_url())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            person = done.result
            if done.repeated:
                messages.info(request, "This person was recorded when the form was first sent.")
                return redirect(done.url)
            audit_record(request=request, action=AuditAction.CREATE, obj=person)
            messages.success(request, f"{person.full_name} recorded.")
            return redirect(person)
    return render(
        request,
        "participants/participant_form.html",
        {"form": form, "sibling": sibling, "creating": True},
    )


@require_http_methods(["GET", "POST"])
def participant_update(request, pk: int) -> HttpResponse:
    """Change a person's details."""
    participant = selectors.participant_for_user(request.user, pk)
    _team_for_new_people(request.user)
    form = ParticipantForm(
        request.POST or None,
        instance=participant,
        households=selectors.households_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                participant=participant,
                by=request.user,
                **{f: form.cleaned_data[f] for f in form.Meta.fields},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            audit_record(request=request, action=AuditAction.EDIT, obj=participant)
            messages.success(request, "Details saved.")
            return redirect(participant)
    audit_view(request, participant)
    return render(
        request, "participants/participant_form.html", {"form": form, "participant": participant}
    )


# Contacts -----------------------------------------------------------------------------------


def _next_url(request, fallback: str) -> str:
    """Where to go after saving: `next` if it is a page on this site, else the fallback."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _contact_errors(form, error: ValidationError) -> None:
    """A service's errors on the form: `occurred_at` belongs to the date field."""
    if hasattr(error, "error_dict"):
        error = ValidationError(
            {
                ("occurred_on" if field == "occurred_at" else field): errors
                for field, errors in error.error_dict.items()
            }
        )
    add_service_errors(form, error)


@require_GET
def case_contact_list(request, case_pk: int) -> HttpResponse:
    """Every standing contact on a case, newest first; paginated."""
    case = case_for_user(request.user, case_pk)
    audit_view(request, case)
    page = Paginator(selectors.case_contacts(request.user, case), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "participants/case_contact_list.html",
        {
            "case": case,
            "page": page,
            "can_log": selectors.can_log_contact(request.user, case),
            "is_children": case.case_type in CHILDREN_CASE_TYPES,
        },
    )


@require_http_methods(["GET", "POST"])
def contact_create(request, case_pk: int) -> HttpResponse:
    """Log a contact or an attempt on a case (holder, a caseworker in the team, a manager)."""
    case = case_for_user(request.user, case_pk)
    audit_view(request, case)
    if not selectors.can_log_contact(request.user, case):
        raise PermissionDenied("Only the team's caseworkers and managers log contacts.")
    form = ContactForm(request.POST or None, case=case)
    if request.method == "POST" and (first := once.previous(request)) is not None:
        return _logged_already(request, first)
    if request.method == "POST" and form.is_valid():
        try:
            done = once.submit(
                request,
                lambda: services.contact_log(case=case, by=request.user, **form.contact_fields()),
                url=lambda contact: contact.get_absolute_url(),
            )
        except ValidationError as error:
            _contact_errors(form, error)
        else:
            if done.repeated:
                return _logged_already(request, done)
            what = "Visit" if done.result.seen else "Attempt"
            messages.success(
                request,
                f"{what} logged for {case.participant.full_name} ({case.reference}).",
            )
            return redirect(_next_url(request, case.get_absolute_url()))
    return render(
        request,
        "participants/contact_form.html",
        {"form": form, "case": case, "next": _next_url(request, "")},
    )


def _logged_already(request, first: once.Done) -> HttpResponse:
    """The same form sent again (a double click, a retry after a dropped connection)."""
    messages.info(request, "This contact was logged when the form was first sent; not twice.")
    return redirect(first.url)


@require_GET
def contact_detail(request, pk: int) -> HttpResponse:
    """A contact: the original and each correction of it, and the changes made in place."""
    contact = selectors.contact_for_user(request.user, pk)
    versions = selectors.contact_versions(request.user, contact)
    return render(
        request,
        "participants/contact_detail.html",
        {
            "contact": contact,
            "case": contact.case,
            "versions": versions,
            "standing": versions[-1],
            "history": [
                ("Original" if index == 0 else f"Correction {index}", rows)
                for index, version in enumerate(versions)
                if (rows := history_rows(version.history.all()))
            ],
            "can_edit": selectors.can_edit_contact(request.user, versions[-1]),
            "can_correct": selectors.can_log_contact(request.user, contact.case),
        },
    )


@require_http_methods(["GET", "POST"])
def contact_update(request, pk: int) -> HttpResponse:
    """Edit a contact in place: its author, within 24 hours of recording it."""
    contact = selectors.contact_for_user(request.user, pk)
    if contact.recorded_by_id != request.user.pk:
        raise PermissionDenied("Only the person who recorded a contact may edit it.")
    if not selectors.can_edit_contact(request.user, contact):
        messages.info(
            request,
            "This contact can no longer be edited: it was recorded more than 24 hours ago or "
            "has been corrected. Add a correction instead; the original is kept.",
        )
        return redirect("contact_correct", pk=contact.pk)
    form = ContactForm(
        request.POST or None, case=contact.case, initial=ContactForm.initial_from(contact)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(contact=contact, by=request.user, **form.contact_fields())
        except ValidationError as error:
            _contact_errors(form, error)
        else:
            messages.success(request, "Contact updated.")
            return redirect(contact)
    return render(
        request,
        "participants/contact_form.html",
        {"form": form, "case": contact.case, "contact": contact, "editing": True},
    )


@require_http_methods(["GET", "POST"])
def contact_correct(request, pk: int) -> HttpResponse:
    """Append a correction to a contact; the original stays as it was."""
    contact = selectors.contact_for_user(request.user, pk)
    if not selectors.can_log_contact(request.user, contact.case):
        raise PermissionDenied("Only the team's caseworkers and managers correct contacts.")
    standing = selectors.contact_versions(request.user, contact)[-1]
    form = ContactCorrectionForm(
        request.POST or None, case=contact.case, initial=ContactForm.initial_from(standing)
    )
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.contact_correct(
                contact=contact,
                by=request.user,
                reason=form.cleaned_data["correction_reason"],
                **form.contact_fields(),
            )
        except ValidationError as error:
            _contact_errors(form, error)
        else:
            messages.success(request, "Correction added; the original is kept.")
            return redirect(correction)
    return render(
        request,
        "participants/contact_form.html",
        {"form": form, "case": contact.case, "contact": standing, "correcting": True},
    )


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS_AND_ABOVE)
def contact_export(request) -> HttpResponse:
    """Download a team's contacts for a date range as CSV; every download is recorded."""
    teams = selectors.export_teams(request.user)
    form = ContactExportForm(
        request.POST or None,
        teams=teams,
        notes_allowed=request.user.is_manager,
        initial={"team": request.GET.get("team")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            export = services.contact_export_create(
                team=data["team"],
                by=request.user,
                date_from=data["date_from"],
                date_to=data["date_to"],
                include_notes=data["include_notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if data["file_format"] == "xlsx":
                return _xlsx_response(request, export)
            return _csv_response(request, export)
    return render(
        request,
        "participants/contact_export.html",
        {"form": form, "exports": selectors.recent_exports(request.user)},
    )


def _export_name(export) -> str:
    return f"contacts-{export.team.reference or export.team.pk}-{export.date_from}-{export.date_to}"


def _xlsx_response(request, export) -> HttpResponse:
    contacts = selectors.contacts_for_export(
        request.user, export.team, date_from=export.date_from, date_to=export.date_to
    )
    table = exports.contact_table(contacts.iterator(chunk_size=2000), export)
    response = HttpResponse(
        xlsx_bytes(table),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(export)}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


def _csv_response(request, export) -> StreamingHttpResponse:
    contacts = selectors.contacts_for_export(
        request.user, export.team, date_from=export.date_from, date_to=export.date_to
    )
    writer = csv.writer(_Echo())
    rows = exports.contact_rows(
        contacts.iterator(chunk_size=2000), include_notes=export.include_notes
    )
    # The byte order mark makes Excel read the file as UTF-8 (names with accents survive).
    lines = chain(["\ufeff"], (writer.writerow(row) for row in rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(export)}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@role_required(*DIRECTORS_AND_ADMINS)
def visit_policies(request) -> HttpResponse:
    """How often each case type must be seen in the organisation, and the changes made."""
    organisation = request.user.organisation
    if organisation is None:
        raise PermissionDenied("Your sign-in belongs to no organisation.")
    rows = selectors.visit_policy_rows(organisation.pk)
    form = VisitPolicyForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        for case_type, every, unit in form.policies():
            services.visit_policy_set(
                organisation=organisation,
                case_type=case_type,
                every=every,
                unit=unit,
                by=request.user,
            )
        messages.success(request, "Visit frequencies saved.")
        return redirect("visit_policies")
    return render(
        request,
        "participants/visit_policies.html",
        {"form": form, "history": selectors.visit_policy_history(organisation.pk)},
    )
