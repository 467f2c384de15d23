"""Celery tasks for webhooks: thin wrappers around renown.webhooks.services."""

from __future__ import annotations

from celery import shared_task

from renown.queue import enqueue


@shared_task(name="webhooks.deliver", acks_late=True, soft_time_limit=60, time_limit=90)
def deliver_task(delivery_id: int, attempt: int = 1) -> None:
    """Attempt one delivery; on failure queue the next attempt after an exponential backoff.

    Idempotent: the attempt claims the row with a conditional UPDATE, so a
    redelivered or duplicated message sends nothing twice.
    """
    from renown.webhooks import services

    outcome = services.delivery_attempt(delivery_id=delivery_id, attempt=attempt)
    if outcome is not None and outcome.retry_in is not None:
        enqueue(deliver_task, delivery_id, attempt + 1, countdown=outcome.retry_in)


@shared_task(name="webhooks.sweep", acks_late=True, soft_time_limit=120, time_limit=150)
def sweep_task() -> None:
    """Periodic (celery beat): queue deliveries whose send was lost."""
    from renown.webhooks import services

    services.deliveries_sweep()


@shared_task(name="webhooks.purge", acks_late=True, soft_time_limit=600, time_limit=660)
def purge_task() -> None:
    """Periodic (celery beat): forget old delivery logs."""
    from renown.webhooks import services

    services.deliveries_purge()
