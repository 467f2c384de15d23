"""Webhooks out: subscriptions and their delivery log (ATS webhooks in: ``hiring.ats``).

Signing secrets are encrypted at rest (``renown.crypto``), not hashed: a webhook secret
is a shared HMAC key, and Renown needs the key itself to sign every delivery (as it
needs each ATS's secret to check every inbound signature). A hash would make both
impossible. The secret is shown once, when it is created; the admin and the API never
display it again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from renown.crypto import EncryptedTextField
from renown.models.tenancy import Organization, TimeStampedModel


class EventType(models.TextChoices):
    SCREENING_COMPLETED = "screening.completed", "Screening completed"
    SCORE_UPDATED = "score.updated", "Score updated"
    DECISION_RECORDED = "decision.recorded", "Decision recorded"
    CANDIDATE_ERASED = "candidate.erased", "Candidate erased"
    CANDIDATE_PORTAL_ACTION = "candidate.portal_action", "Candidate acted through their portal"


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


class SignatureScheme(models.TextChoices):
    """How a subscription's deliveries are signed (``renown.webhooks.signing``)."""

    STANDARD = "standard", "Standard Webhooks (webhook-signature)"
    LEGACY = "renown-v1", "Renown-Signature (legacy)"


class WebhookSubscription(TimeStampedModel):
    """Where one integration of an organisation wants to hear about which events.

    ``secret`` signs every delivery, the way ``signature_scheme`` says; see the module
    docstring for why it is stored as it is. ``failing_since`` is the first failed attempt
    since the last success (None while deliveries succeed): a subscription failing
    continuously for RENOWN_WEBHOOK_DISABLE_AFTER_DAYS is switched off.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    name = models.CharField(max_length=100, help_text="The integration, e.g. 'Greenhouse sync'.")
    api_token = models.ForeignKey(
        "renown.ApiToken",
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
    secret = EncryptedTextField(editable=False)
    # New subscriptions sign the Standard Webhooks way; those made before it existed were
    # given the legacy scheme by the migration and keep it until switched (one API call).
    signature_scheme = models.CharField(
        max_length=20,
        choices=SignatureScheme.choices,
        default=SignatureScheme.STANDARD,
        editable=False,
    )
    active = models.BooleanField(default=True)
    # Failed attempts since the last success (shown; disabling goes by failing_since).
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
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
        constraints = [
            models.CheckConstraint(
                condition=Q(signature_scheme__in=SignatureScheme.values),
                name="webhooksub_scheme_valid",
            ),
        ]

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

    The retry schedule lives here, not in the queue: a failed attempt sets ``retrying``
    and ``next_attempt_at``, and the sweep (celery beat) queues the rows that are due.
    ``round_attempts`` counts the attempts since the delivery was queued or redelivered
    (the schedule's position; ``attempts`` counts them all). ``queued_at`` is when its due
    attempt was handed to the queue, so the sweep does not queue it again every run.
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
    # Which candidate the event is about (their public id), so that an erasure can remove
    # what is queued. Not a foreign key: the plugin's base sits below the candidates app.
    candidate_public_id = models.UUIDField(null=True, blank=True, db_index=True)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    round_attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
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
