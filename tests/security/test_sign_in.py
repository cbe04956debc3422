"""Sign-in: lock-out per username and address with the same message as a wrong password,
strong passwords, a new session key at sign-in, idle and absolute session limits."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from security.choices import AuditAction
from security.models import AuditEvent
from security.sessions import LAST_ACTIVITY, SIGNED_IN_AT

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"
HOME = "203.0.113.10"
ELSEWHERE = "198.51.100.20"


def _sign_in(client, password, address=HOME, username="alice"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _error_summary(response) -> str:
    html = response.content.decode()
    start = html.index('id="error-summary"')
    return html[start : html.index("</div>", start)]


def test_after_five_failures_even_the_right_password_is_refused_with_the_usual_message(
    axes_on, client, caseworker, settings
):
    assert settings.AXES_FAILURE_LIMIT == 5
    wrong = _sign_in(client, "not-my-password")
    for _ in range(4):
        _sign_in(client, "not-my-password")
    locked = _sign_in(client, PASSWORD)
    assert locked.status_code == wrong.status_code == 200
    assert _error_summary(locked) == _error_summary(wrong)
    assert "locked" not in locked.content.decode().lower()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT, username="alice").exists()


def test_the_lock_out_is_for_that_username_from_that_address_only(axes_on, client, caseworker):
    for _ in range(5):
        _sign_in(client, "not-my-password")
    assert _sign_in(client, PASSWORD).status_code == 200
    response = _sign_in(client, PASSWORD, address=ELSEWHERE)
    assert response.status_code == 302
    assert AccessAttempt.objects.filter(username="alice", ip_address=HOME).exists()


def test_the_lock_out_is_stored_in_the_database_and_cools_off(axes_on, client, caseworker):
    for _ in range(5):
        _sign_in(client, "not-my-password")
    attempt = AccessAttempt.objects.get(username="alice", ip_address=HOME)
    assert attempt.failures_since_start == 5
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=attempt.attempt_time - timedelta(minutes=31)
    )
    assert _sign_in(client, PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(axes_on, client, caseworker):
    for _ in range(4):
        _sign_in(client, "not-my-password")
    assert _sign_in(client, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        _sign_in(client, "not-my-password")
    assert _sign_in(client, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Sh0rt-pass!", "at least 12 characters"),
        ("password1234", "too common"),
        ("qwerty123456", "too common"),
        ("839201749302", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password, why):
    with pytest.raises(ValidationError, match=why):
        validate_password(password)


def test_a_long_uncommon_passphrase_is_accepted():
    validate_password("correct horse battery staple")


def test_the_password_change_form_refuses_a_short_password(client_for, caseworker):
    response = client_for(caseworker).post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short-1", "new_password2": "short-1"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()


def test_the_session_key_changes_when_you_sign_in(client, caseworker):
    session = client.session
    session["before-sign-in"] = True
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before
    assert _sign_in(client, PASSWORD).status_code == 302
    after = client.cookies["sessionid"].value
    assert after and after != before
    assert client.session.get("before-sign-in") is True  # kept, under the new key


def _age_session(client, *, idle: float = 0, signed_in: float = 0):
    session = client.session
    now = time.time()
    session[LAST_ACTIVITY] = now - idle
    session[SIGNED_IN_AT] = now - signed_in
    session.save()


def test_thirty_minutes_without_activity_signs_you_out_and_says_why(client_for, caseworker):
    client = client_for(caseworker)
    _age_session(client, idle=30 * 60 + 1, signed_in=31 * 60)
    response = client.get(reverse("my_caseload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    page = client.get(response["Location"]).content.decode()
    assert "had not done anything for 30 minutes" in page
    expired = AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED)
    assert (expired.user, expired.detail) == (caseworker, "idle")


def test_activity_inside_thirty_minutes_keeps_you_signed_in(client_for, caseworker):
    client = client_for(caseworker)
    _age_session(client, idle=29 * 60, signed_in=60 * 60)
    assert client.get(reverse("my_caseload")).status_code == 200
    assert time.time() - client.session[LAST_ACTIVITY] < 5


def test_twelve_hours_after_signing_in_you_are_signed_out_however_active(client_for, caseworker):
    client = client_for(caseworker)
    _age_session(client, idle=10, signed_in=12 * 60 * 60 + 1)
    response = client.get(reverse("my_caseload"))
    assert response.status_code == 302
    assert AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED).detail == "absolute"


def test_asking_how_long_is_left_does_not_count_as_activity(client_for, caseworker):
    client = client_for(caseworker)
    _age_session(client, idle=20 * 60, signed_in=60 * 60)
    remaining = client.get(reverse("session_status")).json()
    assert 9 * 60 <= remaining["idle"] <= 10 * 60
    assert client.get(reverse("session_status")).json()["idle"] <= 10 * 60


def test_one_click_on_stay_signed_in_resets_the_idle_timer(client_for, caseworker):
    client = client_for(caseworker)
    _age_session(client, idle=28 * 60, signed_in=60 * 60)
    remaining = client.post(reverse("session_extend"), headers={"X-Requested-With": "fetch"}).json()
    assert remaining["idle"] >= 29 * 60


def test_stay_signed_in_restarts_the_full_timer_even_seconds_after_other_activity(
    client_for, caseworker, settings
):
    client = client_for(caseworker)
    _age_session(client, idle=20, signed_in=60 * 60)
    remaining = client.post(reverse("session_extend"), headers={"X-Requested-With": "fetch"}).json()
    assert remaining["idle"] >= settings.SESSION_IDLE_TIMEOUT - 2


def test_without_javascript_stay_signed_in_is_a_form_that_returns_you_to_the_page(
    client_for, caseworker
):
    client = client_for(caseworker)
    page = client.get(reverse("my_caseload")).content.decode()
    assert 'id="session-timeout"' in page and "Stay signed in" in page
    assert f'action="{reverse("session_extend")}"' in page
    response = client.post(reverse("session_extend"), {"next": reverse("my_caseload")})
    assert response.status_code == 302 and response["Location"] == reverse("my_caseload")
    offsite = client.post(reverse("session_extend"), {"next": "https://evil.example/"})
    assert offsite["Location"] == reverse("home")


def test_an_expired_session_answers_the_status_poll_with_401(client_for, caseworker):
    client = client_for(caseworker)
    _age_session(client, idle=31 * 60, signed_in=60 * 60)
    response = client.get(
        reverse("session_status"),
        headers={"X-Requested-With": "fetch", "Accept": "application/json"},
    )
    assert response.status_code == 401
