"""Celery tasks for screening and disputes: thin wrappers around hiring.services.

Idempotent: a screening run upserts each candidate's one screening; a
reinvestigation may run twice and records the latest result.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import Task, shared_task

from renown.queue import enqueue

logger = logging.getLogger(__name__)


@shared_task(name="hiring.screening_run", acks_late=True, soft_time_limit=600, time_limit=660)
def screening_run_task(job_id: int, reason: str = "", actor: str = "") -> None:
    """Screen a job's candidates against its live rules (after a rule change).

    ``actor``: who asked, as the audit trail names them (a label; the system when empty).
    """
    from hiring.models import Job
    from hiring.services import screening_run_for_job

    job = Job.objects.select_related("organization").filter(pk=job_id).first()
    if job is not None:
        screening_run_for_job(job=job, reason=reason or "rules changed", actor=actor or None)


@shared_task(name="hiring.screening_rerun", acks_late=True, soft_time_limit=600, time_limit=660)
def screening_rerun_task(candidate_ids: list[int], reason: str = "", actor: str = "") -> None:
    """Screen these candidates again for every job they are considered for (``actor``: a label)."""
    from hiring.services import screening_rerun_for_candidates

    screening_rerun_for_candidates(
        candidate_ids=candidate_ids, reason=reason or "scores changed", actor=actor or None
    )


def screening_rerun_enqueue(candidate_ids: Iterable[int]) -> None:
    """Scoring's hook (RENOWN_SCORES_CHANGED): scores moved, screen those candidates again."""
    ids = sorted(set(candidate_ids))
    if ids:
        enqueue(screening_rerun_task, ids, "scores changed")


# A re-fetch usually finishes within minutes; after this many checks the
# reinvestigation goes on with the data there are (the failures are recorded).
REFETCH_CHECKS = 30


@shared_task(
    name="hiring.dispute_reinvestigate",
    bind=True,
    acks_late=True,
    max_retries=REFETCH_CHECKS,
    soft_time_limit=300,
    time_limit=330,
)
def dispute_reinvestigate_task(self: Task, dispute_id: int) -> None:  # type: ignore[type-arg]
    """Re-score and re-screen a disputed candidate once the re-fetch has finished."""
    from hiring.models import Dispute
    from hiring.review.disputes import dispute_reinvestigate
    from scoring.models import RefreshCycle

    dispute = Dispute.objects.select_related("adverse_action").filter(pk=dispute_id).first()
    if dispute is None:
        return
    running = (
        dispute.refresh_cycle_id is not None
        and RefreshCycle.objects.filter(
            pk=dispute.refresh_cycle_id, status=RefreshCycle.Status.RUNNING
        ).exists()
    )
    # Run in-process (no broker), waiting would change nothing: the re-fetch ran before.
    if running and not self.request.is_eager and self.request.retries < REFETCH_CHECKS:
        raise self.retry(countdown=60)
    dispute_reinvestigate(dispute=dispute)


@shared_task(name="hiring.link_host", acks_late=True, soft_time_limit=3600, time_limit=3660)
def host_reconcile_task() -> None:
    """Reconcile the host's candidate records with Renown (``renown_link_host``); nightly.

    A no-op when the host configured no RENOWN_HOST_CANDIDATE_MODEL. Idempotent.
    """
    from hiring.hostlink import host_reconcile

    result = host_reconcile()
    logger.info("Renown host link: %s", result.summary())


# Tasks of hiring's sub-packages, registered with the app's (``autodiscover_tasks`` finds
# ``hiring.tasks`` only).
from hiring.ats.tasks import purge_task as ats_purge_task  # noqa: E402, F401  isort: skip
from hiring.privacy.tasks import purge_task as privacy_purge_task  # noqa: E402, F401  isort: skip
