"""The provider contract: one class per external source.

A provider is given the identifier of one account and returns an Observation,
or raises one of four typed errors so that callers never retry blindly:

- ProviderNotFound: the account does not exist (mark it; do not retry);
- ProviderRateLimited: asked too often; ``retry_after`` says when to ask again;
- ProviderTransient: timeout, 5xx, reset connection: retry with backoff;
- ProviderPermanent: anything a retry cannot fix (malformed body, refused host).

Providers never touch the database; services turn observations into snapshots.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, TypedDict

from renown.http import HttpClient, Response, TransportError, UnsafeHost, retry_after_seconds
from renown.json_types import JSONMapping


class Engagement(TypedDict):
    """How a sample of the account's recent posts was received (per post, on average)."""

    posts_sampled: int
    likes_per_post: float
    reposts_per_post: float
    replies_per_post: float


class ObservedMetrics(TypedDict, total=False):
    """An observation's canonical metrics, each reported by the providers that know it.

    Stored as a snapshot's ``metrics`` (``MetricSnapshot.metrics``) and read back by the
    scorers (``scoring.scorers.network_metrics``) and the metric queries, which treat a
    missing metric as zero. ``account_created`` is ISO 8601 UTC (``iso_time``).
    """

    followers: int
    following: int
    posts: int
    engagement: Engagement
    public_repos: int
    stars: int
    karma: int
    reputation: int
    subscribers: int
    views: int
    videos: int
    works: int
    citations: int
    h_index: int
    books: int
    account_created: str


@dataclass(frozen=True)
class Observation:
    """Named canonical metrics (``followers``, ``posts``, ``engagement``...) at a time."""

    metrics: ObservedMetrics
    observed_at: datetime
    # The provider asked for a pause before the next call (Stack Exchange "backoff"),
    # while still answering this one: a hint for the rate budget, not an error.
    backoff_seconds: float | None = None


def iso_time(value: object, *, unit: str = "iso") -> str | None:
    """A provider's timestamp as ISO 8601 UTC, or None when it is absent or unreadable.

    ``unit`` is "iso" (ISO 8601 text; a naive time is taken as UTC), "s" (unix
    seconds) or "ms" (unix milliseconds, as ORCID gives them).
    """
    try:
        if unit == "iso":
            if not isinstance(value, str):
                return None
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            parsed = datetime.fromtimestamp(value / (1000 if unit == "ms" else 1), tz=UTC)
        else:
            return None
    except (ValueError, OverflowError, OSError):
        return None
    return parsed.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class ProviderTerms:
    """What the provider's terms allow, shown to admins."""

    summary: str
    source_url: str
    commercial_use: bool = True
    may_blend: bool = True  # may its data flow into a cross-platform score?
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProfileText:
    """One public text of a profile that only the account's owner writes.

    ``where`` names the place (``note``, ``field``, ``description``, ``bio``);
    ``label`` says it to a person ("the profile field “Website”"); ``text`` is as
    served (HTML for Mastodon). ``link_verified``: the network itself checked that
    the page this text links to links back to the profile (Mastodon's ``rel="me"``).
    """

    where: str
    label: str
    text: str
    link_verified: bool = False


@dataclass(frozen=True)
class PublicProfile:
    """The public texts of one account's profile, for a proof code to be looked for."""

    handle: str
    texts: tuple[ProfileText, ...]


class ProviderError(Exception):
    """Base of the typed errors a provider raises."""


class ProviderNotFound(ProviderError):
    """The account does not exist at the provider."""


class ProviderRateLimited(ProviderError):
    """The provider asked us to slow down; ask again after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderTransient(ProviderError):
    """A failure that may pass: timeout, 5xx, connection reset."""


class ProviderPermanent(ProviderError):
    """A failure that a retry cannot fix: malformed body, refused host, bad request."""


class ProviderRefused(ProviderPermanent):
    """Renown itself refused the call: the address is not public (SSRF guard)."""


class Provider(ABC):
    """Fetches one account's public metrics from one source.

    Subclasses set ``network`` and ``terms`` and implement ``fetch``. The base
    URL (scheme, host and port) comes from settings so that tests and
    benchmarks can point the provider at a server on loopback.
    """

    network: ClassVar[str]
    terms: ClassVar[ProviderTerms]

    def __init__(self, *, base_url: str | None, client: HttpClient) -> None:
        # None only for Mastodon, whose base URL is each handle's own instance.
        self.base_url = base_url.rstrip("/") if base_url else None
        self.client = client

    def json_object(self, response: Response, what: str) -> JSONMapping:
        """The body as a JSON object, or ProviderPermanent naming what was malformed."""
        try:
            body = response.json()
        except ValueError:
            raise ProviderPermanent(
                f"{self.network}: {what} answered a body that is not JSON"
            ) from None
        if not isinstance(body, dict):
            raise ProviderPermanent(
                f"{self.network}: {what} answered {type(body).__name__}, not an object"
            )
        return body

    @abstractmethod
    async def fetch(self, handle: str) -> Observation:
        """Return the account's current metrics, or raise a ProviderError subclass."""

    async def get(
        self,
        url: str,
        params: dict[str, str | int] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """GET through the shared client, with its failures mapped onto the typed errors."""
        try:
            return await self.client.get(url, params=params, headers=headers)
        except UnsafeHost as exc:
            raise ProviderRefused(f"{self.network}: refused host: {exc}") from exc
        except TransportError as exc:
            raise ProviderTransient(f"{self.network}: {exc}") from exc

    def count(self, body: JSONMapping, key: str, *, default: int | None = 0) -> int:
        """A non-negative integer field (counts given as digit strings are accepted).

        A missing field is ``default``; pass ``default=None`` to require it. Anything
        else is a malformed body: ProviderPermanent.
        """
        value = body.get(key, default)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ProviderPermanent(f"{self.network}: {key} is not a count: {value!r}")
        return value

    def raise_for_status(self, response: Response) -> None:
        """Map the HTTP status codes every API shares onto the typed errors."""
        status = response.status
        if status < 400:
            return
        if status == 429:
            raise ProviderRateLimited(
                f"{self.network}: HTTP 429",
                retry_after=retry_after_seconds(response.headers),
            )
        if status >= 500 or status == 408:
            raise ProviderTransient(f"{self.network}: HTTP {status}")
        if status == 404:
            raise ProviderNotFound(f"{self.network}: HTTP 404")
        raise ProviderPermanent(f"{self.network}: HTTP {status}")


class ProfileReader(ABC):
    """A provider that can read an account's public profile texts (for proof codes).

    Mixed into the providers of networks where a person can write a short public
    text that only they control: the Mastodon bio and profile fields, the Bluesky
    description, the GitHub bio.
    """

    @abstractmethod
    async def public_profile(self, handle: str) -> PublicProfile:
        """The account's public texts, or raise a ProviderError subclass (as ``fetch``)."""
