"""Workable: SPI v3 webhook subscriptions in, verified, parsed and completed from the API.

The shapes relied on (Workable's documentation at workable.readme.io, recorded as fixtures
under ``tests/ats/fixtures/workable/`` with their source):

- a subscription is made with ``POST /spi/v3/subscriptions`` (``target``, ``event``,
  optional ``args``); the candidate events are ``candidate_created`` and
  ``candidate_moved`` (and, in the newest pages, ``candidate_deleted``); the others
  are employee events;
- every delivery is signed: ``X-Workable-Signature`` is the hex HMAC-SHA256 of the body,
  keyed with the account's API access token (or, for an OAuth application, its client
  secret): the admin gives Renown that token with ``ats_secret --value-from-stdin``;
- a delivery is ``{"id", "resource_type", "event_type", "fired_at", "data"}`` (the
  envelope of Workable's example payloads), ``data`` being a candidate "similar to"
  ``GET /candidates/:id``: ``id``, ``name``, ``firstname``, ``lastname``, ``email``,
  ``job`` (``shortcode``, ``title``) and, in the full candidate, ``social_profiles[]``
  (``type``, ``name``, ``url``);
- there is no test delivery.

Workable documents the delivery as only *similar to* the candidate details, so what a
delivery lacks is read from the API: when ``data`` has no ``social_profiles``, ``fetch``
reads ``GET /candidates/:id`` (Bearer token) for them; a delivery that carries them needs
nothing fetched. The job comes with the delivery (``data.job``); when it does not, it is
taken from the candidate the API answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote

from candidates.names import validate_person_name
from hiring.ats.base import (
    MAX_ADDRESSES,
    Address,
    AtsApplication,
    AtsJob,
    BadPayload,
    Connector,
    Delivery,
    Email,
    FetchFailed,
    KeyOrigin,
    NotConnected,
    Unauthenticated,
    as_list,
    as_object,
    hmac_hex,
    ident,
    matches_any,
    text,
)
from hiring.ats.models import LinkKind
from renown.json_types import JSONMapping, JSONValue

if TYPE_CHECKING:
    from hiring.ats.client import AtsApi

SIGNATURE_HEADER = "X-Workable-Signature"
# The events whose ``data`` is a candidate Renown takes; ``candidate_deleted`` (and the
# employee events) carry none Renown adds, and are answered "ignored".
CANDIDATE_EVENTS = frozenset({"candidate_created", "candidate_moved"})
# An account's subdomain is one DNS label: letters, digits and inner hyphens, so that
# ``https://{subdomain}.workable.com`` can only ever name a host under workable.com.
SUBDOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
HEX_SHA256 = re.compile(r"[0-9A-Fa-f]{64}")


def signature(secret: str, body: bytes) -> str:
    """Workable's ``X-Workable-Signature`` value for ``body``: the hex HMAC-SHA256."""
    return hmac_hex(secret, body)


@dataclass
class _Candidate:
    """What one Workable candidate object says (a delivery's ``data`` or the API's answer)."""

    candidate_id: str = ""
    name: str = ""
    emails: list[Email] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    jobs: list[AtsJob] = field(default_factory=list)
    has_profiles: bool = False


def _name(candidate: JSONMapping, key: str, where: str, errors: list[dict[str, str]]) -> str:
    """A name (part), or "" (reported) when it is not text or candidates.names refuses it."""
    try:
        found = text(candidate.get(key), 100)
    except TypeError:
        errors.append({"field": f"{where}.{key}", "message": "not a text value"})
        return ""
    if not found:
        return ""
    try:
        validate_person_name(found)
    except ValueError as exc:
        errors.append({"field": f"{where}.{key}", "message": str(exc)})
        return ""
    return found


def _profiles(value: JSONValue, where: str, errors: list[dict[str, str]]) -> list[Address]:
    entries = as_list(value)
    if entries is None:
        errors.append({"field": where, "message": "not a list"})
        return []
    found = []
    for i, entry in enumerate(entries[:MAX_ADDRESSES]):
        profile = as_object(entry)
        url = profile.get("url") if profile is not None else None
        if not isinstance(url, str) or not url.strip():
            errors.append({"field": f"{where}[{i}].url", "message": "not a text value"})
            continue
        label = ""
        if profile is not None:
            for key in ("name", "type"):
                given = profile.get(key)
                if isinstance(given, str) and given.strip():
                    label = given.strip()[:50]
                    break
        found.append(
            Address(field=f"{where}[{i}].url", value=url.strip(), kind=LinkKind.SOCIAL, label=label)
        )
    return found


def _job(value: JSONValue, where: str, errors: list[dict[str, str]]) -> list[AtsJob]:
    if value is None:
        return []
    job = as_object(value)
    if job is None:
        errors.append({"field": where, "message": "not an object"})
        return []
    shortcode = ident(job.get("shortcode"), f"{where}.shortcode", errors)
    try:
        title = text(job.get("title"))
    except TypeError:
        errors.append({"field": f"{where}.title", "message": "not a text value"})
        title = ""
    return [AtsJob(id=shortcode, name=title)] if shortcode else []


def _read(candidate: JSONMapping, where: str, errors: list[dict[str, str]]) -> _Candidate:
    """Everything Renown takes from a candidate object; problems by field into ``errors``."""
    found = _Candidate(candidate_id=ident(candidate.get("id"), f"{where}.id", errors))
    first = _name(candidate, "firstname", where, errors)
    last = _name(candidate, "lastname", where, errors)
    found.name = f"{first} {last}".strip() or _name(candidate, "name", where, errors)
    email = candidate.get("email")
    if isinstance(email, str) and email.strip():
        found.emails.append(Email(f"{where}.email", email.strip()))
    elif email is not None and email != "":
        errors.append({"field": f"{where}.email", "message": "not a text value"})
    if "social_profiles" in candidate:
        found.has_profiles = True
        profiles = candidate.get("social_profiles")
        found.addresses = _profiles(
            profiles if profiles is not None else [], f"{where}.social_profiles", errors
        )
    found.jobs = _job(candidate.get("job"), f"{where}.job", errors)
    return found


def parse(document: JSONValue) -> AtsApplication | None:
    """The candidate in a Workable delivery; None for an event that has none.

    Raises BadPayload (every problem, by field) for a malformed candidate event. Pure:
    no database, no network. ``fetch`` is ``{"candidate": id}`` when the delivery does
    not carry the candidate's social profiles.
    """
    if not isinstance(document, Mapping):
        raise BadPayload([{"field": "body", "message": "not a JSON object"}])
    event = document.get("event_type")
    if not isinstance(event, str) or not event.strip():
        raise BadPayload(
            [{"field": "event_type", "message": "a Workable delivery names its event_type"}]
        )
    resource = document.get("resource_type")
    if event not in CANDIDATE_EVENTS or resource not in (None, "candidate"):
        return None
    data = as_object(document.get("data"))
    if data is None:
        raise BadPayload([{"field": "data", "message": "a candidate event carries an object"}])
    errors: list[dict[str, str]] = []
    found = _read(data, "data", errors)
    if not found.candidate_id:
        raise BadPayload(errors)
    # Other problems are reported with the result, not fatal: the candidate is kept.
    return AtsApplication(
        action=event,
        candidate_id=found.candidate_id,
        name=found.name,
        emails=tuple(found.emails),
        addresses=tuple(found.addresses),
        jobs=tuple(found.jobs),
        # A Workable candidate is one person's candidacy for one job: its id is the
        # application's id too.
        application_id=found.candidate_id,
        problems=tuple(errors),
        fetch={} if found.has_profiles else {"candidate": found.candidate_id},
    )


class Workable(Connector):
    name: ClassVar[str] = "workable"
    label: ClassVar[str] = "Workable"
    key_origin: ClassVar[KeyOrigin] = "ats"
    signature_header: ClassVar[str] = SIGNATURE_HEADER
    credential_fields: ClassVar[tuple[str, ...]] = ("token", "subdomain")

    def verify(self, secrets: Sequence[str], delivery: Delivery, document: JSONValue) -> None:
        """``X-Workable-Signature: <hex>``: the HMAC-SHA256 of the raw body as received."""
        given = delivery.header(SIGNATURE_HEADER).strip()
        if not HEX_SHA256.fullmatch(given):
            matches_any(secrets, delivery.body, "")  # the same work as a wrong signature
            raise Unauthenticated(f"the {SIGNATURE_HEADER} header is missing or not hex")
        if not matches_any(secrets, delivery.body, given):
            raise Unauthenticated("the signature does not match")

    def event_id(self, delivery: Delivery, document: JSONMapping) -> str:
        """The event, resource and time it fired: a replay of the same event changes nothing.

        Workable's top-level ``id`` is the resource's (the candidate's), not the
        delivery's, so it alone would make a later move of the same candidate a replay.
        """
        parts = [document.get(key) for key in ("event_type", "id", "fired_at")]
        if not all(isinstance(part, str | int) and str(part) for part in parts):
            return ""
        return ":".join(str(part) for part in parts)

    def action(self, document: JSONMapping) -> str:
        event = document.get("event_type")
        return event if isinstance(event, str) else ""

    def parse(self, document: JSONMapping) -> AtsApplication | None:
        return parse(document)

    def api_root(self, credentials: Mapping[str, str], setting: str) -> str:
        """``https://{subdomain}.workable.com/spi/v3`` for the account's subdomain.

        The subdomain must be one DNS label (letters, digits, inner hyphens): anything
        else could make the root name another host, so it is refused (NotConnected: the
        delivery is answered 503 until ``ats_connect`` stores a real one).
        """
        subdomain: object = credentials.get("subdomain", "")  # JSON as stored
        if not isinstance(subdomain, str) or not SUBDOMAIN.fullmatch(subdomain):
            raise NotConnected(
                "the stored Workable subdomain is not one (letters, digits and hyphens "
                "only, as in https://SUBDOMAIN.workable.com): store it again with "
                "python manage.py ats_connect --ats workable"
            )
        return setting.replace("{subdomain}", subdomain.lower())

    async def authorize(self, api: AtsApi) -> dict[str, str]:
        """Workable's SPI takes the account's access token as a Bearer token."""
        token = api.credentials.get("token", "")
        if not token:
            raise NotConnected("no Workable token is stored: python manage.py ats_connect")
        return {"Authorization": f"Bearer {token}"}

    async def fetch(self, api: AtsApi, application: AtsApplication) -> AtsApplication:
        """``GET /candidates/:id`` for what the delivery lacked (the social profiles).

        The delivery's own name, e-mail and job are kept; what it lacked comes from the
        answer, whose problems are reported under ``candidate.…``.
        """
        candidate_id = application.fetch.get("candidate", "")
        if not candidate_id:
            return application.with_fetched()
        answer = await api.request("GET", f"candidates/{quote(candidate_id, safe='')}")
        body = as_object(answer)
        candidate = as_object(body.get("candidate")) if body is not None else None
        if candidate is None:
            raise FetchFailed("Workable answered no candidate object")
        errors: list[dict[str, str]] = []
        found = _read(candidate, "candidate", errors)
        if found.candidate_id and found.candidate_id != application.candidate_id:
            raise FetchFailed("Workable answered another candidate than the one asked for")
        return application.with_fetched(
            name=application.name or found.name,
            emails=application.emails or tuple(found.emails),
            addresses=application.addresses + tuple(found.addresses),
            jobs=application.jobs or tuple(found.jobs),
            problems=application.problems + tuple(errors),
        )
