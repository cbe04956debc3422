"""Walk the URLconf so tests cover every page, including ones added later."""

import re
import uuid

from django.urls import URLPattern, URLResolver, get_resolver

# Pages that must work signed out: signing in, password reset by email, the health check.
PUBLIC_NAMES = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "favicon",
}
# The API's endpoints (and its schema) take a token and answer 401, not a sign-in page, without
# one (tests/api); its docs are a page like any other.
API_PAGES = {"api_docs", "api_tokens", "api_token_revoke"}


def is_api_endpoint(name: str, path: str) -> bool:
    """Whether the route is one of the API's token-only endpoints rather than a page."""
    return path.startswith("/api/") and name not in API_PAGES


SAMPLE = {"int": "999999", "str": "x", "slug": "x", "uuid": str(uuid.UUID(int=1)), "path": "x"}
_CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def _sample_route(route: str) -> str:
    return _CONVERTER.sub(lambda m: SAMPLE.get(m.group("conv") or "str", "x"), route)


def walk(patterns=None, prefix="", namespace=""):
    """Yield (name, sample path) for every non-admin URL pattern."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin" or pattern.app_name == "admin":
                continue
            child_ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + _sample_route(route), child_ns)
        elif isinstance(pattern, URLPattern):
            if route.startswith("^"):  # regex routes: only Django internals use them here
                continue
            yield f"{namespace}{pattern.name or ''}", "/" + prefix + _sample_route(route)


def walk_routes(patterns=None, prefix=""):
    """Yield (name, route) for every named, non-admin URL pattern, with its parameters left in
    place (e.g. "/cases/<int:pk>/"), so a test can fill them with real objects."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin" or pattern.app_name == "admin":
                continue
            yield from walk_routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern) and not route.startswith("^") and pattern.name:
            yield pattern.name, "/" + prefix + route
