"""Shared fixtures: an organisation with two teams, and a user for every role, including an
outsider from another team who must always be refused."""

import os
import socket
from urllib.parse import urlparse

import factory.random
import pytest
from django.db import connection

from tests.caseload.factories import (
    OrganisationFactory,
    TeamFactory,
    UserFactory,
    WorkerFactory,
)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
_FAULT_TIMES_FROM_WORKERS: dict[str, dict] = {}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist: keep the fault times a test process measured (tests/faults/conftest.py)."""
    _FAULT_TIMES_FROM_WORKERS.update(getattr(node, "workeroutput", {}).get("fault_times", {}))


def pytest_terminal_summary(terminalreporter):
    """With several test processes, print and write the fault times here, once."""
    if _FAULT_TIMES_FROM_WORKERS:
        from tests.faults.conftest import summarise

        summarise(terminalreporter, _FAULT_TIMES_FROM_WORKERS)


def _skip_or_fail(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}, and REQUIRE_SERVICES=1 says it must be there")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing():
    """Hash the tests' passwords with a quick hasher, as Django's testing guide advises: the
    production hasher's million rounds cost most of a second per user, and every user the
    factories make has a password. Signing in, lock-out and two-step work the same with it."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _same_fake_data_every_run(request):
    """Seed factory-boy's Faker from the test's id, so a test sees the same names on every run
    and a chance clash (a user and a participant both called "Smith") cannot come and go."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def _axes_off_unless_asked(request, settings):
    """django-axes needs the request on authenticate(), which the test client's `login()` does
    not pass; lock-out tests turn it back on with the `axes_on` fixture."""
    settings.AXES_ENABLED = "axes_on" in request.fixturenames


@pytest.fixture(autouse=True)
def _api_rates_off_unless_asked(request, settings):
    """The API's rate limits count in the cache, which outlives a test: lift them, except in
    tests that ask for the `api_rates_on` fixture, which count in a cache of their own (never
    by emptying the shared one: on CI it is the machine's Redis)."""
    if "api_rates_on" in request.fixturenames:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"api-rates-{request.node.nodeid}",
            }
        }
        return
    settings.API_RATES = {"user": None, "anon": None}


@pytest.fixture
def api_rates_on():
    """The API's rate limits are enforced in this test."""


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(request, monkeypatch):
    """Tests sign in with `client.force_login`: treat those sessions as having passed the
    two-factor step, except in tests that ask for the `two_factor_on` fixture."""
    from django.test import Client

    from security.two_factor import VERIFIED, forget_rules

    forget_rules()
    if "two_factor_on" in request.fixturenames:
        return
    force_login = Client.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        session = self.session
        session[VERIFIED] = True
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login_verified)


@pytest.fixture
def two_factor_on():
    """Two-factor sign-in is enforced in this test, even for `force_login` sessions."""


@pytest.fixture
def axes_on():
    """Lock-out (django-axes) is enforced in this test."""


@pytest.fixture
def require_postgres():
    """Skip (or, under REQUIRE_SERVICES=1, fail) when the tests are not on PostgreSQL."""
    if connection.vendor != "postgresql":
        _skip_or_fail("this test needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def redis_url():
    """The Redis URL, if Redis answers; skip or fail otherwise."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        _skip_or_fail("this test needs Redis (set REDIS_URL)")
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1).close()
    except OSError:
        _skip_or_fail(f"Redis at {parsed.hostname}:{parsed.port} does not answer")
    return url


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Testshire Council")


@pytest.fixture
def team(organisation):
    return TeamFactory(service__organisation=organisation, name="Assessment North")


@pytest.fixture
def other_team(organisation):
    return TeamFactory(service__organisation=organisation, name="Child Protection South")


@pytest.fixture
def caseworker(team):
    user = UserFactory(username="alice", role="caseworker", organisation=team.service.organisation)
    WorkerFactory(team=team, user=user, name="Alice Social", role="social_worker")
    return user


@pytest.fixture
def manager(team):
    user = UserFactory(username="bob", role="manager", organisation=team.service.organisation)
    WorkerFactory(team=team, user=user, name="Bob Manager", role="team_manager")
    team.managers.add(user)
    return user


@pytest.fixture
def director(organisation):
    return UserFactory(username="diana", role="director", organisation=organisation)


@pytest.fixture
def administrator(organisation):
    return UserFactory(
        username="adam", role="administrator", organisation=organisation, is_staff=True
    )


@pytest.fixture
def outsider(other_team):
    """A caseworker in another team: must never see the first team's records."""
    user = UserFactory(
        username="charlie", role="caseworker", organisation=other_team.service.organisation
    )
    WorkerFactory(team=other_team, user=user, name="Charlie Outsider", role="social_worker")
    return user


@pytest.fixture
def outsider_manager(other_team):
    """The manager of another team: must never see or change the first team's records."""
    user = UserFactory(
        username="olive", role="manager", organisation=other_team.service.organisation
    )
    WorkerFactory(team=other_team, user=user, name="Olive Othermanager", role="team_manager")
    other_team.managers.add(user)
    return user


@pytest.fixture
def client_for(client):
    """Sign a user in on the test client: `client_for(user).get(...)`."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def eager_tasks():
    """Celery tasks run at once in this test, as on the embedded default, even where REDIS_URL
    points at a real broker (CI): the test sees what the task did."""
    from celery import current_app

    old = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = old


@pytest.fixture(scope="session")
def _demo_captures():
    """The rows the demo's seeding wrote, for this test process (tests/demo_rows.py)."""
    return {}


@pytest.fixture
def small_demo(db, _demo_captures):
    """`small_demo(seed=1)`: the small demo organisation in this test's database, exactly as
    `demo.seed(size="small", seed=seed)` leaves it, and what `seed` returned. Seeded for real
    once per process, written back in a fraction of a second after that (tests/demo_rows.py).
    Ask for it before any fixture that writes rows."""
    from tests import demo_rows

    return lambda seed=1: demo_rows.small_demo(_demo_captures, seed)
