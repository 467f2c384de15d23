"""The audit trail and the bias audits: for HR admins and auditors."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from hiring import services
from hiring.admin.base import AUDITOR_ROLES, HiringScopedAdmin
from hiring.fairness import live_bias_audit
from hiring.models import (
    BiasAudit,
)
from hiring.permissions import has_role
from renown.access import signed_in_user
from renown.admin import OVERSIGHT_ROLES, OrganizationScopedAdmin
from renown.exceptions import ApplicationError
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
    """Recorded bias audits: the figures stay as recorded; only publishing can change,
    and, before publication, the auditor's exclusions (``exclusions_view``).

    HR admins and auditors: the report is an audit's work product, published from here.
    Only auditors see its raw figures; others see its tables with categories under 5
    people read "fewer than 5" (``live_bias_audit.shown_count``).
    """

    view_roles = OVERSIGHT_ROLES

    list_display = ["job_title", "audited_on", "auditor", "auditor_independent", "published"]
    list_filter = ["published", "auditor_independent"]
    list_select_related = ["organization", "job"]
    readonly_fields = [
        "organization", "job", "job_title", "audited_on", "auditor", "auditor_independent",
        "data_source", "distributed_on", "rules", "exclusions_shown", "figures", "report",
        "recorded_by", "recorded_at",
    ]  # fmt: skip

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        auditor = isinstance(obj, BiasAudit) and has_role(
            user=request.user, organization=obj.organization, roles=AUDITOR_ROLES
        )
        shown = [f for f in self.readonly_fields if auditor or f != "report"]
        return (*shown[:8], "published", *shown[8:])

    @admin.display(description="Excluded from the impact ratios (6 RCNY 5-301(d))")
    def exclusions_shown(self, obj: BiasAudit) -> SafeString:
        link = format_html(
            '<a href="{}">Exclusions (auditors)</a>',
            reverse("admin:renown_hiring_biasaudit_exclusions", args=[obj.pk]),
        )
        if not obj.exclusions:
            return format_html("None. {}", link)
        return format_html(
            "<ul>{}</ul>{}",
            format_html_join(
                "",
                "<li>{} — {} (by {}, {})</li>",
                (
                    (e["category"], e["reason"], e.get("by", "—"), e.get("at", "—"))
                    for e in obj.exclusions
                ),
            ),
            link,
        )

    @admin.display(description="Figures")
    def figures(self, obj: BiasAudit) -> SafeString:
        # Counts only: small categories masked here; auditors also see the raw report.
        audit = live_bias_audit.recorded_audit(obj)
        if audit is None:
            return format_html("{}", "The job is gone: see the recorded report.")
        return render_to_string(
            "admin/renown_hiring/biasaudit/_tables.html",
            {
                "tables": live_bias_audit.display_tables(
                    audit, audit.result, include_restricted=False
                )
            },
        )

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # recorded from the job's bias audit page, with its figures

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.exclusions_view)
        view.model_admin = self  # type: ignore[attr-defined]  # as the admin's own views carry
        return [
            path("<path:object_id>/exclusions/", view, name="renown_hiring_biasaudit_exclusions"),
            *super().get_urls(),
        ]

    def exclusions_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The independent auditor excludes a category under 2 % from the impact ratios,
        with a written justification, or withdraws an exclusion, until the audit is
        published (``hiring.services.audits``). Auditors only: it shows every count."""
        row = self.get_object(request, object_id)
        if row is None or not self.has_view_permission(request, row):
            raise Http404("No such bias audit.")
        if not has_role(user=request.user, organization=row.organization, roles=AUDITOR_ROLES):
            raise PermissionDenied("Only the organisation's auditors exclude categories.")
        error = ""
        if request.method == "POST":
            user = signed_in_user(request)
            category = request.POST.get("category", "")
            try:
                if request.POST.get("do") == "include":
                    services.bias_audit_exclusion_withdraw(audit=row, actor=user, category=category)
                    done = f"{category} is back in the impact ratios."
                else:
                    services.bias_audit_exclude(
                        audit=row,
                        actor=user,
                        category=category,
                        justification=request.POST.get("justification", ""),
                    )
                    done = (
                        f"{category} is excluded from the impact ratios; its count and rate stay."
                    )
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(request, done)
                return HttpResponseRedirect(request.path)
        audit = live_bias_audit.recorded_audit(row)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Exclusions: {row}",
            "row": row,
            "error": error,
            "tables": live_bias_audit.display_tables(audit, audit.result, include_restricted=True)
            if audit is not None
            else [],
            "posted": request.POST if request.method == "POST" else {},
        }
        return TemplateResponse(
            request,
            "admin/renown_hiring/biasaudit/exclusions.html",
            context,
            status=400 if error else 200,
        )
