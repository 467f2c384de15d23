"""The review records: decisions, adverse actions, disputes and notices (read-only)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from hiring.admin.base import RecordAdmin
from hiring.models import (
    AdverseAction,
    AdverseActionNotice,
    Decision,
    Dispute,
)


@admin.register(Decision)
class DecisionAdmin(RecordAdmin):
    organization_path = "job__organization"
    list_display = [
        "candidate",
        "job",
        "kind",
        "reviewer_label",
        "decided_at",
        "machine_suggestion",
        "follows_machine",
        "review_seconds",
    ]
    list_filter = ["kind", "outside_renown", "machine_suggestion", "follows_machine"]
    list_select_related = ["candidate", "job"]
    search_fields = ["candidate__name", "job__title", "reviewer_label", "reason"]
    readonly_fields = [
        "screening",
        "candidate",
        "job",
        "kind",
        "reason",
        "reviewer_label",
        "decided_at",
        "review_started_at",
        "review_seconds",
        "machine_outcome",
        "machine_suggestion",
        "follows_machine",
        "outside_renown",
        "attestation",
        "screening_snapshot",
    ]
    exclude = ["reviewer"]


class AdverseActionNoticeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AdverseActionNotice
    extra = 0
    fields = readonly_fields = (
        "kind",
        "sent_at",
        "sent_by_label",
        "recipient",
        "subject",
        "content_sha256",
    )
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(AdverseAction)
class AdverseActionAdmin(RecordAdmin):
    organization_path = "job__organization"
    list_display = [
        "candidate",
        "job",
        "status",
        "pre_adverse_sent_at",
        "waiting_until",
        "final_sent_at",
    ]
    list_filter = ["status"]
    list_select_related = ["candidate", "job"]
    search_fields = ["candidate__name", "job__title"]
    readonly_fields = [
        "decision",
        "candidate",
        "job",
        "status",
        "waiting_business_days",
        "pre_adverse_sent_at",
        "waiting_until",
        "final_sent_at",
        "withdrawn_at",
        "report",
    ]
    inlines = [AdverseActionNoticeInline]


@admin.register(Dispute)
class DisputeAdmin(RecordAdmin):
    organization_path = "adverse_action__job__organization"
    list_display = ["adverse_action", "status", "opened_at", "due_at", "resolution", "resolved_at"]
    list_filter = ["status", "resolution"]
    list_select_related = ["adverse_action__candidate", "adverse_action__job"]
    readonly_fields = [
        "adverse_action",
        "statement",
        "opened_at",
        "due_at",
        "opened_by_label",
        "refresh_cycle",
        "reinvestigated_at",
        "rescreen",
        "status",
        "resolution",
        "resolution_note",
        "resolved_at",
        "resolved_by_label",
    ]


@admin.register(AdverseActionNotice)
class AdverseActionNoticeAdmin(RecordAdmin):
    organization_path = "adverse_action__job__organization"
    list_display = ["adverse_action", "kind", "sent_at", "recipient"]
    list_filter = ["kind"]
    list_select_related = ["adverse_action__candidate", "adverse_action__job"]
    readonly_fields = [
        "adverse_action",
        "dispute",
        "kind",
        "recipient",
        "subject",
        "body_text",
        "body_html",
        "sent_at",
        "sent_by_label",
        "content_sha256",
    ]
