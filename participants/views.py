"""People: search, a person's page, and the forms to record and change them."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from caseload.history import history_rows
from caseload.selectors import teams_user_can_add_to
from caseload.views import _add_errors
from security.audit import audit_record, audit_view
from security.choices import AuditAction

from . import selectors, services
from .forms import ParticipantForm, ParticipantSearchForm


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
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if sibling is not None and data.get("household") is None:
            data["household"] = services.sibling_household(participant=sibling)
        try:
            person = services.participant_create(
                organisation=team.service.organisation, team=team, by=request.user, **data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
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
            _add_errors(form, error)
        else:
            audit_record(request=request, action=AuditAction.EDIT, obj=participant)
            messages.success(request, "Details saved.")
            return redirect(participant)
    audit_view(request, participant)
    return render(
        request, "participants/participant_form.html", {"form": form, "participant": participant}
    )
