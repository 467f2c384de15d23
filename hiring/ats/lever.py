"""Lever: webhooks in, verified by the signature in the body; the opportunity read from Lever's API.

The shapes relied on (Lever's documentation, https://hire.lever.co/developer/documentation,
recorded as fixtures under ``tests/ats/fixtures/lever/`` with their sources):

- every delivery is ``{"triggeredAt": <ms>, "event": "...", "token": "...", "signature":
  "<hex>", "data": {...}}``. ``signature`` is the hex HMAC-SHA256 of ``token`` followed by
  ``triggeredAt`` (as digits) with the webhook's signature token, which Lever issues, one
  per webhook ("Request signing"). Only ``token`` and ``triggeredAt`` are signed: ``data``
  is not, so Renown takes from it nothing but the opportunity's id, and reads everything
  else from the API. ``token`` is random for each delivery: it is the delivery's id, so a
  captured delivery sent again (with its ``data`` changed or not) answers ``duplicate``.
- the test request that Lever's webhook settings send carries an empty ``data``;
- the candidate events Renown reads (``applicationCreated``, ``candidateStageChange``,
  ``candidateHired``, ``candidateArchiveChange``) carry ids only: ``data.opportunityId``
  (and ``contactId``, ``candidateId``, stage ids Renown does not use);
- ``GET /opportunities/:opportunity?expand=applications`` answers ``data`` with
  ``contact`` (the person's id across opportunities), ``name``, ``emails[]``, ``links[]``
  and ``applications[]`` (at most one, with its ``posting`` id);
- ``GET /postings/:posting`` answers ``data`` with ``text`` (the job's title) and
  ``requisitionCodes[]``.

The candidate's external id is the opportunity's ``contact``, as Lever asks integrations
to use ("the contact field is the unique identifier for a Contact or an individual person
in Lever"): one Renown candidate per person, however many opportunities. The application's
external id is the opportunity's id. API calls use HTTP Basic with the API key as user.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from candidates.handles import account_from_url
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
    Unauthenticated,
    as_list,
    hmac_hex,
    matches_any,
    text,
)
from hiring.ats.models import LinkKind
from renown.json_types import JSONMapping, JSONValue
from renown.webhooks import conf as webhooks_conf

if TYPE_CHECKING:
    from hiring.ats.client import AtsApi

# The events whose opportunity Renown reads; every other event (candidateDeleted,
# interview*, contact*) is answered "ignored". Erasure in Lever does not erase in Renown:
# that is the organisation's decision, through Renown's own erasure.
CANDIDATE_EVENTS = frozenset(
    {"applicationCreated", "candidateStageChange", "candidateHired", "candidateArchiveChange"}
)

# Lever's ids are UUIDs; anything else would be put into an API path, so refuse it.
_LEVER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")

# How far ahead of Renown's clock a signed triggeredAt may be (clocks drift).
CLOCK_SKEW_MS = 5 * 60 * 1000

# Networks Renown does not read whose profile links are kept as "social" links (the rest
# of a candidate's links are websites). Links on networks Renown reads become accounts.
SOCIAL_HOSTS = frozenset(
    {
        "linkedin.com",
        "twitter.com",
        "x.com",
        "facebook.com",
        "instagram.com",
        "threads.net",
        "tiktok.com",
    }
)


def signature(secret: str, token: str, triggered_at: int | str) -> str:
    """Lever's ``signature`` for a delivery: hex HMAC-SHA256 of ``token + triggeredAt``."""
    return hmac_hex(secret, f"{token}{triggered_at}".encode())


def _signed_fields(document: JSONValue) -> tuple[str, str, str] | None:
    """The body's ``token``, ``triggeredAt`` (as digits) and ``signature``; None if one lacks."""
    if not isinstance(document, Mapping):
        return None
    token, stamp, given = (
        document.get("token"),
        document.get("triggeredAt"),
        document.get("signature"),
    )
    if isinstance(stamp, int) and not isinstance(stamp, bool) and stamp >= 0:
        stamp = str(stamp)
    if not (isinstance(stamp, str) and stamp.isascii() and stamp.isdigit() and len(stamp) < 20):
        return None
    if not isinstance(token, str) or not token or not isinstance(given, str) or not given:
        return None
    return token, stamp, given


def _fresh(triggered_at_ms: int, now_ms: int) -> bool:
    """Whether a delivery's time is within the replay window (and not from the future).

    Lever sends a failed delivery again (five times, "waiting longer and longer") and an
    admin can rerun one from the delivery history of the past two weeks, so old deliveries
    are taken; but not older than RENOWN_INBOUND_REPLAY_WINDOW_DAYS, past which Renown has
    forgotten the tokens it saw and could not tell a replay.
    """
    window_ms = int(webhooks_conf.get("RENOWN_INBOUND_REPLAY_WINDOW_DAYS")) * 86_400_000
    return now_ms - window_ms <= triggered_at_ms <= now_ms + CLOCK_SKEW_MS


def parse(document: JSONMapping) -> AtsApplication | None:
    """The opportunity a Lever delivery names; None for an event Renown does not read.

    Raises BadPayload (by field) for a candidate event without a usable
    ``data.opportunityId``. The candidate's identity and everything else come from
    ``fetch``. Pure: no database, no network.
    """
    event = document.get("event")
    if not isinstance(event, str) or not event.strip():
        raise BadPayload([{"field": "event", "message": "a Lever delivery names its event"}])
    if event not in CANDIDATE_EVENTS:
        return None
    data = document.get("data")
    if not isinstance(data, Mapping):
        raise BadPayload([{"field": "data", "message": "an object is required"}])
    opportunity = data.get("opportunityId")
    if not isinstance(opportunity, str) or not _LEVER_ID.match(opportunity):
        message = "a Lever id (letters, digits and -) is required"
        raise BadPayload([{"field": "data.opportunityId", "message": message}])
    return AtsApplication(
        action=event,
        candidate_id="",  # the opportunity's contact, read by fetch
        application_id=opportunity,
        fetch={"opportunity": opportunity},
    )


def _answer_data(answer: JSONValue, what: str) -> JSONMapping:
    data = answer.get("data") if isinstance(answer, Mapping) else None
    if not isinstance(data, Mapping):
        raise FetchFailed(f"Lever answered no {what}")
    return data


def _name(opportunity: JSONMapping, errors: list[dict[str, str]]) -> str:
    try:
        found = text(opportunity.get("name"))
    except TypeError:
        errors.append({"field": "opportunity.name", "message": "not a text value"})
        return ""
    if not found:
        return ""
    try:
        validate_person_name(found)
    except ValueError as exc:
        errors.append({"field": "opportunity.name", "message": str(exc)})
        return ""
    return found


def _strings(
    opportunity: JSONMapping, key: str, errors: list[dict[str, str]]
) -> list[tuple[str, str]]:
    """(field, value) for each text value of the list ``key``; the rest reported."""
    entries = as_list(opportunity.get(key) or [])
    if entries is None:
        errors.append({"field": f"opportunity.{key}", "message": "not a list"})
        return []
    found = []
    for i, entry in enumerate(entries[:MAX_ADDRESSES]):
        where = f"opportunity.{key}[{i}]"
        if isinstance(entry, str) and entry.strip():
            found.append((where, entry.strip()))
        else:
            errors.append({"field": where, "message": "not a text value"})
    return found


def link_kind(url: str) -> str:
    """``social`` for a profile on a known social network, else ``website``.

    Lever's links are untyped ("personal website, LinkedIn profile, etc.").
    """
    if account_from_url(url) is not None:
        return LinkKind.SOCIAL
    value = url.strip()
    if not value.lower().startswith(("https://", "http://")):
        value = "https://" + value
    try:
        host = (urlsplit(value).hostname or "").lower().removeprefix("www.")
    except ValueError:
        return LinkKind.WEBSITE
    return LinkKind.SOCIAL if host in SOCIAL_HOSTS else LinkKind.WEBSITE


def _postings(opportunity: JSONMapping, errors: list[dict[str, str]]) -> list[str]:
    """The posting ids of the opportunity's (expanded) applications."""
    entries = as_list(opportunity.get("applications") or [])
    if entries is None:
        errors.append({"field": "opportunity.applications", "message": "not a list"})
        return []
    found: list[str] = []
    for i, entry in enumerate(entries[:MAX_ADDRESSES]):
        where = f"opportunity.applications[{i}]"
        if not isinstance(entry, Mapping):
            errors.append({"field": where, "message": "not an application object"})
            continue
        posting = entry.get("posting")
        if posting is None:
            continue  # an application to no posting: no job
        if not isinstance(posting, str) or not _LEVER_ID.match(posting):
            errors.append({"field": f"{where}.posting", "message": "not a Lever id"})
        elif posting not in found:
            found.append(posting)
    return found


async def _job(api: AtsApi, posting_id: str, errors: list[dict[str, str]]) -> AtsJob:
    posting = _answer_data(await api.request("GET", f"postings/{posting_id}"), "posting")
    try:
        title = text(posting.get("text"))
    except TypeError:
        errors.append({"field": f"posting.{posting_id}.text", "message": "not a text value"})
        title = ""
    codes = as_list(posting.get("requisitionCodes") or [])
    requisition = ""
    # A posting opened against exactly one requisition is that requisition's job (as
    # Greenhouse's requisition_id is); with none or several, the posting is the job.
    if codes is not None and len(codes) == 1 and isinstance(codes[0], str):
        requisition = codes[0].strip()[:100]
    return AtsJob(id=posting_id, name=title, requisition_id=requisition)


class Lever(Connector):
    name: ClassVar[str] = "lever"
    label: ClassVar[str] = "Lever"
    key_origin: ClassVar[KeyOrigin] = "ats"
    signature_header: ClassVar[str] = ""  # the signature is in the body
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)

    def verify(self, secrets: Sequence[str], delivery: Delivery, document: JSONValue) -> None:
        """The body's ``signature`` over ``token + triggeredAt``, with any stored token.

        Lever issues a signature token per webhook, so every one the organisation stored
        is tried. A delivery whose ``triggeredAt`` is older than the replay window (or
        ahead of Renown's clock) is refused too: its token may have been forgotten.
        """
        fields = _signed_fields(document)
        if fields is None:
            matches_any(secrets, b"", "")  # the same work as a wrong signature
            raise Unauthenticated("the body has no token, triggeredAt and signature")
        token, stamp, given = fields
        if not matches_any(secrets, f"{token}{stamp}".encode(), given):
            raise Unauthenticated("the signature does not match")
        if not _fresh(int(stamp), int(time.time() * 1000)):
            raise Unauthenticated("triggeredAt is outside the replay window")

    def event_id(self, delivery: Delivery, document: JSONMapping) -> str:
        # Random for each delivery and covered by the signature: a replay reuses it.
        token = document.get("token")
        return token if isinstance(token, str) else ""

    def action(self, document: JSONMapping) -> str:
        event = document.get("event")
        return event if isinstance(event, str) else ""

    def ignore_reason(self, document: JSONMapping) -> str:
        if document.get("event") == "candidateDeleted":
            return (
                "a candidate deleted in Lever is kept in Renown: erasing them is a decision "
                "of its own (DELETE /api/v1/candidates/{id}/ or manage.py erase_candidate)"
            )
        return (
            "Renown reads only applicationCreated, candidateStageChange, candidateHired "
            "and candidateArchiveChange"
        )

    def is_ping(self, document: JSONMapping) -> bool:
        # "Our test POST request": a signed delivery whose data is empty.
        data = document.get("data")
        return isinstance(data, Mapping) and not data

    def parse(self, document: JSONMapping) -> AtsApplication | None:
        return parse(document)

    async def fetch(self, api: AtsApi, application: AtsApplication) -> AtsApplication:
        """The opportunity (person, e-mails, links, application) and its posting, from Lever."""
        opportunity_id = application.fetch["opportunity"]
        opportunity = _answer_data(
            await api.request(
                "GET", f"opportunities/{opportunity_id}", params={"expand": "applications"}
            ),
            "opportunity",
        )
        errors = list(application.problems)
        contact = opportunity.get("contact")
        if not isinstance(contact, str) or not _LEVER_ID.match(contact):
            raise FetchFailed(f"Lever's opportunity {opportunity_id} names no contact")
        name = _name(opportunity, errors)
        emails = tuple(
            Email(where, value) for where, value in _strings(opportunity, "emails", errors)
        )
        addresses = tuple(
            Address(field=where, value=value, kind=link_kind(value))
            for where, value in _strings(opportunity, "links", errors)
        )
        # One posting at a time (at most one per opportunity): Lever's rate is per key.
        jobs = [await _job(api, posting, errors) for posting in _postings(opportunity, errors)]
        return application.with_fetched(
            candidate_id=contact,
            name=name,
            emails=emails,
            addresses=addresses,
            jobs=tuple(jobs),
            problems=tuple(errors),
        )
