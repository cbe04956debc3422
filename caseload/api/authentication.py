"""Who may call the API: a user's token (django-rest-knox, hashed), their role, and how often.

A token counts only while its user is active (knox refuses an inactive user) and until it is
revoked or expires (API_TOKEN_DAYS). The rates (API_RATES) are read when a request comes, so
they can be changed without a restart of the module, and counted in the configured cache.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import IsAuthenticated
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from caseload.core.access import has_role

from .models import ApiToken

logger = logging.getLogger(__name__)

# A token's "last used" is written at most this often, not on every request.
LAST_USED_EVERY = timedelta(minutes=5)


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <token>`: the token's user, if the token stands and they are
    active. Notes when the token was last used, for the user's tokens page. A wrong token
    counts against the address's rate like a request without one, so tokens cannot be tried
    at speed."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            throttle = FailedTokenThrottle()
            if not throttle.allow_request(request, None):
                raise Throttled(throttle.wait()) from None
            raise

    def validate_user(self, auth_token: ApiToken):
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token, as the schema describes it (so the docs' Authorize button sends it)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )
        scheme["description"] = "A token from your API tokens page: `Token caseload_…`."
        return scheme


class HasRole(IsAuthenticated):
    """A user with a token, and only of the access roles in the view's `roles` (as
    `core.access.role_required` for pages); a view without `roles` is open to every role."""

    message = "Your role does not give access to this."

    def has_permission(self, request, view) -> bool:
        roles = getattr(view, "roles", None)
        return super().has_permission(request, view) and (
            roles is None or has_role(request.user, roles)
        )


class _FailOpen:
    """A rate limit must not take the API down with the cache: if the cache cannot be reached,
    the request is let through (and logged)."""

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except Exception:  # the cache's own errors (Redis down, timed out) vary by backend
            logger.warning("API rate limit not checked: the cache did not answer")
            return True

    def get_rate(self) -> str | None:
        return settings.API_RATES.get(self.scope)  # type: ignore[attr-defined]


class UserThrottle(_FailOpen, UserRateThrottle):
    """API_RATES["user"] requests per user with a valid token."""

    scope = "user"


class AnonymousThrottle(_FailOpen, AnonRateThrottle):
    """API_RATES["anon"] requests per address without a valid token (guessing tokens)."""

    scope = "anon"


class FailedTokenThrottle(_FailOpen, SimpleRateThrottle):
    """Counts a wrong token against its address, in the same count as AnonymousThrottle."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
