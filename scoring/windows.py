"""Calendar windows: the days a rule's aggregate and a volatility band read.

The window of N days on a day D holds the readings at or after midnight UTC of day
D - N + 1: today and the N - 1 days before it. Screening (``hiring.screening``), the
statistics kept at scoring time (``scoring.window_stats``) and the charts use these
bounds, so a figure is the same whichever of them computes it. Pure: no database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def window_start(day: date | datetime, days: int) -> datetime:
    """Midnight UTC of the first day of the ``days``-day window ending on ``day``."""
    if isinstance(day, datetime):
        day = day.astimezone(UTC).date()
    return datetime.combine(day - timedelta(days=days - 1), time.min, tzinfo=UTC)
