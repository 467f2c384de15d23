"""What the scoring app holds about a candidate, for export and erasure (``renown.privacy``).

Imported by ``ScoringConfig.ready()``. All of it is profile data, deleted at
once by an erasure: the raw provider payloads (snapshots) with the rest.
"""

from __future__ import annotations

from renown import privacy
from scoring.models import AnomalyFlag, LatestScore, MetricSnapshot, Score, VendorScore

privacy.register(
    "renown_scoring",
    privacy.DataSection(
        name="snapshots",
        model=MetricSnapshot,
        rows=lambda c: MetricSnapshot.objects.filter(account__candidate_id=c.pk),
    ),
    privacy.DataSection(
        name="scores",
        model=Score,
        rows=lambda c: Score.objects.filter(candidate_id=c.pk),
    ),
    privacy.DataSection(
        name="latest_scores",
        model=LatestScore,
        rows=lambda c: LatestScore.objects.filter(candidate_id=c.pk),
    ),
    privacy.DataSection(
        name="vendor_scores",
        model=VendorScore,
        rows=lambda c: VendorScore.objects.filter(candidate_id=c.pk),
    ),
    privacy.DataSection(
        name="flags",
        model=AnomalyFlag,
        rows=lambda c: AnomalyFlag.objects.filter(candidate_id=c.pk),
    ),
)
