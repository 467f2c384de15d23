"""OpenAlex authors through the REST API (an API key is optional here but recommended).

Endpoint: ``GET /authors/{id}?select=id,display_name,works_count,cited_by_count,summary_stats``,
a singleton lookup (free of charge; ``select`` trims the answer to those root fields).
``api_key`` is sent when RENOWN_OPENALEX_API_KEY is set (keys are required from 2026-02-13;
without one the daily budget is tiny, though singletons cost nothing); ``mailto`` when
RENOWN_CONTACT_EMAIL is set (the legacy "polite pool": harmless, no longer required).
Not found is HTTP 404 (``"Author ... not found"``). An author merged into another answers
301 to the surviving id, which the shared client follows.
Rate limited: 429 when the daily budget is spent, with ``X-RateLimit-Reset`` = seconds until
midnight UTC; 403 means "rate limit exceeded; slow down" (over 100 requests per second), so
wait a second unless ``Retry-After`` says otherwise. A wrong ``api_key`` is 401 (permanent).
Docs: developers.openalex.org/api-reference/errors, .../api-reference/authentication,
.../guides/selecting-fields; docs.openalex.org/how-to-use-the-api/rate-limits-and-authentication,
.../api-entities/authors/author-object.
"""

from __future__ import annotations

from datetime import UTC, datetime

from renown.http import Response, retry_after_seconds
from scoring import conf
from scoring.providers.base import (
    Observation,
    ObservedMetrics,
    Provider,
    ProviderPermanent,
    ProviderRateLimited,
    ProviderTerms,
)

SELECT = "id,display_name,works_count,cited_by_count,summary_stats"
TOO_FAST_WAIT = 1.0  # the per-second limit (100 requests/s) clears within a second


class OpenAlex(Provider):
    network = "openalex"
    terms = ProviderTerms(
        summary="Scholarly author records (works, citations, h-index); the data is CC0, "
        "the API is freemium and singleton lookups are free.",
        source_url="https://developers.openalex.org/api-reference/authentication",
        notes=[
            "OpenAlex data is released under CC0; commercial use is allowed.",
            "An API key (free) is required from 2026-02-13; set RENOWN_OPENALEX_API_KEY. "
            "Singleton lookups such as /authors/{id} cost nothing against the daily budget.",
            "Look up only the author id the candidate supplied: name searches return namesakes.",
        ],
    )

    def _params(self) -> dict[str, str | int]:
        params: dict[str, str | int] = {"select": SELECT}
        api_key = conf.get("RENOWN_OPENALEX_API_KEY")
        if api_key:
            params["api_key"] = api_key
        email = conf.get("RENOWN_CONTACT_EMAIL")
        if email:
            params["mailto"] = email
        return params

    def _check(self, response: Response) -> None:
        if response.status == 403:
            # OpenAlex's "too fast" signal; a daily reset header would be the wrong wait here.
            retry = {k: v for k, v in response.headers.items() if k.lower() == "retry-after"}
            raise ProviderRateLimited(
                "openalex: HTTP 403 (too many requests per second)",
                retry_after=retry_after_seconds(retry, default=TOO_FAST_WAIT),
            )
        if response.status == 401:
            raise ProviderPermanent("openalex: HTTP 401 (check RENOWN_OPENALEX_API_KEY)")
        self.raise_for_status(response)

    async def fetch(self, handle: str) -> Observation:
        """Works, citations and h-index of the author ``A...``."""
        response = await self.get(f"{self.base_url}/authors/{handle}", self._params())
        self._check(response)
        author = self.json_object(response, "author")
        if not isinstance(author.get("id"), str):
            raise ProviderPermanent("openalex: author lacks an id")
        metrics: ObservedMetrics = {
            "works": self.count(author, "works_count", default=None),
            "citations": self.count(author, "cited_by_count", default=None),
        }
        stats = author.get("summary_stats")
        if stats is not None:
            if not isinstance(stats, dict):
                raise ProviderPermanent("openalex: summary_stats is not an object")
            if stats.get("h_index") is not None:
                metrics["h_index"] = self.count(stats, "h_index")
        # No account_created: created_date is when OpenAlex created the record (often the
        # 2017 bulk load), not anything the person did.
        return Observation(metrics=metrics, observed_at=datetime.now(tz=UTC))
