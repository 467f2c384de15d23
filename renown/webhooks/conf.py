"""Webhook settings with their defaults; a host project overrides them by setting.

Read at call time (``get(...)``) so that ``override_settings`` in tests works.
"""

from __future__ import annotations

from django.conf import settings

from renown.conf import at_least, register_defaults

DEFAULTS: dict[str, float] = {  # every one a number (int where a whole number)
    # Attempts per delivery (the first one included) before it is marked failed.
    "RENOWN_WEBHOOK_MAX_ATTEMPTS": 8,
    # Exponential backoff between attempts: base * 2 ** (attempt - 1), capped, with jitter.
    "RENOWN_WEBHOOK_BACKOFF_BASE_SECONDS": 30.0,
    "RENOWN_WEBHOOK_BACKOFF_MAX_SECONDS": 3600.0,
    # A subscription is switched off after this many failed attempts in a row (any
    # delivery); a success resets the count. An HR admin re-enables it in the admin.
    "RENOWN_WEBHOOK_DISABLE_AFTER_FAILURES": 20,
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
    # Receivers should refuse a Renown-Signature older than this (renown.webhooks.signing.verify).
    "RENOWN_WEBHOOK_SIGNATURE_TOLERANCE_SECONDS": 300,
}

register_defaults(
    __name__,
    DEFAULTS,
    validators={
        "RENOWN_WEBHOOK_MAX_ATTEMPTS": at_least(1),
        "RENOWN_WEBHOOK_DISABLE_AFTER_FAILURES": at_least(1),
        "RENOWN_WEBHOOK_TIMEOUT_SECONDS": at_least(0.001),
        "RENOWN_WEBHOOK_SCREENINGS_PER_EVENT": at_least(1),
    },
)


def get(name: str) -> float:
    """The setting ``name`` from Django settings, or its default here, as a number.

    Every webhook setting is a number (``renown.checks`` refuses anything else); callers
    take ``int(...)`` of the whole numbers.
    """
    return float(getattr(settings, name, DEFAULTS[name]))
