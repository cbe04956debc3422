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
    key = _demo_key()
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


def demo_device(device: TOTPDevice) -> bool:
    """Whether the device holds the demo's own key (so its code may be shown in demo mode)."""
    return device.key == _demo_key()


def _demo_key() -> str:
    return hexlify(b32decode(settings.DEMO_TOTP_SECRET)).decode()


def demo_totp_code(device: TOTPDevice | None = None) -> str:
    """The code an authenticator app holding the demo secret shows now. Given the device, the
    next step's code once this step's has been used (a code works once), which the device's
    tolerance of one step accepts: a second sign-in within 30 seconds is not refused."""
    from django_otp.oath import TOTP

    totp = TOTP(b32decode(settings.DEMO_TOTP_SECRET))
    if device is not None:
        totp.drift = device.drift
        if totp.t() <= device.last_t:
            totp.drift += device.last_t + 1 - totp.t()
    return f"{totp.token():06d}"
