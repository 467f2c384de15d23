"""ATS use cases: each organisation's inbound secret, and forgetting old replay records."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from hiring.ats.models import Ats, AtsSecret, InboundDelivery
from renown.models import AuditEventType, Organization
from renown.trail import AuditActor, audit_record
from renown.webhooks import conf, signing


def ats_secret_set(*, organization: Organization, ats: str, actor: AuditActor = None) -> str:
    """Give the organisation a new secret for the ATS's inbound webhooks and return it.

    The old secret stops working at once; the trail records that it was set or
    replaced (never the secret). Raises ValueError for an unknown ATS.
    """
    ats = Ats(ats)
    secret = signing.new_secret().removeprefix("whsec_")
    with transaction.atomic():
        row, created = AtsSecret.objects.update_or_create(
            organization=organization, ats=ats, defaults={"secret": secret}
        )
        audit_record(
            organization=organization,
            actor=actor,
            event_type=AuditEventType.ATS_SECRET_SET,
            subject=row,
            after={"ats": str(ats), "replaced": not created},
        )
    return secret


def inbound_deliveries_purge(*, now: datetime | None = None) -> int:
    """Forget inbound replay records older than RENOWN_INBOUND_REPLAY_WINDOW_DAYS."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(conf.get("RENOWN_INBOUND_REPLAY_WINDOW_DAYS")))
    deleted, _ = InboundDelivery.objects.filter(received_at__lt=cutoff).delete()
    return deleted
