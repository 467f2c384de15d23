"""Per-token (and per-user) request rates: 429 with ``Retry-After`` past the limit.

Every answer tells the caller where it stands, in the header fields of
draft-ietf-httpapi-ratelimit-headers-06
(https://datatracker.ietf.org/doc/html/draft-ietf-httpapi-ratelimit-headers-06):
``RateLimit-Limit`` (requests a window allows), ``RateLimit-Remaining`` (left in the
window now), ``RateLimit-Reset`` (seconds until the window frees a request: the oldest
counted request leaves it; 0 when none is counted) and ``RateLimit-Policy``
(``1200;w=60``). ``rate_limit_headers`` reads them from the throttle that limited the
request (``renown.api.views.ApiView`` adds them to every answer).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from renown import conf
from renown.api.access import resolve_principal


@dataclass(frozen=True)
class RateLimitState:
    """Where a caller stands with one throttle."""

    limit: int
    remaining: int
    reset: int  # whole seconds, >= 0
    window: int  # seconds

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
            "RateLimit-Policy": f"{self.limit};w={self.window}",
        }


class PrincipalRateThrottle(SimpleRateThrottle):
    """``RENOWN_API_THROTTLE_RATE`` (``"1200/min"``) per token, or per signed-in user.

    Counts live in the default cache: per process with the local-memory cache, shared
    by every worker with a shared one (Redis). Anonymous requests are refused before
    they cost anything and are not counted here.
    """

    scope = "api"

    def get_rate(self) -> str | None:
        return str(conf.get("RENOWN_API_THROTTLE_RATE"))

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        principal = resolve_principal(request)
        if principal is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": principal.owner_key}


def _state(throttle: SimpleRateThrottle, history: list[float], now: float) -> RateLimitState:
    limit, window = throttle.parse_rate(throttle.rate)  # as __init__ parsed it
    if limit is None or window is None:  # the callers checked the rate
        raise ValueError(f"no rate: {throttle.rate!r}")
    counted = [moment for moment in history if moment > now - window]
    # DRF keeps the newest first: the last one is the next to leave the window.
    reset = math.ceil(counted[-1] + window - now) if counted else 0
    return RateLimitState(
        limit=limit, remaining=max(0, limit - len(counted)), reset=max(0, reset), window=window
    )


def rate_limit_state(
    throttle: BaseThrottle, request: Request, view: APIView, *, consulted: bool
) -> RateLimitState | None:
    """Where the caller stands with ``throttle``; None when it does not count them.

    ``consulted``: the throttle decided on this request (``allow_request`` ran) and
    its count is read as it left it. Otherwise (the request was refused before
    throttling: its role, its body) the count is read from the cache, unchanged.
    """
    if not isinstance(throttle, SimpleRateThrottle) or throttle.rate is None:
        return None
    if consulted:
        if getattr(throttle, "key", None) is None:  # allow_request let it through uncounted
            return None
        return _state(throttle, list(throttle.history), throttle.now)
    key = throttle.get_cache_key(request, view)
    if key is None:
        return None
    return _state(throttle, list(throttle.cache.get(key, [])), throttle.timer())


def rate_limit_headers(
    throttles: Iterable[BaseThrottle], request: Request, view: APIView, *, consulted: bool
) -> Mapping[str, str]:
    """The RateLimit-* fields of the throttle closest to refusing; empty when none counts."""
    states = [
        state
        for throttle in throttles
        if (state := rate_limit_state(throttle, request, view, consulted=consulted)) is not None
    ]
    if not states:
        return {}
    return min(states, key=lambda s: (s.remaining, -s.reset)).headers()
