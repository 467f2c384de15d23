"""Webhooks out: subscriptions, emitting events, delivering them.

This module is part of the plugin's base (``renown``, which imports no other app),
so that ``scoring`` and ``hiring`` can emit events through ``event_emit`` from
inside their own transactions. The HTTP
client is imported when a delivery is attempted.

Emitting writes one ``WebhookDelivery`` row per interested subscription in the
caller's transaction and queues the sends with ``transaction.on_commit``: an
event exists exactly when the change it reports was committed, and a queue that
lost the message is caught up by ``deliveries_sweep`` (celery beat).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from renown.json_types import JSONObject
from renown.models import (
    AuditEventType,
    DeliveryStatus,
    EventType,
    Organization,
    WebhookDelivery,
    WebhookSubscription,
)
from renown.queue import enqueue
from renown.trail import AuditActor, audit_record
from renown.webhooks import conf, signing
from renown.webhooks.events import CandidateRef, EventData, WebhookEvent

logger = logging.getLogger(__name__)

USER_AGENT = "Renown-Webhooks/1"
# A delivery claimed this long ago and still "sending" belongs to a worker that died.
STALE_CLAIM = timedelta(minutes=10)


# --- subscriptions -----------------------------------------------------------------


def _check_url(url: str) -> None:
    from renown.http import UnsafeHost, check_public_url

    try:
        check_public_url(url)
    except UnsafeHost as exc:
        raise ValidationError({"url": f"Renown will not send webhooks there: {exc}."}) from None


def subscription_create(
    *,
    organization: Organization,
    name: str,
    url: str,
    events: Sequence[str],
    created_by: AbstractBaseUser | None = None,
    api_token_id: int | None = None,
    active: bool = True,
    actor: AuditActor = None,
) -> tuple[WebhookSubscription, str]:
    """Create a subscription; returns it and its signing secret (show the secret once).

    The URL must pass the same SSRF guard as provider requests (public
    addresses only unless RENOWN_ALLOW_PRIVATE_HOSTS). Records
    ``webhook_subscription.created`` (never the secret); ``actor`` defaults to
    ``created_by``. Raises ValidationError naming each bad field.
    """
    secret = signing.new_secret()
    subscription = WebhookSubscription(
        organization=organization,
        name=name.strip(),
        url=url.strip(),
        events=sorted(set(events)),
        secret=secret,
        created_by_id=created_by.pk if created_by is not None else None,
        api_token_id=api_token_id,
        active=active,
    )
    if not active:
        subscription.disabled_at = timezone.now()
        subscription.disabled_reason = "switched off"
    subscription.full_clean()
    _check_url(subscription.url)
    with transaction.atomic():
        subscription.save()
        audit_record(
            organization=organization,
            actor=actor if actor is not None else created_by,
            event_type=AuditEventType.WEBHOOK_SUBSCRIPTION_CREATED,
            subject=subscription,
            after=_subscription_state(subscription),
        )
    return subscription, secret


def _subscription_state(subscription: WebhookSubscription) -> JSONObject:
    return {
        "name": subscription.name,
        "url": subscription.url,
        "events": list(subscription.events),
        "active": subscription.active,
    }


def subscription_update(
    *,
    subscription: WebhookSubscription,
    name: str | None = None,
    url: str | None = None,
    events: Sequence[str] | None = None,
    active: bool | None = None,
    actor: AuditActor = None,
) -> WebhookSubscription:
    """Change a subscription; re-activating it clears its failure count. ValidationError on bad input.

    Records ``webhook_subscription.changed`` with before and after, when something changed.
    """
    before = _subscription_state(subscription)
    if name is not None:
        subscription.name = name.strip()
    if url is not None:
        subscription.url = url.strip()
    if events is not None:
        subscription.events = sorted(set(events))
    if active is not None and active != subscription.active:
        subscription.active = active
        if active:
            subscription.consecutive_failures = 0
            subscription.disabled_at = None
            subscription.disabled_reason = ""
        else:
            subscription.disabled_at = timezone.now()
            subscription.disabled_reason = "switched off"
    subscription.full_clean()
    if url is not None:
        _check_url(subscription.url)
    after = _subscription_state(subscription)
    with transaction.atomic():
        subscription.save()
        if after != before:
            audit_record(
                organization=subscription.organization,
                actor=actor,
                event_type=AuditEventType.WEBHOOK_SUBSCRIPTION_CHANGED,
                subject=subscription,
                before=before,
                after=after,
            )
    return subscription


def subscription_rotate_secret(
    *, subscription: WebhookSubscription, actor: AuditActor = None
) -> str:
    """Give the subscription a new signing secret and return it (show it once).

    Records ``webhook_subscription.secret_rotated`` (never the secret).
    """
    secret = signing.new_secret()
    with transaction.atomic():
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            secret=secret, updated_at=timezone.now()
        )
        audit_record(
            organization=subscription.organization,
            actor=actor,
            event_type=AuditEventType.WEBHOOK_SUBSCRIPTION_SECRET_ROTATED,
            subject=subscription,
        )
    subscription.secret = secret
    return secret


def subscription_delete(*, subscription: WebhookSubscription, actor: AuditActor = None) -> None:
    """Delete a subscription and its delivery log (``webhook_subscription.deleted``)."""
    with transaction.atomic():
        audit_record(
            organization=subscription.organization,
            actor=actor,
            event_type=AuditEventType.WEBHOOK_SUBSCRIPTION_DELETED,
            subject=subscription,
            before=_subscription_state(subscription),
        )
        subscription.delete()


# --- emitting events -----------------------------------------------------------------


class CandidateLike(Protocol):
    """What an event needs of a candidate (``candidates.models.Candidate``)."""

    public_id: uuid.UUID
    ats_source: str
    external_id: str


def candidate_ref(candidate: CandidateLike) -> CandidateRef:
    """How events name a candidate: the public id and the ATS's own ids, never a name."""
    return {
        "id": str(candidate.public_id),
        "ats_source": candidate.ats_source,
        "external_id": candidate.external_id,
    }


def subscribed_organization_ids(event_type: str) -> set[int]:
    """Organisations with at least one active subscription to ``event_type`` (one query)."""
    rows = WebhookSubscription.objects.filter(active=True).values_list("organization_id", "events")
    return {org_id for org_id, events in rows if event_type in events}


def _subscriptions_for(organization_id: int, event_type: str) -> list[WebhookSubscription]:
    return [
        s
        for s in WebhookSubscription.objects.filter(organization_id=organization_id, active=True)
        if event_type in s.events
    ]


def _envelope(
    event_id: uuid.UUID, event_type: str, organization: Organization, data: EventData
) -> str:
    envelope: WebhookEvent = {
        "id": str(event_id),
        "type": event_type,
        "created_at": timezone.now(),
        "organization": organization.slug,
        "data": data,
    }
    return json.dumps(envelope, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"))


def event_emit_many(
    organization: Organization,
    event_type: str,
    items: Iterable[tuple[EventData, uuid.UUID | None]],
) -> list[WebhookDelivery]:
    """Emit one event per ``(payload, candidate public id)`` to every subscription that wants it.

    A payload is the event's ``data``: the shape ``renown.webhooks.events`` gives its type
    (``ScoreUpdatedData``, ``ScreeningCompletedData``...).

    Call inside the transaction that makes the change: the delivery rows
    commit (or roll back) with it and the sends are queued on commit. Returns
    the deliveries created (none when nobody subscribed). Raises ValueError for
    an unknown event type.
    """
    event_type = EventType(event_type)
    subscriptions = _subscriptions_for(organization.pk, event_type)
    if not subscriptions:
        return []
    now = timezone.now()
    rows: list[WebhookDelivery] = []
    for payload, candidate_public_id in items:
        event_id = uuid.uuid4()
        body = _envelope(event_id, event_type, organization, payload)
        rows.extend(
            WebhookDelivery(
                subscription=subscription,
                organization=organization,
                event_id=event_id,
                event_type=event_type,
                body=body,
                candidate_public_id=candidate_public_id,
                next_attempt_at=now,
            )
            for subscription in subscriptions
        )
    created = WebhookDelivery.objects.bulk_create(rows, batch_size=500)
    ids = [d.pk for d in created]
    if any(pk is None for pk in ids):  # a backend that cannot return ids: read them back
        event_ids = {d.event_id for d in rows}
        ids = list(
            WebhookDelivery.objects.filter(event_id__in=event_ids).values_list("pk", flat=True)
        )
    _enqueue_on_commit(ids)
    return created


def event_emit(
    organization: Organization,
    event_type: str,
    payload: EventData,
    *,
    candidate: CandidateLike | None = None,
) -> list[WebhookDelivery]:
    """Emit one event (see ``event_emit_many``); ``candidate`` is who it is about, if anyone."""
    return event_emit_many(
        organization,
        event_type,
        [(payload, candidate.public_id if candidate is not None else None)],
    )


def _enqueue_on_commit(ids: Sequence[int]) -> None:
    from renown.webhooks.tasks import deliver_task

    def send() -> None:
        for pk in ids:
            enqueue(deliver_task, pk, 1)

    if ids:
        transaction.on_commit(send)


# --- delivering ------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptOutcome:
    """What one attempt did: the delivery's new status, and when to try again (seconds)."""

    status: str
    retry_in: float | None = None


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter before attempt ``attempt + 1`` (attempt is 1-based)."""
    base = float(conf.get("RENOWN_WEBHOOK_BACKOFF_BASE_SECONDS"))
    cap = float(conf.get("RENOWN_WEBHOOK_BACKOFF_MAX_SECONDS"))
    delay = min(cap, base * 2 ** (attempt - 1))
    return float(delay * (0.8 + 0.4 * random.random()))  # noqa: S311 - jitter, not security


def _claim(delivery_id: int) -> bool:
    now = timezone.now()
    claimable = Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    return bool(
        WebhookDelivery.objects.filter(claimable, pk=delivery_id).update(
            status=DeliveryStatus.SENDING, claimed_at=now
        )
    )


async def _post(url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
    from renown.http import HttpClient

    async with HttpClient(concurrency=1, timeout=conf.get("RENOWN_WEBHOOK_TIMEOUT_SECONDS")) as c:
        response = await c.post(url, data=body, headers=headers)
    return response.status, response.body[:200].decode(errors="replace")


def delivery_attempt(*, delivery_id: int, attempt: int = 1) -> AttemptOutcome | None:
    """Try to deliver once: claim the row, POST the signed body, record what happened.

    ``attempt`` counts attempts since the delivery was (re)queued; up to
    RENOWN_WEBHOOK_MAX_ATTEMPTS, each failure asks to be retried after an
    exponential backoff. Any 2xx answer is success; anything else (another
    status, a timeout, a refused address) is a failure that counts towards
    disabling the subscription after RENOWN_WEBHOOK_DISABLE_AFTER_FAILURES in a
    row. Returns None when there was nothing to do (already delivered, taken by
    another worker, or gone). No database transaction is held during the request.
    """
    from renown.http import HttpError

    if not _claim(delivery_id):
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None:
        return None
    subscription = delivery.subscription
    if not subscription.active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.CANCELLED)
        return AttemptOutcome(DeliveryStatus.CANCELLED)
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.SIGNATURE_HEADER: signing.sign(subscription.secret, body),
        "Renown-Event-Id": str(delivery.event_id),
        "Renown-Event-Type": delivery.event_type,
        "Renown-Delivery-Id": str(delivery.pk),
    }
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    try:
        status_code, snippet = asyncio.run(_post(subscription.url, body, headers))
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {snippet}".strip()
    except HttpError as exc:
        error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # a bug or an odd failure must not stay "sending" or break callers
        logger.exception("webhook delivery %s failed unexpectedly", delivery.pk)
        error = f"unexpected {type(exc).__name__}: {exc}"
    duration_ms = int((time.monotonic() - started) * 1000)
    now = timezone.now()
    common = {
        "attempts": F("attempts") + 1,
        "response_status": status_code,
        "last_attempt_at": now,
        "duration_ms": duration_ms,
        "last_error": error[:500],
    }
    with transaction.atomic():
        if not error:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.SUCCEEDED, delivered_at=now, next_attempt_at=None, **common
            )
            WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
            return AttemptOutcome(DeliveryStatus.SUCCEEDED)
        _count_failure(subscription.pk, now)
        if attempt < int(conf.get("RENOWN_WEBHOOK_MAX_ATTEMPTS")):
            delay = backoff_seconds(attempt)
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.RETRYING, next_attempt_at=now + timedelta(seconds=delay),
                **common,
            )  # fmt: skip
            return AttemptOutcome(DeliveryStatus.RETRYING, retry_in=delay)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, **common
        )
        return AttemptOutcome(DeliveryStatus.FAILED)


def _count_failure(subscription_id: int, now: datetime) -> None:
    WebhookSubscription.objects.filter(pk=subscription_id).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    limit = int(conf.get("RENOWN_WEBHOOK_DISABLE_AFTER_FAILURES"))
    WebhookSubscription.objects.filter(
        pk=subscription_id, active=True, consecutive_failures__gte=limit
    ).update(
        active=False,
        disabled_at=now,
        disabled_reason=f"{limit} failed delivery attempts in a row",
    )


def delivery_redeliver(*, delivery: WebhookDelivery, actor: AuditActor = None) -> WebhookDelivery:
    """Queue a delivery again (any status), with a fresh set of attempts.

    The body is the same (same event id: receivers can de-duplicate); the
    signature gets a new timestamp. Records ``webhook_delivery.redelivered``.
    Raises ValidationError when the subscription is switched off: turn it on first.
    """
    if not WebhookSubscription.objects.filter(pk=delivery.subscription_id, active=True).exists():
        raise ValidationError("The subscription is switched off; turn it on before redelivering.")
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=timezone.now(),
            claimed_at=None,
            manual_redeliveries=F("manual_redeliveries") + 1,
        )
        audit_record(
            organization=delivery.organization,
            actor=actor,
            event_type=AuditEventType.WEBHOOK_DELIVERY_REDELIVERED,
            subject=delivery,
            before={"status": delivery.status},
            after={"status": DeliveryStatus.PENDING, "event_id": delivery.event_id},
        )
        _enqueue_on_commit([delivery.pk])
    delivery.refresh_from_db()
    return delivery


def deliveries_sweep(*, grace: timedelta = timedelta(minutes=5)) -> int:
    """Queue deliveries whose send was lost (pending or due and untouched, or stale claims).

    Run by celery beat; returns how many were queued. Harmless when the original
    send is still on its way: the claim lets one worker through.
    """
    now = timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], next_attempt_at__lt=now - grace)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
    ).values_list("pk", flat=True)[:5000]  # fmt: skip
    ids = list(due)
    from renown.webhooks.tasks import deliver_task

    for pk in ids:
        enqueue(deliver_task, pk, 1)
    return len(ids)


def deliveries_purge(*, now: datetime | None = None) -> int:
    """Delete finished delivery log rows older than RENOWN_WEBHOOK_DELIVERY_RETENTION_DAYS."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(conf.get("RENOWN_WEBHOOK_DELIVERY_RETENTION_DAYS")))
    deleted, _ = WebhookDelivery.objects.filter(
        created_at__lt=cutoff,
        status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED],
    ).delete()
    return deleted
