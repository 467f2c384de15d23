"""What the scoring app holds about a candidate, for export and erasure (``renown.privacy``).

Imported by ``ScoringConfig.ready()``. All of it is profile data, deleted at
once by an erasure: the raw provider payloads (snapshots) with the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from renown import privacy
from scoring import window_stats
from scoring.models import (
    AnomalyFlag,
    LatestReading,
    LatestScore,
    MetricSnapshot,
    Score,
    ScoreWindowStats,
    ScoreWindowValues,
    VendorScore,
)


def _window_statistics(row: ScoreWindowStats) -> Mapping[str, object]:
    """A row's figures per window, in the units the person's scores have."""
    return {
        "scorer": row.scorer,
        "computed_on": row.computed_on,
        "windows": {
            f"{days} days": {
                "readings": f.readings,
                "oldest_at": f.oldest_at,
                "newest_at": f.newest_at,
                "latest_value": f.latest_value,
                "min_value": f.min_value,
                "max_value": f.max_value,
                "median_low": f.median_low,
                "median_high": f.median_high,
                "noise_low": f.noise_low,
                "noise_high": f.noise_high,
            }
            for days, f in window_stats.kept_figures(row).items()
        },
    }


def _window_values(row: ScoreWindowValues) -> Mapping[str, object]:
    """The values behind a row's figures: the person's scores in each window, sorted,
    and the noise window's changes between consecutive scores (kept in hundredths)."""

    def units(cents: list[int] | None) -> list[Decimal] | None:
        return None if cents is None else [Decimal(c).scaleb(-2) for c in cents]

    return {
        "scorer": row.stats.scorer,
        "sorted_values": {
            f"{days} days": units(cents) for days, cents in window_stats.kept_values(row).items()
        },
        "changes": units(row.changes),
    }


privacy.register(
    "renown_scoring",
    privacy.DataSection(
        name="snapshots",
        model=MetricSnapshot,
        candidate_path="account__candidate",
    ),
    privacy.DataSection(
        name="scores",
        model=Score,
    ),
    privacy.DataSection(
        name="latest_scores",
        model=LatestScore,
    ),
    privacy.DataSection(
        name="latest_readings",
        model=LatestReading,
    ),
    privacy.DataSection(
        name="window_statistics",
        model=ScoreWindowStats,
        serialize=_window_statistics,
    ),
    privacy.DataSection(
        name="window_values",
        model=ScoreWindowValues,
        candidate_path="stats__candidate",
        query=lambda candidate: ScoreWindowValues.objects.filter(
            stats__candidate_id=candidate.pk
        ).select_related("stats"),
        serialize=_window_values,
    ),
    privacy.DataSection(
        name="vendor_scores",
        model=VendorScore,
    ),
    privacy.DataSection(
        name="flags",
        model=AnomalyFlag,
    ),
)
