"""The base's Celery tasks (found by a host's ``autodiscover_tasks``): webhooks out."""

from __future__ import annotations

from renown.webhooks.tasks import deliver_task, purge_task, sweep_task

__all__ = ["deliver_task", "purge_task", "sweep_task"]
