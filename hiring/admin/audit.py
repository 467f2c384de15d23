"""The audit trail and the bias audits: for HR admins and auditors."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from hiring.admin.base import HiringScopedAdmin
from hiring.models import (
    BiasAudit,
)
from renown.admin import OVERSIGHT_ROLES, OrganizationScopedAdmin
from renown.models import AuditEvent

AUDIT_FIELDS = [
    "organization",
    "sequence",
    "occurred_at",
    "actor_label",
    "event_type",
    "subject_type",
    "subject_id",
    "before",
    "after",
    "note",
    "prev_hash",
    "hash",
]


@admin.register(AuditEvent)
class AuditEventAdmin(OrganizationScopedAdmin):
    """The audit trail, read-only: auditors and HR admins read it, nobody changes it.

    Deployment-wide events (no organisation) are for superusers only.
    """

    view_roles = OVERSIGHT_ROLES
    organization_path = "organization"
    list_display = [
        "occurred_at",
        "organization",
        "sequence",
        "event_type",
        "actor_label",
        "subject_type",
        "subject_id",
        "short_hash",
    ]
    list_filter = ["event_type", ("organization", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organization"]
    search_fields = ["subject_id", "actor_label", "note"]
    ordering = ["-occurred_at", "-id"]
    fields = tuple(AUDIT_FIELDS)
    readonly_fields = AUDIT_FIELDS
    show_full_result_count = False

    @admin.display(description="hash")
    def short_hash(self, obj: AuditEvent) -> str:
        return obj.hash[:12]

    # Append-only: events are written by renown.trail.audit_record, never here.
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(BiasAudit)
class BiasAuditAdmin(HiringScopedAdmin):
    """Recorded bias audits: the figures stay as recorded; only publishing can change.

    HR admins and auditors: the report is an audit's work product, published from here.
    """

    view_roles = OVERSIGHT_ROLES

    list_display = ["job_title", "audited_on", "auditor", "auditor_independent", "published"]
    list_filter = ["published", "auditor_independent"]
    list_select_related = ["organization"]
    readonly_fields = [
        "organization", "job", "job_title", "audited_on", "auditor", "auditor_independent",
        "data_source", "distributed_on", "rules", "exclusions", "report", "recorded_by",
        "recorded_at",
    ]  # fmt: skip
    fields = [*readonly_fields[:8], "published", *readonly_fields[8:]]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # recorded from the job's bias audit page, with its figures

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
