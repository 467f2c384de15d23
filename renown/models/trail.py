"""The append-only, hash-chained audit trail: one chain per organisation, one deployment-wide."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.base import ModelBase

from renown.json_types import JSONObject, JSONValue
from renown.models.tenancy import Organization

# --- Audit trail -------------------------------------------------------------------

# prev_hash of the first event of every chain.
AUDIT_GENESIS_HASH = "0" * 64
# The hash payload format new events are written in (AuditEvent.hash_payload).
AUDIT_FORMAT_VERSION = 2


class AuditEventType(models.TextChoices):
    """What happened. Extend freely (a migration follows, as for any choices)."""

    RULE_CREATED = "rule.created", "Rule created"
    RULE_CHANGED = "rule.changed", "Rule changed"
    RULE_APPROVED = "rule.approved", "Rule approved"
    RULE_DEACTIVATED = "rule.deactivated", "Rule deactivated"
    RULE_ROLLED_BACK = "rule.rolled_back", "Rule rolled back"
    WARNING_ACKNOWLEDGED = "warning.acknowledged", "Fairness warning acknowledged"
    SCREENING_RUN = "screening.run", "Screening run"
    DECISION_RECORDED = "decision.recorded", "Decision recorded"
    REVIEW_ASSIGNED = "review.assigned", "Review assigned (or released)"
    NOTICE_SENT = "notice.sent", "Notice sent"
    DISPUTE_OPENED = "dispute.opened", "Dispute opened"
    CANDIDATE_ERASED = "candidate.erased", "Candidate erased"
    RULE_ACTIVATED = "rule.activated", "Rule made live"
    RULE_GROUP_CHANGED = "rule_group.changed", "Rule group created or changed"
    DISPUTE_REINVESTIGATED = (
        "dispute.reinvestigated",
        "Dispute reinvestigated (re-fetched, re-scored)",
    )
    DISPUTE_RESOLVED = "dispute.resolved", "Dispute resolved"
    ADVERSE_ACTION_WITHDRAWN = "adverse_action.withdrawn", "Adverse action withdrawn"
    EVIDENCE_ADDED = "evidence.added", "Offline evidence added"
    EVIDENCE_VERIFIED = "evidence.verified", "Offline evidence verified"
    EVIDENCE_REJECTED = "evidence.rejected", "Offline evidence rejected"
    ACCOUNT_ADDED = "account.added", "Social account added"
    ACCOUNT_VERIFIED = "account.verified", "Social account verified"
    ACCOUNT_REJECTED = "account.rejected", "Social account rejected"
    REFRESH_STARTED = "refresh.started", "Score refresh started"
    BIAS_AUDIT_RECORDED = "bias_audit.recorded", "Bias audit recorded"
    BIAS_AUDIT_CATEGORY_EXCLUDED = (
        "bias_audit.category_excluded",
        "Bias audit: a category excluded from the impact ratios",
    )
    BIAS_AUDIT_CATEGORY_INCLUDED = (
        "bias_audit.category_included",
        "Bias audit: an exclusion withdrawn",
    )
    DEMO_REBUILT = "demo.rebuilt", "Demo organisation rebuilt (its data deleted)"
    MEMBERSHIP_GRANTED = "membership.granted", "Role granted (or changed)"
    MEMBERSHIP_REVOKED = "membership.revoked", "Role revoked"
    ORGANIZATION_CREATED = "organization.created", "Organisation created"
    ATS_SECRET_SET = "ats_secret.set", "ATS webhook secret set (or replaced)"
    ATS_CONNECTED = "ats.connected", "ATS API credentials stored (or replaced)"
    ACCOUNT_DISOWNED = "account.disowned", "Social account disowned by the candidate"
    PORTAL_DISPUTE_OPENED = "portal_dispute.opened", "Candidate asked for a review (portal)"
    PORTAL_DISPUTE_ANSWERED = "portal_dispute.answered", "Candidate's review request answered"
    PORTAL_LINK_CREATED = "portal.link_created", "Candidate portal link created"
    PORTAL_LINKS_REVOKED = "portal.links_revoked", "Candidate portal links revoked"
    # What a candidate did through their link that no other service records: a download
    # of their data, a request that waits for their e-mail's confirmation.
    PORTAL_REQUEST = "portal.request", "Candidate asked through their portal"
    JOB_CREATED = "job.created", "Job created"
    JOB_CHANGED = "job.changed", "Job changed"
    # A save or delete in the Django admin that no domain service recorded itself.
    ADMIN_CREATED = "admin.created", "Created in the admin"
    ADMIN_CHANGED = "admin.changed", "Changed in the admin"
    ADMIN_DELETED = "admin.deleted", "Deleted in the admin"
    CANDIDATE_CREATED = "candidate.created", "Candidate created"
    CANDIDATE_CHANGED = "candidate.changed", "Candidate changed"
    CANDIDATES_BULK_UPSERTED = "candidates.bulk_upserted", "Candidates upserted in bulk"
    ACCOUNT_CHANGED = "account.changed", "Social account changed"
    ACCOUNT_REMOVED = "account.removed", "Social account removed"
    EVIDENCE_CHANGED = "evidence.changed", "Offline evidence changed"
    EVIDENCE_REMOVED = "evidence.removed", "Offline evidence removed"
    NOTICE_RECORDED = "notice.recorded", "Notice or authorisation recorded"
    NOTICE_WITHDRAWN = "notice.withdrawn", "Notice or authorisation withdrawn"
    VENDOR_SCORE_RECORDED = "vendor_score.recorded", "Vendor score recorded"
    VENDOR_SCORES_IMPORTED = "vendor_scores.imported", "Vendor scores imported"
    TOKEN_CREATED = "token.created", "API token created"
    TOKEN_ROTATED = "token.rotated", "API token rotated"
    TOKEN_REVOKED = "token.revoked", "API token revoked"
    WEBHOOK_SUBSCRIPTION_CREATED = "webhook_subscription.created", "Webhook subscription created"
    WEBHOOK_SUBSCRIPTION_CHANGED = "webhook_subscription.changed", "Webhook subscription changed"
    WEBHOOK_SUBSCRIPTION_SECRET_ROTATED = (
        "webhook_subscription.secret_rotated",
        "Webhook subscription secret rotated",
    )
    WEBHOOK_SUBSCRIPTION_DELETED = "webhook_subscription.deleted", "Webhook subscription deleted"
    WEBHOOK_DELIVERY_REDELIVERED = "webhook_delivery.redelivered", "Webhook delivery sent again"
    APPLICATION_ADDED = "application.added", "Candidate added to a job"
    ATS_DELIVERY_APPLIED = "ats.delivery_applied", "ATS webhook delivery applied"
    HOST_LINK_RECONCILED = "host_link.reconciled", "Host records reconciled (a batch)"


class AuditEventImmutable(Exception):
    """Raised on any attempt to change or remove an audit event through Django."""


def audit_jsonable(value: object) -> JSONValue:
    """``value`` as plain JSON data, the one form that is stored and hashed.

    Decimals and floats become strings (JSON numbers do not survive every
    database's JSON type digit for digit: PostgreSQL's jsonb reads 1e16 back as
    an integer), datetimes ISO 8601 in UTC with microseconds and a ``Z``, dates
    ISO 8601, UUIDs strings. Naive datetimes and unknown types raise.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return str.__str__(value)  # an enum member (TextChoices, StrEnum) as its plain value
    if isinstance(value, Decimal | float):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime in an audit event: {value!r}")
        return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {
            str.__str__(key) if isinstance(key, str) else str(key): audit_jsonable(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [audit_jsonable(item) for item in value]
    raise TypeError(f"cannot record {type(value).__name__} in an audit event")


def audit_canonical_json(value: object) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 text, no NaN."""
    return json.dumps(
        audit_jsonable(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Append-only: rows are added by ``renown.trail.audit_record`` and never changed."""

    def update(self, **kwargs: object) -> NoReturn:
        raise AuditEventImmutable("audit events are append-only: no update")

    def delete(self) -> NoReturn:
        raise AuditEventImmutable("audit events are append-only: no delete")

    def bulk_create(
        self,
        objs: Iterable[AuditEvent],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> NoReturn:
        raise AuditEventImmutable("append audit events one by one through audit_record")


class AuditEvent(models.Model):
    """One link of a tamper-evident, append-only audit chain.

    There is one chain per organisation and one deployment-wide chain
    (``organization`` NULL). ``sequence`` counts 1, 2, 3... without gaps within
    a chain; ``hash`` is the SHA-256 of the canonical JSON of ``hash_payload()``,
    which includes ``prev_hash``, the previous event's hash. Editing, removing or
    inserting a row breaks the chain; ``manage.py verify_audit_trail`` finds where.
    Write only through ``renown.trail.audit_record``.
    """

    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        # The trail outlives what it describes: an organisation with an audit
        # trail cannot be deleted by accident (export it first, see the README).
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    sequence = models.PositiveBigIntegerField()
    occurred_at = models.DateTimeField(db_index=True)
    # Not hashed: deleting the user sets it NULL, which must not break the chain;
    # ``actor_ref`` is the hashed, immutable record of who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(
        max_length=200, help_text="Who acted, kept (and hashed) when the user is deleted."
    )
    actor_ref = models.CharField(
        max_length=100,
        blank=True,
        help_text=(
            "Who acted as an immutable id at write time: user:<id>, token:<id>, or empty for "
            "a labelled non-user actor or the system. Hashed from format 2 on."
        ),
    )
    format_version = models.PositiveSmallIntegerField(
        default=1,
        help_text="The hash payload's format: 1 (before actor_ref), 2 (actor_ref hashed).",
    )
    event_type = models.CharField(max_length=40, choices=AuditEventType.choices)
    subject_type = models.CharField(max_length=100, blank=True, help_text="app_label.model")
    subject_id = models.CharField(max_length=100, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="E.g. the text of an acknowledgement.")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sequence"], name="auditevent_unique_org_sequence"
            ),
            # NULLs are distinct in a unique constraint: the deployment-wide chain
            # needs its own.
            models.UniqueConstraint(
                fields=["sequence"],
                condition=Q(organization__isnull=True),
                name="auditevent_unique_deployment_sequence",
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="auditevent_sequence_gte_1"),
            models.CheckConstraint(
                condition=(Q(sequence=1) & Q(prev_hash=AUDIT_GENESIS_HASH))
                | (Q(sequence__gt=1) & ~Q(prev_hash=AUDIT_GENESIS_HASH)),
                name="auditevent_genesis_starts_chain",
            ),
            models.CheckConstraint(
                condition=Q(event_type__in=AuditEventType.values),
                name="auditevent_event_type_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="auditevent_subject"),
            models.Index(fields=["organization", "event_type"], name="auditevent_org_type"),
        ]

    def __str__(self) -> str:
        chain = self.organization_id if self.organization_id is not None else "deployment"
        return f"#{self.sequence} ({chain}) {self.event_type}"

    # The one place where logic in save()/delete() is justified: append-only is an
    # invariant of the row itself, and every path that changes a row in Django
    # (a form, the admin, a stray ``event.note = ...; event.save()``) passes here.
    # The hash chain detects what bypasses Django (raw SQL); this stops accidents.
    def save(
        self,
        *,
        force_insert: bool | tuple[ModelBase, ...] = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None:
        if not self._state.adding or force_update or update_fields is not None:
            raise AuditEventImmutable("audit events are append-only: no update")
        super().save(force_insert=True, using=using)

    def delete(self, using: str | None = None, keep_parents: bool = False) -> NoReturn:
        raise AuditEventImmutable("audit events are append-only: no delete")

    def hash_payload(self) -> JSONObject:
        """Exactly what ``hash`` covers: the event's own fields and ``prev_hash``.

        ``actor`` (the user foreign key) is left out on purpose: deleting the user nulls
        it. Format 1 hashes ``actor_label``; format 2 also hashes ``actor_ref`` (the
        user's or token's id as recorded at write time) and the format number, so an
        event written under format 1 still verifies as it was written.
        """
        payload: JSONObject = {
            "organization": self.organization_id,
            "sequence": self.sequence,
            "occurred_at": audit_jsonable(self.occurred_at),
            "actor": self.actor_label,
            "event_type": str(self.event_type),
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "before": audit_jsonable(self.before),
            "after": audit_jsonable(self.after),
            "note": self.note,
            "prev_hash": self.prev_hash,
        }
        if self.format_version >= 2:
            payload["format"] = self.format_version
            payload["actor_ref"] = self.actor_ref
        return payload

    def compute_hash(self) -> str:
        """Hex SHA-256 of the canonical JSON of ``hash_payload()``."""
        return hashlib.sha256(audit_canonical_json(self.hash_payload()).encode()).hexdigest()
