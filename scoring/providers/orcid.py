"""ORCID through the Public API v3.0, anonymously (no token), as JSON.

Endpoint: ``GET /v3.0/{orcid}/record`` with ``Accept: application/json``. One call gives both
the works summary, ``activities-summary.works.group[]`` (one group per distinct work; the
``work-summary[]`` inside a group are the same work from several sources), and
``history.submission-date`` (epoch milliseconds: when the iD was registered). ``/works``
holds the same groups without the history, so the record saves a second call.
Not found is HTTP 404 with ``"error-code": 9016``; 404 with 9001 means an unrouted path (our
bug: permanent). Deactivated (409, 9044) and locked (409, 9018) records count as not found.
A deprecated iD answers 301 to its primary iD, which the shared client follows.
Rate limits: 12 requests/s with a queue ("burst") of 40; beyond it HTTP 503 with no
documented Retry-After, so wait BURST_WAIT (a full queue drains in 40/12 s). Over the daily
quota (anonymous: per IP) ORCID answers 429 with a plain-text message and no reset time.
Docs: info.orcid.org/ufaqs/what-are-the-api-limits, ORCID/ORCID-Source
orcid-api-web/tutorial/api_errors.md and orcid-core/.../i18n/api_en.properties (apiError.*),
ORCID/orcid-model src/main/resources/record_3.0/README.md.
"""

from __future__ import annotations

from datetime import UTC, datetime

from renown.http import Response, retry_after_seconds
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

BURST_WAIT = 4.0  # seconds: a full queue of 40 drains at 12 requests/s in about 3.3 s
QUOTA_WAIT = 3600.0  # the daily quota gives no reset time; try again in an hour
_UNROUTED = 9001
_GONE = {9018: "locked", 9044: "deactivated"}


def _error_code(response: Response) -> int | None:
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("error-code") if isinstance(body, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


class Orcid(Provider):
    network = "orcid"
    terms = ProviderTerms(
        summary="Public ORCID records (works count, registration date) via the anonymous "
        "Public API, which is free for non-commercial use only.",
        source_url="https://info.orcid.org/ufaqs/what-are-the-api-limits/",
        commercial_use=False,
        notes=[
            "'The ORCID Public API is free for non-commercial use by individuals ... you may "
            "not make use of the Public API in connection with any revenue-generating product "
            "or service.' A commercial hiring product needs ORCID membership (Member API).",
            "Anonymous API: 12 requests/s, burst 40 (then 503), 100k reads/day per IP address.",
            "Look up only the iD the candidate supplied.",
        ],
    )

    def _check(self, response: Response) -> None:
        status = response.status
        if status == 503:
            raise ProviderRateLimited(
                "orcid: HTTP 503 (burst limit)",
                retry_after=retry_after_seconds(response.headers, default=BURST_WAIT),
            )
        if status == 429:
            raise ProviderRateLimited(
                "orcid: HTTP 429 (daily quota)",
                retry_after=retry_after_seconds(response.headers, default=QUOTA_WAIT),
            )
        if status in {404, 409}:
            code = _error_code(response)
            if status == 404 and code != _UNROUTED:
                raise ProviderNotFound(f"orcid: HTTP 404 (error-code {code})")
            if code in _GONE:
                raise ProviderNotFound(f"orcid: the record is {_GONE[code]} ({code})")
            raise ProviderPermanent(f"orcid: HTTP {status} (error-code {code})")
        self.raise_for_status(response)

    async def fetch(self, handle: str) -> Observation:
        """The number of distinct works on the iD, and when the iD was registered."""
        response = await self.get(
            f"{self.base_url}/v3.0/{handle}/record", headers={"Accept": "application/json"}
        )
        self._check(response)
        record = self.json_object(response, "record")
        activities = record.get("activities-summary")
        works = activities.get("works") if isinstance(activities, dict) else None
        groups = works.get("group") if isinstance(works, dict) else None
        if not isinstance(groups, list):
            raise ProviderPermanent("orcid: record lacks activities-summary.works.group")
        metrics: ObservedMetrics = {"works": len(groups)}
        history = record.get("history")
        submitted = history.get("submission-date") if isinstance(history, dict) else None
        created = (
            iso_time(submitted.get("value"), unit="ms") if isinstance(submitted, dict) else None
        )
        if created is not None:
            metrics["account_created"] = created
        return Observation(metrics=metrics, observed_at=datetime.now(tz=UTC))
