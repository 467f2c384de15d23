"""Celery tasks for ATS integrations: thin wrappers around hiring.ats.services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="hiring.ats_purge", acks_late=True, soft_time_limit=600, time_limit=660)
def purge_task() -> None:
    """Periodic (celery beat): forget inbound replay records past the replay window."""
    from hiring.ats import services

    services.inbound_deliveries_purge()
