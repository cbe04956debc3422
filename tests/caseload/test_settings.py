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
    "'demo': settings.DEMO_MODE}))"
)


def _settings_with(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update({"DJANGO_SETTINGS_MODULE": "caseload.config.settings"}, **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
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
