"""Settings come from the environment, with a working embedded default."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
    "'cache': settings.CACHES['default']['BACKEND'], 'debug': settings.DEBUG, "
    "'demo': settings.DEMO_MODE, 'site': settings.SITE_URL}))"
)


def _settings_with(env: dict, probe: str = PROBE) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update({"DJANGO_SETTINGS_MODULE": "caseload.config.settings"}, **env)
    return subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_with_nothing_set_the_app_uses_sqlite_and_runs_tasks_eagerly():
    import json

    result = _settings_with({})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["eager"] is True
    assert values["debug"] is True
    assert values["demo"] is True  # the sign-in page lists the demo's sign-ins


def test_database_url_selects_postgresql_and_redis_url_selects_the_broker_and_cache():
    import json

    result = _settings_with(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/caseload",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["eager"] is False
    assert values["broker"] == "redis://127.0.0.1:6379/0"
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["demo"] is False


def test_debug_off_without_a_secret_key_refuses_to_start_and_says_what_to_set():
    result = _settings_with({"DEBUG": "0", "ALLOWED_HOSTS": "caseload.example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "ALLOWED_HOSTS" not in result.stderr.split("ImproperlyConfigured")[-1]


def test_debug_off_without_allowed_hosts_refuses_to_start_and_says_what_to_set():
    result = _settings_with({"DEBUG": "0", "SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_site_url_defaults_to_the_first_allowed_host_and_is_required_when_none_names_one():
    import json

    production = {"DEBUG": "0", "SECRET_KEY": "x" * 50}
    result = _settings_with({**production, "ALLOWED_HOSTS": "caseload.example.org,other.org"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["site"] == "https://caseload.example.org"
    result = _settings_with({**production, "ALLOWED_HOSTS": ".example.org"})
    assert result.returncode != 0 and "Set SITE_URL" in result.stderr
    result = _settings_with(
        {**production, "ALLOWED_HOSTS": "*", "SITE_URL": "https://caseload.council.gov.uk"}
    )
    assert json.loads(result.stdout)["site"] == "https://caseload.council.gov.uk"
    assert json.loads(_settings_with({}).stdout)["site"] == "http://127.0.0.1:8000"


def test_on_postgresql_the_apps_connections_run_without_just_in_time_compilation():
    probe = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.DATABASES['default']['OPTIONS']['options'])"
    )
    result = _settings_with(
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/caseload"}, probe=probe
    )
    assert result.returncode == 0, result.stderr
    assert "-c jit=off" in result.stdout
