"""The API against its own schema (schemathesis): for every operation, requests generated from
the schema, valid and not, are answered without a server error, with a status, content type
and body the schema documents, and refused without the token. Bounded to a few examples per
operation so it stays in the normal suite.

The requests go to the app in-process (WSGI) on the test database, as a manager of a team with
a held and a waiting case. The schema they are generated from is the one /api/schema/ serves.
(schemathesis' lazy `from_fixture` loader does not run under pytest 9, so the schema is built
when the module is collected, and a test checks that it is the one served.)"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from tests.participants.factories import CaseFactory, held_case

SCHEMA = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]
APP = get_wsgi_application()

# The coverage phase's boundary values, without its probing of undocumented methods (a 405).
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"unexpected-methods": []}}})

schema = schemathesis.openapi.from_dict(SCHEMA, config=CONFIG)
schema.app = APP  # as `from_wsgi` sets it: every request, the checks' own too, goes to the app


@pytest.fixture
def connections_kept():
    """The WSGI app closes the database connection after each request, as in production;
    inside a test that would close the test's transaction. Keep it open, as Django's own test
    client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, connections_kept, manager, caseworker, team, token_for):
    """A manager's token, with a team that has a held case and a waiting one."""
    held_case(caseworker.worker)
    CaseFactory(team=team)
    return token_for(manager)


def test_the_schema_tested_is_the_one_served(client, token):
    served = client.get("/api/schema/?format=json", HTTP_AUTHORIZATION=f"Token {token}")

    assert served.status_code == 200
    assert json.loads(served.content) == SCHEMA


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_to_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
