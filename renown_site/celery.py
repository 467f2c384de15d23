"""The Celery application. Workers: ``celery -A renown_site worker``; beat: ``celery -A renown_site beat``."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renown_site.settings")

app = Celery("renown_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
