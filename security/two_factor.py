"""Two-factor sign-in with time-based one-time passwords (django-otp's TOTP devices).

Which access roles must use it is set per role by an administrator (Security › Two-factor
rules); a role with no rule follows TWO_FACTOR_REQUIRED_ROLES (directors and administrators by
default). Verification is remembered in the session, so checking it costs no query.
"""

import time

from django.conf import settings
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.core.choices import AccessRole

VERIFIED = "security_two_factor_verified"
_RULES_TTL = 60.0
_rules: dict = {"loaded_at": -_RULES_TTL, "by_role": {}}


def forget_rules() -> None:
    """Drop the cached rules (after an administrator changes one)."""
    _rules["loaded_at"] = -_RULES_TTL


def _rule_overrides() -> dict[str, bool]:
    from .models import TwoFactorRule

    if time.monotonic() - _rules["loaded_at"] > _RULES_TTL:
        _rules["by_role"] = dict(TwoFactorRule.objects.values_list("role", "required"))
        _rules["loaded_at"] = time.monotonic()
    return _rules["by_role"]


def role_requires_two_factor(role: str) -> bool:
    """Whether users with this access role must sign in with a second factor."""
    overrides = _rule_overrides()
    if role in overrides:
        return overrides[role]
    return role in settings.TWO_FACTOR_REQUIRED_ROLES


def two_factor_required(user) -> bool:
    """Whether this signed-in user must pass a second factor (superusers count as admins)."""
    if not settings.TWO_FACTOR_ENABLED or not user.is_authenticated:
        return False
    role = AccessRole.ADMINISTRATOR if user.is_superuser else user.role
    return role_requires_two_factor(role)


def is_verified(request: HttpRequest) -> bool:
    return request.session.get(VERIFIED) is True


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def device_for_enrolment(user) -> TOTPDevice:
    """The user's unconfirmed authenticator device, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def mark_verified(request: HttpRequest, device: TOTPDevice) -> None:
    """The user passed the second factor: a new session key (privilege changed), then remember."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session[VERIFIED] = True


def mark_verified_by_provider(request: HttpRequest) -> None:
    """The identity provider says the person used a second factor (single sign-on's `amr`):
    the same as passing Caseload's own, with no device of ours."""
    request.session.cycle_key()
    request.session[VERIFIED] = True
