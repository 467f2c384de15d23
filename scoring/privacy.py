"""What the scoring app holds about a candidate, for export and erasure (``renown.privacy``).

Imported by ``ScoringConfig.ready()``. All of it is profile data, deleted at
once by an erasure: the raw provider payloads (snapshots) with the rest.
"""

from __future__ import annotations

from collections.abc import Mapping

from renown import privacy
from scoring import window_stats
from scoring.models import (
    AnomalyFlag,
    LatestReading,
    LatestScore,
    MetricSnapshot,
    Score,
    ScoreWindowStats,
    VendorScore,
)


def _window_statistics(row: ScoreWindowStats) -> Mapping[str, object]:
    """A row's figures per window, in the units the person's scores have (the sorted
    values kept for updating them are the person's scores again, in hundredths)."""
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
        name="vendor_scores",
        model=VendorScore,
    ),
    privacy.DataSection(
        name="flags",
        model=AnomalyFlag,
    ),
)
