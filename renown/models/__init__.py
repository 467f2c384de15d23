"""The plugin base's models: tenancy, API tokens, the audit trail, webhooks out.

One module per idea; import them from here (``from renown.models import Organization``).
"""

from renown.models.tenancy import Membership, Organization, Role, TimeStampedModel
from renown.models.tokens import ApiToken, IdempotencyKey, IdempotencyState, TokenScope
from renown.models.trail import (
    AUDIT_FORMAT_VERSION,
    AUDIT_GENESIS_HASH,
    AuditEvent,
    AuditEventImmutable,
    AuditEventQuerySet,
    AuditEventType,
    audit_canonical_json,
    audit_jsonable,
)
from renown.models.webhooks import (
    DeliveryStatus,
    EventType,
    SignatureScheme,
    WebhookDelivery,
    WebhookSubscription,
    validate_event_list,
)

__all__ = [
    "AUDIT_FORMAT_VERSION",
    "AUDIT_GENESIS_HASH",
    "ApiToken",
    "AuditEvent",
    "AuditEventImmutable",
    "AuditEventQuerySet",
    "AuditEventType",
    "DeliveryStatus",
    "EventType",
    "IdempotencyKey",
    "IdempotencyState",
    "Membership",
    "Organization",
    "Role",
    "SignatureScheme",
    "TimeStampedModel",
    "TokenScope",
    "WebhookDelivery",
    "WebhookSubscription",
    "audit_canonical_json",
    "audit_jsonable",
    "validate_event_list",
]
