"""ATS use cases: every delivery's one path in, each organisation's secrets and credentials.

``ats_receive`` takes a delivery for any connector (``hiring.ats.connectors``): it finds
the organisation's secrets for the ATS, has the connector verify the signature before
anything is read or stored, parses the delivery, reads what it lacks through the ATS's
API (outside any transaction: nothing is held while the ATS answers), then applies it
through the audited candidate and hiring services under one idempotency record per
delivery (``InboundDelivery``: the ATS's event id, else the body's SHA-256), folded into
one ``ats.delivery_applied`` event on the trail.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Required, TypedDict

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates.handles import account_from_url
from candidates.models import AccountVerification, Candidate
from candidates.services import account_attach, candidate_upsert
from hiring import conf as hiring_conf
from hiring.ats.base import (
    Address,
    AtsApplication,
    AtsJob,
    BadPayload,
    Connector,
    Delivery,
    FetchGone,
    NotConnected,
    Unauthenticated,
    matches_any,
)
from hiring.ats.connectors import connector_for
from hiring.ats.models import (
    Ats,
    AtsCredential,
    AtsSecret,
    CandidateLink,
    InboundDelivery,
)
from hiring.models import Job
from hiring.services import application_add, job_create
from renown.api.parsers import JsonTooDeep, json_loads
from renown.json_types import JSONValue
from renown.models import AuditEventType, Organization
from renown.trail import AuditActor, audit_batch, audit_record
from renown.webhooks import conf, signing

if TYPE_CHECKING:
    from hiring.ats.client import AtsApi


def actor_for(ats: str) -> str:
    """Who the audit trail records for what a delivery writes (``ats:lever``)."""
    return f"ats:{ats}"


# --- secrets and credentials ------------------------------------------------------------


def ats_secret_set(
    *,
    organization: Organization,
    ats: str,
    value: str | None = None,
    label: str = "",
    actor: AuditActor = None,
) -> str:
    """Store the secret that signs the ATS's deliveries to the organisation; return it.

    Without ``value`` a new random secret is made (for an ATS where the receiver chooses
    it: paste it into the ATS); with one, the token the ATS issued is kept. A secret of
    the same ``label`` is replaced and stops working at once. The trail records that it
    was set or replaced, never the secret. Raises ValueError for an unknown ATS and
    ValidationError for an unusable value.
    """
    ats = Ats(ats)
    label = label.strip()
    if len(label) > 60:
        raise ValidationError({"label": "At most 60 characters."})
    if value is None:
        secret = signing.new_secret().removeprefix("whsec_")
    else:
        secret = value.strip()
        if len(secret) < 8 or len(secret) > 500 or any(ch.isspace() for ch in secret):
            raise ValidationError(
                {"secret": "A secret is 8-500 characters with no spaces (as the ATS shows it)."}
            )
    with transaction.atomic():
        row, created = AtsSecret.objects.update_or_create(
            organization=organization, ats=ats, label=label, defaults={"secret": secret}
        )
        audit_record(
            organization=organization,
            actor=actor,
            event_type=AuditEventType.ATS_SECRET_SET,
            subject=row,
            after={"ats": str(ats), "label": label, "replaced": not created},
        )
    return secret


def ats_connect(
    *,
    organization: Organization,
    ats: str,
    credentials: Mapping[str, str],
    actor: AuditActor = None,
) -> AtsCredential:
    """Store how Renown reads the organisation's ATS API (encrypted), replacing any before.

    ``credentials`` must hold exactly the connector's ``credential_fields`` (an API key;
    Greenhouse's OAuth client id and secret; Workable's token and subdomain), each
    non-empty text without spaces. The trail records the fields given, never their
    values. Raises ValidationError naming each bad field.
    """
    connector = connector_for(ats)
    wanted = set(connector.credential_fields)
    errors: dict[str, str] = {}
    for name in sorted(set(credentials) - wanted):
        errors[name] = f"{connector.label} takes {', '.join(connector.credential_fields)}."
    for name in connector.credential_fields:
        value = credentials.get(name)
        if not isinstance(value, str) or not value.strip():
            errors[name] = "Required."
        elif len(value) > 1000 or any(ch.isspace() for ch in value.strip()):
            errors[name] = "Not a credential (spaces, or over 1,000 characters)."
    if errors:
        raise ValidationError(errors)
    stored = json.dumps({name: credentials[name].strip() for name in connector.credential_fields})
    with transaction.atomic():
        row, created = AtsCredential.objects.update_or_create(
            organization=organization, ats=connector.name, defaults={"credentials": stored}
        )
        audit_record(
            organization=organization,
            actor=actor,
            event_type=AuditEventType.ATS_CONNECTED,
            subject=row,
            after={
                "ats": connector.name,
                "fields": list(connector.credential_fields),
                "replaced": not created,
            },
        )
    return row


def inbound_deliveries_purge(*, now: datetime | None = None) -> int:
    """Forget inbound replay records older than RENOWN_INBOUND_REPLAY_WINDOW_DAYS."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(conf.get("RENOWN_INBOUND_REPLAY_WINDOW_DAYS")))
    deleted, _ = InboundDelivery.objects.filter(received_at__lt=cutoff).delete()
    return deleted


# --- deliveries in ----------------------------------------------------------------------


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
    fetched: list[str]


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
    fetched: list[str] = field(default_factory=list)
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
            body["fetched"] = self.fetched
        return body


def _secrets_for(ats: str, org_slug: str) -> tuple[Organization, list[str]]:
    rows = list(
        AtsSecret.objects.select_related("organization").filter(
            organization__slug=org_slug, ats=ats
        )
    )
    if not rows:
        raise Unauthenticated(f"no {ats} secret is set for this organisation")
    return rows[0].organization, [row.secret for row in rows]


def _api_for(connector: Connector, organization: Organization) -> AtsApi:
    from hiring.ats.client import AtsApi

    row = AtsCredential.objects.filter(organization=organization, ats=connector.name).first()
    if row is None:
        raise NotConnected(
            f"this delivery needs {connector.label}'s API and no credentials are stored: "
            f"python manage.py ats_connect --org {organization.slug} --ats {connector.name}"
        )
    credentials = json.loads(row.credentials)
    root = connector.api_root(credentials, hiring_conf.ats_api_url(connector.name))
    return AtsApi(connector=connector, credentials=credentials, base_url=root)


async def _fetch(api: AtsApi, connector: Connector, parsed: AtsApplication) -> AtsApplication:
    async with api:
        api.headers.update(await connector.authorize(api))
        return await connector.fetch(api, parsed)


def _document(body: bytes) -> JSONValue:
    try:
        found: JSONValue = json_loads(body)
    except JsonTooDeep as exc:
        raise BadPayload([{"field": "body", "message": str(exc)}]) from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        return None
    return found


def ats_receive(*, ats: str, org_slug: str, delivery: Delivery) -> ReceiveResult:
    """Take one webhook delivery from the ATS ``ats`` for the organisation ``org_slug``.

    Verifies the signature with the organisation's secrets for the ATS before anything
    is stored (raises Unauthenticated, storing nothing, when it is missing or wrong, when
    the organisation has no secret, or the ATS is unknown: the same answer, so the
    endpoint does not say which organisations exist). A test delivery answers ``ok``.
    A candidate event upserts the candidate (by ATS source and the ATS's candidate id),
    each job, the application, the addresses on networks Renown reads as claimed
    accounts and every other address as a link; what the delivery lacks is read from
    the ATS's API first (``FetchFailed``/``NotConnected`` when it cannot be: nothing
    stored, the ATS sends again). What could not be stored is listed in ``rejected``
    by field. A delivery seen before (same event id or same body) changes nothing and
    answers ``duplicate``. Raises BadPayload for a signed body that is not the ATS's.
    """
    try:
        connector = connector_for(ats)
        organization, secrets = _secrets_for(connector.name, org_slug)
    except (KeyError, Unauthenticated):
        matches_any([signing.new_secret()], delivery.body, "")  # about the same work
        raise Unauthenticated("no secret for this ATS and organisation") from None
    document = _document(delivery.body)
    connector.verify(secrets, delivery, document)
    if document is None:
        raise BadPayload([{"field": "body", "message": "not JSON"}])
    if not isinstance(document, Mapping):
        raise BadPayload([{"field": "body", "message": "not a JSON object"}])
    if connector.is_ping(document):
        return ReceiveResult(status="ok", action=connector.action(document)[:60] or "ping")
    action = connector.action(document)[:60]
    parsed = connector.parse(document)
    digest = hashlib.sha256(delivery.body).hexdigest()
    event_id = connector.event_id(delivery, document)[:100]
    if _seen(organization, connector.name, event_id, digest):
        return ReceiveResult(status="duplicate", action=action)
    fetched: list[str] = []
    reason = connector.ignore_reason(document)
    if parsed is not None and parsed.fetch:
        fetched = sorted(parsed.fetch)
        try:
            parsed = asyncio.run(_fetch(_api_for(connector, organization), connector, parsed))
        except FetchGone as exc:
            # Deleted in the ATS since: recorded as ignored, so the ATS stops sending it.
            parsed, reason = None, f"the ATS's API no longer has it ({exc})"
    return _apply(connector, organization, parsed, action, event_id, digest, fetched, reason)


def _seen(organization: Organization, ats: str, event_id: str, digest: str) -> bool:
    same = InboundDelivery.objects.filter(organization=organization, ats=ats)
    if event_id and same.filter(event_id=event_id).exists():
        return True
    return same.filter(body_sha256=digest).exists()


def _apply(
    connector: Connector,
    organization: Organization,
    parsed: AtsApplication | None,
    action: str,
    event_id: str,
    digest: str,
    fetched: list[str],
    reason: str,
) -> ReceiveResult:
    actor = actor_for(connector.name)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = InboundDelivery.objects.create(
                    organization=organization,
                    ats=connector.name,
                    event_id=event_id,
                    body_sha256=digest,
                    action=action,
                )
        except IntegrityError:
            return ReceiveResult(status="duplicate", action=action)
        if parsed is None:
            result = ReceiveResult(status="ignored", action=action, reason=reason[:300])
            record.result = dict(result.as_json())
            record.save(update_fields=["result"])
            return result
        result = ReceiveResult(
            status="processed", action=action, rejected=list(parsed.problems), fetched=fetched
        )
        # One delivery, one event on the trail: what the services below change is
        # folded into it with its counts and a digest of the objects.
        with audit_batch(
            actor=actor, event_type=AuditEventType.ATS_DELIVERY_APPLIED, subject=record
        ) as batch:
            batch.after.update({"ats": connector.name, "action": action, "body_sha256": digest})
            if fetched:
                batch.after["fetched"] = fetched
            candidate, created = _upsert_candidate(connector, organization, parsed, result)
            result.candidate, result.created = candidate, created
            for job in parsed.jobs:
                renown_job = _upsert_job(connector, organization, job)
                application_add(
                    job=renown_job,
                    candidate=candidate,
                    external_id=parsed.application_id,
                    actor=actor,
                )
                result.jobs.append(renown_job.external_id)
            for address in parsed.addresses:
                _store_address(connector, candidate, address, result)
        record.candidate = candidate
        record.result = dict(result.as_json())
        record.save(update_fields=["candidate", "result"])
    return result


def _upsert_candidate(
    connector: Connector,
    organization: Organization,
    parsed: AtsApplication,
    result: ReceiveResult,
) -> tuple[Candidate, bool]:
    email = ""
    for given in parsed.emails:
        try:
            EmailValidator()(given.value)
        except ValidationError:
            result.rejected.append({"field": given.field, "message": "not a valid e-mail address"})
            continue
        email = given.value[:254]
        break
    name = parsed.name[:200] or f"{connector.label} candidate {parsed.candidate_id}"
    data = {"name": name} | ({"email": email} if email else {})
    return candidate_upsert(
        organization=organization,
        ats_source=connector.name,
        external_id=parsed.candidate_id,
        data=data,
        actor=actor_for(connector.name),
    )


def _upsert_job(connector: Connector, organization: Organization, job: AtsJob) -> Job:
    external_id = job.external_id(connector.name)
    found = Job.objects.filter(organization=organization, external_id=external_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return job_create(
                organization=organization,
                actor=actor_for(connector.name),
                external_id=external_id,
                title=job.name or f"{connector.label} job {job.id}",
            )
    except (IntegrityError, ValidationError):
        # A concurrent delivery created it first (else the ValidationError is real).
        found = Job.objects.filter(organization=organization, external_id=external_id).first()
        if found is None:
            raise
        return found


def _store_address(
    connector: Connector, candidate: Candidate, address: Address, result: ReceiveResult
) -> None:
    # A "website" can be a profile on a network Renown reads (github.com/alice).
    recognised = account_from_url(address.value)
    if recognised is not None:
        network, handle = recognised
        try:
            account_attach(
                candidate=candidate,
                actor=actor_for(connector.name),
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
        defaults={"kind": address.kind, "label": address.label, "source": connector.name},
    )
    result.links.append(address.value)
