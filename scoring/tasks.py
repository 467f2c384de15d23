"""Celery tasks for refreshing and scoring: thin wrappers around scoring.services.

Every task is idempotent (snapshots are unique per account and cycle; scores per
inputs), so ``acks_late`` is safe: a task redelivered after a worker died redoes
only what is missing.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from renown.queue import enqueue
from scoring import conf


@shared_task(
    name="scoring.fetch_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=600,
    time_limit=660,
)
def fetch_batch_task(cycle_id: int, account_ids: list[int], attempt: int = 0) -> None:
    """Fetch a batch of accounts for the cycle; retry what failed transiently; rescore.

    Accounts that were rate-limited or failed transiently are sent again as a
    smaller batch after the provider's Retry-After or an exponential backoff with
    jitter, a bounded number of times; after that they are recorded as failed.
    """
    from scoring import services

    result = services.snapshot_fetch_batch(
        cycle_id=cycle_id, account_ids=account_ids, attempt=attempt
    )
    if result.retry:
        enqueue(
            fetch_batch_task,
            cycle_id,
            result.retry,
            attempt + 1,
            countdown=max(result.retry_after, services.backoff_seconds(attempt, base=1.0)),
        )
    if result.scored_candidates:
        enqueue(score_candidates_task, result.scored_candidates)


@shared_task(name="scoring.score_candidates", acks_late=True, soft_time_limit=300, time_limit=330)
def score_candidates_task(candidate_ids: list[int]) -> None:
    """Recompute these candidates' scores, look for gaming signs, and tell the hiring app."""
    from django.utils.module_loading import import_string

    from scoring import services

    services.score_compute_many(candidate_ids=candidate_ids)
    services.flags_detect(candidate_ids=candidate_ids)
    if hook := conf.get("RENOWN_SCORES_CHANGED"):
        import_string(hook)(candidate_ids)


@shared_task(name="scoring.refresh_due", acks_late=True, soft_time_limit=600, time_limit=660)
def refresh_due_task() -> None:
    """Periodic refresh (celery beat): every account not fetched within the interval."""
    from datetime import timedelta

    from scoring import services

    due_before = timezone.now() - timedelta(hours=conf.get("RENOWN_REFRESH_INTERVAL_HOURS"))
    ids = services.accounts_due(due_before=due_before)
    cycle, batches = services.refresh_start(
        account_ids=ids, label="periodic refresh", actor="task:periodic refresh"
    )
    services.refresh_enqueue(cycle=cycle, batches=batches)


@shared_task(name="scoring.flag_disagreements", acks_late=True, soft_time_limit=600, time_limit=660)
def flag_disagreements_task(organization_id: int) -> None:
    """Compare influence with vendor scores across an organisation once its refresh finished."""
    from renown.models import Organization
    from scoring import services

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is not None:
        services.flags_detect_disagreements(organization=organization)


@shared_task(
    name="scoring.window_stats_slide", acks_late=True, soft_time_limit=1800, time_limit=1860
)
def window_stats_slide_task() -> None:
    """Nightly (celery beat): the window statistics of candidates whose window lost a day."""
    from scoring import window_stats

    if window_stats.statistics_enabled():
        window_stats.window_stats_slide()
