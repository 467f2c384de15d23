"""Ashby: webhooks in, verified and parsed, social links read from Ashby's API.

The shapes relied on (Ashby's documentation and its published OpenAPI description,
recorded as fixtures under ``tests/ats/fixtures/ashby/`` with their source):

- every delivery is ``{"webhookActionId": "...", "action": "...", "data": {...}}``
  (developers.ashbyhq.com/docs/common-payload-data), signed with
  ``Ashby-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` when the webhook has a
  secret token (developers.ashbyhq.com/docs/authenticating-webhooks). The secret is
  chosen by the receiver: ``ats_secret --ats ashby`` makes one to paste into Ashby.
  ``webhookActionId`` is the same across Ashby's retries of one event, so it is the
  event id (with the action: one action can fire several webhook types);
- ``ping`` (sent when a webhook is created or edited) only needs a 200;
- the application events (``applicationSubmit``, ``applicationUpdate``,
  ``candidateStageChange``, ``candidateHire``, ``pushToHRIS``) carry
  ``data.application`` with ``id``, ``candidate`` (``id``, ``name``,
  ``primaryEmailAddress.value``) and ``job`` (``id``, ``title``; no requisition id);
- a delivery carries no social links or websites: ``POST /candidate.info`` with
  ``{"id": candidateId}`` (HTTP Basic, the API key as user, no password) answers
  ``{"success": true, "results": {"name", "primaryEmailAddress", "emailAddresses[]",
  "socialLinks": [{"type", "url"}]}}``, or ``{"success": false, "errorInfo": {"code",
  "message"}}`` (read as FetchFailed: the delivery is answered 503 and Ashby retries).
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

# Where the candidate's fetched details are named in error reports.
FETCHED = "candidate.info.results"


def signature(secret: str, body: bytes) -> str:
    """Ashby's ``Ashby-Signature`` header value for ``body``: ``sha256=<hex>``."""
    return f"sha256={hmac_hex(secret, body)}"


def _name(value: JSONValue, where: str, errors: list[dict[str, str]]) -> str:
    """The candidate's name, or "" (reported) when it is not text candidates.names accepts."""
    try:
        found = text(value)
    except TypeError:
        errors.append({"field": where, "message": "not a text value"})
        return ""
    if not found:
        return ""
    try:
        validate_person_name(found)
    except ValueError as exc:
        errors.append({"field": where, "message": str(exc)})
        return ""
    return found


def _email(value: JSONValue, where: str, errors: list[dict[str, str]]) -> Email | None:
    """The ``value`` of an Ashby contact object (``{"value", "type", "isPrimary"}``)."""
    if value is None:
        return None
    contact = as_object(value)
    address = contact.get("value") if contact is not None else None
    if not isinstance(address, str) or not address.strip():
        errors.append({"field": f"{where}.value", "message": "not a text value"})
        return None
    return Email(f"{where}.value", address.strip())


def _job(value: JSONValue, errors: list[dict[str, str]]) -> tuple[AtsJob, ...]:
    if value is None:
        return ()
    job = as_object(value)
    if job is None:
        errors.append({"field": "data.application.job", "message": "not an object"})
        return ()
    job_id = ident(job.get("id"), "data.application.job.id", errors)
    try:
        title = text(job.get("title"))
    except TypeError:
        errors.append({"field": "data.application.job.title", "message": "not a text value"})
        title = ""
    # Ashby's application payload names no requisition: the job is keyed ashby-job-<id>.
    return (AtsJob(id=job_id, name=title),) if job_id else ()


def parse(document: JSONMapping) -> AtsApplication | None:
    """The candidate/application in an Ashby payload; None for an event that has none.

    Raises BadPayload (every problem, by field) for a malformed application event. The
    result asks for the candidate's details (``fetch``: ``{"candidate": id}``): the
    delivery has no social links. Pure: no database, no network.
    """
    action = document.get("action")
    if not isinstance(action, str) or not action.strip():
        raise BadPayload([{"field": "action", "message": "an Ashby payload has an action"}])
    data = document.get("data")
    if not isinstance(data, Mapping):
        raise BadPayload([{"field": "data", "message": "an object is required"}])
    found = data.get("application")
    if found is None:
        return None  # candidateDelete, candidateMerge, jobCreate, offerCreate...
    if not isinstance(found, Mapping):
        raise BadPayload([{"field": "data.application", "message": "an object is required"}])
    candidate = found.get("candidate")
    if not isinstance(candidate, Mapping):
        raise BadPayload(
            [{"field": "data.application.candidate", "message": "an object is required"}]
        )
    errors: list[dict[str, str]] = []
    candidate_id = ident(candidate.get("id"), "data.application.candidate.id", errors)
    name = _name(candidate.get("name"), "data.application.candidate.name", errors)
    email = _email(
        candidate.get("primaryEmailAddress"),
        "data.application.candidate.primaryEmailAddress",
        errors,
    )
    jobs = _job(found.get("job"), errors)
    application_id = ""
    if found.get("id") is not None:
        application_id = ident(found.get("id"), "data.application.id", errors)
    if not candidate_id:
        raise BadPayload(errors)
    # Other problems are reported with the result, not fatal: the candidate is kept.
    return AtsApplication(
        action=action.strip(),
        candidate_id=candidate_id,
        name=name,
        emails=(email,) if email is not None else (),
        jobs=jobs,
        application_id=application_id,
        problems=tuple(errors),
        fetch={"candidate": candidate_id},
    )


def _results(answer: JSONValue) -> JSONMapping:
    """``results`` of a candidate.info answer; FetchFailed for an error or another shape."""
    body = as_object(answer)
    if body is None:
        raise FetchFailed("Ashby's candidate.info answered something other than an object")
    if body.get("success") is not True:
        info = as_object(body.get("errorInfo")) or {}
        codes = as_list(body.get("errors")) or []
        code = str(info.get("code") or (codes[0] if codes else "no error code"))[:100]
        message = str(info.get("message") or "")[:200]
        raise FetchFailed(f"Ashby's candidate.info answered success: false ({code} {message})")
    results = as_object(body.get("results"))
    if results is None:
        raise FetchFailed("Ashby's candidate.info answered no results object")
    return results


def _social_links(results: JSONMapping, errors: list[dict[str, str]]) -> list[Address]:
    """``socialLinks[]``: ``{"type": "LinkedIn"|"GitHub"|...|"Website", "url"}``."""
    entries = as_list(results.get("socialLinks") or [])
    if entries is None:
        errors.append({"field": f"{FETCHED}.socialLinks", "message": "not a list"})
        return []
    found = []
    for i, entry in enumerate(entries[:MAX_ADDRESSES]):
        where = f"{FETCHED}.socialLinks[{i}].url"
        link = as_object(entry)
        url = link.get("url") if link is not None else None
        kind = link.get("type") if link is not None else None
        if not isinstance(url, str) or not url.strip():
            errors.append({"field": where, "message": "not a text value"})
            continue
        label = kind.strip()[:50] if isinstance(kind, str) else ""
        found.append(
            Address(
                field=where,
                value=url.strip(),
                kind=LinkKind.WEBSITE if label.lower() == "website" else LinkKind.SOCIAL,
                label=label,
            )
        )
    return found


def _emails(results: JSONMapping, given: Sequence[Email], errors: list[dict[str, str]]) -> tuple[Email, ...]:  # fmt: skip
    """The primary address first, then the others, then the delivery's; each once."""
    found: list[Email] = []
    primary = _email(results.get("primaryEmailAddress"), f"{FETCHED}.primaryEmailAddress", errors)
    if primary is not None:
        found.append(primary)
    entries = as_list(results.get("emailAddresses") or [])
    if entries is None:
        errors.append({"field": f"{FETCHED}.emailAddresses", "message": "not a list"})
        entries = []
    for i, entry in enumerate(entries[:MAX_ADDRESSES]):
        email = _email(entry, f"{FETCHED}.emailAddresses[{i}]", errors)
        if email is not None:
            found.append(email)
    seen: set[str] = set()
    unique = []
    for email in [*found, *given]:
        if email.value.lower() not in seen:
            seen.add(email.value.lower())
            unique.append(email)
    return tuple(unique)


class Ashby(Connector):
    name: ClassVar[str] = "ashby"
    label: ClassVar[str] = "Ashby"
    key_origin: ClassVar[KeyOrigin] = "renown"
    signature_header: ClassVar[str] = "Ashby-Signature"
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)

    def verify(self, secrets: Sequence[str], delivery: Delivery, document: JSONValue) -> None:
        """``Ashby-Signature: sha256=<hex>``: the HMAC of the raw body as received."""
        header = delivery.header("Ashby-Signature").strip()
        algorithm, sep, given = header.partition("=")
        if not sep or algorithm.strip().lower() != "sha256" or not given.strip():
            matches_any(secrets, delivery.body, "")  # the same work as a wrong signature
            raise Unauthenticated("the Ashby-Signature header is missing or not 'sha256=<hex>'")
        if not matches_any(secrets, delivery.body, given):
            raise Unauthenticated("the signature does not match")

    def event_id(self, delivery: Delivery, document: JSONMapping) -> str:
        """``<action>:<webhookActionId>``: the id is the same across Ashby's retries."""
        found = document.get("webhookActionId")
        if not isinstance(found, str) or not found.strip():
            return ""
        return f"{self.action(document)}:{found.strip()}"

    def action(self, document: JSONMapping) -> str:
        action = document.get("action")
        return action.strip() if isinstance(action, str) else ""

    def is_ping(self, document: JSONMapping) -> bool:
        return document.get("action") == "ping"

    def parse(self, document: JSONMapping) -> AtsApplication | None:
        return parse(document)

    async def fetch(self, api: AtsApi, application: AtsApplication) -> AtsApplication:
        """The candidate's name, e-mail addresses and social links from ``candidate.info``."""
        answer = await api.request(
            "POST", "candidate.info", json_body={"id": application.fetch["candidate"]}
        )
        results = _results(answer)
        errors = list(application.problems)
        name = _name(results.get("name"), f"{FETCHED}.name", errors) or application.name
        return application.with_fetched(
            name=name,
            emails=_emails(results, application.emails, errors),
            addresses=tuple(_social_links(results, errors)),
            problems=tuple(errors),
        )
