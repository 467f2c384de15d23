"""Scoring's plugin settings with their defaults; a host project overrides them by setting.

Read at call time (``get(...)``) so that ``override_settings`` in tests works.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, overload

from django.conf import settings

from renown import conf as renown_conf
from renown.conf import at_least, dotted_path, each_value, register_defaults
from renown.json_types import JSONObject

DEFAULTS: JSONObject = {
    # network -> dotted path of the provider class
    "RENOWN_PROVIDERS": {
        "bluesky": "scoring.providers.bluesky.Bluesky",
        "mastodon": "scoring.providers.mastodon.Mastodon",
        "github": "scoring.providers.github.GitHub",
        "stackexchange": "scoring.providers.stackexchange.StackExchange",
        "hackernews": "scoring.providers.hackernews.HackerNews",
        "youtube": "scoring.providers.youtube.YouTube",
        "openalex": "scoring.providers.openalex.OpenAlex",
        "openlibrary": "scoring.providers.openlibrary.OpenLibrary",
        "orcid": "scoring.providers.orcid.Orcid",
    },
    # Providers switched off in this deployment (never called, never scored).
    "RENOWN_DISABLED_PROVIDERS": [],
    # Base URLs: scheme, host and port only; each adapter adds its API's path prefix.
    "RENOWN_PROVIDER_URL_BLUESKY": "https://public.api.bsky.app",
    "RENOWN_PROVIDER_URL_MASTODON": "",  # empty: each handle's own instance
    "RENOWN_PROVIDER_URL_GITHUB": "https://api.github.com",
    "RENOWN_PROVIDER_URL_STACKEXCHANGE": "https://api.stackexchange.com",
    "RENOWN_PROVIDER_URL_HACKERNEWS": "https://hacker-news.firebaseio.com",
    "RENOWN_PROVIDER_URL_YOUTUBE": "https://www.googleapis.com",
    "RENOWN_PROVIDER_URL_OPENALEX": "https://api.openalex.org",
    "RENOWN_PROVIDER_URL_OPENLIBRARY": "https://openlibrary.org",
    "RENOWN_PROVIDER_URL_ORCID": "https://pub.orcid.org",
    # Credentials, all optional except YouTube's key (without it YouTube answers 403).
    "RENOWN_YOUTUBE_API_KEY": "",
    "RENOWN_GITHUB_TOKEN": "",
    "RENOWN_STACKEXCHANGE_KEY": "",
    "RENOWN_OPENALEX_API_KEY": "",
    # Open connections per provider and worker process, below RENOWN_PROVIDER_CONCURRENCY
    # for small servers. They bound connections, not requests per second: the rates
    # below (scoring.rate_limit) hold those, across all workers.
    "RENOWN_PROVIDER_CONCURRENCY_PER_NETWORK": {"orcid": 8, "openlibrary": 2},
    # Where the rate limiter keeps its counts (a Redis URL, or memory:// for one count
    # per worker process); "" = CELERY_BROKER_URL when it is Redis, else memory://.
    "RENOWN_RATE_LIMIT_STORAGE_URL": "",
    # Each provider's published rate, as a `limits` rate string ("" for none), counted
    # per host (each Mastodon instance apart) with a moving window, across all workers.
    # Each default cites the provider's own documentation:
    # bsky-docs advanced-guides/rate-limits.md: the AppView publishes no figure
    # ("generous"); the PDS limit of 3000 per 5 min per IP is taken as the bound.
    "RENOWN_PROVIDER_RATE_BLUESKY": "3000/5 minutes",
    # Mastodon docs content/en/api/rate-limits.md: 300 per 5 min per account and per IP,
    # on each instance.
    "RENOWN_PROVIDER_RATE_MASTODON": "300/5 minutes",
    # GitHub docs rate-limits-for-the-rest-api.md: 5,000/hour with a token
    # (RENOWN_GITHUB_TOKEN); without one GitHub allows 60/hour per IP: set "60/hour".
    "RENOWN_PROVIDER_RATE_GITHUB": "5000/hour",
    # api.stackexchange.com/docs/throttle: more than 30 requests/s per IP is banned.
    "RENOWN_PROVIDER_RATE_STACKEXCHANGE": "30/second",
    # HackerNews/API README: "There is currently no rate limit". None published, so a
    # conservative choice of ours: 10 per second.
    "RENOWN_PROVIDER_RATE_HACKERNEWS": "10/second",
    # developers.google.com/youtube/v3 quota: 10,000 units/day; channels.list = 1 unit.
    "RENOWN_PROVIDER_RATE_YOUTUBE": "10000/day",
    # OpenAlex rate-limits-and-authentication.md (Jan 2026): at most 100 requests/s.
    "RENOWN_PROVIDER_RATE_OPENALEX": "100/second",
    # Open Library: ~3 requests/s for a client that identifies itself in its User-Agent
    # (Renown does), ~1/s anonymous; reported by client libraries, [unverified].
    "RENOWN_PROVIDER_RATE_OPENLIBRARY": "3/second",
    # info.orcid.org FAQ "API usage quotas and limits": 12 requests/s (burst 40), 503 past.
    "RENOWN_PROVIDER_RATE_ORCID": "12/second",
    "RENOWN_FETCH_MAX_RETRIES": 5,
    # A batch sleeps out a provider's pause up to this long; longer pauses are retried later.
    "RENOWN_FETCH_MAX_WAIT_SECONDS": 5.0,
    # Retries later than this are given up for the cycle (recorded as rate limited): it
    # must stay below the broker's visibility timeout, or a waiting retry is redelivered.
    "RENOWN_FETCH_MAX_RETRY_DELAY_SECONDS": 3600,
    "RENOWN_FETCH_BATCH_SIZE": 200,
    # Accounts fetched more recently than this are not due in a periodic refresh.
    "RENOWN_REFRESH_INTERVAL_HOURS": 24,
    # Where to learn the jurisdictions of the jobs a candidate is considered for
    # (dotted path to a function: candidate ids -> {id: {codes}}).
    "RENOWN_CANDIDATE_JOB_JURISDICTIONS": "hiring.selectors.candidate_job_jurisdictions",
    # Called with the ids of candidates whose scores were just recomputed (dotted path
    # to a function; "" for none): the hiring app screens them again.
    "RENOWN_SCORES_CHANGED": "hiring.tasks.screening_rerun_enqueue",
    # A snapshot older than this no longer counts as the account's current state.
    "RENOWN_SNAPSHOT_MAX_AGE_DAYS": 30,
    # Keep each candidate's window statistics (scoring.window_stats) as scores are
    # written, and let screenings and previews read them. Off: every reader reduces the
    # score history itself, as before (slower at scale; the same figures).
    "RENOWN_WINDOW_STATS": True,
}


def _rate(value: object) -> str | None:
    # The parser lives with the limiter; imported here lazily (it imports this module).
    from scoring.rate_limit import rate_problem

    return rate_problem(value)


def _storage_url(value: object) -> str | None:
    schemes = ("redis://", "rediss://", "redis+unix://", "memory://")
    if isinstance(value, str) and value and not value.startswith(schemes):
        return "is not a redis://, rediss://, redis+unix:// or memory:// URL ('' for the default)"
    return None


register_defaults(
    __name__,
    DEFAULTS,
    validators={
        "RENOWN_PROVIDERS": each_value(dotted_path()),
        "RENOWN_PROVIDER_CONCURRENCY_PER_NETWORK": each_value(at_least(1)),
        "RENOWN_FETCH_BATCH_SIZE": at_least(1),
        "RENOWN_SNAPSHOT_MAX_AGE_DAYS": at_least(1),
        "RENOWN_CANDIDATE_JOB_JURISDICTIONS": dotted_path(),
        "RENOWN_SCORES_CHANGED": dotted_path(blank=True),
        "RENOWN_RATE_LIMIT_STORAGE_URL": _storage_url,
        **{name: _rate for name in DEFAULTS if name.startswith("RENOWN_PROVIDER_RATE_")},
        "RENOWN_PROVIDER_RATE_": _rate,
    },
    # The base URL and the rate of a provider a host adds under another network name
    # (no rate limit unless set).
    families={"RENOWN_PROVIDER_URL_": "", "RENOWN_PROVIDER_RATE_": ""},
)


# Scoring's settings by the type of their value (``get``'s overloads; renown.E020 holds a
# host's value to its default's type). ``get`` also reads the base's (``renown.conf``).
BoolSetting = Literal["RENOWN_WINDOW_STATS"]
IntSetting = Literal[
    "RENOWN_FETCH_MAX_RETRIES",
    "RENOWN_FETCH_MAX_RETRY_DELAY_SECONDS",
    "RENOWN_FETCH_BATCH_SIZE",
    "RENOWN_REFRESH_INTERVAL_HOURS",
    "RENOWN_SNAPSHOT_MAX_AGE_DAYS",
]
FloatSetting = Literal["RENOWN_FETCH_MAX_WAIT_SECONDS"]
StrSetting = Literal[
    "RENOWN_PROVIDER_URL_BLUESKY",
    "RENOWN_PROVIDER_URL_MASTODON",
    "RENOWN_PROVIDER_URL_GITHUB",
    "RENOWN_PROVIDER_URL_STACKEXCHANGE",
    "RENOWN_PROVIDER_URL_HACKERNEWS",
    "RENOWN_PROVIDER_URL_YOUTUBE",
    "RENOWN_PROVIDER_URL_OPENALEX",
    "RENOWN_PROVIDER_URL_OPENLIBRARY",
    "RENOWN_PROVIDER_URL_ORCID",
    "RENOWN_YOUTUBE_API_KEY",
    "RENOWN_GITHUB_TOKEN",
    "RENOWN_STACKEXCHANGE_KEY",
    "RENOWN_OPENALEX_API_KEY",
    "RENOWN_CANDIDATE_JOB_JURISDICTIONS",
    "RENOWN_SCORES_CHANGED",
    "RENOWN_RATE_LIMIT_STORAGE_URL",
    "RENOWN_PROVIDER_RATE_BLUESKY",
    "RENOWN_PROVIDER_RATE_MASTODON",
    "RENOWN_PROVIDER_RATE_GITHUB",
    "RENOWN_PROVIDER_RATE_STACKEXCHANGE",
    "RENOWN_PROVIDER_RATE_HACKERNEWS",
    "RENOWN_PROVIDER_RATE_YOUTUBE",
    "RENOWN_PROVIDER_RATE_OPENALEX",
    "RENOWN_PROVIDER_RATE_OPENLIBRARY",
    "RENOWN_PROVIDER_RATE_ORCID",
]
StrListSetting = Literal["RENOWN_DISABLED_PROVIDERS"]
StrMapSetting = Literal["RENOWN_PROVIDERS"]
IntMapSetting = Literal["RENOWN_PROVIDER_CONCURRENCY_PER_NETWORK"]


@overload
def get(name: BoolSetting | renown_conf.BoolSetting) -> bool: ...
@overload
def get(name: IntSetting | renown_conf.IntSetting) -> int: ...
@overload
def get(name: FloatSetting | renown_conf.FloatSetting) -> float: ...
@overload
def get(name: StrSetting | renown_conf.StrSetting) -> str: ...
@overload
def get(name: StrListSetting) -> Sequence[str]: ...
@overload
def get(name: StrMapSetting | renown_conf.StrMapSetting) -> Mapping[str, str]: ...
@overload
def get(name: IntMapSetting) -> Mapping[str, int]: ...
def get(name: str) -> object:
    """The setting ``name`` from Django settings, or its default here (or the base's:
    the HTTP client's settings are ``renown.conf``'s)."""
    if name not in DEFAULTS:
        return renown_conf.value(name)
    return getattr(settings, name, DEFAULTS[name])
