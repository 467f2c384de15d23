"""Per-token (and per-user) request rates: 429 with ``Retry-After`` past the limit."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from renown import conf
from renown.api.access import resolve_principal


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
