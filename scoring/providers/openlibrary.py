"""Open Library authors through its JSON API (no key; identify with a User-Agent).

Endpoints: ``GET /authors/{OLID}.json`` (the author record: existence, and whether it was
merged) and ``GET /authors/{OLID}/works.json?limit=1``, whose ``size`` is the author's number
of works (the ``author_works`` handler counts them; one entry is enough to read it).
Not found is HTTP 404 ``{"error": "notfound", "key": "/authors/OL...A"}``. A merged author is
not a 3xx but HTTP 200 with a stub ``{"type": {"key": "/type/redirect"}, "location":
"/authors/OL...A"}``: followed here for at most MAX_REDIRECT_HOPS hops (the works list of the
stub itself is a 404). A deleted record (``/type/delete``) counts as not found.
No rate-limit headers are sent; the guidance is 1 request/s anonymous, 3/s for clients whose
User-Agent names the app and a contact (RENOWN_CONTACT_EMAIL is appended when set).
429 and 5xx map as usual.
Docs: openlibrary.org/developers/api, openlibrary.org/dev/docs/api/authors,
openlibrary.org/dev/docs/restful_api; internetarchive/openlibrary
openlibrary/plugins/openlibrary/api.py (``author_works``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from renown.json_types import JSONMapping
from scoring.providers.base import (
    Observation,
    ObservedMetrics,
    Provider,
    ProviderNotFound,
    ProviderPermanent,
    ProviderTerms,
)

MAX_REDIRECT_HOPS = 2
_AUTHOR_KEY = re.compile(r"^/authors/OL\d{1,10}A$")


class OpenLibrary(Provider):
    network = "openlibrary"
    terms = ProviderTerms(
        summary="Public-domain catalogue data (CC0); keyless JSON API for light use.",
        source_url="https://openlibrary.org/developers/api",
        notes=[
            "Catalogue records are public domain / CC0; commercial use is allowed.",
            "Identify the app and a contact in the User-Agent (set RENOWN_CONTACT_EMAIL); "
            "about 1 request/s anonymous, 3/s identified. Bulk use belongs on the monthly dumps.",
            "Look up only the author id the candidate supplied: name searches return namesakes.",
        ],
    )

    async def _json(
        self, path: str, what: str, params: dict[str, str | int] | None = None
    ) -> JSONMapping:
        response = await self.get(f"{self.base_url}{path}", params)
        if response.status == 404:
            raise ProviderNotFound(f"openlibrary: {path} not found")
        self.raise_for_status(response)
        return self.json_object(response, what)

    async def _author_key(self, olid: str) -> str:
        """The key of the live author record, following merge stubs."""
        key = f"/authors/{olid}"
        for _ in range(MAX_REDIRECT_HOPS + 1):
            record = await self._json(f"{key}.json", "author record")
            kind = record.get("type")
            kind = kind.get("key") if isinstance(kind, dict) else None
            if kind == "/type/author":
                return key
            if kind == "/type/delete":
                raise ProviderNotFound(f"openlibrary: {key} was deleted")
            if kind != "/type/redirect":
                raise ProviderPermanent(f"openlibrary: {key} is not an author record ({kind!r})")
            location = record.get("location")
            if not isinstance(location, str) or not _AUTHOR_KEY.match(location):
                raise ProviderPermanent(f"openlibrary: bad redirect location {location!r}")
            key = location
        raise ProviderPermanent(f"openlibrary: more than {MAX_REDIRECT_HOPS} redirect hops")

    async def fetch(self, handle: str) -> Observation:
        """The number of works Open Library attributes to the author ``OL...A``."""
        key = await self._author_key(handle)
        works = await self._json(f"{key}/works.json", "works list", {"limit": 1})
        if not isinstance(works.get("entries", []), list):
            raise ProviderPermanent("openlibrary: works list entries is not an array")
        metrics: ObservedMetrics = {"books": self.count(works, "size", default=None)}
        return Observation(metrics=metrics, observed_at=datetime.now(tz=UTC))
