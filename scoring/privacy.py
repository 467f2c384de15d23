"""What the scoring app holds about a candidate, for export and erasure (``renown.privacy``).

Imported by ``ScoringConfig.ready()``. All of it is profile data, deleted at
once by an erasure: the raw provider payloads (snapshots) with the rest.
"""

from __future__ import annotations

from renown import privacy
from scoring.models import (
    AnomalyFlag,
    LatestReading,
    LatestScore,
    MetricSnapshot,
    Score,
    ScoreWindowStats,
    VendorScore,
)

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
