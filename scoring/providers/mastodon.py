"""Mastodon through the account's home instance (public REST API, no token).

Endpoints: ``GET /api/v1/accounts/lookup?acct=<user>`` (an Account, asked of the
user's own instance: lookup skips WebFinger; its ``note`` and ``fields`` are the public
texts a proof code is looked for in) and ``GET /api/v1/accounts/:id/statuses``
with ``exclude_replies`` and ``exclude_reblogs`` (recent original statuses, for
engagement per post; ``limit`` is at most 40).
Not found is 404 ``{"error": "Record not found"}``. A suspended account is 410 Gone
(Mastodon 2.4-3.3) or, since 3.3, an Account with ``"suspended": true`` and zeroed
counts: both are not found. Rate limited is 429 ``{"error": "Too many requests"}``
with ``X-RateLimit-Reset`` as an ISO 8601 time (``config/initializers/rack_attack.rb``).
Docs: docs.joinmastodon.org/methods/accounts/#lookup, .../methods/accounts/#statuses,
.../api/rate-limits/, .../entities/Account/, .../entities/Status/.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from statistics import fmean

from renown.http import Response
from renown.json_types import JSONMapping
from scoring.providers.base import (
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

STATUS_SAMPLE = 40  # the API's maximum page size for account statuses
_INSTANCE = re.compile(r"^[a-z0-9.-]+$")
# Mastodon ids are numeric strings; Pleroma/Akkoma and GoToSocial use alphanumeric ids.
_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9_-]+$")


class Mastodon(Provider, ProfileReader):
    network = "mastodon"
    terms = ProviderTerms(
        summary="Public account data from each account's home instance; no token needed.",
        source_url="https://docs.joinmastodon.org/api/rate-limits/",
        notes=[
            "Each instance sets its own rules; by default 300 unauthenticated API requests "
            "per 5 minutes per IP.",
            "Lookup skips WebFinger: ask the account's home instance, and only for the "
            "user@instance the candidate supplied (remote lookups return namesakes).",
        ],
    )

    def _check(self, response: Response) -> None:
        if response.status == 410:
            raise ProviderNotFound("mastodon: HTTP 410 (account suspended)")
        self.raise_for_status(response)

    async def _lookup(self, handle: str) -> tuple[str, JSONMapping]:
        """(the API's base URL, the Account) of ``user@instance``, asked of its instance."""
        user, _, instance = handle.partition("@")
        if not user or not _INSTANCE.match(instance):
            raise ProviderPermanent(f"mastodon: {handle!r} is not user@instance")
        # A configured base URL (a test server, a proxy) replaces every handle's instance.
        api = f"{self.base_url or 'https://' + instance}/api/v1"

        response = await self.get(f"{api}/accounts/lookup", {"acct": user})
        self._check(response)
        account = self.json_object(response, "accounts/lookup")
        account_id = account.get("id")
        if not isinstance(account_id, str) or not _ACCOUNT_ID.match(account_id):
            raise ProviderPermanent(f"mastodon: account id is not an id: {account_id!r}")
        if account.get("suspended") is True:
            raise ProviderNotFound(f"mastodon: {handle} is suspended")
        return api, account

    async def public_profile(self, handle: str) -> PublicProfile:
        """The bio (``note``) and each profile field (``fields``: name, value, verified_at).

        Both are HTML as the instance renders them; a field's ``verified_at`` is set
        when the instance found a ``rel="me"`` link back to the profile on the page the
        field links to.
        """
        _, account = await self._lookup(handle)
        texts = []
        note = account.get("note")
        if isinstance(note, str):
            texts.append(ProfileText(where="note", label="the bio", text=note))
        fields = account.get("fields")
        if not isinstance(fields, list):
            fields = []
        for field in fields:
            if not isinstance(field, dict) or not isinstance(field.get("value"), str):
                raise ProviderPermanent("mastodon: a profile field has no text value")
            name = str(field.get("name", ""))[:100]
            texts.append(
                ProfileText(
                    where="field",
                    label=f"the profile field “{name}”",
                    text=str(field["value"]),
                    link_verified=bool(field.get("verified_at")),
                )
            )
        return PublicProfile(handle=handle, texts=tuple(texts))

    async def fetch(self, handle: str) -> Observation:
        """Account counts plus engagement over the latest original statuses."""
        api, account = await self._lookup(handle)
        account_id = str(account["id"])
        metrics: ObservedMetrics = {
            "followers": self.count(account, "followers_count"),
            "following": self.count(account, "following_count"),
            "posts": self.count(account, "statuses_count"),
        }

        response = await self.get(
            f"{api}/accounts/{account_id}/statuses",
            {"exclude_replies": "true", "exclude_reblogs": "true", "limit": STATUS_SAMPLE},
        )
        self._check(response)
        try:
            statuses = response.json()
        except ValueError:
            raise ProviderPermanent("mastodon: statuses answered a body that is not JSON") from None
        if not isinstance(statuses, list):
            raise ProviderPermanent("mastodon: statuses answered no array of statuses")
        # A boost carries the boosted status in "reblog": someone else's post, not the author's.
        posts = [s for s in statuses if isinstance(s, dict) and s.get("reblog") is None]

        def per_post(key: str) -> float:
            return round(fmean(self.count(p, key) for p in posts), 2) if posts else 0.0

        metrics["engagement"] = {
            "posts_sampled": len(posts),
            "likes_per_post": per_post("favourites_count"),
            "reposts_per_post": per_post("reblogs_count"),
            "replies_per_post": per_post("replies_count"),
        }
        # Since Mastodon 3.4 created_at is rounded to midnight: date precision only.
        created = iso_time(account.get("created_at"))
        if created is not None:
            metrics["account_created"] = created
        return Observation(metrics=metrics, observed_at=datetime.now(tz=UTC))
