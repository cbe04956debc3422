"""API tokens: made and revoked on the user's own page or the command line, kept only as a
hash, counted only while the user is active; the API takes tokens and nothing else, and the
pages keep their sign-in, two-step and session rules."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from caseload.api.models import ApiToken
from caseload.api.services import MAX_TOKENS_PER_USER, api_token_create
from security.choices import AuditAction
from security.models import AuditEvent
from tests.caseload.factories import UserFactory
from tests.urlwalk import is_api_endpoint, walk

pytestmark = pytest.mark.django_db

ME = "/api/me/"


def _token(client: Client, token: str, path: str = ME):
    return client.get(path, HTTP_AUTHORIZATION=f"Token {token}")


def test_a_token_made_on_the_users_page_is_shown_once_and_only_its_hash_is_kept(
    client_for, caseworker
):
    client = client_for(caseworker)
    page = client.post(reverse("api_tokens"), {"name": "Data warehouse"})

    assert page.status_code == 200
    key = page.context["new_key"]
    assert key.startswith("caseload_") and key in page.content.decode()
    stored = ApiToken.objects.get(user=caseworker)
    assert stored.name == "Data warehouse"
    assert key not in {stored.digest, stored.token_key} and len(stored.token_key) < len(key)
    assert key not in client.get(reverse("api_tokens")).content.decode()
    assert AuditEvent.objects.filter(user=caseworker, action=AuditAction.API_TOKEN_CREATED)

    answer = _token(Client(), key)
    assert answer.status_code == 200
    assert answer.json()["username"] == "alice"
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_the_token_form_sent_twice_makes_one_token(client_for, caseworker):
    client = client_for(caseworker)
    form = client.get(reverse("api_tokens")).content.decode()
    once = form.split('name="once_token" value="')[1][:32]

    first = client.post(reverse("api_tokens"), {"name": "Script", "once_token": once})
    second = client.post(reverse("api_tokens"), {"name": "Script", "once_token": once})

    assert first.status_code == 200 and first.context["new_key"]
    assert second.status_code == 302
    assert ApiToken.objects.filter(user=caseworker).count() == 1


def test_a_token_needs_a_name_of_its_own_and_a_user_has_a_limited_number(client_for, caseworker):
    client = client_for(caseworker)
    blank = client.post(reverse("api_tokens"), {"name": "   "})
    assert blank.status_code == 200 and "name" in blank.context["form"].errors

    api_token_create(user=caseworker, name="Script", by=caseworker)
    same = client.post(reverse("api_tokens"), {"name": "Script"})
    assert "already have a token called" in str(same.context["form"].errors)

    for n in range(MAX_TOKENS_PER_USER - 1):
        api_token_create(user=caseworker, name=f"Script {n}", by=caseworker)
    over = client.post(reverse("api_tokens"), {"name": "One too many"})
    assert "revoke one" in str(over.context["form"].errors)
    assert ApiToken.objects.filter(user=caseworker).count() == MAX_TOKENS_PER_USER


def test_a_revoked_token_stops_working_at_once(client_for, caseworker, token_for):
    key = token_for(caseworker)
    token = ApiToken.objects.get(user=caseworker)

    response = client_for(caseworker).post(reverse("api_token_revoke"), {"token": token.pk})

    assert response.status_code == 302
    assert _token(Client(), key).status_code == 401
    assert AuditEvent.objects.filter(user=caseworker, action=AuditAction.API_TOKEN_REVOKED)


def test_nobody_can_revoke_another_users_token(client_for, caseworker, outsider, token_for):
    key = token_for(caseworker)
    token = ApiToken.objects.get(user=caseworker)
    client = client_for(outsider)

    assert client.post(reverse("api_token_revoke"), {"token": token.pk}).status_code == 404
    assert client.post(reverse("api_token_revoke"), {"token": "x"}).status_code == 404
    assert "Tests" not in client.get(reverse("api_tokens")).content.decode()
    assert _token(Client(), key).status_code == 200


def test_a_deactivated_users_token_is_refused(caseworker, token_for):
    key = token_for(caseworker)
    caseworker.is_active = False
    caseworker.save()

    response = _token(Client(), key)

    assert response.status_code == 401
    assert ApiToken.objects.filter(user=caseworker).exists()  # back if they are reactivated


@pytest.mark.parametrize(
    "header", ["", "Token", "Token nonsense", "Token caseload_0000000000", "Bearer x", "Token a b"]
)
def test_without_a_valid_token_the_api_answers_401_and_never_a_sign_in_page(db, header):
    response = Client().get(ME, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Token"


def test_a_browser_session_does_not_open_the_api(client_for, caseworker):
    assert client_for(caseworker).get(ME).status_code == 401


def test_the_pages_still_send_a_request_with_only_a_token_to_sign_in(caseworker, token_for):
    response = Client(HTTP_AUTHORIZATION=f"Token {token_for(caseworker)}").get(reverse("home"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_api_answers_are_not_kept_by_browsers_or_proxies(api_for, caseworker):
    response = api_for(caseworker).get(ME)

    assert "no-store" in response["Cache-Control"]


def test_the_command_makes_lists_and_revokes_a_token(caseworker):
    out, err = StringIO(), StringIO()
    call_command("api_token", "alice", "--name", "Nightly sync", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert "shown only now" in err.getvalue()
    assert _token(Client(), key).status_code == 200

    listing = StringIO()
    call_command("api_token", "alice", "--list", stdout=listing)
    stored = ApiToken.objects.get(user=caseworker)
    assert stored.token_key in listing.getvalue() and "Nightly sync" in listing.getvalue()
    assert key not in listing.getvalue()

    call_command("api_token", "alice", "--revoke", stored.token_key, stdout=StringIO())
    assert _token(Client(), key).status_code == 401
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED, user=caseworker)


def test_the_command_says_what_is_wrong(caseworker):
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        call_command("api_token", "nobody")
    with pytest.raises(CommandError, match="see --list"):
        call_command("api_token", "alice", "--revoke", "caseload_zz")
    caseworker.is_active = False
    caseworker.save()
    with pytest.raises(CommandError, match="not active"):
        call_command("api_token", "alice", stdout=StringIO())


def test_each_user_is_held_to_their_rate(api_rates_on, settings, caseworker, api_for):
    settings.API_RATES = {"user": "3/minute", "anon": None}
    client = api_for(caseworker)

    answers = [client.get(ME).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    other = api_for(UserFactory(username="zed", organisation=caseworker.organisation))
    assert other.get(ME).status_code == 200


def test_wrong_tokens_are_counted_against_the_address(api_rates_on, settings, db):
    settings.API_RATES = {"user": None, "anon": "2/minute"}
    client = Client(HTTP_AUTHORIZATION="Token caseload_wrongwrongwrong")

    answers = [client.get(ME).status_code for _ in range(3)]

    assert answers == [401, 401, 429]


def test_a_cache_that_does_not_answer_does_not_stop_the_api(
    api_rates_on, settings, caseworker, api_for, monkeypatch
):
    settings.API_RATES = {"user": "1/minute", "anon": "1/minute"}

    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = get

    monkeypatch.setattr(SimpleRateThrottle, "cache", Down())
    client = api_for(caseworker)

    assert [client.get(ME).status_code for _ in range(3)] == [200, 200, 200]
    assert Client(HTTP_AUTHORIZATION="Token wrong").get(ME).status_code == 401


def test_the_schema_needs_a_token_or_a_signed_in_user(client_for, caseworker, token_for):
    assert Client().get("/api/schema/").status_code == 401
    assert _token(Client(), token_for(caseworker), "/api/schema/").status_code == 200
    answer = client_for(caseworker).get("/api/schema/")
    assert answer.status_code == 200 and b"openapi: 3" in answer.content


def test_the_docs_are_a_page_served_with_the_apps_own_files(client_for, caseworker):
    page = client_for(caseworker).get("/api/docs/")
    html = page.content.decode()

    assert page.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<style>" not in html and "http" not in html.split("<body>")[1].split("src=")[0]
    script = client_for(caseworker).get("/api/docs/?script=")
    assert script.status_code == 200 and b"/api/schema/" in script.content
    assert Client().get("/api/docs/")["Location"].startswith(reverse("login"))


def test_the_docs_keep_the_two_step_sign_in(two_factor_on, client_for, director):
    response = client_for(director).get("/api/docs/")

    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor"))


def test_an_unknown_api_address_answers_json_and_an_unknown_page_the_styled_page(
    api_for, client_for, caseworker
):
    api = api_for(caseworker).get("/api/nowhere/")
    assert api.status_code == 404 and api.json() == {"detail": "Not found."}

    page = client_for(caseworker).get("/nowhere/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


API_ENDPOINTS = [(name, path) for name, path in walk() if is_api_endpoint(name, path)]


def test_the_walk_finds_the_api_endpoints():
    assert {"api_me", "api_case_detail", "api_case_contact_create", "api_figures"} <= {
        name for name, _ in API_ENDPOINTS
    }


@pytest.mark.parametrize(("name", "path"), API_ENDPOINTS, ids=[n for n, _ in API_ENDPOINTS])
def test_every_api_endpoint_answers_an_anonymous_request_with_401(db, name, path):
    for method in (Client().get, Client().post):
        response = method(path)
        assert response.status_code == 401, f"{method.__name__.upper()} {path}"
        # The schema answers in its own format (OpenAPI YAML unless ?format=json).
        json_or_schema = (
            "application/vnd.oai.openapi" if name == "api_schema" else "application/json"
        )
        assert response["Content-Type"].startswith(json_or_schema)


def test_the_platform_operator_sees_tokens_in_the_admin_but_never_their_hash(
    client, token_for, caseworker
):
    token_for(caseworker, name="Warehouse")
    operator = UserFactory(username="ops", is_staff=True, is_superuser=True)
    client.force_login(operator)

    listing = client.get("/admin/api/apitoken/")
    row = ApiToken.objects.get(user=caseworker)

    assert listing.status_code == 200 and "Warehouse" in listing.content.decode()
    assert row.digest not in listing.content.decode()
    page = client.get(f"/admin/api/apitoken/{row.pk}/change/")
    assert page.status_code == 200 and row.digest not in page.content.decode()
    assert client.get("/admin/api/apitoken/add/").status_code == 403
    assert client.post(f"/admin/api/apitoken/{row.pk}/delete/").status_code == 403
