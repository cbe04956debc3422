"""Two-factor enrolment for the demo's director and administrator, with a printed secret."""

from base64 import b32decode
from binascii import hexlify

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.core.models import User

from .two_factor import role_requires_two_factor


def demo_two_factor_enrol() -> list[str]:
    """Give every demo user whose role needs two-factor a confirmed device with the demo
    secret (DEMO_TOTP_SECRET). Returns their usernames."""
    key = hexlify(b32decode(settings.DEMO_TOTP_SECRET)).decode()
    enrolled = []
    for user in User.objects.filter(email__endswith="@example.org").order_by("username"):
        role = "administrator" if user.is_superuser else user.role
        if not role_requires_two_factor(role):
            continue
        TOTPDevice.objects.update_or_create(
            user=user, name="Demo authenticator", defaults={"key": key, "confirmed": True}
        )
        enrolled.append(user.username)
    return enrolled


def demo_totp_code() -> str:
    """The code an authenticator app holding the demo secret shows now."""
    from django_otp.oath import TOTP

    return f"{TOTP(b32decode(settings.DEMO_TOTP_SECRET)).token():06d}"
