"""The standalone site's settings: one module, read from the environment (see .env.example).

The embedded default needs nothing: SQLite in the project folder and Renown's
tasks run in-process. Set DATABASE_URL and CELERY_BROKER_URL to scale.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from renown import RENOWN_BEAT_SCHEDULE, with_renown_apps
from renown_site.env import env_bool, env_int, env_list, env_str

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG=0 "
            "(or set DJANGO_DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = with_renown_apps(
    [
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
        # The site itself: admin branding, login throttling, the demo command.
        "renown_site",
    ]
)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "renown_site.middleware.ContentSecurityPolicyMiddleware",
]

if not DEBUG:
    # Production serves collected static files itself; runserver does it in DEBUG.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")  # after SecurityMiddleware

ROOT_URLCONF = "renown_site.urls"
WSGI_APPLICATION = "renown_site.wsgi.application"

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web process read while a task writes; IMMEDIATE takes the write
    # lock at BEGIN so concurrent writers wait (timeout) instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# ModelBackend behind the login throttle: a locked-out username or address is refused
# before any password is checked (renown_site/login_throttle.py).
AUTHENTICATION_BACKENDS = ["renown_site.login_throttle.ThrottledModelBackend"]
RENOWN_LOGIN_MAX_FAILURES = env_int("RENOWN_LOGIN_MAX_FAILURES", 5)
RENOWN_LOGIN_WINDOW_SECONDS = env_int("RENOWN_LOGIN_WINDOW_SECONDS", 15 * 60)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "renown:candidate-list"
LOGOUT_REDIRECT_URL = "login"

# --- I18n, static -----------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS: list[Path] = []  # every static file ships with its app (static/renown/)
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

# --- HTTPS (on by default in production; DJANGO_DEBUG=1 turns the defaults off) ---
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe over plain HTTP: the health check must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Cache (login throttling counts) -----------------------------------------
# One process: local memory. Several web processes must share the counts, or each
# would allow its own five tries: point DJANGO_CACHE_URL at Redis (redis://host:6379/2).
CACHE_URL = env_str("DJANGO_CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Email (password resets, notices) ---------------------------------------
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "renown@localhost")

# --- Celery -----------------------------------------------------------------
# Unset broker: the embedded default. Renown runs its tasks in the calling process,
# as in any host with no broker (renown.queue): `refresh_scores` runs the batches
# itself, and a refresh started from the recruiter pages runs inside that request.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
if DEBUG and not CELERY_BROKER_URL:
    # Local development and the demo run without a broker on purpose: no warning
    # about it (renown.W010), nor about provider rates counted per process (renown.W040:
    # there is one process), nor about secrets encrypted with a key derived from the
    # development SECRET_KEY (renown.W030). A production site gets them.
    SILENCED_SYSTEM_CHECKS = ["renown.W010", "renown.W040", "renown.W030"]
# In-process runs log a failing task (celery.app.trace) and go on, as a worker would;
# every task records its outcome.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "renown")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # every task is idempotent (unique snapshot per cycle)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redelivery of an unacked task must wait longer than the longest retry countdown.
# (Redis, SQS): it is set above RENOWN_FETCH_MAX_RETRY_DELAY_SECONDS (one hour).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 2 * 60 * 60),
    # How often a Redis consumer sweeps for work a dead worker left unacknowledged.
    "unacked_restore_interval": env_int("CELERY_BROKER_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env_int("CELERY_BROKER_RESTORE_THROTTLE", 10),
}
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
# Renown's periodic tasks, added as any host adds them (docs/install.md).
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = dict(RENOWN_BEAT_SCHEDULE)

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per task is the worker's business; in-process (eager) runs stay quiet.
        "celery.app.trace": {"level": env_str("DJANGO_LOG_LEVEL_CELERY_TRACE", "WARNING")},
    },
}

# --- Renown plugin knobs (defaults live in each app's conf.py) ----------------
RENOWN_ALLOW_PRIVATE_HOSTS = env_bool("RENOWN_ALLOW_PRIVATE_HOSTS", False)
# Provider base URLs (scheme, host, port) and credentials; unset ones keep the
# public defaults in scoring/conf.py. Tests and benchmarks point them at loopback.
for _network in (
    "BLUESKY", "MASTODON", "GITHUB", "STACKEXCHANGE", "HACKERNEWS", "YOUTUBE",
    "OPENALEX", "OPENLIBRARY", "ORCID",
):  # fmt: skip
    if _value := env_str(f"RENOWN_PROVIDER_URL_{_network}"):
        globals()[f"RENOWN_PROVIDER_URL_{_network}"] = _value
    # Requests per provider as a `limits` rate ("12/second"); unset: the published limit.
    if _value := env_str(f"RENOWN_PROVIDER_RATE_{_network}"):
        globals()[f"RENOWN_PROVIDER_RATE_{_network}"] = _value
for _name in (
    "RENOWN_YOUTUBE_API_KEY", "RENOWN_GITHUB_TOKEN", "RENOWN_STACKEXCHANGE_KEY",
    "RENOWN_OPENALEX_API_KEY", "RENOWN_CONTACT_EMAIL",
):  # fmt: skip
    if _value := env_str(_name):
        globals()[_name] = _value
# ATS API roots and rates (defaults in hiring/conf.py); tests and local trials point the
# roots at a loopback stand-in (with RENOWN_ALLOW_PRIVATE_HOSTS).
for _ats in ("GREENHOUSE", "LEVER", "ASHBY", "WORKABLE"):
    for _name in (f"RENOWN_ATS_API_URL_{_ats}", f"RENOWN_ATS_RATE_{_ats}"):
        if _value := env_str(_name):
            globals()[_name] = _value
if _value := env_str("RENOWN_ATS_AUTH_URL_GREENHOUSE"):
    RENOWN_ATS_AUTH_URL_GREENHOUSE = _value
# Keys that encrypt stored ATS secrets and credentials (renown.crypto): a comma-separated
# list in RENOWN_ENCRYPTION_KEY, or one key per line in the file RENOWN_ENCRYPTION_KEY_FILE
# (a Docker or systemd secret). Unset: a key derived from SECRET_KEY (renown.W030).
RENOWN_ENCRYPTION_KEYS = [
    key.strip()
    for key in env_str("RENOWN_ENCRYPTION_KEY").replace("\n", ",").split(",")
    if key.strip()
]
# Where candidates reach this site ("https://jobs.example.com"): the private links in the
# notices sent to them. Unset, the notices tell them to ask for a link.
RENOWN_PUBLIC_URL = env_str("RENOWN_PUBLIC_URL")
# Where the provider rate limiter counts ("": the broker when Redis, else per process).
RENOWN_RATE_LIMIT_STORAGE_URL = env_str("RENOWN_RATE_LIMIT_STORAGE_URL")
RENOWN_DISABLED_PROVIDERS = env_list("RENOWN_DISABLED_PROVIDERS", [])
RENOWN_PROVIDER_CONCURRENCY = env_int("RENOWN_PROVIDER_CONCURRENCY", 20)
RENOWN_FETCH_BATCH_SIZE = env_int("RENOWN_FETCH_BATCH_SIZE", 200)
RENOWN_HTTP_TIMEOUT_SECONDS = float(env_int("RENOWN_HTTP_TIMEOUT_SECONDS", 10))
# FCRA adverse action (defaults and meanings in hiring/conf.py).
RENOWN_FCRA_MODE = env_str("RENOWN_FCRA_MODE", "us")
if RENOWN_FCRA_MODE not in ("us", "all", "off"):
    raise ImproperlyConfigured("RENOWN_FCRA_MODE must be us, all or off.")
RENOWN_FCRA_WAITING_BUSINESS_DAYS = env_int("RENOWN_FCRA_WAITING_BUSINESS_DAYS", 5)
RENOWN_FCRA_REINVESTIGATION_DAYS = env_int("RENOWN_FCRA_REINVESTIGATION_DAYS", 30)
for _name in ("RENOWN_FCRA_AGENCY_NAME", "RENOWN_FCRA_AGENCY_ADDRESS", "RENOWN_FCRA_AGENCY_PHONE"):
    if _value := env_str(_name):
        globals()[_name] = _value

# API limits: a request body over this answers 413; requests over the rate answer 429.
RENOWN_API_MAX_BODY_BYTES = env_int("RENOWN_API_MAX_BODY_BYTES", 2 * 1024 * 1024)
RENOWN_API_THROTTLE_RATE = env_str("RENOWN_API_THROTTLE_RATE", "1200/min")
RENOWN_API_IDEMPOTENCY_TTL_HOURS = env_int("RENOWN_API_IDEMPOTENCY_TTL_HOURS", 24)
# A key reserved by a request that died is free again after this; keep it above the
# longest a request may run (gunicorn's worker --timeout, 30 s by default), or a retry
# could run beside a request that is still running.
RENOWN_API_IDEMPOTENCY_RESERVATION_SECONDS = env_int(
    "RENOWN_API_IDEMPOTENCY_RESERVATION_SECONDS", 60
)
# Webhooks and retention (defaults and meanings in webhooks/conf.py and privacy/conf.py);
# each is set here only when the environment gives it.
for _name in (
    "RENOWN_WEBHOOK_DISABLE_AFTER_DAYS",
    "RENOWN_WEBHOOK_DELIVERY_RETENTION_DAYS", "RENOWN_SNAPSHOT_RETENTION_DAYS",
    "RENOWN_RETENTION_EMPLOYMENT_RECORD_DAYS", "RENOWN_RETENTION_AI_LOG_DAYS",
    "RENOWN_ERASURE_TOMBSTONE_DAYS",
):  # fmt: skip
    if env_str(_name):
        globals()[_name] = env_int(_name, 0)
# Retired (an earlier .env.example listed them): passed on so that `manage.py check` says
# they are ignored now (renown.W020) instead of them being dropped in silence.
for _name in ("RENOWN_WEBHOOK_MAX_ATTEMPTS", "RENOWN_WEBHOOK_DISABLE_AFTER_FAILURES"):
    if env_str(_name):
        globals()[_name] = env_int(_name, 0)
# Seconds between webhook delivery attempts, comma-separated ("5,300,1800,...").
if env_str("RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS"):
    try:
        RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS = [
            int(_delay) for _delay in env_list("RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS", [])
        ]
    except ValueError:
        raise ImproperlyConfigured(
            "RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS must be whole seconds separated by commas."
        ) from None
