"""A hiring platform's settings, as `django-admin startproject` makes them, plus Renown.

Renown is added exactly as docs/install.md says, and in no other way: one line around
INSTALLED_APPS, and the RENOWN_ settings linking the platform's Applicant model. No
REST_FRAMEWORK, no Renown middleware or context processor.
"""

from pathlib import Path

from renown import with_renown_apps

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "django-insecure-host-project-for-ci-only"
DEBUG = True
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = with_renown_apps(
    [
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
        # The platform's own REST API, on DRF's defaults.
        "rest_framework",
        "api",
        # The platform's own candidates.
        "applicants",
    ]
)

# Renown keeps a candidate for every Applicant (docs/install.md, "Link your candidate
# model"); one employer runs this platform, and `migrate` makes its organisation.
RENOWN_HOST_CANDIDATE_MODEL = "applicants.Applicant"
RENOWN_HOST_CANDIDATE_FIELDS = {"name": "full_name", "email": "email", "country": "country"}
RENOWN_DEFAULT_ORGANIZATION = "acme"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hostsite.urls"

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

WSGI_APPLICATION = "hostsite.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
