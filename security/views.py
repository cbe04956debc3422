"""Who has looked at a case, the session timeout endpoints, retention reviews and two-step
sign-in. (A person's access log and subject access are pages of `participants`.)"""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.core.access import role_required
from caseload.core.choices import AccessRole
from caseload.core.selectors import case_for_user

from . import selectors, services
from .audit import audit_record, audit_view
from .choices import AuditAction, ReviewStatus
from .demo import demo_device, demo_totp_code
from .forms import TwoFactorCodeForm
from .middleware import no_session_activity, two_factor_exempt
from .sessions import session_remaining, session_touch
from .two_factor import (
    confirmed_device,
    device_for_enrolment,
    is_verified,
    mark_verified,
    two_factor_required,
)

# Who may read access logs: managers (their teams' records), directors and administrators
# (their organisation's); the record is always loaded through the scoped selectors first.
LOG_READERS = (AccessRole.MANAGER, AccessRole.DIRECTOR, AccessRole.ADMINISTRATOR)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes calls this when a sign-in is refused by lock-out. The answer must not tell
    an attacker that the account is locked: it is the login page with the same generic error a
    wrong password gives (the login view has already rendered exactly that)."""
    if original_response is not None and original_response.status_code == 200:
        return original_response
    return LoginView.as_view()(request)


def access_log_page(request, events, **context) -> HttpResponse:
    """The page listing who looked at or changed a record (paginated)."""
    page = Paginator(events, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "security/access_log.html", {"page": page, **context})


@require_GET
@role_required(*LOG_READERS)
def case_access_log(request, pk: int) -> HttpResponse:
    """Who has looked at or changed a case (managers: their teams; administrators: all)."""
    case = case_for_user(request.user, pk)
    audit_view(request, case)
    return access_log_page(
        request,
        selectors.access_log_for_case(case),
        record=case,
        record_label=f"Case {case.reference}",
        back_url=case.get_absolute_url(),
    )


@require_POST
@two_factor_exempt
def session_extend(request) -> HttpResponse:
    """Stay signed in: restart the idle timer (one click, WCAG 2.2.1)."""
    session_touch(request.session, force=True)
    if request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse(session_remaining(request.session))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = settings.LOGIN_REDIRECT_URL
    return redirect(target)


@require_GET
@no_session_activity
@two_factor_exempt
def session_status(request) -> JsonResponse:
    """Seconds left before the idle timeout and the absolute limit (not counted as activity)."""
    return JsonResponse(session_remaining(request.session))


@require_http_methods(["GET", "POST"])
@role_required(AccessRole.ADMINISTRATOR)
def retention_reviews(request) -> HttpResponse:
    """Closed cases past their retention period, for a person to review; POST runs the check
    now (it also runs nightly)."""
    if request.method == "POST":
        found = services.retention_review_scan(organisation=request.user.organisation)
        messages.success(request, f"Retention check done: {found} new case(s) to review.")
        return redirect("retention_reviews")
    reviews = selectors.retention_reviews_for(request.user).filter(status=ReviewStatus.OPEN)
    page = Paginator(reviews, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "security/retention_reviews.html", {"page": page})


@require_http_methods(["GET", "POST"])
@two_factor_exempt
def two_factor(request) -> HttpResponse:
    """Enrol an authenticator app (first time) or enter its code, when the role needs it."""
    user = request.user
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = settings.LOGIN_REDIRECT_URL
    if not two_factor_required(user) or is_verified(request):
        return redirect(target)
    device = confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = device_for_enrolment(user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_record(request=request, action=AuditAction.TWO_FACTOR_ENROLLED)
            mark_verified(request, device)
            return redirect(target)
        audit_record(request=request, action=AuditAction.TWO_FACTOR_FAILED)
        form.add_error(
            "code", "That code did not work. Check the time on your phone and try again."
        )
    context = {"form": form, "enrolling": enrolling, "next": target}
    if settings.DEMO_MODE and not enrolling and demo_device(device):
        context["demo_code"] = demo_totp_code(device)
    if enrolling:
        secret = b32encode(device.bin_key).decode()
        context.update(
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            qr_data_uri=segno.make(device.config_url, error="m").svg_data_uri(scale=5),
        )
    return render(request, "security/two_factor.html", context)
