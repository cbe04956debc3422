"""Session limits: an idle timeout with a warning, an absolute limit, and ending every session
a user holds (when they are deactivated)."""

import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils.module_loading import import_string

from .models import UserSession

SIGNED_IN_AT = "security_signed_in_at"
LAST_ACTIVITY = "security_last_activity"
# Record activity at most this often, so that every page view does not rewrite the session.
ACTIVITY_RESOLUTION = 30


def session_store_class() -> type[SessionBase]:
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")


def session_start(session: SessionBase, *, now: float | None = None) -> None:
    """Stamp a new signed-in session with the sign-in time and the last activity."""
    now = time.time() if now is None else now
    session[SIGNED_IN_AT] = now
    session[LAST_ACTIVITY] = now


def session_remaining(session: SessionBase, *, now: float | None = None) -> dict[str, int]:
    """Seconds left before the idle timeout and before the absolute limit."""
    now = time.time() if now is None else now
    signed_in_at = session.get(SIGNED_IN_AT, now)
    last_activity = session.get(LAST_ACTIVITY, now)
    return {
        "idle": int(settings.SESSION_IDLE_TIMEOUT - (now - last_activity)),
        "absolute": int(settings.SESSION_ABSOLUTE_TIMEOUT - (now - signed_in_at)),
    }


def session_expiry_reason(session: SessionBase, *, now: float | None = None) -> str:
    """'idle' or 'absolute' when the session has run out, else ''."""
    remaining = session_remaining(session, now=now)
    if remaining["absolute"] <= 0:
        return "absolute"
    if remaining["idle"] <= 0:
        return "idle"
    return ""


def session_touch(session: SessionBase, *, now: float | None = None, force: bool = False) -> None:
    """Record activity now (at most every ACTIVITY_RESOLUTION seconds, unless forced: the
    user asked to stay signed in)."""
    now = time.time() if now is None else now
    if SIGNED_IN_AT not in session:
        session_start(session, now=now)
    elif force or now - session.get(LAST_ACTIVITY, 0) >= ACTIVITY_RESOLUTION:
        session[LAST_ACTIVITY] = now


def sessions_end_for(*, user) -> int:
    """End every session the user holds, wherever it is stored. Returns how many."""
    store = session_store_class()
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)
