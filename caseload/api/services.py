"""Writes for the API: making and revoking a user's tokens. (The API's own writes go through
the services the pages call: `participants.services.contact_log`,
`weighting.services.assessment_propose`.)"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from caseload.core.models import User

from .models import ApiToken

# A user with more tokens than this revokes one first: each should name one client.
MAX_TOKENS_PER_USER = 10


@transaction.atomic
def api_token_create(*, user: User, name: str, by: User | None) -> tuple[ApiToken, str]:
    """A new token for the user (themselves, or the command line with `by=None`). Returns the
    row and the token itself, which is not stored and cannot be shown again."""
    if by is not None and by.pk != user.pk:
        raise PermissionDenied("You can only make API tokens for yourself.")
    if not user.is_active:
        raise ValidationError("This user is not active: an API token would not work.")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the token a name, such as the system that uses it."})
    User.objects.select_for_update().filter(pk=user.pk).first()  # one count at a time
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
        full = f"You have {MAX_TOKENS_PER_USER} tokens already: revoke one you no longer use."
        raise ValidationError({"name": full})
    if ApiToken.objects.filter(user=user, name=name).exists():
        raise ValidationError({"name": f"You already have a token called “{name}”."})
    token, key = ApiToken.objects.create(user=user, name=name[:100])
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None) -> None:
    """Revoke a token: it stops working at once. Only its own user (or the command line)."""
    if by is not None and by.pk != token.user_id:
        raise PermissionDenied("You can only revoke your own API tokens.")
    ApiToken.objects.filter(pk=token.pk).delete()
