"""Middleware: the current request for audit receivers, session limits and no-store caching."""

from contextvars import ContextVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from .models import UserSession
from .sessions import session_expiry_reason, session_touch

_current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


def current_request() -> HttpRequest | None:
    """The request being handled on this thread, if any (for model-change audit receivers)."""
    return _current_request.get()


class CurrentRequestMiddleware:
    """Remember the request so that account changes saved deep in Django's own views (the
    admin, password change) are audited with the actor and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def no_session_activity(view):
    """Mark a view whose requests must not count as activity (the session status poll)."""
    view.no_session_activity = True
    return view


def two_factor_exempt(view):
    """Mark a view an unverified user may still reach (the two-factor page itself)."""
    view.two_factor_exempt = True
    return view


# Django's own views we cannot decorate: signing out must always work.
_TWO_FACTOR_EXEMPT_NAMES = {"logout", "login"}


class TwoFactorMiddleware:
    """Send a signed-in user whose role needs two-factor to enrol or enter a code first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        from .two_factor import is_verified, two_factor_required

        if not request.user.is_authenticated or is_verified(request):
            return None
        if getattr(view_func, "two_factor_exempt", False):
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name in _TWO_FACTOR_EXEMPT_NAMES:
            return None
        if not two_factor_required(request.user):
            return None
        url = reverse("two_factor")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)


class SessionLimitsMiddleware:
    """Sign a user out after SESSION_IDLE_TIMEOUT seconds without activity and after
    SESSION_ABSOLUTE_TIMEOUT seconds in all, whatever they do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key_before = request.session.session_key
        response = self.get_response(request)
        key_after = request.session.session_key
        if key_before and key_after and key_before != key_after:
            # The key rotated (password change, two-factor step): keep tracking the session so
            # that deactivating the user still ends it.
            UserSession.objects.filter(session_key=key_before).update(session_key=key_after)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        reason = session_expiry_reason(request.session)
        if reason:
            return self._expire(request, reason)
        if not getattr(view_func, "no_session_activity", False):
            session_touch(request.session)
        return None

    def _expire(self, request: HttpRequest, reason: str) -> HttpResponse:
        request.security_session_expired = reason
        logout(request)
        if (
            getattr(request, "accepts", None)
            and request.accepts("application/json")
            and (request.headers.get("X-Requested-With") == "fetch")
        ):
            return JsonResponse({"signed_in": False}, status=401)
        if reason == "idle":
            span = _plural(settings.SESSION_IDLE_TIMEOUT // 60, "minute")
            text = f"You were signed out because you had not done anything for {span}."
        else:
            span = _plural(settings.SESSION_ABSOLUTE_TIMEOUT // 3600, "hour")
            text = f"You were signed out because you had been signed in for {span}."
        messages.info(request, text + " Please sign in again.")
        url = reverse(settings.LOGIN_URL)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


class NoStoreMiddleware:
    """Pages for signed-in users hold personal data: browsers and proxies must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
