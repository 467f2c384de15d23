"""Celery tasks for webhooks: thin wrappers around renown.webhooks.services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="webhooks.deliver", acks_late=True, soft_time_limit=60, time_limit=90)
def deliver_task(delivery_id: int, attempt: int | None = None) -> None:
    """Attempt one delivery, if it is due; a failure records when the next attempt is due.

    Never re-queues itself with a countdown: the sweep queues retries when they are due
    (a countdown longer than a Redis broker's visibility timeout is delivered twice).
    ``attempt`` is ignored; messages queued by earlier versions still carry it.
    Idempotent: the attempt claims the row with a conditional UPDATE, so a redelivered or
    duplicated message sends nothing twice.
    """
    from renown.webhooks import services

    services.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.sweep", acks_late=True, soft_time_limit=120, time_limit=150)
def sweep_task() -> None:
    """Periodic (celery beat, every 5 s): queue the deliveries that are due (retries, lost sends)."""
    from renown.webhooks import services

    services.deliveries_sweep()


@shared_task(name="webhooks.purge", acks_late=True, soft_time_limit=600, time_limit=660)
def purge_task() -> None:
    """Periodic (celery beat): forget old delivery logs."""
    from renown.webhooks import services

    services.deliveries_purge()
