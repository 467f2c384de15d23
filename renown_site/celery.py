"""The Celery application. Workers: ``celery -A hiring worker``; beat: ``celery -A hiring beat``."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hiring.settings")

app = Celery("hiring")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
