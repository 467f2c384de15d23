"""Scoring use cases, one module per idea, all importable from ``scoring.services``.

- ``refresh``: refresh cycles, consent-gated fetching of accounts into snapshots, backoff.
- ``scores``: influence and reputation scores computed and stored; the latest-score table.
- ``vendors``: vendor scores recorded by hand or imported from a CSV export.
- ``flags``: anomaly flags (gaming signs, source disagreements).
"""

from __future__ import annotations

from scoring.services.flags import (
    flags_detect,
    flags_detect_disagreements,
)
from scoring.services.refresh import (
    BatchResult,
    accounts_due,
    backoff_seconds,
    fetch_permissions,
    refresh_cycle_finish_if_complete,
    refresh_cycle_start,
    refresh_enqueue,
    refresh_start,
    snapshot_fetch_batch,
)
from scoring.services.scores import (
    SnapshotLike,
    score_build_influence,
    score_build_reputation,
    score_compute_many,
    score_latest_upsert,
)
from scoring.services.vendors import (
    VendorImportReport,
    VendorRowError,
    vendor_score_record,
    vendor_scores_import,
)

__all__ = [
    "BatchResult",
    "SnapshotLike",
    "VendorImportReport",
    "VendorRowError",
    "accounts_due",
    "backoff_seconds",
    "fetch_permissions",
    "flags_detect",
    "flags_detect_disagreements",
    "refresh_cycle_finish_if_complete",
    "refresh_cycle_start",
    "refresh_enqueue",
    "refresh_start",
    "score_build_influence",
    "score_build_reputation",
    "score_compute_many",
    "score_latest_upsert",
    "snapshot_fetch_batch",
    "vendor_score_record",
    "vendor_scores_import",
]
