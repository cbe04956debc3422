"""Single sign-on with the council's own identity provider (OpenID Connect, authorization code
flow, through mozilla-django-oidc). Off unless OIDC_RP_CLIENT_ID and the provider's endpoints
are set.

- A person is matched to an active user by e-mail (case-insensitive, the provider's verified
  address). Nobody else gets in: an unknown address is refused, unless OIDC_CREATE_USERS lets
  the provider create users, who then start as caseworkers in OIDC_NEW_USER_ORGANISATION and
  see nothing until an administrator gives them a team.
- The ID token's audience must be our client and its issuer the configured one (the library
  checks the signature, the expiry and the nonce).
- An `amr` claim naming a second factor (mfa, otp…) counts as Caseload's second step: the
  person is not asked for a Caseload code. Without it, a role that needs two-step sign-in
  enters its code as after a password.
"""

import logging
import re

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from caseload.core.choices import AccessRole
from caseload.core.models import Organisation, User

log = logging.getLogger(__name__)

# RFC 8176 authentication method references that mean a second factor was used.
SECOND_FACTOR_AMR = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "iris"})


def enabled() -> bool:
    """Whether single sign-on is configured."""
    return settings.OIDC_ENABLED


def second_factor_used(amr) -> bool:
    """Whether the provider says the person used a second factor (the `amr` claim)."""
    if isinstance(amr, str):
        amr = [amr]
    return any(str(method).lower() in SECOND_FACTOR_AMR for method in amr or ())


class CaseloadOIDCBackend(OIDCAuthenticationBackend):
    """Matches the provider's person to a Caseload user by e-mail; creates none unless allowed.
    Always listed in AUTHENTICATION_BACKENDS; it answers nothing while single sign-on is off."""

    def __init__(self, *args, **kwargs):
        if enabled():
            super().__init__(*args, **kwargs)
        self.UserModel = User

    def authenticate(self, request, **kwargs):
        if not enabled() or "nonce" not in kwargs:
            return None  # a password sign-in: not ours
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was not issued for Caseload.")
        issuer = settings.OIDC_OP_ISSUER
        if issuer and payload.get("iss", "").rstrip("/") != issuer.rstrip("/"):
            raise SuspiciousOperation("The ID token comes from another issuer.")
        if "nonce" in kwargs:  # the ID token (not userinfo): remember how they signed in
            self._amr = payload.get("amr") or []
        return payload

    def verify_claims(self, claims) -> bool:
        """An e-mail address the provider has not said is unverified."""
        return bool(claims.get("email")) and claims.get("email_verified", True) is not False

    def filter_users_by_claims(self, claims):
        return User.objects.filter(email__iexact=claims["email"], is_active=True)

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            log.info("single sign-on refused: no active user has that e-mail address")
            return None
        user.sso_second_factor = second_factor_used(getattr(self, "_amr", []))
        return user

    @transaction.atomic
    def create_user(self, claims):
        """A new caseworker with no team (so no records), only when an administrator allows."""
        if not settings.OIDC_CREATE_USERS:
            return None
        organisation = Organisation.objects.filter(name=settings.OIDC_NEW_USER_ORGANISATION).first()
        if organisation is None:
            log.warning("single sign-on: OIDC_NEW_USER_ORGANISATION names no organisation")
            return None
        email = claims["email"].lower()
        return User.objects.create_user(
            username=_free_username(email),
            email=email,
            first_name=claims.get("given_name", "")[:150],
            last_name=claims.get("family_name", "")[:150],
            role=AccessRole.CASEWORKER,
            organisation=organisation,
        )


def _free_username(email: str) -> str:
    base = re.sub(r"[^\w.@+-]", "", email.split("@")[0])[:140] or "user"
    name, number = base, 1
    while User.objects.filter(username=name).exists():
        number += 1
        name = f"{base}{number}"
    return name
