"""Greenhouse Harvest webhooks in: verify, parse, upsert candidate, job, application, accounts.

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

This module is an integration at the top of the dependency chain: it writes
through ``candidates.services`` and ``hiring.services``. It is not imported by
``renown.webhooks.services`` (which ``scoring`` and ``hiring`` import to emit events).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Required, TypedDict

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction

from candidates.handles import account_from_url
from candidates.models import AccountVerification, Candidate
from candidates.names import validate_person_name
from candidates.services import account_attach, candidate_upsert
from hiring.ats.models import Ats, AtsSecret, CandidateLink, InboundDelivery, LinkKind
from hiring.models import Job
from hiring.services import application_add, job_create
from renown.api.parsers import JsonTooDeep, json_loads
from renown.json_types import JSONMapping, JSONValue
from renown.models import AuditEventType, Organization
from renown.trail import audit_batch
from renown.webhooks import signing

SOURCE = "greenhouse"
ACTOR = "ats:greenhouse"  # who the audit trail records for what a delivery writes
MAX_ADDRESSES = 50  # per list: a candidate with more is not a candidate


class Unauthenticated(Exception):
    """The delivery is not signed with the organisation's Greenhouse secret (401)."""


class BadPayload(ValueError):
    """The body is signed but not a Greenhouse payload; ``errors`` name each field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class GreenhouseJob:
    id: str
    name: str
    requisition_id: str

    @property
    def external_id(self) -> str:
        """The Renown job's external id: the requisition id, else ``greenhouse-job-<id>``."""
        return self.requisition_id or f"greenhouse-job-{self.id}"


@dataclass(frozen=True)
class Address:
    field: str  # where in the payload, for error reports
    value: str
    kind: str  # website or social
    label: str


@dataclass(frozen=True)
class GreenhouseApplication:
    """What Renown takes from a candidate/application event."""

    action: str
    candidate_id: str
    name: str
    emails: tuple[str, ...]
    addresses: tuple[Address, ...]
    jobs: tuple[GreenhouseJob, ...]
    application_id: str
    problems: tuple[dict[str, str], ...] = ()


class ReceiveResultBody(TypedDict, total=False):
    """The answer to a delivery (and ``InboundDelivery.result``); the rest with a candidate."""

    status: Required[str]
    action: Required[str]
    reason: str
    candidate: str
    created: bool
    jobs: list[str]
    accounts: list[dict[str, str]]
    links: list[str]
    rejected: list[dict[str, str]]


@dataclass
class ReceiveResult:
    """What a delivery did; ``as_json()`` is the response body."""

    status: str  # ok (ping), processed, duplicate, ignored
    action: str = ""
    candidate: Candidate | None = None
    created: bool = False
    jobs: list[str] = field(default_factory=list)
    accounts: list[dict[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)
    reason: str = ""

    def as_json(self) -> ReceiveResultBody:
        body: ReceiveResultBody = {"status": self.status, "action": self.action}
        if self.reason:
            body["reason"] = self.reason
        if self.candidate is not None:
            body["candidate"] = str(self.candidate.public_id)
            body["created"] = self.created
            body["jobs"] = self.jobs
            body["accounts"] = self.accounts
            body["links"] = self.links
            body["rejected"] = self.rejected
        return body


def _text(value: JSONValue, max_length: int = 200) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError
    return str(value).strip()[:max_length]


def _id(value: JSONValue, where: str, errors: list[dict[str, str]]) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
        errors.append({"field": where, "message": "an id (number or text) is required"})
        return ""
    text = str(value).strip()
    if len(text) > 100:
        errors.append({"field": where, "message": "longer than 100 characters"})
        return ""
    return text


def _list(value: JSONValue) -> Sequence[JSONValue] | None:
    """A JSON array as a sequence; None for any other value."""
    return value if isinstance(value, list) else None


def _name_part(candidate: JSONMapping, key: str, errors: list[dict[str, str]]) -> str:
    """One part of the name, or "" (reported) when candidates.names refuses it."""
    text = _text(candidate.get(key), 100)
    if not text:
        return ""
    try:
        validate_person_name(text)
    except ValueError as exc:
        errors.append({"field": f"payload.application.candidate.{key}", "message": str(exc)})
        return ""
    return text


def _addresses(candidate: JSONMapping, key: str, kind: str, errors: list[dict[str, str]]) -> list[Address]:  # fmt: skip
    entries = _list(candidate.get(key) or [])
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


def parse(document: JSONValue) -> GreenhouseApplication | None:
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
    candidate_id = _id(candidate.get("id"), "payload.application.candidate.id", errors)
    try:
        first = _name_part(candidate, "first_name", errors)
        last = _name_part(candidate, "last_name", errors)
    except TypeError:
        errors.append({"field": "payload.application.candidate", "message": "names must be text"})
        first = last = ""
    emails: list[str] = []
    email_entries = _list(candidate.get("email_addresses") or [])
    if email_entries is None:
        errors.append(
            {"field": "payload.application.candidate.email_addresses", "message": "not a list"}
        )
        email_entries = []
    for i, entry in enumerate(email_entries[:MAX_ADDRESSES]):
        value = entry.get("value") if isinstance(entry, Mapping) else None
        if isinstance(value, str) and value.strip():
            emails.append(value.strip())
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
    raw_jobs = _list(application.get("jobs") or [])
    if raw_jobs is None:
        errors.append({"field": "payload.application.jobs", "message": "not a list"})
        raw_jobs = []
    for i, job in enumerate(raw_jobs[:MAX_ADDRESSES]):
        if not isinstance(job, Mapping):
            errors.append({"field": f"payload.application.jobs[{i}]", "message": "not an object"})
            continue
        job_id = _id(job.get("id"), f"payload.application.jobs[{i}].id", errors)
        try:
            name = _text(job.get("name"))
            requisition = _text(job.get("requisition_id"), 100)
        except TypeError:
            errors.append({"field": f"payload.application.jobs[{i}]", "message": "bad text"})
            continue
        if job_id:
            jobs.append(GreenhouseJob(id=job_id, name=name, requisition_id=requisition))
    application_id = ""
    if application.get("id") is not None:
        application_id = _id(application.get("id"), "payload.application.id", errors)
    if not candidate_id:
        raise BadPayload(errors)
    # Other problems are reported with the result, not fatal: the candidate is kept.
    return GreenhouseApplication(
        action=action,
        candidate_id=candidate_id,
        name=f"{first} {last}".strip() or f"Greenhouse candidate {candidate_id}",
        emails=tuple(emails),
        addresses=tuple(addresses),
        jobs=tuple(jobs),
        application_id=application_id,
        problems=tuple(errors),
    )


def _secret_for(org_slug: str) -> tuple[Organization, str]:
    row = (
        AtsSecret.objects.select_related("organization")
        .filter(organization__slug=org_slug, ats=Ats.GREENHOUSE)
        .first()
    )
    if row is None:
        # Same answer, and about the same work, as a wrong signature: the endpoint does
        # not say which organisations exist.
        raise Unauthenticated("no Greenhouse secret is set for this organisation")
    return row.organization, row.secret


def _upsert_candidate(
    organization: Organization, parsed: GreenhouseApplication, rejected: list[dict[str, str]]
) -> tuple[Candidate, bool]:
    email = ""
    for i, value in enumerate(parsed.emails):
        try:
            EmailValidator()(value)
        except ValidationError:
            rejected.append(
                {
                    "field": f"payload.application.candidate.email_addresses[{i}].value",
                    "message": "not a valid e-mail address",
                }
            )
            continue
        email = value[:254]
        break
    data = {"name": parsed.name[:200]} | ({"email": email} if email else {})
    return candidate_upsert(
        organization=organization,
        ats_source=SOURCE,
        external_id=parsed.candidate_id,
        data=data,
        actor=ACTOR,
    )


def _upsert_job(organization: Organization, job: GreenhouseJob) -> Job:
    found = Job.objects.filter(organization=organization, external_id=job.external_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return job_create(
                organization=organization,
                actor=ACTOR,
                external_id=job.external_id,
                title=job.name or f"Greenhouse job {job.id}",
            )
    except (IntegrityError, ValidationError):
        # A concurrent delivery created it first (else the ValidationError is real).
        found = Job.objects.filter(organization=organization, external_id=job.external_id).first()
        if found is None:
            raise
        return found


def _store_address(candidate: Candidate, address: Address, result: ReceiveResult) -> None:
    recognised = account_from_url(address.value) if address.kind == LinkKind.SOCIAL else None
    if recognised is None and address.kind == LinkKind.WEBSITE:
        # A "website" can be a profile on a network Renown reads (github.com/alice).
        recognised = account_from_url(address.value)
    if recognised is not None:
        network, handle = recognised
        try:
            account_attach(
                candidate=candidate,
                actor=ACTOR,
                network=network,
                handle=handle,
                verification=AccountVerification.CLAIMED,
            )
        except ValidationError as exc:
            result.rejected.append({"field": address.field, "message": "; ".join(exc.messages)})
            return
        result.accounts.append({"network": network, "handle": handle})
        return
    if len(address.value) > 500 or any(ch.isspace() for ch in address.value):
        result.rejected.append({"field": address.field, "message": "not an address"})
        return
    CandidateLink.objects.get_or_create(
        candidate=candidate,
        url=address.value,
        defaults={"kind": address.kind, "label": address.label, "source": SOURCE},
    )
    result.links.append(address.value)


def greenhouse_receive(
    *, org_slug: str, body: bytes, signature: str | None, event_id: str = ""
) -> ReceiveResult:
    """Take one Greenhouse webhook delivery for the organisation ``org_slug``.

    Verifies ``Signature: sha256 <hex>`` over the raw body with the
    organisation's Greenhouse secret before reading anything (raises
    Unauthenticated, storing nothing, when it is missing or wrong, or the
    organisation has no secret). A ping answers ``ok``. A candidate or
    application event upserts the candidate (by ATS source ``greenhouse`` and
    Greenhouse's candidate id), each job (by requisition id), the application,
    the social-media addresses on networks Renown reads as claimed accounts and
    every other address as a link; what could not be stored is listed in
    ``rejected`` by field. A delivery seen before (same event id or same body)
    changes nothing and answers ``duplicate``. What a delivery changes is one
    ``ats.delivery_applied`` event on the trail (counts per kind of change and a
    digest of the objects). Raises BadPayload for a signed body that is not a
    Greenhouse payload.
    """
    try:
        organization, secret = _secret_for(org_slug)
    except Unauthenticated:
        signing.greenhouse_signature(signing.new_secret(), body)
        raise
    try:
        signing.greenhouse_verify(secret, body, signature)
    except signing.SignatureError as exc:
        raise Unauthenticated(str(exc)) from None
    try:
        document: JSONValue = json_loads(body)
    except JsonTooDeep as exc:
        raise BadPayload([{"field": "body", "message": str(exc)}]) from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        raise BadPayload([{"field": "body", "message": "not JSON"}]) from None
    if isinstance(document, Mapping) and document.get("action") == "ping":
        return ReceiveResult(status="ok", action="ping")
    parsed = parse(document)
    assert isinstance(document, Mapping)  # noqa: S101 - parse refuses anything else
    action = str(document.get("action", ""))[:60]
    digest = hashlib.sha256(body).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = InboundDelivery.objects.create(
                    organization=organization,
                    ats=Ats.GREENHOUSE,
                    event_id=event_id[:100],
                    body_sha256=digest,
                    action=action,
                )
        except IntegrityError:
            return ReceiveResult(status="duplicate", action=action)
        if parsed is None:
            result = ReceiveResult(
                status="ignored", action=action, reason="the event carries no candidate"
            )
            record.result = result.as_json()
            record.save(update_fields=["result"])
            return result
        result = ReceiveResult(status="processed", action=action, rejected=list(parsed.problems))
        # One delivery, one event on the trail: what the services below change is
        # folded into it with its counts and a digest of the objects.
        with audit_batch(
            actor=ACTOR, event_type=AuditEventType.ATS_DELIVERY_APPLIED, subject=record
        ) as batch:
            batch.after.update(
                {"ats": str(Ats.GREENHOUSE), "action": action, "body_sha256": digest}
            )
            candidate, created = _upsert_candidate(organization, parsed, result.rejected)
            result.candidate, result.created = candidate, created
            for job in parsed.jobs:
                renown_job = _upsert_job(organization, job)
                application_add(
                    job=renown_job,
                    candidate=candidate,
                    external_id=parsed.application_id,
                    actor=ACTOR,
                )
                result.jobs.append(renown_job.external_id)
            for address in parsed.addresses:
                _store_address(candidate, address, result)
        record.candidate = candidate
        record.result = result.as_json()
        record.save(update_fields=["candidate", "result"])
    return result
