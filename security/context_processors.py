"""Values the session timeout warning needs on every page."""

from django.conf import settings


def session_timeout(request) -> dict:
    """Idle timeout and warning time, in seconds and minutes, for the warning dialog."""
    return {
        "session_idle_seconds": settings.SESSION_IDLE_TIMEOUT,
        "session_idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "session_warning_seconds": settings.SESSION_TIMEOUT_WARNING,
    }
