"""A first run without friction: the demo's sign-ins on the sign-in page, the demo code on the
two-step page, error pages in the site's look, and the favicon."""

from base64 import b32decode
from binascii import hexlify

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.config import errors
from security.demo import demo_totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users(settings, caseworker, manager, director):
    for user in (caseworker, manager, director):
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    return caseworker, manager, director


def test_in_demo_mode_the_sign_in_page_lists_every_demo_sign_in_with_who_it_is(
    settings, client, demo_users, team
):
    settings.DEMO_MODE = True
    page = client.get(reverse("login")).content.decode()
    assert "This is a demo" in page and settings.DEMO_PASSWORD in page
    for username in ("alice", "bob", "diana"):
        assert f"Sign in as {username}</button>" in page
    assert f"Team manager of {team.name}" in page
    assert f"Social worker in {team.name}" in page
    assert "Director of the whole organisation" in page
    assert page.count("the next page shows it") == 1  # only the director needs a code


def test_a_demo_sign_in_button_signs_in_as_that_user(settings, client, demo_users):
    settings.DEMO_MODE = True
    response = client.post(
        reverse("login"), {"username": "bob", "password": settings.DEMO_PASSWORD, "next": ""}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user.username == "bob"


def test_out_of_demo_mode_the_sign_in_page_shows_no_sign_ins_and_no_password(
    settings, client, demo_users
):
    settings.DEMO_MODE = False
    page = client.get(reverse("login")).content.decode()
    assert "This is a demo" not in page
    assert settings.DEMO_PASSWORD not in page
    assert "Sign in as" not in page


def test_a_user_no_longer_active_is_not_offered(settings, client, demo_users):
    settings.DEMO_MODE = True
    caseworker = demo_users[0]
    caseworker.is_active = False
    caseworker.save()
    page = client.get(reverse("login")).content.decode()
    assert "Sign in as alice" not in page and "Sign in as bob" in page


def _demo_device(user, settings, *, key=None):
    return TOTPDevice.objects.create(
        user=user,
        name="Demo authenticator",
        confirmed=True,
        key=key or hexlify(b32decode(settings.DEMO_TOTP_SECRET)).decode(),
    )


def test_in_demo_mode_the_two_step_page_shows_the_demo_code_now(
    two_factor_on, settings, client_for, director
):
    settings.DEMO_MODE = True
    _demo_device(director, settings)
    page = client_for(director).get(reverse("two_factor")).content.decode()
    assert "authenticator app on your phone" in page
    assert "This is the demo" in page and "demo_totp_code" in page
    assert f">{demo_totp_code()}</strong>" in page


def test_the_demo_code_shown_always_works_even_just_after_the_same_code_was_used(
    two_factor_on, settings, client_for, director
):
    settings.DEMO_MODE = True
    device = _demo_device(director, settings)
    client = client_for(director)
    code = demo_totp_code()
    assert client.post(reverse("two_factor"), {"code": code}).status_code == 302
    client.post(reverse("logout"))
    client = client_for(director)
    page = client.get(reverse("two_factor")).content.decode()
    shown = page.split('demo-code">')[1][:6]
    assert shown != code  # the used code would be refused
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post(reverse("two_factor"), {"code": shown}).status_code == 302


def test_the_demo_code_is_never_shown_for_a_device_with_its_own_key_or_out_of_demo_mode(
    two_factor_on, settings, client_for, director, administrator
):
    settings.DEMO_MODE = True
    _demo_device(administrator, settings, key="00" * 20)
    page = client_for(administrator).get(reverse("two_factor")).content.decode()
    assert "authenticator app on your phone" in page and "This is the demo" not in page

    settings.DEMO_MODE = False
    _demo_device(director, settings)
    page = client_for(director).get(reverse("two_factor")).content.decode()
    assert "This is the demo" not in page and demo_totp_code() not in page


def test_the_500_page_has_the_site_look_without_touching_the_database(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):
        response = errors.server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "css/caseload.css" in page and "bootstrap.min.css" in page
    assert "favicon" in page and "Sorry, something went wrong" in page


def test_an_unknown_address_gives_the_styled_404_and_a_refusal_the_styled_403(
    client_for, caseworker
):
    client = client_for(caseworker)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()
    assert 'aria-label="Main"' in missing.content.decode()  # the site's navigation
    refused = client.get(reverse("task_runs"))
    assert refused.status_code == 403
    assert "You do not have access to this page" in refused.content.decode()


def test_the_favicon_is_served_to_anyone_at_the_address_browsers_ask_for(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.ico")
    assert finders.find("favicon.ico") and finders.find("favicon.svg")
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file


def test_every_page_names_the_favicon(client):
    assert 'rel="icon"' in client.get(reverse("login")).content.decode()
