"""One-time form tokens: a form that creates something does it once, however often it is sent.

A double click, or pressing Save again after the connection dropped (the first request may
have been saved all the same), sends the same form twice. Each rendering of such a form carries
a fresh random token in a hidden field; the first submit that creates something records the
token, in the same transaction as the record it created, with the address of that record. A
second submit of the same token creates nothing and is sent to that address instead.

In the template, inside the <form>::

    {% include "includes/once.html" %}

In the view, when the form is valid::

    done = once.submit(request, lambda: services.thing_create(...), url=lambda thing: ...)
    if not done.repeated:
        messages.success(request, "Saved.")
    return redirect(done.url)

`submit` runs the write inside a transaction with the token's record, so two submits racing
each other still make one record (the second waits for the first, then finds its token). If the
write raises, nothing is recorded and the form can be sent again. A POST without a token (an
old page, a script) is written as before, unprotected; another user's token is refused (403).
Used tokens are kept for TOKEN_DAYS days.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import FormToken

FIELD = "once_token"
TOKEN_DAYS = 2
T = TypeVar("T")


def new_token() -> str:
    """A fresh token for one rendering of a form (the include calls this)."""
    return secrets.token_hex(16)


def posted_token(request) -> str:
    """The token sent with this POST ("" when there is none, or it is not one of ours)."""
    token = request.POST.get(FIELD, "")
    return token if len(token) == 32 and all(c in "0123456789abcdef" for c in token) else ""


@dataclass(frozen=True)
class Done:
    """Where to go after a submit; `repeated`: this form was sent before, nothing new made."""

    url: str
    repeated: bool = False
    result: object = None


def previous(request, token: str | None = None) -> Done | None:
    """If this form's token (or the `token` given) was used already, where its first submit
    led; else None. Call it before validating, so a repeat lands on the first record even if
    the form would now fail (a second visit the same minute, say)."""
    token = posted_token(request) if token is None else token
    if not token:
        return None
    url = (
        FormToken.objects.filter(token=token, user=request.user)
        .values_list("result_url", flat=True)
        .first()
    )
    return Done(url, repeated=True) if url else None


def submit(
    request, write: Callable[[], T], *, url: Callable[[T], str], token: str | None = None
) -> Done:
    """Run `write()` once for this form's token (or the `token` given: the API's idempotency
    key) and return where to go: `url(result)`, or, if the token was used already, where its
    first submit led."""
    token = posted_token(request) if token is None else token
    if not token:
        result = write()
        return Done(url(result), result=result)
    try:
        with transaction.atomic():
            result = write()
            target = url(result)
            FormToken.objects.create(token=token, user=request.user, result_url=target)
    except IntegrityError:
        # Another submit of the same form got there first; ours was rolled back.
        first = previous(request, token)
        if first is None:
            if FormToken.objects.filter(token=token).exists():
                raise PermissionDenied(
                    "This form was drawn for someone else: open it again."
                ) from None
            raise
        return first
    FormToken.objects.filter(
        user=request.user, used_at__lt=timezone.now() - timedelta(days=TOKEN_DAYS)
    ).delete()
    return Done(target, result=result)
