"""Renown: influence and offline-reputation profiles for a hiring platform's candidates.

A host project adds Renown with one settings line and one URL include (docs/install.md)::

    from renown import with_renown_apps

    INSTALLED_APPS = with_renown_apps(INSTALLED_APPS)

    # urls.py
    path("renown/", include("renown.urls"))

This module imports nothing from Django, so settings modules can import it.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["RENOWN_APPS", "RENOWN_BEAT_SCHEDULE", "REQUIRED_APPS", "with_renown_apps"]

# What Renown's own apps need from the host (Django's own and third-party apps), in order.
REQUIRED_APPS = (
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
)

# The plugin's apps, lowest layer first (each imports only those before it).
RENOWN_APPS = ("renown", "candidates", "scoring", "hiring")


def _app_name(entry: str) -> str:
    """``"hiring.apps.HiringConfig"`` and ``"hiring"`` name the same app."""
    return entry.split(".apps.", 1)[0]


def with_renown_apps(installed_apps: Iterable[str]) -> list[str]:
    """The host's ``INSTALLED_APPS`` with Renown's apps and those they need appended.

    Nothing the host listed moves or is removed; an app already present (by its module or
    its AppConfig path) is not added twice.
    """
    apps = list(installed_apps)
    present = {_app_name(app) for app in apps}
    for app in (*REQUIRED_APPS, *RENOWN_APPS):
        if app not in present:
            apps.append(app)
            present.add(app)
    return apps


# Renown's periodic tasks, for a host that runs celery beat:
# ``app.conf.beat_schedule.update(RENOWN_BEAT_SCHEDULE)`` (schedules in seconds).
RENOWN_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Every hour, refresh the accounts not fetched in RENOWN_REFRESH_INTERVAL_HOURS
    # (stalest first); spreading the work over the day keeps within providers' limits.
    "renown-refresh-due-accounts": {"task": "scoring.refresh_due", "schedule": 60 * 60},
    # Every five seconds, queue the webhook deliveries that are due: retries (the first
    # comes five seconds after a failure) and sends whose queue message was lost. Cheap
    # when nothing is due (one indexed query). A sweep no worker took within 30 s expires,
    # so stopped workers do not come back to a pile of sweeps.
    "renown-webhooks-sweep": {
        "task": "webhooks.sweep",
        "schedule": 5,
        "options": {"expires": 30},
    },
    # Old webhook delivery logs, daily.
    "renown-webhooks-purge": {"task": "webhooks.purge", "schedule": 24 * 60 * 60},
    # Inbound ATS replay records past their window, daily.
    "renown-ats-purge": {"task": "hiring.ats_purge", "schedule": 24 * 60 * 60},
    # Erased candidates whose retention hold ended, and raw snapshots past their period.
    "renown-privacy-purge": {"task": "privacy.purge", "schedule": 60 * 60},
    # Nightly, link the host's candidate records and reconcile what bypassed the signals
    # (QuerySet.update, raw SQL, bulk loads); a no-op without RENOWN_HOST_CANDIDATE_MODEL.
    "renown-link-host": {"task": "hiring.link_host", "schedule": 24 * 60 * 60},
    # Every hour, the window statistics of candidates whose window lost a day since (the
    # first run after midnight UTC does the day's work; the others find nothing). Readers
    # slide what it has not, so a late run costs time, never a wrong figure.
    "renown-window-stats-slide": {"task": "scoring.window_stats_slide", "schedule": 60 * 60},
}
