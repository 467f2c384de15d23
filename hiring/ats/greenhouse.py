"""Greenhouse: Harvest webhooks in, verified and parsed (the connector of ``hiring.ats``).

The shapes relied on (Greenhouse's documentation, recorded as fixtures under
``tests/webhooks/fixtures/greenhouse/`` with their source):

- every delivery is ``{"action": "...", "payload": {...}}`` signed with
  ``Signature: sha256 <hex HMAC-SHA256 of the raw body>`` and carries a
  ``Greenhouse-Event-ID`` header;
- ``ping`` (sent when the webhook is saved) only needs a 200;
- the candidate and application events (``new_candidate_application``,
  ``new_prospect_application``, ``application_updated``,
  ``candidate_stage_change``, ``hire_candidate``, ``reject_candidate``, ...) carry
  ``payload.application`` with ``candidate`` (``id``, ``first_name``,
  ``last_name``, ``email_addresses[].value``, ``website_addresses[].value``/``type``,
  ``social_media_addresses[].value``) and ``jobs[]`` (``id``, ``name``,
  ``requisition_id``).

A delivery carries everything Renown reads, so nothing is fetched. ``ats_connect``
stores Harvest v3's OAuth 2.0 client credentials (v1/v2 API keys were retired on
31 August 2026) for the calls that need them; ``authorize`` trades them for a token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

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
    ident,
    matches_any,
    text,
)
from hiring.ats.models import LinkKind
from renown.json_types import JSONMapping, JSONValue

if TYPE_CHECKING:
    from hiring.ats.client import AtsApi


def _name_part(candidate: JSONMapping, key: str, errors: list[dict[str, str]]) -> str:
    """One part of the name, or "" (reported) when candidates.names refuses it."""
    found = text(candidate.get(key), 100)
    if not found:
        return ""
    try:
        validate_person_name(found)
    except ValueError as exc:
        errors.append({"field": f"payload.application.candidate.{key}", "message": str(exc)})
        return ""
    return found


def _addresses(candidate: JSONMapping, key: str, kind: str, errors: list[dict[str, str]]) -> list[Address]:  # fmt: skip
    entries = as_list(candidate.get(key) or [])
    if entries is None:
        errors.append({"field": f"payload.application.candidate.{key}", "message": "not a list"})
        return []
    found = []
    for i, entry in enumerate(entries[:MAX_ADDRESSES]):
        where = f"payload.application.candidate.{key}[{i}].value"
        value = entry.get("value") if isinstance(entry, Mapping) else None
        label = entry.get("type") if isinstance(entry, Mapping) else None
        if not isinstance(value, str) or not value.strip():
            errors.append({"field": where, "message": "not a text value"})
            continue
        found.append(
            Address(
                field=where,
                value=value.strip(),
                kind=kind,
                label=label.strip()[:50] if isinstance(label, str) else "",
            )
        )
    return found


def parse(document: JSONValue) -> AtsApplication | None:
    """The candidate/application in a Greenhouse payload; None for an event that has none.

    Raises BadPayload (every problem, by field) for a malformed candidate event.
    Pure: no database.
    """
    action = document.get("action") if isinstance(document, Mapping) else None
    if not isinstance(document, Mapping) or not isinstance(action, str):
        raise BadPayload([{"field": "action", "message": "a Greenhouse payload has an action"}])
    payload = document.get("payload")
    if not isinstance(payload, Mapping):
        raise BadPayload([{"field": "payload", "message": "an object is required"}])
    found = payload.get("application")
    application: JSONMapping = found if isinstance(found, Mapping) else {}
    candidate = application.get("candidate") if isinstance(found, Mapping) else None
    if not isinstance(candidate, Mapping):
        candidate = payload.get("candidate")
    if not isinstance(candidate, Mapping):
        return None
    errors: list[dict[str, str]] = []
    candidate_id = ident(candidate.get("id"), "payload.application.candidate.id", errors)
    try:
        first = _name_part(candidate, "first_name", errors)
        last = _name_part(candidate, "last_name", errors)
    except TypeError:
        errors.append({"field": "payload.application.candidate", "message": "names must be text"})
        first = last = ""
    emails: list[Email] = []
    email_entries = as_list(candidate.get("email_addresses") or [])
    if email_entries is None:
        errors.append(
            {"field": "payload.application.candidate.email_addresses", "message": "not a list"}
        )
        email_entries = []
    for i, entry in enumerate(email_entries[:MAX_ADDRESSES]):
        value = entry.get("value") if isinstance(entry, Mapping) else None
        if isinstance(value, str) and value.strip():
            emails.append(
                Email(f"payload.application.candidate.email_addresses[{i}].value", value.strip())
            )
        else:
            errors.append(
                {
                    "field": f"payload.application.candidate.email_addresses[{i}].value",
                    "message": "not a text value",
                }
            )
    addresses = _addresses(candidate, "social_media_addresses", LinkKind.SOCIAL, errors)
    addresses += _addresses(candidate, "website_addresses", LinkKind.WEBSITE, errors)
    jobs = []
    raw_jobs = as_list(application.get("jobs") or [])
    if raw_jobs is None:
        errors.append({"field": "payload.application.jobs", "message": "not a list"})
        raw_jobs = []
    for i, job in enumerate(raw_jobs[:MAX_ADDRESSES]):
        if not isinstance(job, Mapping):
            errors.append({"field": f"payload.application.jobs[{i}]", "message": "not an object"})
            continue
        job_id = ident(job.get("id"), f"payload.application.jobs[{i}].id", errors)
        try:
            name = text(job.get("name"))
            requisition = text(job.get("requisition_id"), 100)
        except TypeError:
            errors.append({"field": f"payload.application.jobs[{i}]", "message": "bad text"})
            continue
        if job_id:
            jobs.append(AtsJob(id=job_id, name=name, requisition_id=requisition))
    application_id = ""
    if application.get("id") is not None:
        application_id = ident(application.get("id"), "payload.application.id", errors)
    if not candidate_id:
        raise BadPayload(errors)
    # Other problems are reported with the result, not fatal: the candidate is kept.
    return AtsApplication(
        action=action,
        candidate_id=candidate_id,
        name=f"{first} {last}".strip() or f"Greenhouse candidate {candidate_id}",
        emails=tuple(emails),
        addresses=tuple(addresses),
        jobs=tuple(jobs),
        application_id=application_id,
        problems=tuple(errors),
    )


def signature(secret: str, body: bytes) -> str:
    """Greenhouse's ``Signature`` header value for ``body``: ``sha256 <hex>``."""
    from hiring.ats.base import hmac_hex

    return f"sha256 {hmac_hex(secret, body)}"


class Greenhouse(Connector):
    name: ClassVar[str] = "greenhouse"
    label: ClassVar[str] = "Greenhouse"
    key_origin: ClassVar[KeyOrigin] = "renown"
    signature_header: ClassVar[str] = "Signature"
    credential_fields: ClassVar[tuple[str, ...]] = ("client_id", "client_secret")

    def verify(self, secrets: Sequence[str], delivery: Delivery, document: JSONValue) -> None:
        """``Signature: sha256 <hex>``: the HMAC of the raw body as received.

        Greenhouse escapes non-ASCII characters before signing, so the bytes must not be
        re-encoded.
        """
        header = delivery.header("Signature").strip()
        algorithm, sep, given = header.partition(" ")
        if not sep or algorithm.lower() != "sha256" or not given.strip():
            matches_any(secrets, delivery.body, "")  # the same work as a wrong signature
            raise Unauthenticated("the Signature header is missing or not 'sha256 <hex>'")
        if not matches_any(secrets, delivery.body, given):
            raise Unauthenticated("the signature does not match")

    def event_id(self, delivery: Delivery, document: JSONMapping) -> str:
        return delivery.header("Greenhouse-Event-ID")

    def action(self, document: JSONMapping) -> str:
        action = document.get("action")
        return action if isinstance(action, str) else ""

    def is_ping(self, document: JSONMapping) -> bool:
        return document.get("action") == "ping"

    def parse(self, document: JSONMapping) -> AtsApplication | None:
        return parse(document)

    async def authorize(self, api: AtsApi) -> dict[str, str]:
        """Harvest v3: an OAuth 2.0 token for the client credentials (one per delivery)."""
        from hiring import conf
        from hiring.ats.client import basic_auth

        answer = await api.request(
            "POST",
            conf.ats_api_url(self.name, "AUTH"),
            data=b"grant_type=client_credentials",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": basic_auth(
                    api.credentials["client_id"], api.credentials["client_secret"]
                ),
            },
            authorized=False,
        )
        token = answer.get("access_token") if isinstance(answer, Mapping) else None
        if not isinstance(token, str) or not token:
            raise FetchFailed("Greenhouse answered no access_token")
        return {"Authorization": f"Bearer {token}"}
