"""Test settings: the real settings with test-only overrides (Styleguide config/django/test.py)."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from renown_site.settings import *  # noqa: F403
from renown_site.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
RENOWN_ALLOW_PRIVATE_HOSTS = True
SECURE_SSL_REDIRECT = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tests run tasks eagerly whatever the environment says (the real-worker test
# starts its own worker) and let a task's bug fail the test that ran it.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# A host's own candidate app for the host-link tests (tests/hostapp); linked only where a
# test sets RENOWN_HOST_CANDIDATE_MODEL.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.hostapp"]  # noqa: F405
