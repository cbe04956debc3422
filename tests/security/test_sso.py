"""Single sign-on end to end against a real OpenID Connect provider: django-oauth-toolkit's,
in a small Django site (tests/oidc_provider/) that these tests start on loopback. Caseload
runs in the test client; its back end calls the provider's token, keys and userinfo
endpoints over HTTP, as in production."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.urls import reverse

from security.models import AuditEvent
from security.two_factor import VERIFIED

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID, SECRET = "caseload-test", "a-client-secret-for-the-tests-only"
CALLBACK = "http://testserver/security/sso/callback/"
PASSWORD = "provider-password"
# username at the provider, e-mail, first name (e-mail "unverified"?), amr
PEOPLE = [
    ("diana-mfa", "diana@example.org", "", "pwd,mfa"),
    ("diana-pwd", "diana@example.org", "", "pwd"),
    ("bob", "Bob@Example.org", "", "pwd"),
    ("charlie", "charlie@example.org", "", "pwd,otp"),
    ("stranger", "stranger@example.org", "", "pwd,mfa"),
    ("unverified", "bob@example.org", "unverified", "pwd"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The identity provider, running on a free loopback port for this module's tests."""
    folder = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "OIDC_PROVIDER_DB": str(folder / "provider.sqlite3"),
        "OIDC_PROVIDER_KEY": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        "OIDC_PROVIDER_USERS": json.dumps(
            [[user, PASSWORD, email, first, amr] for user, email, first, amr in PEOPLE]
        ),
        "OIDC_PROVIDER_CLIENT": json.dumps([CLIENT_ID, SECRET, CALLBACK]),
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "tests.oidc_provider.prepare"], cwd=ROOT, env=env, check=True
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/o/.well-known/openid-configuration", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the test identity provider did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def sso(settings, provider):
    """Caseload set up for the provider, as an administrator would, from its discovery page."""
    found = requests.get(f"{provider}/o/.well-known/openid-configuration", timeout=5).json()
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = SECRET
    settings.OIDC_OP_ISSUER = found["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = found["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = found["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = found["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = found["jwks_uri"]
    settings.OIDC_PROVIDER_NAME = "Testshire Council's account"
    return provider


def sign_in_with_provider(client, provider, username, *, next_path="/"):
    """What a browser does: start at Caseload, sign in at the provider, come back. Returns
    Caseload's answer to the callback."""
    start = client.get(reverse("sso_start"), {"next": next_path})
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith(f"{provider}/o/authorize/")
    query = parse_qs(urlsplit(authorize).query)
    assert query["redirect_uri"] == [CALLBACK] and query["code_challenge_method"] == ["S256"]
    browser = requests.Session()
    signed_in = browser.post(
        f"{provider}/login/",
        {"username": username, "password": PASSWORD, "next": authorize[len(provider) :]},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302, signed_in.text
    back = browser.get(provider + signed_in.headers["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    callback = back.headers["Location"]
    assert callback.startswith(CALLBACK), callback
    return client.get(callback[len("http://testserver") :])


def _signed_in_as(client):
    return client.get(reverse("login")).wsgi_request.user


def test_the_sign_in_page_offers_the_providers_sign_in_only_when_it_is_set_up(client, sso):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Testshire Council&#x27;s account" in page
    assert reverse("sso_start") in page


def test_without_single_sign_on_set_up_its_pages_are_not_there(client, settings):
    settings.OIDC_ENABLED = False
    assert "Sign in with" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("sso_start")).status_code == 404
    assert client.get(reverse("sso_callback") + "?code=x&state=y").status_code == 404


def test_a_manager_signs_in_through_the_provider_matched_by_email_in_any_case(client, sso, manager):
    response = sign_in_with_provider(client, sso, "bob", next_path=reverse("team_list"))
    assert response.status_code == 302 and response["Location"] == reverse("team_list")
    assert client.session["_auth_user_id"] == str(manager.pk)
    assert client.get(reverse("team_list")).status_code == 200
    assert AuditEvent.objects.filter(user=manager, action="sign_in").exists()


def test_a_director_whose_provider_used_a_second_factor_needs_no_caseload_code(
    client, sso, director, two_factor_on
):
    sign_in_with_provider(client, sso, "diana-mfa")
    assert client.session[VERIFIED] is True
    assert client.get(reverse("organisation")).status_code == 200


def test_a_director_signed_in_with_a_password_alone_still_enters_a_caseload_code(
    client, sso, director, two_factor_on
):
    sign_in_with_provider(client, sso, "diana-pwd")
    assert client.session.get(VERIFIED) is not True
    response = client.get(reverse("organisation"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor"))


def test_someone_the_provider_knows_but_caseload_does_not_is_refused_not_created(
    client, sso, organisation
):
    users_before = get_user_model().objects.count()
    response = sign_in_with_provider(client, sso, "stranger")
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.count() == users_before
    page = client.get(reverse("login")).content.decode()
    assert "no Caseload account uses that e-mail address" in page


def test_an_administrator_may_let_the_provider_create_users_as_caseworkers_with_no_team(
    client, sso, settings, organisation
):
    settings.OIDC_CREATE_USERS = settings.OIDC_CREATE_USER = True
    settings.OIDC_NEW_USER_ORGANISATION = organisation.name
    sign_in_with_provider(client, sso, "stranger")
    user = get_user_model().objects.get(email="stranger@example.org")
    assert (user.username, user.role, user.organisation) == ("stranger", "caseworker", organisation)
    assert not hasattr(user, "worker") or user.worker is None
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_address_the_provider_has_not_verified_is_refused(client, sso, manager):
    sign_in_with_provider(client, sso, "unverified")
    assert "_auth_user_id" not in client.session


def test_a_deactivated_user_is_refused(client, sso, manager):
    manager.is_active = False
    manager.save()
    sign_in_with_provider(client, sso, "bob")
    assert "_auth_user_id" not in client.session


def test_a_user_from_another_team_signed_in_by_the_provider_is_still_refused_this_team(
    client, sso, outsider, team, caseworker
):
    sign_in_with_provider(client, sso, "charlie")
    assert client.session["_auth_user_id"] == str(outsider.pk)
    assert client.get(reverse("team_detail", args=[team.pk])).status_code in (403, 404)
    case_page = reverse("my_caseload")
    assert client.get(case_page).status_code == 200  # their own page works


def test_a_callback_replayed_with_the_same_code_signs_nobody_in(client, sso, manager):
    start = client.get(reverse("sso_start"))
    authorize = start["Location"]
    browser = requests.Session()
    signed_in = browser.post(
        f"{sso}/login/",
        {"username": "bob", "password": PASSWORD, "next": authorize[len(sso) :]},
        allow_redirects=False,
        timeout=10,
    )
    callback = browser.get(
        sso + signed_in.headers["Location"], allow_redirects=False, timeout=10
    ).headers["Location"]
    path = callback[len("http://testserver") :]
    assert client.get(path).status_code == 302
    client.post(reverse("logout"))
    client.get(path)  # the state was used up: refused
    assert "_auth_user_id" not in client.session


def test_an_id_token_from_another_issuer_is_refused(client, sso, settings, manager):
    settings.OIDC_OP_ISSUER = "http://127.0.0.1:1/o"
    sign_in_with_provider(client, sso, "bob")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("amr", "counts"),
    [
        (["pwd", "mfa"], True),
        (["pwd", "otp"], True),
        (["MFA"], True),
        ("otp", True),
        (["hwk"], True),
        (["pwd"], False),
        (["pwd", "kba"], False),
        ([], False),
        (None, False),
    ],
)
def test_which_authentication_methods_count_as_the_second_step(amr, counts):
    from security.oidc import second_factor_used

    assert second_factor_used(amr) is counts
