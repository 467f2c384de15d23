"""Hacker News through its official Firebase API (no authentication).

Endpoint: ``GET /v0/user/{id}.json``; ids are case-sensitive and only users with public
activity are served. The user object carries ``id``, ``created`` (unix seconds),
``karma`` and, when the user ever posted, ``submitted`` (ids of stories, polls and
comments). An unknown user is not a 404: Firebase answers HTTP 200 with the body ``null``.
"There is currently no rate limit" and no rate-limit headers; 5xx come from Google's
front end. Docs: github.com/HackerNews/API (README, "URI and Versioning" and "Users").
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from renown.json_types import JSONMapping
from scoring.providers.base import (
    Observation,
    ObservedMetrics,
    Provider,
    ProviderNotFound,
    ProviderPermanent,
    ProviderTerms,
    iso_time,
)


class HackerNews(Provider):
    network = "hackernews"
    terms = ProviderTerms(
        summary="Official public Hacker News API (Firebase); no key and no documented rate limit.",
        source_url="https://github.com/HackerNews/API",
        notes=[
            "The API documentation states no usage terms of its own; Hacker News's site terms apply.",
        ],
    )

    async def fetch(self, handle: str) -> Observation:
        """Karma, number of submissions and account creation of one user."""
        response = await self.get(f"{self.base_url}/v0/user/{quote(handle, safe='')}.json")
        self.raise_for_status(response)
        try:
            body = response.json()
        except ValueError:
            raise ProviderPermanent("hackernews: user answered a body that is not JSON") from None
        if body is None:
            raise ProviderNotFound(f"hackernews: no user {handle!r}")
        if not isinstance(body, dict):
            raise ProviderPermanent(
                f"hackernews: user answered {type(body).__name__}, not an object"
            )
        if not isinstance(body.get("id"), str):
            raise ProviderPermanent("hackernews: user lacks an id")
        submitted = body.get("submitted", [])
        if not isinstance(submitted, list):
            raise ProviderPermanent("hackernews: submitted is not a list")
        metrics: ObservedMetrics = {
            "karma": self._karma(body),
            "posts": len(submitted),
        }
        created = iso_time(body.get("created"), unit="s")
        if created is not None:
            metrics["account_created"] = created
        return Observation(metrics=metrics, observed_at=datetime.now(tz=UTC))

    def _karma(self, body: JSONMapping) -> int:
        # Karma can fall below 1 on Hacker News; it is a score, not a count.
        value = body.get("karma")
        if not isinstance(value, int) or isinstance(value, bool):
            raise ProviderPermanent(f"hackernews: karma is not an integer: {value!r}")
        return value
