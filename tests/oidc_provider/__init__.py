"""A real OpenID Connect provider for the single sign-on tests: a small Django site with
django-oauth-toolkit's OIDC provider, run by the tests on loopback in its own process
(tests/security/test_sso.py). Test-only: never part of Caseload."""
