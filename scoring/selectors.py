"""Reads over snapshots and scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from candidates.models import AccountStatus, SocialAccount
from renown.models import Organization
from scoring import conf, providers
from scoring.models import (
    AnomalyFlag,
    FetchStatus,
    LatestScore,
    MetricSnapshot,
    RefreshCycle,
    Score,
    VendorScore,
)
from scoring.providers.base import ObservedMetrics
from scoring.scorers import NetworkMetrics, network_metrics
from scoring.styles import LOOKBACK_DAYS as STYLE_LOOKBACK_DAYS
from scoring.styles import StyleReading, StyleResult, style_explain
from scoring.trends import Activity, Episode, Point, Trend, episodes, explain_dip, trend

OFFLINE_NETWORKS = frozenset({"openalex", "openlibrary", "orcid"})


class SnapshotRow(NamedTuple):
    """The parts of a snapshot a scorer reads (lighter than a model instance)."""

    id: int
    account_id: int
    candidate_id: int
    provider: str
    observed_at: datetime
    metrics: ObservedMetrics  # as the provider wrote it (``MetricSnapshot.metrics``)


def accounts_of(candidate_ids: Sequence[int], *, active_only: bool = False) -> dict[int, int]:
    """{account id: candidate id} for the candidates' accounts.

    Snapshot queries then go by account id, along the (account, time) index,
    instead of joining every snapshot in a time window to its account.
    """
    ids = sorted(set(candidate_ids))
    if not ids:
        return {}
    accounts = SocialAccount.objects.all()
    if active_only:
        accounts = accounts.filter(status=AccountStatus.ACTIVE)
    # A long IN list costs more to build and parse than the rows it selects: a dense
    # set of ids (a whole organisation) is read as a range and filtered here.
    if len(ids) > 200 and ids[-1] - ids[0] < 2 * len(ids):
        accounts = accounts.filter(candidate_id__gte=ids[0], candidate_id__lte=ids[-1])
    else:
        accounts = accounts.filter(candidate_id__in=ids)
    wanted = set(ids)
    return {a: c for a, c in accounts.values_list("id", "candidate_id") if c in wanted}


def snapshot_latest_for_candidates(
    *, candidate_ids: Sequence[int], as_of: datetime
) -> dict[int, list[SnapshotRow]]:
    """Each candidate's active accounts' newest successful snapshots at ``as_of``.

    Snapshots older than RENOWN_SNAPSHOT_MAX_AGE_DAYS do not describe the account
    any more and are left out (a scorer then sees less, never stale data), and so
    is the data of a disabled provider or one whose terms forbid blending. On
    PostgreSQL the newest row per account comes from DISTINCT ON; elsewhere the
    window's rows are folded here.
    """
    owners = accounts_of(candidate_ids, active_only=True)
    oldest = as_of - timedelta(days=conf.get("RENOWN_SNAPSHOT_MAX_AGE_DAYS"))
    rows = (
        MetricSnapshot.objects.filter(
            account_id__in=list(owners),
            provider__in=providers.blendable_networks(),
            status=FetchStatus.OK,
            observed_at__lte=as_of,
            observed_at__gte=oldest,
        )
        .order_by("account_id", "-observed_at", "-id")
        .values_list("id", "account_id", "provider", "observed_at", "metrics")
    )
    if connection.vendor == "postgresql":
        rows = rows.distinct("account_id")
    seen: set[int] = set()
    grouped: dict[int, list[SnapshotRow]] = {}
    for id_, account_id, provider, observed_at, metrics in rows:
        if account_id not in seen:  # newest first per account
            seen.add(account_id)
            candidate_id = owners[account_id]
            grouped.setdefault(candidate_id, []).append(
                SnapshotRow(id_, account_id, candidate_id, provider, observed_at, metrics)
            )
    return grouped


@dataclass(frozen=True)
class RefreshProgress:
    """Where a refresh cycle stands: ``done`` includes skipped accounts, ``failed`` does not."""

    cycle: int
    status: str
    total: int
    done: int
    failed: int
    skipped: int

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.done - self.failed)


def _snapshot_count(condition: Q) -> Coalesce:
    """The cycle's snapshots that meet ``condition``, as a correlated count: evaluated per
    cycle along the (cycle, status) index, never by joining every snapshot of every cycle
    and grouping (180 daily cycles of the demo's 900 accounts took a second)."""
    rows = (
        MetricSnapshot.objects.filter(condition, cycle_id=OuterRef("pk"))
        .order_by()
        .values("cycle_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _progress_counts() -> dict[str, Coalesce]:
    failed = Q(status__in=FetchStatus.failures())
    return {
        # Each account of a cycle ends as exactly one of these four: they add up to the
        # cycle's total once it has finished.
        "fetched_count": _snapshot_count(Q(status=FetchStatus.OK)),
        "not_found_count": _snapshot_count(Q(status=FetchStatus.NOT_FOUND)),
        "skipped_count": _snapshot_count(Q(status=FetchStatus.SKIPPED)),
        "failed_count": _snapshot_count(failed),
        # Settled without a failure: fetched, not found or skipped (the API's "done").
        "done_count": _snapshot_count(~failed),
    }


def refresh_cycle_list_with_progress(queryset: QuerySet[RefreshCycle]) -> QuerySet[RefreshCycle]:
    """Cycles annotated with how their accounts ended (one query).

    ``fetched_count`` (new data), ``not_found_count`` (the account is gone),
    ``skipped_count`` (the candidate's notices do not cover fetching) and
    ``failed_count`` (rate limited or an error, after the retries) add up to the cycle's
    ``total`` once it has finished; ``done_count`` is the first three together.
    """
    return queryset.annotate(**_progress_counts())


def refresh_cycle_recent_with_progress(
    *, organization: Organization, limit: int = 10
) -> list[RefreshCycle]:
    """The organisation's ``limit`` newest cycles, annotated as
    ``refresh_cycle_list_with_progress`` says (two queries).

    The newest are chosen first and only they are counted: a database that sorts after
    computing each row's columns would otherwise count the snapshots of every cycle the
    organisation ever ran (the demo's 180 days) to show ten.
    """
    newest = RefreshCycle.objects.filter(organization=organization).order_by("-started_at", "-id")
    ids = list(newest.values_list("pk", flat=True)[:limit])
    return list(refresh_cycle_list_with_progress(newest.filter(pk__in=ids)))


def refresh_progress(*, cycle: RefreshCycle | int) -> RefreshProgress:
    """Progress of one cycle, counted from its snapshots (safe to call while it runs)."""
    cycle_id = cycle if isinstance(cycle, int) else cycle.pk
    row = refresh_cycle_list_with_progress(RefreshCycle.objects.filter(pk=cycle_id)).get()
    return RefreshProgress(
        cycle=row.pk,
        status=row.status,
        total=row.total,
        done=row.done_count,  # type: ignore[attr-defined]
        failed=row.failed_count,  # type: ignore[attr-defined]
        skipped=row.skipped_count,  # type: ignore[attr-defined]
    )


def refresh_failures(*, cycle: RefreshCycle | int) -> QuerySet[MetricSnapshot]:
    """The cycle's failed fetches with their accounts, for listing."""
    cycle_id = cycle if isinstance(cycle, int) else cycle.pk
    return (
        MetricSnapshot.objects.filter(cycle_id=cycle_id, status__in=FetchStatus.failures())
        .select_related("account")
        .order_by("account__network", "account__handle")
    )


def score_latest_by_scorer(*, organization: Organization) -> dict[str, dict[int, float]]:
    """Each scorer's newest value per candidate of the organisation: {scorer: {candidate: value}}."""
    rows = (
        Score.objects.filter(candidate__organization=organization)
        .order_by("scorer", "candidate_id", "-as_of", "-id")
        .values_list("scorer", "candidate_id", "value")
    )
    if connection.vendor == "postgresql":
        rows = rows.distinct("scorer", "candidate_id")
    latest: dict[str, dict[int, float]] = {}
    for scorer, candidate_id, value in rows:
        latest.setdefault(scorer, {}).setdefault(candidate_id, float(value))
    return latest


@dataclass(frozen=True)
class TrendView:
    """A score's trend with its dips and spikes explained, for the candidate page."""

    trend: Trend
    episodes: list[Episode]
    points: list[Point]


def _explain_spike(spike: Episode, flags: Sequence[AnomalyFlag]) -> str:
    around = [
        f
        for f in flags
        if spike.start.date() - timedelta(days=3) <= f.observed_on <= spike.end.date()
    ]
    if around:
        kinds = "; ".join(sorted({f.get_kind_display().lower() for f in around}))
        return f"Flagged at the time ({kinds}): look at the accounts before trusting the rise."
    return "No gaming sign was flagged at the time: a talk, a launch or press can do this."


def score_trend(
    *, candidate_id: int, scorer: str = "influence", now: datetime, days: int = 90
) -> TrendView | None:
    """The score's trend over ``days``, dips and spikes, each explained from the data.

    A dip is explained from the snapshots (activity gap, engagement, audience); a
    spike from the anomaly flags raised around it.
    """
    since = now - timedelta(days=days)
    points = sorted(
        (
            Point(at, float(value))
            for at, value in Score.objects.filter(
                candidate_id=candidate_id, scorer=scorer, as_of__gte=since, as_of__lte=now
            ).values_list("as_of", "value")
        ),
        key=lambda p: p.at,
    )
    found = trend(points, now=now, window_days=days)
    if found is None:
        return None
    # The candidate's daily activity across accounts: posts, engagement per post, audience.
    by_day: dict[datetime, list[NetworkMetrics]] = {}
    owners = accounts_of([candidate_id], active_only=True)
    for observed_at, network, metrics in MetricSnapshot.objects.filter(
        account_id__in=list(owners),
        status=FetchStatus.OK,
        observed_at__gte=since - timedelta(days=30),
    ).values_list("observed_at", "provider", "metrics"):
        by_day.setdefault(
            observed_at.replace(hour=0, minute=0, second=0, microsecond=0), []
        ).append(network_metrics(network, metrics))
    activity = [
        Activity(
            at=day,
            posts=sum(m.posts for m in read),
            interactions_per_post=max((m.interactions_per_post for m in read), default=0.0),
            followers=sum(m.followers for m in read),
        )
        for day, read in sorted(by_day.items())
    ]
    flags = list(flag_list(candidate_id=candidate_id).filter(observed_on__gte=since.date()))
    explained = [
        replace(
            e,
            explanation=explain_dip(e, activity) if e.kind == "dip" else _explain_spike(e, flags),
        )
        for e in episodes(points, now=now, window_days=days)
    ]
    return TrendView(trend=found, episodes=explained, points=points)


def flag_list(*, candidate_id: int) -> QuerySet[AnomalyFlag]:
    """The candidate's flags, newest first, with their accounts."""
    return (
        AnomalyFlag.objects.filter(candidate_id=candidate_id)
        .select_related("account")
        .order_by("-observed_on", "kind")
    )


def score_latest_for_candidate(*, candidate_id: int) -> dict[str, Score]:
    """The candidate's newest score from each scorer (one query)."""
    latest: dict[str, Score] = {}
    for score in Score.objects.filter(candidate_id=candidate_id).order_by(
        "scorer", "-as_of", "-id"
    ):
        latest.setdefault(score.scorer, score)
    return latest


@dataclass(frozen=True)
class AccountMetrics:
    """An account's newest successful reading, and how fresh it is."""

    account: SocialAccount
    observed_at: datetime | None
    metrics: list[tuple[str, float]]  # (readable name, number), in a stable order
    fresh: bool  # within RENOWN_SNAPSHOT_MAX_AGE_DAYS: the scorers use it
    age_days: int | None
    last_error: str  # the newest fetch's failure, if it failed


def _numbers(metrics: object, prefix: str = "") -> list[tuple[str, float]]:
    found: list[tuple[str, float]] = []
    if not isinstance(metrics, dict):
        return found
    for key in sorted(metrics):
        value = metrics[key]
        name = f"{prefix}{key}".replace("_", " ")
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            found.append((name, float(value)))
        elif isinstance(value, dict) and not prefix:
            found.extend(_numbers(value, prefix=f"{key}: "))
    return found


def account_metrics(*, candidate_id: int, now: datetime) -> list[AccountMetrics]:
    """Each of the candidate's accounts with its newest successful snapshot's numbers.

    Two queries: the accounts, and per account its newest OK snapshot and newest
    snapshot of any status (correlated subqueries along the (account, time) index).
    """
    accounts = list(
        SocialAccount.objects.filter(candidate_id=candidate_id).order_by("network", "handle")
    )
    newest_ok = MetricSnapshot.objects.filter(
        account=OuterRef("account"), status=FetchStatus.OK
    ).order_by("-observed_at", "-id")
    newest_any = MetricSnapshot.objects.filter(account=OuterRef("account")).order_by(
        "-observed_at", "-id"
    )
    snapshots = MetricSnapshot.objects.filter(account__in=[a.pk for a in accounts]).filter(
        Q(pk=Subquery(newest_ok.values("pk")[:1])) | Q(pk=Subquery(newest_any.values("pk")[:1]))
    )
    ok: dict[int, MetricSnapshot] = {}
    latest: dict[int, MetricSnapshot] = {}
    for snapshot in snapshots.order_by("observed_at", "id"):
        latest[snapshot.account_id] = snapshot
        if snapshot.status == FetchStatus.OK:
            ok[snapshot.account_id] = snapshot
    max_age = timedelta(days=conf.get("RENOWN_SNAPSHOT_MAX_AGE_DAYS"))
    result = []
    for account in accounts:
        reading = ok.get(account.pk)
        newest = latest.get(account.pk)
        result.append(
            AccountMetrics(
                account=account,
                observed_at=reading.observed_at if reading else None,
                metrics=_numbers(reading.metrics) if reading else [],
                fresh=bool(reading and now - reading.observed_at <= max_age),
                age_days=max(0, (now - reading.observed_at).days) if reading else None,
                last_error=(
                    f"{newest.get_status_display()}: {newest.error}".rstrip(": ")
                    if newest is not None and newest.status != FetchStatus.OK
                    else ""
                ),
            )
        )
    return result


@dataclass(frozen=True)
class VendorComparison:
    """A vendor's newest score in its own scale beside Renown's 0-100 reading of it."""

    vendor: str
    value: Decimal
    scale_min: Decimal
    scale_max: Decimal
    as_of: date
    normalised: Decimal | None


def vendor_comparison(*, candidate_id: int) -> list[VendorComparison]:
    """The candidate's newest score from each vendor, native scale and normalised (2 queries)."""
    newest: dict[str, VendorScore] = {}
    for score in VendorScore.objects.filter(candidate_id=candidate_id).order_by(
        "vendor", "vendor_name", "-as_of", "-id"
    ):
        newest.setdefault(score.vendor_name or score.vendor, score)
    normalised = dict(
        LatestScore.objects.filter(
            candidate_id=candidate_id, scorer__startswith="vendor."
        ).values_list("scorer", "value")
    )
    return [
        VendorComparison(
            vendor=(score.get_vendor_display() if score.vendor != "custom" else name),
            value=score.value,
            scale_min=score.scale_min,
            scale_max=score.scale_max,
            as_of=score.as_of,
            normalised=normalised.get(f"vendor.{name}"),
        )
        for name, score in sorted(newest.items())
    ]


def style_for_candidate(*, candidate_id: int, now: datetime) -> StyleResult:
    """The candidate's influence style at ``now``, explained (``scoring.styles``).

    Computed at read time from the successful snapshots of the candidate's active
    accounts over the styles' lookback, on providers whose data may be blended (a
    style reads across networks). Descriptive only: no rule can read it. Two queries.
    """
    owners = accounts_of([candidate_id], active_only=True)
    rows = MetricSnapshot.objects.filter(
        account_id__in=list(owners),
        provider__in=providers.blendable_networks(),
        status=FetchStatus.OK,
        observed_at__gte=now - timedelta(days=STYLE_LOOKBACK_DAYS),
        observed_at__lte=now,
    ).values_list("id", "account_id", "provider", "observed_at", "metrics")
    readings = [
        StyleReading(account=account_id, network=provider, at=at, metrics=metrics, id=id_)
        for id_, account_id, provider, at, metrics in rows
        if isinstance(metrics, dict)
    ]
    return style_explain(readings, as_of=now)
