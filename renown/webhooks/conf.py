"""Webhook settings with their defaults; a host project overrides them by setting.

Read at call time (``get(...)``, ``retry_schedule()``) so that ``override_settings`` in
tests works.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings

from renown.conf import at_least, register_defaults, register_retired

# Seconds to wait after failed attempt k (1-based) before attempt k + 1: Svix's schedule
# (https://docs.svix.com/retries), about a day in all. A delivery gets one attempt more
# than the schedule has entries; after the last it is marked failed.
RETRY_SCHEDULE_SECONDS: tuple[int, ...] = (
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    10 * 3600,
)
# The longest a schedule may be: every entry is one more attempt at a dead receiver.
MAX_RETRIES = 20

DEFAULTS: dict[str, float] = {  # every one a number (int where a whole number)
    # A subscription whose every attempt has failed for this many days (no success since
    # its first failure) is switched off. An HR admin turns it on again.
    "RENOWN_WEBHOOK_DISABLE_AFTER_DAYS": 5,
    # Total time one delivery attempt may take.
    "RENOWN_WEBHOOK_TIMEOUT_SECONDS": 10.0,
    # screening.completed carries at most this many screenings per event; a larger run
    # is sent as several events ("part" / "parts").
    "RENOWN_WEBHOOK_SCREENINGS_PER_EVENT": 500,
    # Delivery log rows (and their bodies) older than this are purged.
    "RENOWN_WEBHOOK_DELIVERY_RETENTION_DAYS": 30,
    # Inbound ATS deliveries are remembered (hash of the body, event id) this long, so
    # that a replay within it changes nothing.
    "RENOWN_INBOUND_REPLAY_WINDOW_DAYS": 30,
    # Receivers should refuse a signature older than this (renown.webhooks.signing.verify;
    # the standardwebhooks library's tolerance is the same five minutes).
    "RENOWN_WEBHOOK_SIGNATURE_TOLERANCE_SECONDS": 300,
}


def _schedule_problem(value: object) -> str | None:
    if not isinstance(value, Sequence) or len(value) > MAX_RETRIES:
        return f"must be a list of at most {MAX_RETRIES} delays in seconds"
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in value):
        return "must hold whole numbers of seconds, each at least 1"
    return None


register_defaults(
    __name__,
    {**DEFAULTS, "RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS": list(RETRY_SCHEDULE_SECONDS)},
    validators={
        "RENOWN_WEBHOOK_DISABLE_AFTER_DAYS": at_least(1),
        "RENOWN_WEBHOOK_TIMEOUT_SECONDS": at_least(0.001),
        "RENOWN_WEBHOOK_SCREENINGS_PER_EVENT": at_least(1),
        "RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS": _schedule_problem,
    },
)

# Settings of earlier versions that no longer do anything (renown.W020 says so).
register_retired(
    __name__,
    {
        "RENOWN_WEBHOOK_MAX_ATTEMPTS": "attempts are one more than the entries of "
        "RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS",
        "RENOWN_WEBHOOK_BACKOFF_BASE_SECONDS": "the delays between attempts are "
        "RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS",
        "RENOWN_WEBHOOK_BACKOFF_MAX_SECONDS": "the delays between attempts are "
        "RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS",
        "RENOWN_WEBHOOK_DISABLE_AFTER_FAILURES": "a subscription is switched off after "
        "failing continuously for RENOWN_WEBHOOK_DISABLE_AFTER_DAYS",
    },
)


def get(name: str) -> float:
    """The setting ``name`` from Django settings, or its default here, as a number.

    Every webhook setting but the retry schedule is a number (``renown.checks`` refuses
    anything else); callers take ``int(...)`` of the whole numbers.
    """
    return float(getattr(settings, name, DEFAULTS[name]))


def retry_schedule() -> tuple[int, ...]:
    """RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS: the delay after each failed attempt, in order."""
    value = getattr(settings, "RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS", RETRY_SCHEDULE_SECONDS)
    return tuple(int(v) for v in value)
