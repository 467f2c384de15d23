"""Refresh cycles: which accounts are due, consent-gated fetching in batches into snapshots,
retries with backoff, and a cycle's finish."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from candidates.consent import FetchPermission, NoticeOnRecord, fetch_permission
from candidates.models import (
    AccountStatus,
    Candidate,
    CandidateNotice,
    SocialAccount,
)
from candidates.services import ids_digest
from renown.models import AuditEventType, Organization
from renown.queue import enqueue, enqueue_on_commit
from renown.trail import AuditActor, audit_record
from scoring import conf, providers, readings
from scoring.fetching import FetchJob, fetch_in_process
from scoring.models import (
    FetchStatus,
    MetricSnapshot,
    RefreshCycle,
)
from scoring.providers.base import (
    Observation,
    ProviderNotFound,
    ProviderRateLimited,
    ProviderTransient,
)

logger = logging.getLogger(__name__)


def refresh_cycle_start(
    *, organization: Organization | None = None, label: str = "", total: int = 0
) -> RefreshCycle:
    """Open a refresh cycle: the unit within which each account gets one snapshot."""
    return RefreshCycle.objects.create(
        organization=organization, label=label, total=total, started_at=timezone.now()
    )


def _demo_refused_networks(networks: Iterable[str]) -> set[str]:
    # Demo accounts are synthetic people: they may be fetched only from a stand-in
    # server that a setting points at, never from the public default URL.
    return {
        network
        for network in set(networks)
        if providers.base_url(network) == providers.default_base_url(network)
    }


def fetch_permissions(*, candidate_ids: Iterable[int]) -> dict[int, FetchPermission]:
    """Each candidate's permission to be fetched, from their notices and jobs (3 queries)."""
    ids = list(set(candidate_ids))
    return _permissions(
        {
            candidate_id: (country, region)
            for candidate_id, country, region in Candidate.objects.filter(id__in=ids).values_list(
                "id", "country", "region"
            )
        }
    )


def _permissions(residences: Mapping[int, tuple[str, str]]) -> dict[int, FetchPermission]:
    """``fetch_permissions`` of candidates whose (country, region) the caller has read."""
    ids = list(residences)
    jurisdictions_of = import_string(conf.get("RENOWN_CANDIDATE_JOB_JURISDICTIONS"))
    job_jurisdictions: dict[int, set[str]] = jurisdictions_of(ids)
    notices: dict[int, list[NoticeOnRecord]] = {}
    for candidate_id, kind, basis, withdrawn_at in CandidateNotice.objects.filter(
        candidate_id__in=ids
    ).values_list("candidate_id", "kind", "lawful_basis", "withdrawn_at"):
        notices.setdefault(candidate_id, []).append(
            NoticeOnRecord(kind=kind, lawful_basis=basis, withdrawn=withdrawn_at is not None)
        )
    return {
        candidate_id: fetch_permission(
            country=country,
            region=region,
            notices=notices.get(candidate_id, []),
            job_jurisdictions=job_jurisdictions.get(candidate_id, set()),
        )
        for candidate_id, (country, region) in residences.items()
    }


@dataclass(frozen=True)
class _BatchAccount:
    """What a batch needs of an account: read as plain values, one row per account."""

    id: int
    candidate_id: int
    network: str
    handle: str
    status: str
    is_demo: bool


@dataclass(frozen=True)
class BatchResult:
    """What a batch left to do: accounts to retry, and how long to wait first."""

    retry: list[int]
    retry_after: float
    scored_candidates: list[int]


def snapshot_fetch_batch(
    *, cycle_id: int, account_ids: Sequence[int], attempt: int = 0
) -> BatchResult:
    """Fetch a batch of accounts and record one snapshot each for the cycle.

    Idempotent: accounts that already have a snapshot in the cycle are skipped, and
    snapshots are written under the (account, cycle) unique constraint. Accounts
    whose candidate's notices do not cover fetching, and accounts rejected or disowned
    since they were queued, are recorded as skipped, never fetched. Rate-limited and transient failures come back in ``retry`` while
    ``attempt`` is below RENOWN_FETCH_MAX_RETRIES and the wait is acceptable;
    after that they are recorded as failures: nothing is silently dropped.
    """
    # One query for the accounts still without a snapshot in the cycle, with what the
    # gate needs of their candidates (plain values: a batch builds no model instances).
    rows = (
        SocialAccount.objects.filter(id__in=list(account_ids))
        .filter(
            ~Exists(MetricSnapshot.objects.filter(cycle_id=cycle_id, account_id=OuterRef("pk")))
        )
        .values_list(
            "id",
            "candidate_id",
            "network",
            "handle",
            "status",
            "candidate__organization__is_demo",
            "candidate__country",
            "candidate__region",
        )
    )
    accounts: list[_BatchAccount] = []
    residences: dict[int, tuple[str, str]] = {}
    for account_id, candidate_id, network, handle, status, is_demo, country, region in rows:
        accounts.append(_BatchAccount(account_id, candidate_id, network, handle, status, is_demo))
        residences[candidate_id] = (country, region)
    permissions = _permissions(residences)
    refused_demo = _demo_refused_networks(a.network for a in accounts if a.is_demo)
    outcomes: dict[int, tuple[FetchStatus, Observation | None, str]] = {}
    jobs: list[FetchJob] = []
    for account in accounts:
        permission = permissions[account.candidate_id]
        if account.status in (AccountStatus.REJECTED, AccountStatus.DISOWNED):
            # Queued before a recruiter rejected it or the candidate disowned it: not theirs.
            outcomes[account.id] = (FetchStatus.SKIPPED, None, AccountStatus(account.status).label)
        elif not permission.allowed:
            outcomes[account.id] = (FetchStatus.SKIPPED, None, permission.reason)
        elif account.is_demo and account.network in refused_demo:
            outcomes[account.id] = (
                FetchStatus.PERMANENT_ERROR,
                None,
                "demo data is never fetched from the public API",
            )
        else:
            jobs.append(FetchJob(account.id, account.network, account.handle))
    # The process's fetch loop runs only the HTTP; all database work stays in this thread.
    results = fetch_in_process(jobs)

    max_retries = conf.get("RENOWN_FETCH_MAX_RETRIES")
    max_delay = conf.get("RENOWN_FETCH_MAX_RETRY_DELAY_SECONDS")
    retry: list[int] = []
    retry_after = 0.0
    for account_id, result in results.items():
        if isinstance(result, Observation):
            outcomes[account_id] = (FetchStatus.OK, result, "")
        elif isinstance(result, ProviderNotFound):
            outcomes[account_id] = (FetchStatus.NOT_FOUND, None, str(result))
        elif isinstance(result, ProviderRateLimited | ProviderTransient):
            delay = (
                result.retry_after
                if isinstance(result, ProviderRateLimited)
                else backoff_seconds(attempt)
            )
            if attempt < max_retries and delay <= max_delay:
                retry.append(account_id)
                retry_after = max(retry_after, delay)
            else:
                status = (
                    FetchStatus.RATE_LIMITED
                    if isinstance(result, ProviderRateLimited)
                    else FetchStatus.TRANSIENT_ERROR
                )
                outcomes[account_id] = (status, None, f"{result} (after {attempt + 1} tries)")
        else:
            outcomes[account_id] = (FetchStatus.PERMANENT_ERROR, None, str(result))

    by_id = {a.id: a for a in accounts}
    _record_outcomes(cycle_id, by_id, outcomes)
    refresh_cycle_finish_if_complete(cycle_id=cycle_id)
    scored = sorted(
        {
            by_id[a].candidate_id
            for a, (status, _, _) in outcomes.items()
            if status == FetchStatus.OK
        }
    )
    return BatchResult(retry=retry, retry_after=retry_after, scored_candidates=scored)


def backoff_seconds(attempt: int, *, base: float = 10.0, cap: float = 600.0) -> float:
    """Exponential backoff with full jitter: spreads the retries of a failed batch apart."""
    return random.uniform(0, min(cap, base * 2**attempt))  # noqa: S311 - jitter, not crypto


def _record_outcomes(
    cycle_id: int,
    accounts: Mapping[int, _BatchAccount],
    outcomes: Mapping[int, tuple[FetchStatus, Observation | None, str]],
) -> None:
    now = timezone.now()
    snapshots = [
        MetricSnapshot(
            account_id=account_id,
            cycle_id=cycle_id,
            provider=accounts[account_id].network,
            observed_at=observation.observed_at if observation else now,
            metrics=observation.metrics if observation else {},
            status=status,
            error=error[:500],
        )
        for account_id, (status, observation, error) in outcomes.items()
    ]
    found = [a for a, (status, _, _) in outcomes.items() if status == FetchStatus.OK]
    missing = [a for a, (status, _, _) in outcomes.items() if status == FetchStatus.NOT_FOUND]
    tried = [
        a
        for a, (status, _, _) in outcomes.items()
        if status not in (FetchStatus.OK, FetchStatus.NOT_FOUND, FetchStatus.SKIPPED)
    ]
    with transaction.atomic():
        # A redelivered batch may race its first delivery: the first snapshot stays.
        MetricSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True, batch_size=1000)
        accounts_ = SocialAccount.objects
        # Accounts joining or leaving the active ones change which snapshots a raw metric
        # sums: those candidates' latest readings are rebuilt, the others' updated.
        moved = set(
            accounts_.filter(
                Q(id__in=found, status=AccountStatus.NOT_FOUND)
                | Q(id__in=missing, status=AccountStatus.ACTIVE)
            ).values_list("candidate_id", flat=True)
        )
        # Only what was fetchable changes state: an account rejected or disowned while its
        # fetch ran stays out of scoring.
        fetchable = (AccountStatus.ACTIVE, AccountStatus.NOT_FOUND)
        accounts_.filter(id__in=found, status__in=fetchable).update(
            last_fetched_at=now, status=AccountStatus.ACTIVE
        )
        accounts_.filter(id__in=missing, status__in=fetchable).update(
            last_fetched_at=now, status=AccountStatus.NOT_FOUND
        )
        accounts_.filter(id__in=tried).update(last_fetched_at=now)
        readings.snapshot_readings_upsert(cycle_id=cycle_id, account_ids=found)
        if moved:
            readings.readings_rebuild(moved, vendors=False)
    failures = [(a, s, e) for a, (s, _, e) in outcomes.items() if s != FetchStatus.OK]
    for account_id, status, error in failures:
        logger.debug("cycle %s account %s: %s %s", cycle_id, account_id, status, error)
    if failures:
        logger.info(
            "cycle %s: %d of %d account(s) not fetched", cycle_id, len(failures), len(outcomes)
        )


def refresh_cycle_finish_if_complete(*, cycle_id: int) -> bool:
    """Mark the cycle finished once every account in it has its snapshot (idempotent)."""
    cycle = RefreshCycle.objects.filter(pk=cycle_id, status=RefreshCycle.Status.RUNNING).first()
    if cycle is None:
        return False
    if MetricSnapshot.objects.filter(cycle_id=cycle_id).count() < cycle.total:
        return False
    finished = bool(
        RefreshCycle.objects.filter(pk=cycle_id, status=RefreshCycle.Status.RUNNING).update(
            status=RefreshCycle.Status.FINISHED, finished_at=timezone.now()
        )
    )
    if finished and cycle.organization_id is not None:
        from scoring.tasks import flag_disagreements_task

        organization_id = cycle.organization_id
        # Once per cycle, after the last batch: a population-wide comparison.
        enqueue_on_commit(flag_disagreements_task, organization_id)
    return finished


def accounts_due(
    *, organization: Organization | None = None, due_before: datetime | None = None
) -> list[int]:
    """Ids of active accounts to refresh, stalest first (never fetched ones first of all).

    ``due_before`` keeps only accounts last fetched before it (periodic refresh).
    """
    accounts = SocialAccount.objects.filter(status=AccountStatus.ACTIVE).exclude(
        network__in=conf.get("RENOWN_DISABLED_PROVIDERS")
    )
    if organization is not None:
        accounts = accounts.filter(candidate__organization=organization)
    if due_before is not None:
        accounts = accounts.filter(
            Q(last_fetched_at__isnull=True) | Q(last_fetched_at__lt=due_before)
        )
    return list(
        accounts.order_by(F("last_fetched_at").asc(nulls_first=True), "id").values_list(
            "id", flat=True
        )
    )


def refresh_start(
    *,
    organization: Organization | None = None,
    account_ids: Sequence[int] | None = None,
    label: str = "",
    actor: AuditActor = None,
    after: Mapping[str, object] | None = None,
    audited: bool = True,
) -> tuple[RefreshCycle, list[list[int]]]:
    """Open a refresh cycle over the due accounts and split them into batches.

    Returns the cycle and its batches; the caller queues them (``refresh_enqueue``)
    or runs them itself. A cycle over no accounts is finished at once. The start is
    one ``refresh.started`` event (the organisation's chain; the deployment-wide one
    for a refresh across organisations) with the number of accounts and a digest of
    their ids, plus ``after``; ``audited=False`` where the caller's own event names
    the cycle (a dispute's reinvestigation).
    """
    ids = list(account_ids) if account_ids is not None else accounts_due(organization=organization)
    size = conf.get("RENOWN_FETCH_BATCH_SIZE")
    with transaction.atomic():
        cycle = refresh_cycle_start(organization=organization, label=label, total=len(ids))
        if not ids:
            RefreshCycle.objects.filter(pk=cycle.pk).update(
                status=RefreshCycle.Status.FINISHED, finished_at=timezone.now()
            )
            cycle.refresh_from_db()
        if audited:
            audit_record(
                organization=organization,
                actor=actor,
                event_type=AuditEventType.REFRESH_STARTED,
                subject=cycle,
                after={
                    "label": label,
                    "accounts": len(ids),
                    "accounts_sha256": ids_digest(ids),
                    **(after or {}),
                },
            )
    return cycle, [ids[i : i + size] for i in range(0, len(ids), size)]


def refresh_enqueue(*, cycle: RefreshCycle, batches: Sequence[Sequence[int]]) -> None:
    """Queue the cycle's batches for the workers once the cycle row is committed."""
    from scoring.tasks import fetch_batch_task

    def send() -> None:
        for batch in batches:
            enqueue(fetch_batch_task, cycle.pk, list(batch))

    transaction.on_commit(send)
