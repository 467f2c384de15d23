"""Scoring use cases: refresh cycles, fetching batches into snapshots, computing scores."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import random
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.module_loading import import_string

from candidates.consent import FetchPermission, NoticeOnRecord, fetch_permission
from candidates.models import (
    AccountStatus,
    Candidate,
    CandidateNotice,
    ReputationEvidence,
    SocialAccount,
)
from candidates.services import ids_digest
from renown.models import AuditEventType, EventType, Organization
from renown.queue import enqueue, enqueue_on_commit
from renown.trail import AuditActor, audit_record
from renown.webhooks import services as webhook_services
from scoring import conf, providers, selectors
from scoring.anomalies import Day, account_findings, disagreements
from scoring.fetching import FetchJob, fetch_many
from scoring.models import (
    AnomalyFlag,
    FetchStatus,
    LatestScore,
    MetricSnapshot,
    RefreshCycle,
    Score,
    VendorScore,
)
from scoring.providers.base import (
    Observation,
    ProviderNotFound,
    ProviderRateLimited,
    ProviderTransient,
)
from scoring.scorers import (
    EvidenceItem,
    InfluenceScorer,
    ReputationScorer,
    ScholarlyRecord,
    ScoreResult,
    inputs_digest,
    network_metrics,
    normalise_vendor,
)
from scoring.vendors import VENDOR_SCALES

logger = logging.getLogger(__name__)


def refresh_cycle_start(
    *, organization: Organization | None = None, label: str = "", total: int = 0
) -> RefreshCycle:
    """Open a refresh cycle: the unit within which each account gets one snapshot."""
    return RefreshCycle.objects.create(
        organization=organization, label=label, total=total, started_at=timezone.now()
    )


def _refuses_demo(account: SocialAccount) -> bool:
    # Demo accounts are synthetic people: they may be fetched only from a stand-in
    # server that a setting points at, never from the public default URL.
    network = account.network
    return account.candidate.organization.is_demo and (
        providers.base_url(network) == providers.default_base_url(network)
    )


def fetch_permissions(*, candidate_ids: Iterable[int]) -> dict[int, FetchPermission]:
    """Each candidate's permission to be fetched, from their notices and jobs (3 queries)."""
    ids = list(set(candidate_ids))
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
        for candidate_id, country, region in Candidate.objects.filter(id__in=ids).values_list(
            "id", "country", "region"
        )
    }


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
    whose candidate's notices do not cover fetching are recorded as skipped, never
    fetched. Rate-limited and transient failures come back in ``retry`` while
    ``attempt`` is below RENOWN_FETCH_MAX_RETRIES and the wait is acceptable;
    after that they are recorded as failures: nothing is silently dropped.
    """
    done = set(
        MetricSnapshot.objects.filter(cycle_id=cycle_id, account_id__in=account_ids).values_list(
            "account_id", flat=True
        )
    )
    accounts = list(
        SocialAccount.objects.filter(
            id__in=[a for a in account_ids if a not in done]
        ).select_related("candidate__organization")
    )
    permissions = fetch_permissions(candidate_ids={a.candidate_id for a in accounts})
    outcomes: dict[int, tuple[FetchStatus, Observation | None, str]] = {}
    jobs: list[FetchJob] = []
    for account in accounts:
        permission = permissions[account.candidate_id]
        if not permission.allowed:
            outcomes[account.id] = (FetchStatus.SKIPPED, None, permission.reason)
        elif _refuses_demo(account):
            outcomes[account.id] = (
                FetchStatus.PERMANENT_ERROR,
                None,
                "demo data is never fetched from the public API",
            )
        else:
            jobs.append(FetchJob(account.id, account.network, account.handle))
    # The event loop runs only the HTTP; all database work stays outside it.
    results = asyncio.run(fetch_many(jobs)) if jobs else {}

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
    accounts: Mapping[int, SocialAccount],
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
        accounts_.filter(id__in=found).update(last_fetched_at=now, status=AccountStatus.ACTIVE)
        accounts_.filter(id__in=missing).update(last_fetched_at=now, status=AccountStatus.NOT_FOUND)
        accounts_.filter(id__in=tried).update(last_fetched_at=now)
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
) -> tuple[RefreshCycle, list[list[int]]]:
    """Open a refresh cycle over the due accounts and split them into batches.

    Returns the cycle and its batches; the caller queues them (``refresh_enqueue``)
    or runs them itself. A cycle over no accounts is finished at once.
    """
    ids = list(account_ids) if account_ids is not None else accounts_due(organization=organization)
    size = conf.get("RENOWN_FETCH_BATCH_SIZE")
    cycle = refresh_cycle_start(organization=organization, label=label, total=len(ids))
    if not ids:
        RefreshCycle.objects.filter(pk=cycle.pk).update(
            status=RefreshCycle.Status.FINISHED, finished_at=timezone.now()
        )
        cycle.refresh_from_db()
    return cycle, [ids[i : i + size] for i in range(0, len(ids), size)]


def refresh_enqueue(*, cycle: RefreshCycle, batches: Sequence[Sequence[int]]) -> None:
    """Queue the cycle's batches for the workers once the cycle row is committed."""
    from scoring.tasks import fetch_batch_task

    def send() -> None:
        for batch in batches:
            enqueue(fetch_batch_task, cycle.pk, list(batch))

    transaction.on_commit(send)


def _score_row(candidate_id: int, result: ScoreResult, inputs: object, *, as_of: datetime,
               snapshot_ids: Sequence[int] = ()) -> Score:  # fmt: skip
    return Score(
        candidate_id=candidate_id,
        scorer=result.scorer,
        scorer_version=result.version,
        value=result.value,
        scale_min=result.scale_min,
        scale_max=result.scale_max,
        components=result.components,
        snapshot_ids=sorted(snapshot_ids),
        # Only the data feeds the digest: the same inputs scored again are the same row.
        inputs_digest=inputs_digest(
            {"scorer": result.scorer, "version": result.version, "inputs": inputs}
        ),
        as_of=as_of,
        computed_at=timezone.now(),
    )


class SnapshotLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def provider(self) -> str: ...
    @property
    def observed_at(self) -> datetime: ...
    @property
    def metrics(self) -> Any: ...


def score_build_influence(*, candidate_id: int, snapshots: Sequence[SnapshotLike]) -> Score:
    """An unsaved influence Score for the candidate from these snapshots (one per account)."""
    influence = [s for s in snapshots if s.provider not in selectors.OFFLINE_NETWORKS]
    newest = max(s.observed_at for s in influence)
    result = InfluenceScorer().score(
        [network_metrics(s.provider, s.metrics) for s in influence], as_of=newest
    )
    return _score_row(
        candidate_id, result, sorted((s.id, s.metrics) for s in influence),
        as_of=newest, snapshot_ids=[s.id for s in influence],
    )  # fmt: skip


def score_build_reputation(
    *,
    candidate_id: int,
    evidence: Sequence[EvidenceItem],
    snapshots: Sequence[SnapshotLike],
    as_of: datetime,
) -> Score | None:
    """An unsaved offline-reputation Score, or None when there is nothing to score."""
    offline = [s for s in snapshots if s.provider in selectors.OFFLINE_NETWORKS]
    if not evidence and not offline:
        return None

    def metric(network: str, name: str) -> int:
        values = [s.metrics.get(name, 0) for s in offline if s.provider == network]
        return max((int(v) for v in values if isinstance(v, int)), default=0)

    record = ScholarlyRecord(
        citations=metric("openalex", "citations"),
        h_index=metric("openalex", "h_index"),
        books=metric("openlibrary", "books"),
        orcid_works=metric("orcid", "works"),
    )
    result = ReputationScorer().score(evidence, record, as_of=as_of.date())
    inputs = {
        "evidence": sorted(map(str, evidence)),
        "snapshots": sorted((s.id, s.metrics) for s in offline),
    }
    # A reputation score describes a day: evidence ages, so the date is part of the input.
    return _score_row(
        candidate_id, result, {**inputs, "day": str(as_of.date())},
        as_of=as_of, snapshot_ids=[s.id for s in offline],
    )  # fmt: skip


def score_compute_many(*, candidate_ids: Iterable[int], as_of: datetime | None = None) -> int:
    """Recompute influence, offline reputation and normalised vendor scores, set-based.

    Reads each chunk of candidates' data in a few queries, scores in memory and
    writes the scores in bulk; scores whose inputs are unchanged are kept as they
    are (unique on their inputs). A candidate with no data gets no score: no data
    is not a low score. Returns how many score rows the computation produced.
    """
    as_of = as_of or datetime.now(tz=UTC)
    ids = list(candidate_ids)
    produced = 0
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        snapshots = selectors.snapshot_latest_for_candidates(candidate_ids=chunk, as_of=as_of)
        evidence: dict[int, list[EvidenceItem]] = {}
        for candidate_id, kind, verification, when in ReputationEvidence.objects.filter(
            candidate_id__in=chunk
        ).values_list("candidate_id", "kind", "verification", "date"):
            evidence.setdefault(candidate_id, []).append(EvidenceItem(kind, verification, when))
        latest_vendor: dict[tuple[int, str, str], VendorScore] = {}
        for vendor_score in VendorScore.objects.filter(candidate_id__in=chunk).order_by(
            "as_of", "id"
        ):
            key = (vendor_score.candidate_id, vendor_score.vendor, vendor_score.vendor_name)
            latest_vendor[key] = vendor_score
        rows: list[Score] = []
        for candidate_id in chunk:
            own = snapshots.get(candidate_id, [])
            if any(s.provider not in selectors.OFFLINE_NETWORKS for s in own):
                rows.append(score_build_influence(candidate_id=candidate_id, snapshots=own))
            reputation = score_build_reputation(
                candidate_id=candidate_id,
                evidence=evidence.get(candidate_id, []),
                snapshots=own,
                as_of=as_of,
            )
            if reputation is not None:
                rows.append(reputation)
        for (candidate_id, _, _), vendor_score in latest_vendor.items():
            name = vendor_score.vendor_name or vendor_score.vendor
            result = normalise_vendor(
                vendor=name, value=vendor_score.value, scale_min=vendor_score.scale_min,
                scale_max=vendor_score.scale_max, as_of=vendor_score.as_of,
            )  # fmt: skip
            as_of_vendor = datetime.combine(vendor_score.as_of, datetime.min.time(), tzinfo=UTC)
            rows.append(
                _score_row(
                    candidate_id,
                    result,
                    [vendor_score.pk, str(vendor_score.value)],
                    as_of=as_of_vendor,
                )
            )
        with transaction.atomic():
            fresh = _scores_not_stored(rows)
            _insert_scores(rows)
            if fresh:
                _emit_score_updated(fresh)
        produced += len(rows)
    return produced


def _scores_not_stored(rows: Sequence[Score]) -> list[Score]:
    """The rows among ``rows`` that are new, when someone subscribed to ``score.updated``.

    Costs one query (the subscriptions) when nobody did; otherwise one more for
    the candidates' organisations and one for the scores already stored.
    """
    if not rows:
        return []
    org_ids = webhook_services.subscribed_organization_ids(EventType.SCORE_UPDATED)
    if not org_ids:
        return []
    candidate_ids = {row.candidate_id for row in rows}
    wanted = set(
        Candidate.objects.filter(pk__in=candidate_ids, organization_id__in=org_ids).values_list(
            "pk", flat=True
        )
    )
    rows = [row for row in rows if row.candidate_id in wanted]
    stored = set(
        Score.objects.filter(
            candidate_id__in=wanted, inputs_digest__in={row.inputs_digest for row in rows}
        ).values_list("candidate_id", "scorer", "scorer_version", "inputs_digest")
    )
    return [
        row
        for row in rows
        if (row.candidate_id, row.scorer, row.scorer_version, row.inputs_digest) not in stored
    ]


def _emit_score_updated(rows: Sequence[Score]) -> None:
    """One ``score.updated`` event per candidate with their new scores (same transaction)."""
    by_candidate: dict[int, list[Score]] = {}
    for row in rows:
        by_candidate.setdefault(row.candidate_id, []).append(row)
    candidates = Candidate.objects.select_related("organization").in_bulk(list(by_candidate))
    per_org: dict[int, list[tuple[dict[str, Any], uuid.UUID | None]]] = {}
    organizations = {}
    for candidate_id, scores in by_candidate.items():
        candidate = candidates[candidate_id]
        payload = {
            "candidate": webhook_services.candidate_ref(candidate),
            "scores": [
                {
                    "scorer": s.scorer,
                    "version": s.scorer_version,
                    "value": s.value,
                    "scale_min": s.scale_min,
                    "scale_max": s.scale_max,
                    "as_of": s.as_of,
                    "computed_at": s.computed_at,
                }
                for s in scores
            ],
        }
        organizations[candidate.organization_id] = candidate.organization
        per_org.setdefault(candidate.organization_id, []).append((payload, candidate.public_id))
    for org_id, items in per_org.items():
        webhook_services.event_emit_many(organizations[org_id], EventType.SCORE_UPDATED, items)


_SCORE_COLUMNS = (
    "candidate_id", "scorer", "scorer_version", "value", "scale_min", "scale_max",
    "components", "snapshot_ids", "inputs_digest", "as_of", "computed_at",
)  # fmt: skip


def _insert_scores(rows: Sequence[Score]) -> None:
    """Insert scores, keeping any that already exist for the same inputs.

    On PostgreSQL the rows are COPYed into a temporary table and moved over with
    ON CONFLICT DO NOTHING: several times faster than a multi-row INSERT for the
    JSON-heavy rows a recomputation writes. Elsewhere, bulk_create does the same.
    """
    if connection.vendor != "postgresql":
        Score.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        score_latest_upsert(rows=rows)
        return
    table = Score._meta.db_table
    columns = ", ".join(_SCORE_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            # Our own table and column names, no user input.
            f"CREATE TEMP TABLE score_incoming ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY score_incoming ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    (
                        row.candidate_id, row.scorer, row.scorer_version, row.value, row.scale_min,
                        row.scale_max, json.dumps(row.components), json.dumps(row.snapshot_ids),
                        row.inputs_digest, row.as_of, row.computed_at,
                    )
                )  # fmt: skip
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM score_incoming "  # noqa: S608
            "ON CONFLICT DO NOTHING"
        )
        # The latest-score table from the same rows, set-based (see score_latest_upsert).
        latest = connection.ops.quote_name(LatestScore._meta.db_table)
        candidates = connection.ops.quote_name(Candidate._meta.db_table)
        cursor.execute(
            f"INSERT INTO {latest} (candidate_id, organization_id, scorer, value, as_of) "  # noqa: S608
            "SELECT DISTINCT ON (i.candidate_id, i.scorer) i.candidate_id, c.organization_id, "
            f"i.scorer, i.value, i.as_of FROM score_incoming i JOIN {candidates} c "
            "ON c.id = i.candidate_id ORDER BY i.candidate_id, i.scorer, i.as_of DESC "
            "ON CONFLICT (candidate_id, scorer) DO UPDATE SET value = excluded.value, "
            f"as_of = excluded.as_of WHERE {latest}.as_of <= excluded.as_of"
        )
        # ON COMMIT DROP alone is not enough when the caller's transaction goes on.
        cursor.execute("DROP TABLE score_incoming")


def score_latest_upsert(*, rows: Sequence[Score]) -> None:
    """Keep LatestScore in step with scores just written (saved or not: values are read).

    A row replaces the stored latest value of its (candidate, scorer) only if it is
    at least as recent (``as_of``), so writing an older score (a backfill) never
    hides a newer one. One upsert statement per chunk, on SQLite and PostgreSQL.
    """
    newest: dict[tuple[int, str], tuple[Decimal, datetime]] = {}
    for row in rows:
        key = (row.candidate_id, row.scorer)
        value = Decimal(str(row.value))
        if key not in newest or newest[key][1] <= row.as_of:
            newest[key] = (value, row.as_of)
    if not newest:
        return
    organizations = dict(
        Candidate.objects.filter(pk__in={c for c, _ in newest}).values_list("pk", "organization_id")
    )
    table = connection.ops.quote_name(LatestScore._meta.db_table)
    # Our own table name; values are bound parameters.
    sql = (
        f"INSERT INTO {table} (candidate_id, organization_id, scorer, value, as_of) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (candidate_id, scorer) DO UPDATE SET "
        f"value = excluded.value, as_of = excluded.as_of WHERE {table}.as_of <= excluded.as_of"
    )
    params = [
        (candidate_id, organizations[candidate_id], scorer, value, as_of)
        for (candidate_id, scorer), (value, as_of) in sorted(newest.items())
        if candidate_id in organizations
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(params), 2000):
            cursor.executemany(sql, params[start : start + 2000])


@dataclass
class VendorImportReport:
    """What an import did: rows taken (created or updated) and rows rejected, with reasons."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = dataclass_field(default_factory=list)

    @property
    def taken(self) -> int:
        return self.created + self.updated + self.unchanged


class VendorRowError(ValueError):
    """One row's value cannot be imported; the message starts with the column it is in."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column = column


@dataclass(frozen=True)
class _VendorRow:
    key: tuple[int, str, str, date]  # the unique constraint: candidate, vendor, vendor_name, as_of
    values: tuple[Decimal, Decimal, Decimal]  # value, scale_min, scale_max


_VENDOR_KEY = ("candidate", "vendor", "vendor_name", "as_of")
_VENDOR_VALUES = ("value", "scale_min", "scale_max")
_VENDOR_COLUMNS = ("external_id", "email", "vendor", "value", "as_of", "scale_min", "scale_max")
# A plain decimal number: no thousands separators, no underscores, no "Infinity".
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _vendor_column(name: str) -> Any:
    return VendorScore._meta.get_field(name)


@functools.cache
def _decimal_limits(name: str) -> tuple[int, int, Decimal]:
    """The DecimalField ``name``'s max_digits, decimal_places and largest value it stores."""
    field = _vendor_column(name)
    digits, places = int(field.max_digits), int(field.decimal_places)
    return digits, places, Decimal(10) ** (digits - places) - Decimal(10) ** -places


def _decimal_check(column: str, value: Decimal) -> None:
    """``value`` fits the DecimalField ``column`` exactly, or VendorRowError.

    The limits are the column's own (max_digits, decimal_places), so the check and
    the column cannot drift apart: PostgreSQL would refuse a larger number with an
    error, and either database would round away extra decimals.
    """
    digits, places, largest = _decimal_limits(column)
    if abs(value) > largest:
        raise VendorRowError(
            column, f"{value} does not fit: the column holds -{largest} to {largest} "
            f"({digits} digits, {places} after the point)"
        )  # fmt: skip
    if value != value.quantize(Decimal(1).scaleb(-places)):  # 42.50 fits 2 places, 42.125 not
        raise VendorRowError(
            column, f"{value} has more than {places} decimal places; it would be rounded"
        )


def _vendor_row_parse(
    row: Mapping[str, str | None],
    candidates_by_key: Callable[[str, str], list[int]],
    today: date,
) -> _VendorRow:
    """Validate one CSV row against the columns it goes into; VendorRowError names the field."""

    cells = {name: (row.get(name) or "").strip() for name in _VENDOR_COLUMNS}
    text = cells.__getitem__

    def number(name: str) -> Decimal:
        raw = text(name)
        if not _NUMBER.fullmatch(raw):
            hint = " (use a dot for decimals, no thousands separator)" if "," in raw else ""
            raise VendorRowError(name, f"{raw!r} is not a number{hint}")
        value = Decimal(raw)
        _decimal_check(name, value)
        return value

    external_id, email = text("external_id"), text("email")
    if not external_id and not email:
        raise VendorRowError("external_id", "external_id or email is required")
    column, key = ("external_id", external_id) if external_id else ("email", email)
    matches = candidates_by_key(column, key)
    if not matches:
        raise VendorRowError(column, f"no candidate with {column} {key!r} in this organisation")
    if len(matches) > 1:
        raise VendorRowError(
            column, f"{column} {key!r} matches {len(matches)} candidates; use the other column"
        )

    vendor = text("vendor").lower()
    if not vendor:
        raise VendorRowError("vendor", "vendor is required")
    value = number("value")
    raw_date = text("as_of")
    try:
        if not _ISO_DATE.fullmatch(raw_date):
            raise ValueError(raw_date)
        as_of = date.fromisoformat(raw_date)
    except ValueError:
        raise VendorRowError("as_of", f"{raw_date!r} is not a date (YYYY-MM-DD)") from None
    if as_of > today:
        raise VendorRowError("as_of", f"{as_of} is in the future")

    scale_min_raw, scale_max_raw = text("scale_min"), text("scale_max")
    known = VENDOR_SCALES.get(vendor)
    if known is not None:
        vendor_code, vendor_name = vendor, ""
        scale_min, scale_max = known.minimum, known.maximum
        for name, raw, expected in (
            ("scale_min", scale_min_raw, scale_min),
            ("scale_max", scale_max_raw, scale_max),
        ):
            if raw and number(name) != expected:
                raise VendorRowError(
                    name, f"{vendor} scores are on {scale_min}-{scale_max}, not the scale given"
                )
        if known.closed_on and as_of > known.closed_on:
            raise VendorRowError(
                "as_of",
                f"{vendor} closed on {known.closed_on}; a score dated {as_of} cannot be one",
            )
    else:
        vendor_code, vendor_name = "custom", text("vendor")
        longest = int(_vendor_column("vendor_name").max_length)
        if len(vendor_name) > longest:
            raise VendorRowError(
                "vendor",
                f"a custom vendor's name is at most {longest} characters; "
                f"{vendor_name[:20]!r}... has {len(vendor_name)}",
            )
        if not scale_min_raw or not scale_max_raw:
            missing = "scale_min" if not scale_min_raw else "scale_max"
            raise VendorRowError(
                missing, f"custom vendor {vendor_name!r} needs scale_min and scale_max"
            )
        scale_min, scale_max = number("scale_min"), number("scale_max")
        if not scale_min < scale_max:
            raise VendorRowError(
                "scale_max", f"scale_min {scale_min} must be below scale_max {scale_max}"
            )
    if not scale_min <= value <= scale_max:
        raise VendorRowError(
            "value", f"{value} is outside {vendor}'s scale {scale_min}-{scale_max}"
        )
    return _VendorRow(
        key=(matches[0], vendor_code, vendor_name, as_of), values=(value, scale_min, scale_max)
    )


# Beyond this many keys, reading the organisation's candidates (or vendor scores)
# whole is cheaper than building IN lists of thousands of values.
_LOOKUP_WHOLESALE = 2000


def _candidate_lookup(
    organization: Organization, rows: Sequence[tuple[int, Mapping[str, str | None]]]
) -> Callable[[str, str], list[int]]:
    """Every candidate the rows name, in a few queries; the function answers from memory."""
    external_ids: set[str] = set()
    emails: set[str] = set()
    for _, row in rows:
        external_id = (row.get("external_id") or "").strip()
        if external_id:
            external_ids.add(external_id)
        elif email := (row.get("email") or "").strip():
            emails.add(email.lower())
    candidates = Candidate.objects.filter(organization=organization).order_by("id")
    by_key: dict[tuple[str, str], list[int]] = {}

    def add(field: str, key: str, candidate_id: int) -> None:
        by_key.setdefault((field, key), []).append(candidate_id)

    if len(external_ids) + len(emails) > _LOOKUP_WHOLESALE:
        for candidate_id, external_id, email in candidates.annotate(
            email_key=Lower("email")
        ).values_list("id", "external_id", "email_key"):
            if external_id in external_ids:
                by_key.setdefault(("external_id", external_id), []).append(candidate_id)
            if email in emails:
                by_key.setdefault(("email", email), []).append(candidate_id)
    else:
        ids, keys = sorted(external_ids), sorted(emails)
        for start in range(0, len(ids), 1000):
            for external_id, candidate_id in candidates.filter(
                external_id__in=ids[start : start + 1000]
            ).values_list("external_id", "id"):
                add("external_id", external_id, candidate_id)
        for start in range(0, len(keys), 1000):
            for email, candidate_id in (
                candidates.annotate(email_key=Lower("email"))
                .filter(email_key__in=keys[start : start + 1000])
                .values_list("email_key", "id")
            ):
                add("email", email, candidate_id)

    def candidates_by_key(field: str, value: str) -> list[int]:
        return by_key.get((field, value if field == "external_id" else value.lower()), [])

    return candidates_by_key


def _vendor_scores_stored(
    organization: Organization, keys: Iterable[tuple[int, str, str, date]]
) -> dict[tuple[int, str, str, date], tuple[Decimal, Decimal, Decimal]]:
    """The stored value and scale of each key (candidate, vendor, vendor_name, as_of) on file."""
    wanted = set(keys)
    if not wanted:
        return {}
    candidate_ids = sorted({key[0] for key in wanted})
    scores = VendorScore.objects.all()
    if len(candidate_ids) > _LOOKUP_WHOLESALE:
        chunks = [scores.filter(candidate__organization=organization)]
    else:
        chunks = [
            scores.filter(candidate_id__in=candidate_ids[start : start + 1000])
            for start in range(0, len(candidate_ids), 1000)
        ]
    stored = {}
    for chunk in chunks:
        for candidate_id, vendor, vendor_name, as_of, *values in chunk.values_list(
            "candidate_id", "vendor", "vendor_name", "as_of", *_VENDOR_VALUES
        ):
            key = (candidate_id, vendor, vendor_name, as_of)
            if key in wanted:
                stored[key] = (values[0], values[1], values[2])
    return stored


def _vendor_scores_upsert(rows: Sequence[_VendorRow], *, source: str) -> None:
    """Insert ``rows``, or give a stored row with the same key their value and scale, in bulk.

    The keys must be distinct. Not bulk_create: building 100,000 model instances
    and preparing every value through its field took several times longer than
    the database did. PostgreSQL gets the rows by COPY into a temporary table
    shaped like the real one (as ``_insert_scores`` does) and moves them with one
    INSERT ... ON CONFLICT; elsewhere one executemany of the same upsert. A stored
    row keeps its ``imported_at``, as ``save()`` kept it. Call inside a transaction.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    names = [*_VENDOR_KEY, *_VENDOR_VALUES, "source", "imported_at"]
    column = {name: quote(_vendor_column(name).column) for name in names}
    columns = ", ".join(column[name] for name in names)
    changed = ", ".join(
        f"{column[name]} = excluded.{column[name]}" for name in (*_VENDOR_VALUES, "source")
    )
    upsert = (
        f"ON CONFLICT ({', '.join(column[name] for name in _VENDOR_KEY)}) DO UPDATE SET {changed}"
    )
    table = quote(VendorScore._meta.db_table)
    now = timezone.now()
    # Our own table and column names, no user input: every value is a bound parameter.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMP TABLE vendor_score_incoming ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY vendor_score_incoming ({columns}) FROM STDIN") as copy:
                for item in rows:
                    copy.write_row((*item.key, *item.values, source, now))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
                f"FROM vendor_score_incoming {upsert}"
            )
            # ON COMMIT DROP alone is not enough when the caller's transaction goes on.
            cursor.execute("DROP TABLE vendor_score_incoming")
            return
        ops = connection.ops
        places = [_decimal_limits(name)[:2] for name in _VENDOR_VALUES]
        imported_at = ops.adapt_datetimefield_value(now)
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(names))}) {upsert}",
            [
                (
                    *item.key[:3],
                    ops.adapt_datefield_value(item.key[3]),
                    *(
                        ops.adapt_decimalfield_value(value, digits, decimals)
                        for value, (digits, decimals) in zip(item.values, places, strict=True)
                    ),
                    source,
                    imported_at,
                )
                for item in rows
            ],
        )


def vendor_scores_import(
    *,
    organization: Organization,
    rows: Iterable[tuple[int, Mapping[str, str | None]]],
    source: str,
    actor: AuditActor = None,
) -> VendorImportReport:
    """Import vendor scores (Klout, Kred, ... or a custom vendor with a declared scale).

    ``rows`` pairs each row with its line number in the file. Every row is
    validated first, against the vendor's scale and the columns it goes into
    (their lengths, digits and decimal places); a bad row is reported with its
    line number, field and reason. Then the good rows are written together in one
    transaction, in bulk. Importing the same row again changes nothing; a new
    value for the same candidate, vendor and date replaces the old (within one
    file too: the later line wins). One ``vendor_scores.imported`` event for the
    import: its counts and a SHA-256 of the keys written (``ids_digest``).
    """
    rows = list(rows)
    lookup = _candidate_lookup(organization, rows)
    today = timezone.now().date()
    report = VendorImportReport()
    parsed: list[_VendorRow] = []
    for line, row in rows:
        try:
            parsed.append(_vendor_row_parse(row, lookup, today))
        except VendorRowError as exc:
            report.rejected.append((line, str(exc)))
    source = source[: int(_vendor_column("source").max_length)]
    with transaction.atomic():
        known = _vendor_scores_stored(organization, (item.key for item in parsed))
        writes: dict[tuple[int, str, str, date], _VendorRow] = {}
        for item in parsed:
            before = writes[item.key].values if item.key in writes else known.get(item.key)
            if before is None:
                report.created += 1
            elif before == item.values:
                report.unchanged += 1
                continue
            else:
                report.updated += 1
            writes[item.key] = item
        _vendor_scores_upsert(list(writes.values()), source=source)
        audit_record(
            organization=organization,
            actor=actor,
            event_type=AuditEventType.VENDOR_SCORES_IMPORTED,
            subject=None,
            after={
                "source": source,
                "rows": len(rows),
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": len(report.rejected),
                "written_keys_sha256": ids_digest(":".join(map(str, key)) for key in writes),
            },
        )
    return report


def vendor_score_record(
    *,
    candidate: Candidate,
    vendor: str,
    as_of: date,
    value: Decimal,
    scale_min: Decimal,
    scale_max: Decimal,
    vendor_name: str = "",
    source: str = "",
    actor: AuditActor = None,
) -> tuple[VendorScore, bool]:
    """Store one vendor score pushed for a candidate: (score, created) — ``vendor_score.recorded``.

    A value for the same vendor and date replaces the stored one (before and after
    in the event). Raises ValidationError when the database refuses the values.
    """
    identity: dict[str, Any] = {
        "candidate": candidate,
        "vendor": vendor,
        "vendor_name": vendor_name,
        "as_of": as_of,
    }
    changes = {
        "value": value,
        "scale_min": scale_min,
        "scale_max": scale_max,
        "source": source[:200],
    }
    try:
        with transaction.atomic():
            stored = VendorScore.objects.select_for_update().filter(**identity).first()
            before = (
                {name: getattr(stored, name) for name in _VENDOR_VALUES}
                if stored is not None
                else None
            )
            score, created = VendorScore.objects.update_or_create(**identity, defaults=changes)
            audit_record(
                organization=candidate.organization,
                actor=actor,
                event_type=AuditEventType.VENDOR_SCORE_RECORDED,
                subject=score,
                before=before,
                after={
                    "candidate": str(candidate.public_id),
                    "vendor": vendor,
                    "vendor_name": vendor_name,
                    "as_of": as_of,
                    **{name: getattr(score, name) for name in _VENDOR_VALUES},
                },
            )
    except IntegrityError:
        raise ValidationError({"value": "Not a valid vendor score."}) from None
    return score, created


def flags_detect(*, candidate_ids: Sequence[int], as_of: datetime | None = None) -> int:
    """Look for gaming signs in the candidates' last 90 days of snapshots; store new flags.

    Idempotent: a flag is unique per candidate, account, kind and day. Returns how
    many findings there were (stored now or before).
    """
    as_of = as_of or datetime.now(tz=UTC)
    since = as_of - timedelta(days=90)
    owner = selectors.accounts_of(candidate_ids)
    rows = (
        MetricSnapshot.objects.filter(
            account_id__in=list(owner),
            status=FetchStatus.OK,
            observed_at__gte=since,
            observed_at__lte=as_of,
        )
        .order_by("account_id", "observed_at")
        .values_list("account_id", "provider", "observed_at", "metrics")
    )
    days: dict[int, dict[date, Day]] = {}
    for account_id, network, observed_at, metrics in rows:
        read = network_metrics(network, metrics)
        following = metrics.get("following", 0) if isinstance(metrics, dict) else 0
        days.setdefault(account_id, {})[observed_at.date()] = Day(
            day=observed_at.date(),
            followers=read.followers,
            following=following if isinstance(following, int) else 0,
            interactions_per_post=read.interactions_per_post,
            posts_sampled=read.posts_sampled,
            account_created=read.account_created,
        )
    flags = [
        AnomalyFlag(
            candidate_id=owner[account_id],
            account_id=account_id,
            kind=finding.kind,
            detail=finding.detail[:500],
            evidence=finding.evidence,
            observed_on=finding.day,
            detected_at=as_of,
        )
        for account_id, by_day in days.items()
        for finding in account_findings(list(by_day.values()))
    ]
    AnomalyFlag.objects.bulk_create(flags, ignore_conflicts=True, batch_size=1000)
    return len(flags)


def flags_detect_disagreements(*, organization: Organization, as_of: datetime | None = None) -> int:
    """Flag candidates whom influence and a vendor score rank far apart in their organisation."""
    as_of = as_of or datetime.now(tz=UTC)
    latest = selectors.score_latest_by_scorer(organization=organization)
    influence = latest.get("influence", {})
    found = 0
    for scorer, values in latest.items():
        if not scorer.startswith("vendor."):
            continue
        findings = disagreements(
            influence, values, names=("influence", scorer.removeprefix("vendor.")), day=as_of.date()
        )
        AnomalyFlag.objects.bulk_create(
            [
                AnomalyFlag(
                    candidate_id=candidate_id,
                    kind=f.kind,
                    detail=f.detail[:500],
                    evidence=f.evidence,
                    observed_on=f.day,
                    detected_at=as_of,
                )
                for candidate_id, f in findings.items()
            ],
            ignore_conflicts=True,
        )
        found += len(findings)
    return found
