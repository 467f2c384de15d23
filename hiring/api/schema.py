"""The API's OpenAPI document: Renown's schema settings, and names for its enums."""

from __future__ import annotations

from renown.api.docs import SCHEMA_SETTINGS, ApiSchemaView
from renown.json_types import JSONObject


class SchemaView(ApiSchemaView):
    """``api/schema/``: one component per enum, named after its choices class."""

    custom_settings: dict[str, object] = {
        **SCHEMA_SETTINGS,
        "ENUM_NAME_OVERRIDES": {
            "AccountVerificationEnum": "candidates.models.AccountVerification",
            "EvidenceKindEnum": "candidates.models.EvidenceKind",
            "NoticeKindEnum": "candidates.models.NoticeKind",
            "DecisionKindEnum": "hiring.models.DecisionKind",
            "OutcomeEnum": "hiring.models.Outcome",
            "SuggestionEnum": "hiring.models.Suggestion",
            "WebhookEventTypeEnum": "renown.models.EventType",
            "WebhookDeliveryStatusEnum": "renown.models.DeliveryStatus",
            "WebhookSignatureSchemeEnum": "renown.models.SignatureScheme",
            # What a subscription may be switched to (switch-scheme): Standard Webhooks only.
            "WebhookSchemeSwitchTargetEnum": "hiring.api.webhook_serializers.SWITCH_TARGETS",
        },
    }


def openapi_schema() -> JSONObject:
    """The document ``api/schema/`` serves, as data."""
    return SchemaView.generate()
