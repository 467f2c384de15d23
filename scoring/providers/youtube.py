"""YouTube through the Data API v3 (an API key is required).

Endpoint: ``GET /youtube/v3/channels?part=snippet,statistics`` with ``id=UC...`` or
``forHandle=@handle`` and ``key=``; 1 quota unit a call. Statistics counts are strings;
``subscriberCount`` is absent when ``hiddenSubscriberCount`` is true. An unknown channel
is not an error: HTTP 200 with ``pageInfo.totalResults`` 0 and no ``items``. Errors use
Google's JSON shape ``{"error": {"code", "message", "errors": [{"domain", "reason"}]}}``:
403 ``quotaExceeded`` (or ``rateLimitExceeded``/``dailyLimitExceeded``) means the daily
quota is spent until midnight Pacific Time, when it resets; 403 ``channelNotFound`` (or a
closed or suspended channel) is not-found; 400 ``keyInvalid`` and other 400/403 reasons are
permanent. There are no rate-limit headers.
Docs: developers.google.com/youtube/v3/docs/channels/list, /youtube/v3/docs/errors,
/youtube/v3/determine_quota_cost.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from renown.http import Response
from renown.json_types import JSONMapping
from scoring import conf
from scoring.providers.base import (
    Observation,
    ObservedMetrics,
    Provider,
    ProviderNotFound,
    ProviderPermanent,
    ProviderRateLimited,
    ProviderTerms,
    iso_time,
)

_QUOTA_REASONS = {"quotaExceeded", "rateLimitExceeded", "dailyLimitExceeded"}
_GONE_REASONS = {"channelNotFound", "channelClosed", "channelSuspended"}


def _pacific() -> tzinfo:
    try:
        return ZoneInfo("America/Los_Angeles")
    except ZoneInfoNotFoundError:  # no tz database: PST is never earlier than the real reset
        return timezone(timedelta(hours=-8))


def seconds_until_quota_reset(now: datetime | None = None) -> float:
    """Seconds from ``now`` to the next midnight Pacific Time (DST-aware)."""
    zone = _pacific()
    local = (now or datetime.now(tz=UTC)).astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
    # Subtract in UTC: aware datetimes sharing a tzinfo subtract as wall-clock times.
    return (midnight.astimezone(UTC) - local.astimezone(UTC)).total_seconds()


def _google_error(response: Response) -> tuple[set[str], str]:
    try:
        body = response.json()
    except ValueError:
        return set(), ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return set(), ""
    # Classic "errors[].reason" (quotaExceeded, keyInvalid) and newer "details[].reason".
    entries = [
        entry
        for name in ("errors", "details")
        if isinstance(error.get(name), list)
        for entry in error[name]
        if isinstance(entry, dict)
    ]
    reasons = {str(entry["reason"]) for entry in entries if entry.get("reason")}
    return reasons, str(error.get("message", ""))


class YouTube(Provider):
    network = "youtube"
    terms = ProviderTerms(
        summary="YouTube Data API v3 with an API key; 10,000 quota units a day, reset at midnight PT.",
        source_url="https://developers.google.com/youtube/terms/developer-policies-guide",
        may_blend=False,
        notes=[
            "The developer policies forbid combining YouTube API data with other sources into "
            "derived metrics (their example: a cross-platform engagement metric).",
            "Do not store identifying information without the user's consent; delete it "
            "within 30 days when asked.",
            "subscriberCount is rounded for display by YouTube policy.",
        ],
    )

    async def fetch(self, handle: str) -> Observation:
        """Subscribers (unless hidden), views, videos and creation date of one channel."""
        key = conf.get("RENOWN_YOUTUBE_API_KEY")
        if not key:
            raise ProviderPermanent("youtube: RENOWN_YOUTUBE_API_KEY is not set")
        params: dict[str, str | int] = {"part": "snippet,statistics", "key": key}
        params["forHandle" if handle.startswith("@") else "id"] = handle
        response = await self.get(f"{self.base_url}/youtube/v3/channels", params)
        if response.status in {400, 403, 429}:
            reasons, message = _google_error(response)
            if reasons & _QUOTA_REASONS:
                raise ProviderRateLimited(
                    f"youtube: quota exceeded: {message}", retry_after=seconds_until_quota_reset()
                )
            if reasons & _GONE_REASONS:
                raise ProviderNotFound(f"youtube: {', '.join(sorted(reasons))}: {message}")
            if response.status != 429:
                raise ProviderPermanent(
                    f"youtube: HTTP {response.status} {', '.join(sorted(reasons))}: {message}"
                )
        self.raise_for_status(response)
        body = self.json_object(response, "channels")
        items = body.get("items", [])
        if not isinstance(items, list):
            raise ProviderPermanent("youtube: channels answered items that are not a list")
        if not items:
            raise ProviderNotFound(f"youtube: no channel {handle!r}")
        channel = items[0]
        if not isinstance(channel, dict) or not isinstance(channel.get("statistics"), dict):
            raise ProviderPermanent("youtube: channel lacks statistics")
        stats: JSONMapping = channel["statistics"]
        metrics: ObservedMetrics = {}
        if stats.get("hiddenSubscriberCount") is not True:
            metrics["subscribers"] = self.count(stats, "subscriberCount", default=None)
        metrics["views"] = self.count(stats, "viewCount", default=None)
        metrics["videos"] = self.count(stats, "videoCount", default=None)
        snippet = channel.get("snippet")
        created = iso_time(snippet.get("publishedAt")) if isinstance(snippet, dict) else None
        if created is not None:
            metrics["account_created"] = created
        return Observation(metrics=metrics, observed_at=datetime.now(tz=UTC))
