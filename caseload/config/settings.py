"""Caseload settings: every value comes from the environment (see .env.example).

With nothing set the app runs as an embedded demo: SQLite, DEBUG on and Celery tasks run
eagerly in-process. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS.
"""

import socket
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="insecure-demo-key-only-for-local-use-with-debug-on")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    _missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not env.str(name, default="")]
    if _missing:
        raise ImproperlyConfigured(
            "DEBUG is off, so these must be set in the environment: "
            + ", ".join(_missing)
            + " (see .env.example)."
        )
    SECRET_KEY = env("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "caseload.core",
    "caseload.exclusions",
    "caseload.transfers",
    "caseload.imports",
    "caseload.demo",
    "caseload.checkins",
    "caseload.supervision",
    "caseload.forecast",
    "caseload.outcomes",
    "participants",
    "weighting",
    "reports",
    "security",
    "caseload.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "security.middleware.CurrentRequestMiddleware",
    "security.middleware.SessionLimitsMiddleware",
    "security.middleware.TwoFactorMiddleware",
    "security.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it turns a locked-out sign-in into the ordinary login page (see security/).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "caseload.config.urls"
WSGI_APPLICATION = "caseload.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "caseload.config.context_processors.navigation",
                "security.context_processors.session_timeout",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Faults (docs/operations.md): a database that stops answering must turn into an error within
# seconds, not a wait for ever. Connecting is bounded; TCP keepalives and a TCP user timeout
# notice a dead peer on an idle or a busy connection; the server ends a statement, or a
# transaction left idle, that runs past its limit, and drops clients that have gone. An import
# also watches its own queries (DB_SILENCE_SECONDS, caseload/core/watchdog.py).
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=5)
DB_STATEMENT_TIMEOUT = env.int("DB_STATEMENT_TIMEOUT", default=300)
DB_IDLE_IN_TRANSACTION_TIMEOUT = env.int("DB_IDLE_IN_TRANSACTION_TIMEOUT", default=300)
DB_KEEPALIVE_IDLE = env.int("DB_KEEPALIVE_IDLE", default=30)
DB_TCP_USER_TIMEOUT = env.int("DB_TCP_USER_TIMEOUT", default=30)
DB_SILENCE_SECONDS = env.float("DB_SILENCE_SECONDS", default=5.0)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _server = {
        "statement_timeout": DB_STATEMENT_TIMEOUT * 1000,
        "idle_in_transaction_session_timeout": DB_IDLE_IN_TRANSACTION_TIMEOUT * 1000,
        "tcp_keepalives_idle": DB_KEEPALIVE_IDLE,
        "tcp_keepalives_interval": 10,
        "tcp_keepalives_count": 3,
        # Just-in-time compilation pays off for long analytical queries; it cost the loads and
        # report aggregates 0.2–0.5 s of compiling each time at national size (decision 0020).
        "jit": env("DB_JIT", default="off"),
    }
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DB_CONNECT_TIMEOUT,
            "keepalives": 1,
            "keepalives_idle": DB_KEEPALIVE_IDLE,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": DB_TCP_USER_TIMEOUT * 1000,
            "options": " ".join(f"-c {name}={value}" for name, value in _server.items()),
        }
    )
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # One file, many threads and processes: wait this long for another writer, then fail.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", DB_CONNECT_TIMEOUT * 4)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "caseload.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes checks lock-outs first; ModelBackend signs people in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on (docs/security.md): answers nothing unless the OIDC_* settings are set.
    "security.oidc.CaseloadOIDCBackend",
]

# Single sign-on with the organisation's identity provider (OpenID Connect, mozilla-django-oidc).
# On when the client id and the provider's endpoints are set; users are matched by e-mail.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email profile")
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="your organisation's account")
# Unknown e-mail addresses are refused unless this is on; new users are then caseworkers with
# no team in OIDC_NEW_USER_ORGANISATION (by name).
OIDC_CREATE_USERS = env.bool("OIDC_CREATE_USERS", default=False)
OIDC_CREATE_USER = OIDC_CREATE_USERS  # the library's own name for it
OIDC_NEW_USER_ORGANISATION = env("OIDC_NEW_USER_ORGANISATION", default="")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
OIDC_ENABLED = all(
    (OIDC_RP_CLIENT_ID, OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT,
     OIDC_OP_USER_ENDPOINT, OIDC_OP_JWKS_ENDPOINT)
)  # fmt: skip

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Redis, when given, is the Celery broker and the cache; without it tasks run eagerly in-process.
REDIS_URL = env("REDIS_URL", default="")
# Faults (docs/operations.md): every Redis connection has a connect and a read timeout, TCP
# keepalives and redis-py's health check (a PING before using a connection idle that long), so
# a Redis that stops answering without closing its connections is an error within seconds.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=5.0)
REDIS_HEALTH_CHECK_INTERVAL = env.int("REDIS_HEALTH_CHECK_INTERVAL", default=5)
_TCP_KEEPALIVE = {
    getattr(socket, name): value
    for name, value in (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 3))
    if hasattr(socket, name)
}
_REDIS_SOCKET = {
    "socket_keepalive": True,
    "socket_keepalive_options": _TCP_KEEPALIVE,
    "health_check_interval": REDIS_HEALTH_CHECK_INTERVAL,
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Deployments sharing one Redis set their own prefix; each parallel test process
            # (pytest-xdist names it in PYTEST_XDIST_WORKER) keeps its keys apart, as its
            # database's ids repeat the other processes'.
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="")
            + env("PYTEST_XDIST_WORKER", default=""),
            # A web request waits a second at most for the cache (progress bars, coalescing).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, **_REDIS_SOCKET},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that cannot get its broker back after this many tries exits (and is restarted by
# whatever runs it) rather than waiting for ever.
CELERY_BROKER_CONNECTION_MAX_RETRIES = env.int("CELERY_BROKER_CONNECTION_MAX_RETRIES", default=30)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "max_retries": 1,
    **_REDIS_SOCKET,
}
# A publish that times out is tried once more, not three times: beat and a web request wait
# seconds, not half a minute, for a Redis that stopped answering.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Beat wakes at least this often (seconds), so its liveness file is fresh while it is alive
# (caseload/config/celery.py, docker-compose.yml).
CELERY_BEAT_MAX_LOOP_INTERVAL = 30
CELERY_BEAT_SCHEDULER = "caseload.config.celery:LivenessScheduler"
CELERY_TIMEZONE = TIME_ZONE

# SITE_URL: the site's own address, for the links in e-mails (which have no page to be relative
# to). Default: the first of ALLOWED_HOSTS over https, or the demo's address with DEBUG on.
_first_host = next((h for h in ALLOWED_HOSTS if h not in ("*", "") and h[0] != "."), "")
SITE_URL = env(
    "SITE_URL",
    default="http://127.0.0.1:8000" if DEBUG else (f"https://{_first_host}" if _first_host else ""),
)
if not SITE_URL:
    raise ImproperlyConfigured(
        "Set SITE_URL (e.g. https://caseload.example.org): ALLOWED_HOSTS names no single host "
        "to build the links in e-mails from."
    )
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="caseload@localhost")

# Production hardening: on whenever DEBUG is off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SAMESITE = "Lax"

# Sessions: signed out after SESSION_IDLE_TIMEOUT seconds without activity (with a warning
# SESSION_TIMEOUT_WARNING seconds before) and after SESSION_ABSOLUTE_TIMEOUT seconds in all.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_TIMEOUT_WARNING = env.int("SESSION_TIMEOUT_WARNING", default=2 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT

# Sign-in lock-out (django-axes): after AXES_FAILURE_LIMIT failures for one username from one
# address, that pair is refused for AXES_COOLOFF_MINUTES; the page says no more than a wrong
# password would.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "security.views.lockout_response"
AXES_VERBOSE = False
# Two-factor sign-in (TOTP): roles that need it unless an administrator sets a rule per role.
TWO_FACTOR_ENABLED = env.bool("TWO_FACTOR_ENABLED", default=True)
TWO_FACTOR_REQUIRED_ROLES = env.list(
    "TWO_FACTOR_REQUIRED_ROLES", default=["director", "administrator"]
)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Caseload")
OTP_TOTP_THROTTLE_FACTOR = 1

# Trusted reverse proxies in front of the app (each adds one X-Forwarded-For hop); 0 = none.
AUDIT_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# A second look at the same page on the same record within this many seconds is one look.
AUDIT_VIEW_WINDOW_SECONDS = env.int("AUDIT_VIEW_WINDOW_SECONDS", default=10)
AXES_IPWARE_PROXY_COUNT = AUDIT_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AUDIT_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Content Security Policy (django-csp): own files only, no inline script or style, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Product settings
# Demo mode: the sign-in page lists the demo's sign-ins (with the shared password) and the
# two-step page shows the demo code. On by default only in the embedded demo (DEBUG, no Redis).
DEMO_MODE = env.bool("DEMO_MODE", default=DEBUG and CELERY_TASK_ALWAYS_EAGER)
DEMO_PASSWORD = env("DEMO_PASSWORD", default="caseload-demo-2026")
# DEMO_TOTP_SECRET: the authenticator key seed_demo gives demo users who need two-factor.
DEMO_TOTP_SECRET = env("DEMO_TOTP_SECRET", default="CASELOADDEMOTOTPSECRETKEYFORDEMO")
PAGE_SIZE = env.int("PAGE_SIZE", default=25)
ASSESSMENT_STALE_WEEKS = env.int("ASSESSMENT_STALE_WEEKS", default=12)
FLAG_UNALLOCATED_DAYS = env.int("FLAG_UNALLOCATED_DAYS", default=5)
RECOMPUTE_COALESCE_SECONDS = env.int("RECOMPUTE_COALESCE_SECONDS", default=30)
RECOMPUTE_EVERY_MINUTES = env.int("RECOMPUTE_EVERY_MINUTES", default=15)
# Workers leaving or away (a reduction of 50% or more) within this many days are marked on the
# allocate page and ranked after those who stay; the leaver and rebalance plans skip them.
ALLOCATION_HORIZON_DAYS = env.int("ALLOCATION_HORIZON_DAYS", default=56)
# The organisation and service dashboards show today's figures from the scheduled snapshot when
# it is at most this old (else they work them out live). 0 = always live, the default when no
# beat runs (the embedded demo), since nothing would refresh the snapshot.
DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES = env.int(
    "DASHBOARD_SNAPSHOT_MAX_AGE_MINUTES",
    default=0 if CELERY_TASK_ALWAYS_EAGER else 2 * RECOMPUTE_EVERY_MINUTES + 5,
)
# A background run renews its heartbeat (and a scheduled job's claim) every quarter of this;
# a run whose worker died is marked lost, and its claim lapses, this many seconds after its
# last heartbeat (docs/operations.md).
TASK_LEASE_SECONDS = env.int("TASK_LEASE_SECONDS", default=60)
# Without a worker and beat (the embedded default), the web process runs the beat schedule
# itself in a background thread (caseload/config/schedule.py), so the demo's flags and snapshots
# keep up as they would in production.
EMBEDDED_SCHEDULE = env.bool("EMBEDDED_SCHEDULE", default=CELERY_TASK_ALWAYS_EAGER)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="caseload")
# Every module that defines tasks, in one place. The worker imports them when it starts;
# services, which sit below the tasks, enqueue work by task name (caseload/core/enqueue.py).
CELERY_IMPORTS = (
    "caseload.flags.tasks",
    "caseload.digest.tasks",
    "caseload.imports.tasks",
    "reports.tasks",
    "security.tasks",
)

CELERY_BEAT_SCHEDULE = {
    "recompute-all": {
        "task": "caseload.recompute_all",
        "schedule": timedelta(minutes=RECOMPUTE_EVERY_MINUTES),
    },
    "security-retention-review-scan": {
        "task": "security.retention_review_scan",
        "schedule": crontab(hour=2, minute=30),
    },
    # Today's figures for the dashboards, every recompute interval; the day's last run (just
    # before midnight) is the day's record for the trends. Idempotent: a day taken again is
    # replaced.
    "snapshot": {
        "task": "reports.snapshot_take",
        "schedule": timedelta(minutes=RECOMPUTE_EVERY_MINUTES),
    },
    "day-end-snapshot": {
        "task": "reports.snapshot_take",
        "schedule": crontab(hour=23, minute=58),
    },
    # Capacity reductions start and end on their days: every recompute interval (a no-op when
    # nothing is due), so one moves on within minutes of its day coming, missed runs or not.
    "reductions-advance": {
        "task": "caseload.reductions_advance",
        "schedule": timedelta(minutes=RECOMPUTE_EVERY_MINUTES),
    },
    "daily-digests": {
        "task": "caseload.send_digests",
        "schedule": crontab(hour=env.int("DIGEST_HOUR", default=7), minute=0),
    },
}

# Imports (docs/import-format.md): uploads are kept here, outside the web root, never served.
IMPORT_DIR = env.path("IMPORT_DIR", default=BASE_DIR / "var" / "imports")
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=50)
IMPORT_MAX_UNZIPPED_MB = env.int("IMPORT_MAX_UNZIPPED_MB", default=500)
# An import waiting for a worker, or being checked or imported, with no sign of life for this
# long has stopped: it is marked failed, and can be checked again from its page.
IMPORT_STALE_MINUTES = env.float("IMPORT_STALE_MINUTES", default=5)

# The REST API (/api/, docs/decisions/0015-api.md). Clients send `Authorization: Token …` with a
# token made on the user's API tokens page or by `manage.py api_token`; only its hash is kept.
# API_TOKEN_DAYS: how long a new token lasts (0: until revoked). API_RATE_USER and
# API_RATE_ANONYMOUS: requests allowed per user, and per address without a valid token, counted
# in the cache (Redis when REDIS_URL is set).
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=365)
API_RATES = {
    "user": env("API_RATE_USER", default="120/minute"),
    "anon": env("API_RATE_ANONYMOUS", default="20/minute"),
}
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=100)
KNOX_TOKEN_MODEL = "api.ApiToken"
# knox's own token table is swapped for ours, but its migrations would create it anyway, with a
# key to the users that a database flush (the transactional and browser tests) cannot truncate.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": timedelta(days=API_TOKEN_DAYS) if API_TOKEN_DAYS else None,
    "TOKEN_PREFIX": "caseload_",
    "AUTH_HEADER_PREFIX": "Token",
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["caseload.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "caseload.api.authentication.UserThrottle",
        "caseload.api.authentication.AnonymousThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "caseload.api.pagination.Pages",
    "PAGE_SIZE": PAGE_SIZE,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Caseload API",
    "DESCRIPTION": (
        "Weighted caseloads for a council's teams: teams and their members' loads, a worker's "
        "caseload, cases and their weights, the allocation queue and the figures on a date; "
        "log contacts and propose case factors. Every answer is scoped to the token's user "
        "exactly as the pages are. Send `Authorization: Token <your token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "caseload.api.openapi.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "caseload.core.choices.CaseStatus",
        "BandwidthStatusEnum": "weighting.scoring.BandwidthStatus",
    },
}
