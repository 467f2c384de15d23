"""Jobs: the job admin with its rules inline and its bias audit page."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from hiring import selectors, services
from hiring.admin.base import AUDITOR_ROLES, HiringScopedAdmin
from hiring.admin.forms import BiasAuditForm, JobForm
from hiring.fairness import live_bias_audit
from hiring.fairness.preview import (
    rule_preview,
    rules_with_draft,
)
from hiring.fairness.warning import warning_display
from hiring.models import (
    BiasAudit,
    Job,
    RuleStatus,
    Screening,
    ScreeningRule,
)
from hiring.permissions import has_role
from hiring.services.jobs import AWAITS_ACKNOWLEDGEMENT, JOB_FIELDS
from renown.access import signed_in_user
from renown.admin import CHANGE_ROLES


class ScreeningRuleInline(admin.TabularInline):  # type: ignore[type-arg]
    """The job's rule versions that are live or waiting; each is changed on its own page."""

    model = ScreeningRule
    extra = 0
    fields = readonly_fields = ("__str__", "group", "aggregation", "action", "status", "version")
    show_change_link = True
    verbose_name_plural = "Rules (live and drafts; change them on their own pages)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScreeningRule]:
        return super().get_queryset(request).filter(status__in=[RuleStatus.LIVE, RuleStatus.DRAFT])

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(HiringScopedAdmin):
    form = JobForm
    list_display = [
        "title",
        "organization",
        "external_id",
        "influence_relevance",
        "created_at",
    ]
    list_filter = ["influence_relevance", ("organization", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organization"]
    search_fields = ["title", "external_id"]
    inlines = [ScreeningRuleInline]
    readonly_fields = ["rule_set", "outcome_counts", "fairness_links"]

    @admin.display(description="Live rule set")
    def rule_set(self, obj: Job) -> SafeString:
        if obj._state.adding:
            return format_html("{}", "—")
        groups: dict[str, list[str]] = {}
        for rule in selectors.rule_list_active(job=obj):
            name = (
                f"{rule.group.get_combinator_display()}: {rule.group.name or 'group'}"
                if rule.group is not None
                else "On its own"
            )
            line = f"{rule} ({rule.get_action_display().lower()})"
            if rule.acknowledgement_pending:
                line += f" — {AWAITS_ACKNOWLEDGEMENT}"
            groups.setdefault(name, []).append(line)
        if not groups:
            return format_html("{}", "No live rule: nobody is screened.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>{} — {}</li>", ((g, "; ".join(rules)) for g, rules in groups.items())
            ),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Job | None = None) -> list[str]:
        # A job does not move between organisations (its candidates and rules stay).
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "organization"] if obj is not None else fields

    def save_model(
        self, request: HttpRequest, obj: Job, form: forms.ModelForm[Job], change: bool
    ) -> None:
        """Through ``hiring.services.job_create`` / ``job_update`` (validated, audited)."""
        data = form.cleaned_data
        user = signed_in_user(request)
        if change:
            changes = {f: data[f] for f in form.changed_data if f in JOB_FIELDS}
            saved = services.job_update(job=obj, actor=user, changes=changes)
        else:
            fields = {f: data[f] for f in JOB_FIELDS if f in data}
            saved = services.job_create(organization=data["organization"], actor=user, **fields)
        obj.pk = saved.pk
        obj.refresh_from_db()

    @admin.display(description="Current outcomes")
    def outcome_counts(self, obj: Job) -> SafeString:
        if obj._state.adding:
            return format_html("{}", "—")
        counts = dict(
            Screening.objects.filter(job=obj)
            .values_list("outcome")
            .annotate(n=Count("id"))
            .values_list("outcome", "n")
        )
        if not counts:
            return format_html("{}", "Not screened yet.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}: {}</li>",
                ((label, counts.get(code, 0)) for code, label in live_bias_audit.OUTCOME_CLASSES),
            ),
        )

    @admin.display(description="Fairness")
    def fairness_links(self, obj: Job) -> SafeString:
        if obj._state.adding:
            return format_html("{}", "—")
        return format_html(
            '<a href="{}">Bias audit of the current screenings</a> (HTML, CSV; record and '
            "publish it)",
            reverse("admin:renown_hiring_job_bias_audit", args=[obj.pk]),
        )

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.bias_audit_view)
        view.model_admin = self  # type: ignore[attr-defined]  # as the admin's own views carry
        return [
            path("<path:object_id>/bias-audit/", view, name="renown_hiring_job_bias_audit"),
            *super().get_urls(),
        ]

    def bias_audit_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The live bias audit of the job (or one rule), as HTML or CSV; record it."""
        job = self.get_object(request, object_id)
        if job is None or not self.has_view_permission(request, job):
            raise Http404("No such job.")
        auditor = has_role(user=request.user, organization=job.organization, roles=AUDITOR_ROLES)
        may_record = auditor or has_role(
            user=request.user, organization=job.organization, roles=CHANGE_ROLES
        )
        rule = None
        if rule_id := request.GET.get("rule"):
            rule = ScreeningRule.objects.filter(job=job, pk=rule_id).first()
            if rule is None:
                raise Http404("No such rule on this job.")
        form = BiasAuditForm(request.POST or None)
        if request.method == "POST" and not may_record:
            raise PermissionDenied("Only HR admins and auditors record bias audits.")
        # Recorded as it is: an exclusion (6 RCNY 5-301(d)) is the auditor's own later
        # step on the recorded audit (hiring.services.audits), never part of recording.
        audit = live_bias_audit.job_audit(job, rule=rule)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            live_bias_audit.bias_audit_record(
                audit,
                actor=signed_in_user(request),
                audited_on=data["audited_on"],
                auditor=data["auditor"],
                auditor_independent=data["auditor_independent"],
                data_source=data["data_source"],
                distributed_on=data["distributed_on"],
                published=data["published"],
            )
            messages.success(request, f"Bias audit of {audit.subject} recorded.")
            return HttpResponseRedirect(request.get_full_path())
        if request.GET.get("format") == "csv":
            response = HttpResponse(
                live_bias_audit.audit_csv(audit, include_restricted=auditor),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="bias-audit-job-{job.pk}.csv"'
            return response
        tables = live_bias_audit.display_tables(audit, audit.result, include_restricted=auditor)
        # The same warnings the rule form and the API show, for the rules live now.
        live = rules_with_draft(job, None)
        warnings = rule_preview(job, live, include_restricted=auditor).warnings if live else []
        small = [
            row["category"] for table in tables for row in table["rows"] if row["under_two_percent"]
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Bias audit: {audit.subject}",
            "job": job,
            "rule": rule,
            "rules": ScreeningRule.objects.filter(job=job, active=True),
            "audit": audit,
            "tables": tables,
            "warnings": [warning_display(w) for w in warnings],
            "classes": [label for _, label in live_bias_audit.OUTCOME_CLASSES],
            "auditor": auditor,
            "may_record": may_record,
            "form": form,
            "under_two_percent": sorted(set(small)),
            "recorded": BiasAudit.objects.filter(job=job)[:10],
            "public_url": reverse("renown:audit-summary", args=[job.organization.slug]),
        }
        return TemplateResponse(request, "admin/renown_hiring/job/bias_audit.html", context)
