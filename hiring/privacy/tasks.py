"""Celery tasks for retention: thin wrappers around hiring.privacy.services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="privacy.purge", acks_late=True, soft_time_limit=900, time_limit=960)
def purge_task() -> None:
    """Periodic (celery beat): end retention holds that are over; delete old erasure
    tombstones and old raw snapshots."""
    from hiring.privacy import services

    services.retention_purge()
    services.tombstones_purge()
    services.snapshots_purge()
