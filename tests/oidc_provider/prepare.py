"""Prepare the test provider's database: migrate, then the users (JSON in OIDC_PROVIDER_USERS:
[[username, password, email, first_name, last_name], …]) and Caseload as a confidential
client (OIDC_PROVIDER_CLIENT: [client_id, secret, redirect_uri])."""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

call_command("migrate", verbosity=0)
for username, password, email, first, last in json.loads(os.environ["OIDC_PROVIDER_USERS"]):
    User.objects.create_user(username, email, password, first_name=first, last_name=last)
client_id, secret, redirect_uri = json.loads(os.environ["OIDC_PROVIDER_CLIENT"])
Application.objects.create(
    name="Caseload",
    client_id=client_id,
    client_secret=secret,
    client_type=Application.CLIENT_CONFIDENTIAL,
    authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    redirect_uris=redirect_uri,
    algorithm=Application.RS256_ALGORITHM,
    skip_authorization=True,
)
