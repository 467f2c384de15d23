"""Stack Exchange through API 2.3 (no authentication; an app ``key`` raises the quota).

Endpoint: ``GET /2.3/users/{id}?site={site}`` with the default filter, which gives
``reputation`` and ``creation_date`` (unix seconds) but not answer or question counts.
An unknown id is not an error: HTTP 200 with ``"items": []``. Errors are HTTP 400 with
``error_id``/``error_name``/``error_message`` in the body: ``throttle_violation`` (502)
says "... more requests available in N seconds"; ``internal_error`` (500) and
``temporarily_unavailable`` (503) pass; the rest (``bad_parameter``...) do not.
Quotas travel in the body, not headers: ``quota_remaining`` and ``backoff`` (seconds the
method must rest). Docs: api.stackexchange.com/docs/users-by-ids, /docs/types/user,
/docs/wrapper, /docs/error-handling, /docs/throttle.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from renown.http import Response, retry_after_seconds
from scoring import conf
from scoring.providers.base import (
    Observation,
    ObservedMetrics,
    Provider,
    ProviderNotFound,
    ProviderPermanent,
    ProviderRateLimited,
    ProviderTerms,
    ProviderTransient,
    iso_time,
)

# For a throttle_violation that names no delay (e.g. "Violation of backoff parameter"):
# a few minutes, as long as the docs say the per-IP ban for bursts lasts.
THROTTLE_DEFAULT_SECONDS = 300.0
# The daily quota is a rolling window whose reset a successful body does not give; when it
# is spent, pause this long, then the next call's throttle_violation says exactly how long.
QUOTA_SPENT_PAUSE_SECONDS = 3600.0
_AVAILABLE_IN = re.compile(r"available in (\d+) seconds?")
_TRANSIENT_ERRORS = {500, 503}  # internal_error, temporarily_unavailable


def _split(handle: str) -> tuple[str, str]:
    site, sep, user_id = handle.partition(":")
    if not sep or not site or not user_id.isdigit():
        raise ProviderPermanent(f"stackexchange: {handle!r} is not site:user_id")
    return site, user_id


class StackExchange(Provider):
    network = "stackexchange"
    terms = ProviderTerms(
        summary="Public Stack Exchange API 2.3; 300 requests a day per IP, 10,000 with an app key.",
        source_url="https://api.stackexchange.com/docs/throttle",
        notes=[
            "User contributions are licensed CC BY-SA: attribute what is shown.",
            "Honour 'backoff' in any response before calling the same method again.",
        ],
    )

    def _raise_for_error(self, response: Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or "error_id" not in body:
            self.raise_for_status(response)
            return
        error_id = body.get("error_id")
        name = body.get("error_name", "")
        message = str(body.get("error_message", ""))
        detail = f"stackexchange: {name} ({error_id}): {message}"
        if error_id == 502:
            match = _AVAILABLE_IN.search(message)
            retry_after = (
                float(match.group(1))
                if match
                else retry_after_seconds(response.headers, default=THROTTLE_DEFAULT_SECONDS)
            )
            raise ProviderRateLimited(detail, retry_after=retry_after)
        if error_id in _TRANSIENT_ERRORS:
            raise ProviderTransient(detail)
        raise ProviderPermanent(detail)

    async def fetch(self, handle: str) -> Observation:
        """Reputation and account creation of one user on one site."""
        site, user_id = _split(handle)
        params: dict[str, str | int] = {"site": site}
        key = conf.get("RENOWN_STACKEXCHANGE_KEY")
        if key:
            params["key"] = key
        response = await self.get(f"{self.base_url}/2.3/users/{user_id}", params)
        self._raise_for_error(response)
        body = self.json_object(response, "users")
        items = body.get("items")
        if not isinstance(items, list):
            raise ProviderPermanent("stackexchange: users answered no items array")
        if not items:
            raise ProviderNotFound(f"stackexchange: no user {user_id} on {site}")
        user = items[0]
        if not isinstance(user, dict):
            raise ProviderPermanent("stackexchange: user item is not an object")
        if user.get("user_type") == "does_not_exist":
            raise ProviderNotFound(f"stackexchange: user {user_id} on {site} does not exist")
        metrics: ObservedMetrics = {"reputation": self.count(user, "reputation", default=None)}
        created = iso_time(user.get("creation_date"), unit="s")
        if created is not None:
            metrics["account_created"] = created
        backoff = float(self.count(body, "backoff"))
        if body.get("quota_remaining") == 0:
            backoff = max(backoff, QUOTA_SPENT_PAUSE_SECONDS)
        return Observation(
            metrics=metrics, observed_at=datetime.now(tz=UTC), backoff_seconds=backoff or None
        )
