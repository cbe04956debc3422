"""Sign-in is required everywhere and each role sees its own pages only."""

import pytest
from django.urls import reverse

from tests.urlwalk import PUBLIC_NAMES, is_api_endpoint, walk

pytestmark = pytest.mark.django_db

# The API's endpoints answer an anonymous request with 401 instead (tests/api/test_tokens.py).
PROTECTED = [
    (name, path)
    for name, path in walk()
    if name not in PUBLIC_NAMES and not is_api_endpoint(name, path)
]


def test_the_url_walk_finds_the_pages_it_is_meant_to_guard():
    names = {name for name, _ in PROTECTED}
    assert {"home", "organisation", "team_list", "team_detail", "password_change"} <= names


@pytest.mark.parametrize(("name", "path"), PROTECTED, ids=[name for name, _ in PROTECTED])
def test_every_page_sends_an_anonymous_visitor_to_sign_in(client, name, path):
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302, f"{method.__name__.upper()} {path}"
        assert response["Location"].startswith(reverse("login")), path


def test_the_admin_sends_an_anonymous_visitor_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_health_check_answers_without_signing_in(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_login_page_renders_with_a_form_and_csrf_token(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert b"Sign in to Caseload" in response.content


def test_a_wrong_password_shows_an_error_summary(client, caseworker):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content


def test_a_caseworker_sees_their_own_home_and_navigation(client_for, caseworker, outsider):
    response = client_for(caseworker).get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "My caseload" in html
    assert "Assessment North" in html
    assert "Charlie Outsider" not in html
    assert reverse("organisation") not in html
    assert reverse("team_list") not in html


@pytest.mark.parametrize("page", ["organisation", "team_list"])
def test_a_caseworker_is_refused_manager_and_director_pages(client_for, caseworker, page):
    response = client_for(caseworker).get(reverse(page))
    assert response.status_code == 403
    assert b"You do not have access to this page" in response.content


def test_a_manager_sees_their_team_with_vacancies_and_not_other_teams(
    client_for, manager, caseworker, outsider
):
    response = client_for(manager).get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your teams" in html
    assert "Alice Social" in html
    assert "Charlie Outsider" not in html
    assert "vacant" in html
    assert reverse("team_list") in html
    assert reverse("organisation") not in html


def test_a_manager_is_refused_the_director_pages(client_for, manager):
    assert client_for(manager).get(reverse("organisation")).status_code == 403


def test_a_manager_gets_not_found_for_another_teams_page(client_for, manager, other_team):
    response = client_for(manager).get(reverse("team_detail", args=[other_team.pk]))
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_a_manager_of_another_team_cannot_open_the_first_team(client_for, outsider_manager, team):
    response = client_for(outsider_manager).get(reverse("team_detail", args=[team.pk]))
    assert response.status_code == 404


def test_a_caseworker_cannot_open_another_workers_page(client_for, caseworker, manager, outsider):
    client = client_for(caseworker)
    assert client.get(reverse("worker_detail", args=[outsider.worker.pk])).status_code == 404
    assert client.get(reverse("worker_detail", args=[manager.worker.pk])).status_code == 403
    assert client.get(reverse("worker_detail", args=[caseworker.worker.pk])).status_code == 200


def test_a_director_sees_every_service_and_team(client_for, director, team, other_team, outsider):
    response = client_for(director).get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert team.name in html and other_team.name in html
    assert reverse("organisation") in html
    assert client_for(director).get(reverse("team_detail", args=[other_team.pk])).status_code == 200


def test_a_director_does_not_see_another_organisations_teams(client_for, director):
    from tests.caseload.factories import TeamFactory

    foreign = TeamFactory(name="Elsewhere Team")
    response = client_for(director).get(reverse("organisation"))
    assert "Elsewhere Team" not in response.content.decode()
    assert client_for(director).get(reverse("team_detail", args=[foreign.pk])).status_code == 404


def test_an_administrator_sees_the_organisation_and_the_admin_link(client_for, administrator, team):
    response = client_for(administrator).get(reverse("home"))
    assert response.status_code == 200
    assert reverse("admin:index") in response.content.decode()


def test_the_organisation_page_makes_the_same_number_of_queries_for_more_teams(
    client_for, director, django_assert_max_num_queries
):
    from tests.caseload.factories import TeamFactory, WorkerFactory

    client = client_for(director)
    for _ in range(3):
        WorkerFactory(team=TeamFactory(service__organisation=director.organisation))
    with django_assert_max_num_queries(8):
        client.get(reverse("organisation"))
    for _ in range(10):
        WorkerFactory(team=TeamFactory(service__organisation=director.organisation))
    with django_assert_max_num_queries(8):
        client.get(reverse("organisation"))


def test_signing_out_needs_a_post_and_ends_the_session(client_for, caseworker):
    client = client_for(caseworker)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_demo_logins_sign_in_with_the_printed_password(small_demo, client, settings):
    from security.demo import demo_totp_code, demo_two_factor_enrol

    small_demo(seed=1)
    assert demo_two_factor_enrol() == ["admin", "director"]
    for username in ("caseworker", "support", "manager", "manager2", "director", "admin"):
        assert client.login(username=username, password=settings.DEMO_PASSWORD), username
        response = client.get(reverse("home"))
        if username in ("director", "admin"):  # two-step sign-in with the printed demo key
            assert response["Location"].startswith(reverse("two_factor")), username
            client.post(reverse("two_factor"), {"code": demo_totp_code()})
            response = client.get(reverse("home"))
        assert response.status_code == 200, username
        client.logout()
