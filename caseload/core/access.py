"""How roles are checked in views. Row scoping lives in the querysets' `visible_to(user)`."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied

from .choices import AccessRole
from .models import Team


def has_role(user, roles) -> bool:
    """Whether the user's access role is one of `roles`. Superusers count as administrators."""
    return user.role in roles or (user.is_superuser and AccessRole.ADMINISTRATOR in roles)


def role_required(*roles: str) -> Callable:
    """Refuse (403) a signed-in user whose access role is not one of `roles` (`has_role`)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, roles):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


MANAGERS_AND_ABOVE = (AccessRole.MANAGER, AccessRole.DIRECTOR, AccessRole.ADMINISTRATOR)
DIRECTORS_AND_ADMINS = (AccessRole.DIRECTOR, AccessRole.ADMINISTRATOR)


def manages_team(user, team_id: int) -> bool:
    """Whether the user is a manager of this team (the one who allocates and agrees its work)."""
    return user.is_manager and Team.objects.managed_by(user).filter(pk=team_id).exists()
