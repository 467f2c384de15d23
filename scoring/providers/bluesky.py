"""Bluesky through the public AT Protocol AppView (no authentication).

Endpoints: ``app.bsky.actor.getProfile`` (profileViewDetailed; its ``description`` is
where a proof code is looked for) and
``app.bsky.feed.getAuthorFeed`` (recent posts, for engagement per post).
An unknown actor is HTTP 400 ``{"error": "InvalidRequest", "message": "Profile not found"}``,
not 404; 429 may carry ``RateLimit-*`` headers (IETF draft style).
Docs: docs.bsky.app/docs/api/app-bsky-actor-get-profile, .../app-bsky-feed-get-author-feed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import fmean

from renown.http import Response
from renown.json_types import JSONMapping
from scoring.providers.base import (
    Engagement,
    Observation,
    ObservedMetrics,
    ProfileReader,
    ProfileText,
    Provider,
    ProviderNotFound,
    ProviderPermanent,
    ProviderTerms,
    PublicProfile,
    iso_time,
)

FEED_SAMPLE = 30
_NOT_FOUND_ERRORS = {
    "AccountTakedown",
    "AccountDeactivated",
    "BlockedActor",
    "BlockedByActor",
}


def _xrpc_error(response: Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error", "")), str(body.get("message", ""))


class Bluesky(Provider, ProfileReader):
    network = "bluesky"
    terms = ProviderTerms(
        summary="Public AppView data; Bluesky asks for the cached public endpoint for public use.",
        source_url="https://docs.bsky.app/docs/advanced-guides/rate-limits",
    )

    async def _xrpc(self, method: str, params: dict[str, str | int]) -> JSONMapping:
        response = await self.get(f"{self.base_url}/xrpc/{method}", params)
        if response.status == 400:
            error, message = _xrpc_error(response)
            if error in _NOT_FOUND_ERRORS or (
                error == "InvalidRequest" and "not found" in message.lower()
            ):
                raise ProviderNotFound(f"bluesky: {error}: {message}")
            raise ProviderPermanent(f"bluesky: HTTP 400 {error}: {message}")
        self.raise_for_status(response)
        try:
            body = response.json()
        except ValueError:
            raise ProviderPermanent(f"bluesky: {method} answered a body that is not JSON") from None
        if not isinstance(body, dict):
            raise ProviderPermanent(
                f"bluesky: {method} answered {type(body).__name__}, not an object"
            )
        return body

    async def public_profile(self, handle: str) -> PublicProfile:
        """The profile's ``description`` (plain text), under the handle the AppView reports.

        A handle that is the owner's own domain was proved to Bluesky by a DNS record or
        a file on that domain: it shows control of the domain, not of a proof code, so
        the handle itself is not offered as a place for one.
        """
        profile = await self._xrpc("app.bsky.actor.getProfile", {"actor": handle})
        reported = profile.get("handle")
        if "did" not in profile or not isinstance(reported, str):
            raise ProviderPermanent("bluesky: profile lacks did/handle")
        description = profile.get("description")
        texts = (
            (ProfileText(where="description", label="the profile description", text=description),)
            if isinstance(description, str)
            else ()
        )
        return PublicProfile(handle=reported, texts=texts)

    async def fetch(self, handle: str) -> Observation:
        """Profile counts plus engagement over the latest original posts."""
        profile = await self._xrpc("app.bsky.actor.getProfile", {"actor": handle})
        if "did" not in profile or "handle" not in profile:
            raise ProviderPermanent("bluesky: profile lacks did/handle")
        feed = await self._xrpc(
            "app.bsky.feed.getAuthorFeed",
            {"actor": handle, "limit": FEED_SAMPLE, "filter": "posts_no_replies"},
        )
        items = feed.get("feed")
        if not isinstance(items, list):
            raise ProviderPermanent("bluesky: author feed lacks a feed array")
        # A feed item with a "reason" is someone else's post reposted: not the author's own.
        posts = [
            item["post"]
            for item in items
            if isinstance(item, dict)
            and isinstance(item.get("post"), dict)
            and "reason" not in item
        ]
        engagement: Engagement = {
            "posts_sampled": len(posts),
            "likes_per_post": round(fmean(self.count(p, "likeCount") for p in posts), 2)
            if posts
            else 0.0,
            "reposts_per_post": round(fmean(self.count(p, "repostCount") for p in posts), 2)
            if posts
            else 0.0,
            "replies_per_post": round(fmean(self.count(p, "replyCount") for p in posts), 2)
            if posts
            else 0.0,
        }
        metrics: ObservedMetrics = {
            "followers": self.count(profile, "followersCount"),
            "following": self.count(profile, "followsCount"),
            "posts": self.count(profile, "postsCount"),
            "engagement": engagement,
        }
        created = iso_time(profile.get("createdAt"))
        if created is not None:
            metrics["account_created"] = created
        return Observation(metrics=metrics, observed_at=datetime.now(tz=UTC))
