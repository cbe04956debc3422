"""API fixtures: a token for any user, and a client that sends it."""

import pytest
from django.test import Client

from caseload.api.services import api_token_create


@pytest.fixture
def token_for(db):
    """Make a token for the user and return the token itself: `token_for(user)`."""

    def make(user, name="Tests"):
        return api_token_create(user=user, name=name, by=None)[1]

    return make


@pytest.fixture
def api_for(token_for):
    """A client with no session that sends the user's token: `api_for(user).get(...)` (one
    token per user per test)."""
    clients: dict = {}

    def client(user):
        if user.pk not in clients:
            clients[user.pk] = Client(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return clients[user.pk]

    return client
