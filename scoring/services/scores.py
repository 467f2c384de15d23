"""Score computation: influence and reputation scores from snapshots and evidence, stored
only when they changed, with the latest-score table kept current and ``score.updated`` emitted."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

from django.db import connection, transaction
from django.utils import timezone

from candidates.models import (
    Candidate,
    ReputationEvidence,
)
from renown.models import EventType
from renown.webhooks import services as webhook_services
from renown.webhooks.events import EventData, ScoreUpdatedData
from scoring import selectors, window_stats
from scoring.models import (
    LatestScore,
    Score,
    VendorScore,
)
from scoring.providers.base import ObservedMetrics
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
    def metrics(self) -> ObservedMetrics: ...


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
    per_org: dict[int, list[tuple[EventData, uuid.UUID | None]]] = {}
    organizations = {}
    for candidate_id, scores in by_candidate.items():
        candidate = candidates[candidate_id]
        payload: ScoreUpdatedData = {
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
        with transaction.atomic():
            Score.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
            score_latest_upsert(rows=rows)
            if window_stats.statistics_enabled():
                window_stats.window_stats_refresh({(r.candidate_id, r.scorer) for r in rows})
        return
    table = Score._meta.db_table
    columns = ", ".join(_SCORE_COLUMNS)
    stats = window_stats.statistics_enabled()
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
        insert = (
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM score_incoming "  # noqa: S608
            "ON CONFLICT DO NOTHING"
        )
        rest: list[tuple[int, str]] = []
        if stats:
            # The window statistics of the pairs that got a new score, in the insert's own
            # statement: the in-place updates, and the pairs left to reduce again.
            cursor.execute(
                f"WITH written AS ({insert} RETURNING candidate_id, scorer, as_of, value), "
                + window_stats.written_sql("written"),
                window_stats.written_params(),
            )
            rest = cursor.fetchall()
        else:
            cursor.execute(insert)
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
        if stats:
            window_stats.window_stats_refresh(rest)


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
