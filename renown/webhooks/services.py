"""Webhooks out: subscriptions, emitting events, delivering them.

This module is part of the plugin's base (``renown``, which imports no other app),
so that ``scoring`` and ``hiring`` can emit events through ``event_emit`` from
inside their own transactions. The HTTP
client is imported when a delivery is attempted.

Emitting writes one ``WebhookDelivery`` row per interested subscription in the
caller's transaction and queues the first send with ``transaction.on_commit``: an
event exists exactly when the change it reports was committed. Retries are driven
from the database, not by queue countdowns (which outlive a Redis broker's visibility
timeout and then arrive twice): a failed attempt records when the next one is due
(RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS, about a day), and ``deliveries_sweep`` (celery
beat, every few seconds) claims the due rows and queues them; it also catches up sends
whose queue message was lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from renown.exceptions import InvalidTransition
from renown.json_types import JSONObject
from renown.models import (
    AuditEventType,
    DeliveryStatus,
    EventType,
    Organization,
    SignatureScheme,
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
# A due delivery queued this long ago and not yet taken lost its queue message (or the
# workers are that far behind): the sweep queues it again. The claim lets one send through.
QUEUE_LEASE = timedelta(minutes=5)
# Rows one sweep claims and queues; the next run (seconds later) takes the rest.
SWEEP_BATCH = 1000


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

    It signs the Standard Webhooks way (``webhook-signature``). The URL must pass the
    same SSRF guard as provider requests (public addresses only unless
    RENOWN_ALLOW_PRIVATE_HOSTS). Records
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
        "signature_scheme": subscription.signature_scheme,
    }


def subscription_clear_failures(subscription: WebhookSubscription) -> None:
    """Forget a subscription's failing streak (on the instance; the caller saves it).

    Turning a switched-off subscription on again must not leave its old ``failing_since``,
    or its first failure would switch it off again at once.
    """
    subscription.consecutive_failures = 0
    subscription.failing_since = None
    subscription.disabled_at = None
    subscription.disabled_reason = ""


def subscription_update(
    *,
    subscription: WebhookSubscription,
    name: str | None = None,
    url: str | None = None,
    events: Sequence[str] | None = None,
    active: bool | None = None,
    actor: AuditActor = None,
) -> WebhookSubscription:
    """Change a subscription; re-activating it clears its failing streak. ValidationError on bad input.

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
            subscription_clear_failures(subscription)
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


def subscription_switch_scheme(
    *,
    subscription: WebhookSubscription,
    scheme: str = SignatureScheme.STANDARD,
    actor: AuditActor = None,
) -> str:
    """Make the subscription sign with ``scheme`` under a new secret; return it (show it once).

    One step, so that no delivery is ever signed with the new scheme and the old secret:
    every attempt from the commit on, retries of earlier events too, is signed the new
    way. Records ``webhook_subscription.secret_rotated`` with the scheme before and after
    (never the secret). Raises InvalidTransition when the subscription already uses
    ``scheme`` (rotate its secret instead), ValueError for an unknown scheme.
    """
    scheme = SignatureScheme(scheme)
    secret = signing.new_secret()
    with transaction.atomic():
        before = (
            WebhookSubscription.objects.select_for_update()
            .filter(pk=subscription.pk)
            .values_list("signature_scheme", flat=True)
            .first()
        )
        if before == scheme:
            raise InvalidTransition(
                f"The subscription already signs with {scheme.label}; "
                "rotate its secret to get a new one."
            )
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            secret=secret, signature_scheme=scheme, updated_at=timezone.now()
        )
        audit_record(
            organization=subscription.organization,
            actor=actor,
            event_type=AuditEventType.WEBHOOK_SUBSCRIPTION_SECRET_ROTATED,
            subject=subscription,
            before={"signature_scheme": before},
            after={"signature_scheme": str(scheme)},
        )
    subscription.secret = secret
    subscription.signature_scheme = scheme
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
                queued_at=now,  # the first send is queued on commit
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
            enqueue(deliver_task, pk)

    if ids:
        transaction.on_commit(send)


# --- delivering ------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptOutcome:
    """What one attempt did: the delivery's new status, and when the next attempt is due."""

    status: str
    next_attempt_at: datetime | None = None


def retry_delay(attempt: int) -> timedelta | None:
    """How long after failed attempt ``attempt`` (1-based) the next one is due; None: no more.

    RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS[attempt - 1]: a delivery gets one attempt more
    than the schedule has entries.
    """
    schedule = conf.retry_schedule()
    if 1 <= attempt <= len(schedule):
        return timedelta(seconds=schedule[attempt - 1])
    return None


def _due(now: datetime) -> Q:
    """Deliveries whose attempt may start now: new or redelivered ones, retries whose time
    came, and claims of workers that died."""
    return (
        Q(status=DeliveryStatus.PENDING)
        | Q(status=DeliveryStatus.RETRYING, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
    )


def _claim(delivery_id: int) -> bool:
    now = timezone.now()
    # A retry the sweep queued (queued_at set) is taken even if this worker's clock is a
    # little behind the sweep's; an early message of another kind (a duplicate, a countdown
    # queued by an earlier version) finds the row not due and sends nothing.
    claimable = _due(now) | Q(status=DeliveryStatus.RETRYING, queued_at__isnull=False)
    return bool(
        WebhookDelivery.objects.filter(claimable, pk=delivery_id).update(
            status=DeliveryStatus.SENDING, claimed_at=now, queued_at=None
        )
    )


async def _post(url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
    from renown.http import HttpClient

    async with HttpClient(concurrency=1, timeout=conf.get("RENOWN_WEBHOOK_TIMEOUT_SECONDS")) as c:
        response = await c.post(url, data=body, headers=headers)
    return response.status, response.body[:200].decode(errors="replace")


def _headers(delivery: WebhookDelivery, subscription: WebhookSubscription) -> dict[str, str]:
    body = delivery.body.encode()
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.signature_headers(
            subscription.signature_scheme,
            subscription.secret,
            msg_id=str(delivery.event_id),
            body=body,
        ),
        "Renown-Event-Id": str(delivery.event_id),
        "Renown-Event-Type": delivery.event_type,
        "Renown-Delivery-Id": str(delivery.pk),
    }


def delivery_attempt(*, delivery_id: int) -> AttemptOutcome | None:
    """Try to deliver once: claim the row if it is due, POST the signed body, record the result.

    Any 2xx answer is success. Anything else (another status, a timeout, a refused
    address) is a failure: the delivery is due again after the next delay of
    RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS (the sweep queues it then), or marked failed
    after the last. Failures keep the subscription's ``failing_since``; one failing
    continuously for RENOWN_WEBHOOK_DISABLE_AFTER_DAYS is switched off, and a success
    clears it. Returns None when there was nothing to do (not due, already delivered,
    taken by another worker, or gone). No database transaction is held during the request.
    """
    from renown.http import HttpError

    if not _claim(delivery_id):
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None:
        return None
    subscription = delivery.subscription
    if not subscription.active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.CANCELLED, next_attempt_at=None
        )
        return AttemptOutcome(DeliveryStatus.CANCELLED)
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    try:
        headers = _headers(delivery, subscription)
        status_code, snippet = asyncio.run(_post(subscription.url, delivery.body.encode(), headers))
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {snippet}".strip()
    except signing.SignatureError as exc:
        error = f"the subscription's secret cannot sign ({exc}): rotate it"
    except HttpError as exc:
        error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # a bug or an odd failure must not stay "sending" or break callers
        logger.exception("webhook delivery %s failed unexpectedly", delivery.pk)
        error = f"unexpected {type(exc).__name__}: {exc}"
    duration_ms = int((time.monotonic() - started) * 1000)
    now = timezone.now()
    common = {
        "attempts": F("attempts") + 1,
        "round_attempts": F("round_attempts") + 1,
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
            WebhookSubscription.objects.filter(pk=subscription.pk).update(
                consecutive_failures=0, failing_since=None
            )
            return AttemptOutcome(DeliveryStatus.SUCCEEDED)
        _record_failure(subscription.pk, now)
        delay = retry_delay(delivery.round_attempts + 1)  # the row is ours: no one else counts
        if delay is not None:
            due = now + delay
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.RETRYING, next_attempt_at=due, **common
            )
            return AttemptOutcome(DeliveryStatus.RETRYING, next_attempt_at=due)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, **common
        )
        return AttemptOutcome(DeliveryStatus.FAILED)


def _record_failure(subscription_id: int, now: datetime) -> None:
    """Count a failed attempt; switch the subscription off once it has failed for days."""
    WebhookSubscription.objects.filter(pk=subscription_id).update(
        consecutive_failures=F("consecutive_failures") + 1,
        failing_since=Coalesce(F("failing_since"), now),
    )
    days = int(conf.get("RENOWN_WEBHOOK_DISABLE_AFTER_DAYS"))
    since = (
        WebhookSubscription.objects.filter(pk=subscription_id, active=True)
        .values_list("failing_since", flat=True)
        .first()
    )
    if since is None or since > now - timedelta(days=days):
        return
    switched = WebhookSubscription.objects.filter(pk=subscription_id, active=True).update(
        active=False,
        disabled_at=now,
        disabled_reason=(
            f"every delivery attempt failed for {days} days (none succeeded since "
            f"{since.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"
        ),
    )
    if switched:
        logger.warning(
            "webhook subscription %s switched off: failing since %s", subscription_id, since
        )


def delivery_redeliver(*, delivery: WebhookDelivery, actor: AuditActor = None) -> WebhookDelivery:
    """Queue a delivery again (any status), with a fresh set of attempts (the whole schedule).

    The body is the same (same event id: receivers can de-duplicate); the
    signature gets a new timestamp. Records ``webhook_delivery.redelivered``.
    Raises ValidationError when the subscription is switched off: turn it on first.
    """
    if not WebhookSubscription.objects.filter(pk=delivery.subscription_id, active=True).exists():
        raise ValidationError("The subscription is switched off; turn it on before redelivering.")
    with transaction.atomic():
        now = timezone.now()
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
            queued_at=now,
            claimed_at=None,
            round_attempts=0,
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


def deliveries_claim_due(*, limit: int = SWEEP_BATCH) -> list[int]:
    """Claim up to ``limit`` deliveries that are due and not already queued; return their ids.

    Due: pending or retrying with ``next_attempt_at`` passed, or a stale claim of a dead
    worker. Not already queued: no ``queued_at``, or one older than QUEUE_LEASE (its
    message was lost). Claiming sets ``queued_at``, so concurrent sweeps never claim the
    same row twice: on PostgreSQL the rows are locked with ``FOR UPDATE SKIP LOCKED``
    (another sweep passes over them); elsewhere each row is claimed by a conditional
    UPDATE (one sweep gets it, the other updates nothing).
    """
    now = timezone.now()
    claimable = _due(now) & (Q(queued_at__isnull=True) | Q(queued_at__lt=now - QUEUE_LEASE))
    due = WebhookDelivery.objects.filter(claimable).order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(
                due.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)[
                    :limit
                ]
            )
            WebhookDelivery.objects.filter(pk__in=ids).update(queued_at=now)
        return ids
    return [
        pk
        for pk in list(due.values_list("pk", flat=True)[:limit])
        if WebhookDelivery.objects.filter(claimable, pk=pk).update(queued_at=now)
    ]


def deliveries_sweep(*, limit: int = SWEEP_BATCH) -> int:
    """Queue the deliveries that are due: retries whose time came, and lost sends.

    Run by celery beat every few seconds (``webhooks.sweep``; the first retry is due five
    seconds after a failure) or by ``manage.py renown_webhooks_sweep``; returns how many
    were queued. Each is queued at once, never with a countdown. Harmless when a send is
    already on its way: ``delivery_attempt`` claims the row, so one worker sends it.
    """
    from renown.webhooks.tasks import deliver_task

    ids = deliveries_claim_due(limit=limit)
    for pk in ids:
        enqueue(deliver_task, pk)
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
