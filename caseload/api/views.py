"""The user's own API tokens page: make a token (shown once) and revoke one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from caseload.core import once
from caseload.core.forms import add_service_errors
from security.audit import audit_record
from security.choices import AuditAction

from . import selectors, services
from .forms import TokenCreateForm


def _detail(token) -> str:
    return f"{token.name} ({token.token_key})"


@require_http_methods(["GET", "POST"])
def api_tokens(request) -> HttpResponse:
    """The signed-in user's tokens; POST makes a new one and shows it, this once."""
    form = TokenCreateForm(request.POST or None)
    new_key = None
    if request.method == "POST" and (first := once.previous(request)) is not None:
        return _made_already(request, first)
    if request.method == "POST" and form.is_valid():
        try:
            done = once.submit(
                request,
                lambda: services.api_token_create(
                    user=request.user, name=form.cleaned_data["name"], by=request.user
                ),
                url=lambda made: reverse("api_tokens"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if done.repeated:
                return _made_already(request, done)
            token, new_key = done.result
            audit_record(
                request=request, action=AuditAction.API_TOKEN_CREATED, detail=_detail(token)
            )
            form = TokenCreateForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": selectors.tokens_of(request.user), "new_key": new_key},
    )


def _made_already(request, first: once.Done) -> HttpResponse:
    messages.info(
        request,
        "This token was made when the form was first sent, and its key shown then; not twice. "
        "If you did not keep the key, revoke the token and make another.",
    )
    return redirect(first.url)


@require_POST
def api_token_revoke(request) -> HttpResponse:
    """Revoke one of the signed-in user's tokens (another user's token is not found)."""
    token = selectors.token_of(request.user, request.POST.get("token", ""))
    services.api_token_revoke(token=token, by=request.user)
    audit_record(request=request, action=AuditAction.API_TOKEN_REVOKED, detail=_detail(token))
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api_tokens")
