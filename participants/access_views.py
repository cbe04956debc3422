"""A person's record as data protection sees it: who has looked at it, and a subject access
request's export of everything held on them. The audit trail and the export itself are
`security`'s; these pages find the person through `participants`' scoped selectors."""

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from caseload.core.access import role_required
from caseload.core.choices import AccessRole
from security.audit import audit_view
from security.forms import SubjectAccessSearchForm
from security.selectors import access_log_for_person
from security.services import subject_access_export as subject_access_export_file
from security.views import LOG_READERS, access_log_page

from . import selectors
from .models import Participant


@require_GET
@role_required(*LOG_READERS)
def participant_access_log(request, pk: int) -> HttpResponse:
    """Who has looked at or changed a person's record and their cases."""
    person = selectors.participant_for_user(request.user, pk)
    audit_view(request, person)
    return access_log_page(
        request,
        access_log_for_person(request.user, person),
        record=person,
        record_label=f"{person.full_name} ({person.reference}) and their cases",
        back_url=person.get_absolute_url(),
    )


@require_GET
@role_required(AccessRole.ADMINISTRATOR)
def subject_access(request) -> HttpResponse:
    """Find the person a subject access request is about."""
    form = SubjectAccessSearchForm(request.GET or None)
    people = Participant.objects.none()
    if form.is_valid():
        words = form.cleaned_data["reference"]
        people = (
            Participant.objects.visible_to(request.user)
            .filter(Q(reference__iexact=words) | Q(family_name__iexact=words))
            .order_by("family_name", "given_name")[: settings.PAGE_SIZE]
        )
    return render(
        request,
        "security/subject_access.html",
        {"form": form, "people": people, "searched": form.is_bound},
    )


@require_http_methods(["GET", "POST"])
@role_required(AccessRole.ADMINISTRATOR)
def subject_access_export(request, pk: int) -> HttpResponse:
    """Confirm (GET) and download (POST) everything held on one person as one JSON file."""
    person = get_object_or_404(Participant.objects.visible_to(request.user), pk=pk)
    if request.method == "GET":
        audit_view(request, person)
        return render(request, "security/subject_access_confirm.html", {"person": person})
    content = subject_access_export_file(participant=person, request=request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="subject-access-{person.reference}-{stamp}.json"'
    )
    return response
