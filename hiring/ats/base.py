"""The one interface every ATS connector implements, and what a connector hands on.

A connector (``hiring.ats.greenhouse``, ``lever``, ``ashby``, ``workable``) is pure
knowledge of one ATS: how it signs a delivery, what a delivery says, and which API calls
fill in what a delivery lacks. It stores nothing. ``hiring.ats.services.ats_receive``
is the one path every delivery takes: it finds the organisation's secrets, asks the
connector to verify, parse and fetch, and hands the result (an ``AtsApplication``) to
the audited candidate and hiring services, once per delivery.

Connectors are registered by name in ``hiring.ats.connectors`` (``CONNECTORS``).
"""

from __future__ import annotations

import hmac
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar, Literal

from renown.json_types import JSONMapping, JSONValue

if TYPE_CHECKING:
    from hiring.ats.client import AtsApi

MAX_ADDRESSES = 50  # per list: a candidate with more is not a candidate

# Who makes an ATS's webhook signing key: Renown, and the admin pastes it into the ATS
# ("renown": Greenhouse, Ashby), or the ATS, and the admin gives it to Renown ("ats":
# Lever's per-webhook signature token, Workable's token).
KeyOrigin = Literal["renown", "ats"]


class Unauthenticated(Exception):
    """Not signed with one of the organisation's secrets for this ATS (answered 401)."""


class BadPayload(ValueError):
    """The body is signed but not this ATS's payload; ``errors`` name each field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


class FetchFailed(Exception):
    """The ATS's API did not answer what the delivery lacks (answered 503: send it again).

    ``retry_after`` is the seconds the ATS asked for (a 429), if it said.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FetchGone(FetchFailed):
    """The ATS's API says what the delivery names is gone (404, 410): nothing to read, ever.

    The delivery is recorded as ignored (answered 200, so the ATS stops sending it);
    a credentials problem (401, 403) stays a FetchFailed, so the ATS's retries succeed
    once the key is fixed.
    """


class NotConnected(FetchFailed):
    """The delivery needs the ATS's API, and the organisation gave Renown no credentials."""


@dataclass(frozen=True)
class AtsJob:
    """A job (requisition, posting) the candidate applied to, as the ATS names it."""

    id: str
    name: str
    requisition_id: str = ""

    def external_id(self, ats: str) -> str:
        """The Renown job's external id: the requisition id, else ``<ats>-job-<id>``."""
        return self.requisition_id or f"{ats}-job-{self.id}"


@dataclass(frozen=True)
class Address:
    """A web address the candidate gave (``kind`` website or social)."""

    field: str  # where in the payload or API answer, for error reports
    value: str
    kind: str
    label: str = ""


@dataclass(frozen=True)
class Email:
    """An e-mail address the candidate gave, and where it was (for error reports)."""

    field: str
    value: str


@dataclass(frozen=True)
class AtsApplication:
    """What Renown takes from one delivery: the candidate, their addresses and jobs.

    ``fetch`` names what the connector still has to read through the ATS's API (its own
    keys, such as ``{"opportunity": "…"}``); empty when the delivery carries everything.
    """

    action: str
    candidate_id: str
    name: str = ""
    emails: tuple[Email, ...] = ()
    addresses: tuple[Address, ...] = ()
    jobs: tuple[AtsJob, ...] = ()
    application_id: str = ""
    problems: tuple[dict[str, str], ...] = ()
    fetch: Mapping[str, str] = field(default_factory=dict)

    def with_fetched(self, **changes: object) -> AtsApplication:
        """A copy with what the API answered (and nothing left to fetch)."""
        return replace(self, fetch={}, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Delivery:
    """A delivery as received: the raw body (what signatures cover) and its headers."""

    body: bytes
    headers: Mapping[str, str]  # case-insensitive lookups: Django's request.headers

    def header(self, name: str) -> str:
        return str(self.headers.get(name, "") or "")


class Connector(ABC):
    """One ATS. Subclasses set the class attributes and implement ``verify``, ``action``
    and ``parse`` (abstract: a connector without them cannot be made), and ``fetch`` when
    deliveries lack something.

    ``verify`` runs before anything else is read or stored; ``parse`` is pure (no
    database, no network); ``fetch`` is the only step that talks to the ATS, through
    ``AtsApi`` (the SSRF-guarded client, with retries and the ATS's rate).
    """

    name: ClassVar[str]  # the route's {ats} and the stored choice
    label: ClassVar[str]
    key_origin: ClassVar[KeyOrigin]
    # Header names (for the schema and docs) and the credentials ``ats_connect`` asks for.
    signature_header: ClassVar[str] = ""
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)
    # The API's root and rate are settings: RENOWN_ATS_API_URL_<NAME>, RENOWN_ATS_RATE_<NAME>.

    @abstractmethod
    def verify(self, secrets: Sequence[str], delivery: Delivery, document: JSONValue) -> None:
        """Raise Unauthenticated unless one of ``secrets`` signed the delivery.

        ``document`` is the body parsed as JSON (None when it is not JSON), for ATSs that
        sign values inside the body (Lever).
        """

    def event_id(self, delivery: Delivery, document: JSONMapping) -> str:
        """The ATS's id of this delivery, if it gives one (a replay of it changes nothing)."""
        return ""

    @abstractmethod
    def action(self, document: JSONMapping) -> str:
        """The event's name (``candidateStageChange``, ``applicationSubmit``...)."""

    def is_ping(self, document: JSONMapping) -> bool:
        """A test delivery the ATS sends when the webhook is saved (answered ``ok``)."""
        return False

    def ignore_reason(self, document: JSONMapping) -> str:
        """Why a delivery ``parse`` found no candidate in is ignored (in the answer)."""
        return "the event carries no candidate"

    @abstractmethod
    def parse(self, document: JSONMapping) -> AtsApplication | None:
        """The candidate in a delivery; None for an event without one.

        Raises BadPayload (every problem, by field) when the event should carry a
        candidate and does not. Pure: no database, no network.
        """

    def api_root(self, credentials: Mapping[str, str], setting: str) -> str:
        """The API's root for these credentials (``setting``: RENOWN_ATS_API_URL_<NAME>)."""
        return setting

    async def authorize(self, api: AtsApi) -> dict[str, str]:
        """The headers that authorise requests (default: HTTP Basic with the API key as user)."""
        from hiring.ats.client import basic_auth

        return {"Authorization": basic_auth(api.credentials["api_key"])}

    async def fetch(self, api: AtsApi, application: AtsApplication) -> AtsApplication:
        """``application`` completed from the ATS's API (only called when ``fetch`` is set)."""
        return application


def hmac_hex(secret: str, message: bytes) -> str:
    """The hex HMAC-SHA256 of ``message`` with ``secret`` (the scheme every ATS here uses)."""
    import hashlib

    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def matches_any(secrets: Sequence[str], message: bytes, given: str) -> bool:
    """Whether ``given`` is the hex HMAC of ``message`` under one of ``secrets``.

    Every secret is tried (constant-time comparisons), so the time taken does not say
    which one matched, or how far a wrong signature got.
    """
    given = given.strip().lower()
    found = False
    for secret in secrets:
        found |= hmac.compare_digest(hmac_hex(secret, message), given)
    return found and bool(given)


# --- parsing helpers every connector uses ---------------------------------------------


def text(value: JSONValue, max_length: int = 200) -> str:
    """A JSON string or number as stripped text ("" for null); TypeError for anything else."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError
    return str(value).strip()[:max_length]


def ident(value: JSONValue, where: str, errors: list[dict[str, str]]) -> str:
    """An id (number or text, at most 100 characters), or "" with the problem reported."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
        errors.append({"field": where, "message": "an id (number or text) is required"})
        return ""
    found = str(value).strip()
    if len(found) > 100:
        errors.append({"field": where, "message": "longer than 100 characters"})
        return ""
    return found


def as_list(value: JSONValue) -> Sequence[JSONValue] | None:
    """A JSON array as a sequence; None for any other value."""
    return value if isinstance(value, list) else None


def as_object(value: JSONValue) -> JSONMapping | None:
    """A JSON object as a mapping; None for any other value."""
    return value if isinstance(value, Mapping) else None


def string_list(
    value: JSONValue, where: str, errors: list[dict[str, str]], *, key: str | None = None
) -> list[str]:
    """Non-empty strings from a JSON array (of strings, or of objects' ``key``)."""
    entries = as_list(value if value is not None else [])
    if entries is None:
        errors.append({"field": where, "message": "not a list"})
        return []
    found = []
    for i, entry in enumerate(entries[:MAX_ADDRESSES]):
        item = entry.get(key) if key is not None and isinstance(entry, Mapping) else entry
        if isinstance(item, str) and item.strip():
            found.append(item.strip())
        else:
            suffix = f".{key}" if key else ""
            errors.append({"field": f"{where}[{i}]{suffix}", "message": "not a text value"})
    return found
