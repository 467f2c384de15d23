"""Webhooks out (subscriptions and their delivery log) and in (ATS secrets, received deliveries).

Signing secrets are stored as they are, not hashed: a webhook secret is a shared
HMAC key, and Renown needs the key itself to sign every delivery (and the
Greenhouse secret to check every inbound signature). A hash would make both
impossible. The secret is shown once, when it is created; the admin and the API
never display it again. Protect the database (and its backups) accordingly.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from candidates.models import Candidate, Organization, TimeStampedModel


class EventType(models.TextChoices):
    SCREENING_COMPLETED = "screening.completed", "Screening completed"
    SCORE_UPDATED = "score.updated", "Score updated"
    DECISION_RECORDED = "decision.recorded", "Decision recorded"
    CANDIDATE_ERASED = "candidate.erased", "Candidate erased"


def validate_event_list(value: object) -> None:
    from django.core.exceptions import ValidationError

    if not isinstance(value, list) or not value:
        raise ValidationError("Give a non-empty list of event types.")
    unknown = [v for v in value if v not in EventType.values]
    if unknown:
        raise ValidationError(
            f"Unknown event type(s): {', '.join(map(str, unknown))}; "
            f"choose from {', '.join(EventType.values)}."
        )


class WebhookSubscription(TimeStampedModel):
    """Where one integration of an organisation wants to hear about which events.

    ``secret`` signs every delivery (``Renown-Signature``); see the module
    docstring for why it is stored as it is.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    name = models.CharField(max_length=100, help_text="The integration, e.g. 'Greenhouse sync'.")
    api_token = models.ForeignKey(
        "api.ApiToken",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        help_text="The integration whose token created it through the API (it manages it).",
    )
    url = models.URLField(max_length=500, help_text="https endpoint receiving the POSTs.")
    events = models.JSONField(
        default=list, validators=[validate_event_list], help_text="Event types to send."
    )
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["organization", "name", "id"]
        indexes = [models.Index(fields=["organization", "active"], name="webhooksub_org_active")]

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    def wants(self, event_type: str) -> bool:
        return self.active and event_type in self.events


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Failed; will retry"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed (no more retries)"
    CANCELLED = "cancelled", "Not sent (subscription disabled)"


class WebhookDelivery(models.Model):
    """One event for one subscription, and how delivering it went.

    ``body`` is the exact JSON sent (the same bytes on every attempt; only the
    signature's timestamp changes). Unique on (subscription, event_id): emitting
    the same event twice creates no second delivery.
    """

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4)
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    body = models.TextField()
    # Which candidate the event is about, so that an erasure can remove what is queued.
    candidate = models.ForeignKey(
        Candidate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_deliveries",
    )
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    manual_redeliveries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhookdelivery_unique_event"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="webhookdelivery_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["subscription", "-created_at"], name="webhookdelivery_sub_time"),
            models.Index(fields=["status", "next_attempt_at"], name="webhookdelivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription.name} ({self.get_status_display()})"


class Ats(models.TextChoices):
    GREENHOUSE = "greenhouse", "Greenhouse"


class AtsSecret(TimeStampedModel):
    """An organisation's shared secret for an ATS's inbound webhooks (an HMAC key, see above)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="ats_secrets"
    )
    ats = models.CharField(max_length=20, choices=Ats.choices)
    secret = models.CharField(max_length=200, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "ats"], name="atssecret_unique_org_ats"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_ats_display()} secret · {self.organization}"


class InboundDelivery(models.Model):
    """A verified delivery from an ATS, remembered so that a replay changes nothing.

    Keeps the SHA-256 of the body and the ATS's event id, not the body itself
    (it describes a person, and is kept only as long as replay protection needs).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="inbound_deliveries"
    )
    ats = models.CharField(max_length=20, choices=Ats.choices)
    event_id = models.CharField(max_length=100, blank=True)
    body_sha256 = models.CharField(max_length=64)
    action = models.CharField(max_length=60, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    candidate = models.ForeignKey(
        Candidate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_deliveries",
    )
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "ats", "body_sha256"], name="inbound_unique_body"
            ),
            models.UniqueConstraint(
                fields=["organization", "ats", "event_id"],
                condition=~Q(event_id=""),
                name="inbound_unique_event_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ats} {self.action} · {self.received_at:%Y-%m-%d %H:%M}"


class LinkKind(models.TextChoices):
    WEBSITE = "website", "Website"
    SOCIAL = "social", "Social media (network Renown does not read)"


class CandidateLink(TimeStampedModel):
    """An address the candidate gave that is not an account Renown reads: kept, never fetched."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    url = models.CharField(max_length=500)
    label = models.CharField(max_length=50, blank=True, help_text="The ATS's type, e.g. personal.")
    source = models.CharField(max_length=50, blank=True, help_text="Where it came from.")

    class Meta:
        ordering = ["candidate", "kind", "url"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "url"], name="candidatelink_unique_url"),
            models.CheckConstraint(
                condition=Q(kind__in=LinkKind.values), name="candidatelink_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.url
