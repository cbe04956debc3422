"""Headers on every page: a strict Content Security Policy, no framing, a referrer policy and
no caching of pages with personal data; production settings pass Django's deploy checks."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.participants.factories import held_case
from tests.urlwalk import walk

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGES = [(name, path) for name, path in walk()]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


def _assert_strict_csp(response, where):
    policy = response.get("Content-Security-Policy", "")
    assert policy, f"{where} has no Content-Security-Policy"
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'", where
    assert directives["style-src"] == "'self'", where
    assert directives["frame-ancestors"] == "'none'", where
    assert directives["object-src"] == "'none'", where
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where


def _own_objects(caseworker):
    case = held_case(caseworker.worker)
    return {"pk": case.pk, "participant_pk": case.participant_id}


def _real_path(name, objects):
    from django.urls import NoReverseMatch

    for kwargs in ({}, {"pk": objects["pk"]}, {"participant_pk": objects["participant_pk"]}):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


@pytest.mark.parametrize("role", ["manager", "administrator"])
def test_every_page_sends_a_strict_content_security_policy(client_for, request, role, caseworker):
    client = client_for(request.getfixturevalue(role))
    objects = _own_objects(caseworker)
    for name, sample in PAGES:
        path = _real_path(name, objects) or sample
        response = client.get(path)
        _assert_strict_csp(response, f"GET {path} ({name}) → {response.status_code}")


def test_signed_out_pages_send_the_policy_too(client):
    for path in (reverse("login"), "/no-such-page/", reverse("healthz")):
        _assert_strict_csp(client.get(path), path)


@pytest.mark.parametrize("role", ["caseworker", "manager", "administrator"])
def test_no_page_has_inline_script_style_or_event_handlers(client_for, request, role, caseworker):
    client = client_for(request.getfixturevalue(role))
    objects = _own_objects(caseworker)
    checked = 0
    for name, sample in PAGES:
        response = client.get(_real_path(name, objects) or sample)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        checked += 1
        assert not INLINE_SCRIPT.search(html), f"{name} has an inline <script>"
        assert not INLINE_STYLE.search(html), f"{name} has inline style"
        assert not INLINE_HANDLER.search(html), f"{name} has an inline event handler"
    assert checked >= 5


def test_no_template_has_inline_script_or_style():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        if template.parent.name == "email":
            continue  # e-mails are no page: mail clients drop style sheets, so styles are inline
        text = template.read_text()
        if INLINE_SCRIPT.search(text) or INLINE_STYLE.search(text) or INLINE_HANDLER.search(text):
            offenders.append(str(template.relative_to(ROOT)))
    assert not offenders


def test_e_mail_templates_have_no_script_at_all():
    for template in (ROOT / "templates" / "email").glob("*.html"):
        text = template.read_text()
        assert "<script" not in text and not INLINE_HANDLER.search(text), template.name


def test_pages_refuse_framing_and_keep_the_referrer_on_site(client_for, caseworker):
    response = client_for(caseworker).get(reverse("my_caseload"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_signed_in_pages_are_never_stored_by_browsers_or_proxies(client_for, caseworker):
    client = client_for(caseworker)
    case = held_case(caseworker.worker)
    for path in (reverse("my_caseload"), reverse("case_detail", args=[case.pk])):
        cache_control = client.get(path)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, path


def _settings_with(env: dict, code: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update({"DJANGO_SETTINGS_MODULE": "caseload.config.settings"}, **env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "test-" + "k3y" * 20,
    "ALLOWED_HOSTS": "caseload.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/caseload",
}


def test_production_settings_turn_on_hsts_and_secure_cookies():
    probe = (
        "import django, json; from django.conf import settings; django.setup(); "
        "print(json.dumps([settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_SECURE, "
        "settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT]))"
    )
    result = _settings_with(PRODUCTION, probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[31536000, true, true, true]"


def test_production_settings_pass_the_deploy_checks_without_a_warning():
    code = (
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    result = _settings_with(PRODUCTION, code)
    assert result.returncode == 0, result.stderr
