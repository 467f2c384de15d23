"""The host's Celery app; Renown's periodic tasks join its beat schedule with one line."""

from celery import Celery
from renown import RENOWN_BEAT_SCHEDULE

app = Celery("hostsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule.update(RENOWN_BEAT_SCHEDULE)
