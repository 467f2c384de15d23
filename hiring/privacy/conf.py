"""Retention settings with their defaults; a host project overrides them by setting.

Read at call time (``get(...)``) so that ``override_settings`` in tests works.
"""

from __future__ import annotations

from django.conf import settings

from renown.conf import register_defaults

DEFAULTS: dict[str, int] = {  # every one a number of days
    # 29 CFR 1602.14: an employer keeps any personnel or employment record it made
    # (applications, records of a selection or rejection) for one year from the
    # making of the record or the personnel action, whichever is later.
    "RENOWN_RETENTION_EMPLOYMENT_RECORD_DAYS": 365,
    # EU AI Act Art. 26(6): deployers keep the logs a high-risk system generates
    # (here: screenings, the machine's output) for at least six months.
    "RENOWN_RETENTION_AI_LOG_DAYS": 183,
    # Raw provider data (metric snapshots) older than this is deleted; scores keep
    # their explanations and the ids of the snapshots they used.
    "RENOWN_SNAPSHOT_RETENTION_DAYS": 400,
    # How long an erasure is reported to clients that sync with ``updated_after`` (the
    # tombstone: the old public id and the time, nothing else). A client that syncs less
    # often than this must read the whole list again to notice older erasures.
    "RENOWN_ERASURE_TOMBSTONE_DAYS": 90,
}

register_defaults(__name__, DEFAULTS)


def get(name: str) -> int:
    """The setting ``name`` (a number of days) from Django settings, or its default here."""
    return int(getattr(settings, name, DEFAULTS[name]))
