"""Two-factor sign-in: directors and administrators by default, per role as an administrator
sets it; enrolment with an authenticator app, then a code at each sign-in."""

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.choices import AuditAction
from security.models import AuditEvent, TwoFactorRule, UserSession
from security.two_factor import VERIFIED, forget_rules

pytestmark = pytest.mark.django_db


def _code(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


@pytest.mark.parametrize("role", ["director", "administrator"])
def test_directors_and_administrators_must_pass_a_second_step(
    two_factor_on, client_for, request, role
):
    response = client_for(request.getfixturevalue(role)).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor") + "?next=%2F"


@pytest.mark.parametrize("role", ["caseworker", "manager"])
def test_caseworkers_and_managers_do_not_by_default(two_factor_on, client_for, request, role):
    assert client_for(request.getfixturevalue(role)).get(reverse("home")).status_code == 200


def test_enrolling_shows_a_key_and_a_qr_code_and_a_right_code_turns_it_on(
    two_factor_on, client_for, director
):
    client = client_for(director)
    page = client.get(reverse("two_factor"), {"next": reverse("organisation")})
    html = page.content.decode()
    assert "Set up two-step sign-in" in html
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=director, confirmed=False)
    key_before = client.session.session_key

    response = client.post(
        reverse("two_factor"), {"code": _code(device), "next": reverse("organisation")}
    )

    assert response.status_code == 302 and response["Location"] == reverse("organisation")
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[VERIFIED] is True
    assert client.session.session_key != key_before
    assert UserSession.objects.get(user=director).session_key == client.session.session_key
    assert client.get(reverse("organisation")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_ENROLLED, user=director)


def test_before_the_second_step_the_page_offers_no_links_into_the_app(
    two_factor_on, client_for, director
):
    html = client_for(director).get(reverse("two_factor")).content.decode()
    assert reverse("organisation") not in html and reverse("password_change") not in html
    assert reverse("notifications") not in html
    assert "Sign out" in html
    assert "> new</span>" not in html  # nor the count of unseen notifications


def test_a_wrong_code_is_refused_and_recorded(two_factor_on, client_for, administrator):
    device = TOTPDevice.objects.create(user=administrator, name="phone", confirmed=True)
    client = client_for(administrator)
    response = client.post(reverse("two_factor"), {"code": "000000"})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert "Set up" not in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED).count() == 1
    device.throttle_reset()
    assert client.post(reverse("two_factor"), {"code": _code(device)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_an_unverified_user_can_still_sign_out(two_factor_on, client_for, director):
    client = client_for(director)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_an_administrator_can_require_it_for_managers_and_drop_it_for_directors(
    two_factor_on, client_for, manager, director
):
    TwoFactorRule.objects.create(role="manager", required=True)
    TwoFactorRule.objects.create(role="director", required=False)
    forget_rules()
    assert client_for(manager).get(reverse("home")).status_code == 302
    assert client_for(director).get(reverse("home")).status_code == 200


def test_it_can_be_switched_off_for_a_whole_installation(
    two_factor_on, client_for, director, settings
):
    settings.TWO_FACTOR_ENABLED = False
    assert client_for(director).get(reverse("home")).status_code == 200


def test_the_demo_prints_a_key_for_the_director_and_administrator(capsys, db):
    from django.core.management import call_command

    call_command("seed_demo", "--size", "small")
    out = capsys.readouterr().out
    assert "Two-step sign-in for admin, director" in out
    assert "CASELOADDEMOTOTPSECRETKEYFORDEMO" in out
