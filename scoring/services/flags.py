"""Anomaly flags: signs of gaming in a candidate's snapshots, and disagreements between sources."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from renown.models import Organization
from scoring import selectors
from scoring.anomalies import Day, account_findings, disagreements
from scoring.models import (
    AnomalyFlag,
    FetchStatus,
    MetricSnapshot,
)
from scoring.scorers import network_metrics


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
