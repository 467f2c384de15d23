"""Explicit serializers for webhook subscriptions and their deliveries."""

from __future__ import annotations

from rest_framework import serializers

from renown.api.serializers import ApiModelSerializer
from renown.json_types import JSONMapping
from renown.models import EventType, SignatureScheme, WebhookDelivery, WebhookSubscription


class SubscriptionSerializer(ApiModelSerializer[WebhookSubscription]):
    """A subscription as read: never its secret."""

    id = serializers.IntegerField(read_only=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))
    integration = serializers.SerializerMethodField()

    class Meta:
        model = WebhookSubscription
        fields = [
            "id", "name", "url", "events", "active", "integration", "signature_scheme",
            "consecutive_failures", "failing_since", "disabled_at", "disabled_reason",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_integration(self, obj: WebhookSubscription) -> str | None:
        return obj.api_token.name if obj.api_token_id is not None and obj.api_token else None


class SubscriptionCreatedSerializer(SubscriptionSerializer):
    """The answer to a creation or a rotation: the one time the secret is shown."""

    secret = serializers.CharField(
        read_only=True,
        help_text="Signing secret (whsec_...) for the subscription's signature_scheme; "
        "shown this once.",
    )

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class SubscriptionWriteSerializer(serializers.Serializer[None]):
    name = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), min_length=1, max_length=10
    )
    active = serializers.BooleanField(required=False)


# The schemes a subscription may be switched to: new ones only, never back to the legacy one.
SWITCH_TARGETS = [(SignatureScheme.STANDARD.value, SignatureScheme.STANDARD.label)]


class SchemeSwitchSerializer(serializers.Serializer[None]):
    signature_scheme = serializers.ChoiceField(
        choices=SWITCH_TARGETS,
        help_text="The scheme to sign with from now on: only 'standard' (Standard Webhooks).",
    )


class DeliverySerializer(ApiModelSerializer[WebhookDelivery]):
    id = serializers.IntegerField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "event_id", "event_type", "status", "attempts", "response_status",
            "last_error", "duration_ms", "created_at", "last_attempt_at", "next_attempt_at",
            "delivered_at", "manual_redeliveries",
        ]  # fmt: skip
        read_only_fields = fields


class AtsDeliveryResultSerializer(serializers.Serializer[JSONMapping]):
    """What an ATS delivery did (documentation of the 200 answer)."""

    status = serializers.ChoiceField(choices=["ok", "processed", "duplicate", "ignored"])
    action = serializers.CharField()
    reason = serializers.CharField(required=False)
    candidate = serializers.UUIDField(required=False)
    created = serializers.BooleanField(required=False)
    jobs = serializers.ListField(child=serializers.CharField(), required=False)
    accounts = serializers.ListField(child=serializers.DictField(), required=False)
    links = serializers.ListField(child=serializers.CharField(), required=False)
    rejected = serializers.ListField(child=serializers.DictField(), required=False)
    fetched = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="What was read from the ATS's API because the delivery lacked it.",
    )
