"""Admin for jobs, rules, screenings, decisions and adverse actions, scoped to the user's
organisations.

HR admins write rules here, and every write goes through ``hiring.services``
(versions, four-eyes approval, the audit trail): saving a changed rule writes
its next version; approving, making live, deactivating and rolling back are
actions on the rule list. Screenings, decisions, notices and disputes are
records: read-only for everyone.

Who views what (``view_roles``, the role in the object's own organisation): jobs,
rules, groups, applications, screenings, runs, decisions, adverse actions, notices
and disputes are what a recruiter works with in the review pages (``ALL_ROLES``);
the audit trail and bias audits are for HR admins and auditors (``OVERSIGHT_ROLES``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from hiring import selectors, services
from hiring.fairness import live_bias_audit
from hiring.fairness.alternatives import KEEP_PASSES, Alternative, best_first, fairer_alternatives
from hiring.fairness.preview import (
    NearCandidate,
    near_threshold_candidates,
    rule_preview,
    rules_with_draft,
)
from hiring.models import (
    RULE_DEFINITION_FIELDS,
    AdverseAction,
    AdverseActionNotice,
    Application,
    BiasAudit,
    Decision,
    Dispute,
    Job,
    MissingDataPolicy,
    RuleGroup,
    RuleStatus,
    Screening,
    ScreeningRule,
    ScreeningRun,
)
from hiring.permissions import has_role
from hiring.screening import metrics
from hiring.screening.spec import rule_spec
from hiring.services.jobs import AWAITS_ACKNOWLEDGEMENT, JOB_FIELDS
from hiring.services.rules import SERIOUS_MISSING_DATA_FAIL
from renown.admin import ALL_ROLES, CHANGE_ROLES, OVERSIGHT_ROLES, OrganizationScopedAdmin
from renown.exceptions import ApplicationError, WarningNotAcknowledged
from renown.models import AuditEvent, Role
from renown.tenancy import organization_list_for_user

AUDITOR_ROLES = frozenset({Role.AUDITOR})


class HiringScopedAdmin(OrganizationScopedAdmin):
    """Also offers only the user's organisations' objects that hang off a job (rule groups)."""

    view_roles = ALL_ROLES

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        model = db_field.related_model
        if not request.user.is_superuser and isinstance(model, type) and hasattr(model, "job_id"):
            org_ids = organization_list_for_user(user=request.user, roles=self.change_roles)
            kwargs["queryset"] = model._default_manager.filter(job__organization__in=org_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RecordAdmin(HiringScopedAdmin):
    """What happened, as it happened: nobody adds, edits or deletes these rows here."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A job does not move between organisations (its candidates and rules stay).
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "organization"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Through ``hiring.services.job_create`` / ``job_update`` (validated, audited)."""
        data = form.cleaned_data
        user: Any = request.user
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
        exclusions: list[dict[str, Any]] = []
        if request.method == "POST":
            if not may_record:
                raise PermissionDenied("Only HR admins and auditors record bias audits.")
            exclusions = [
                {"category": c, "reason": request.POST.get(f"reason-{c}", "")}
                for c in request.POST.getlist("exclude")
            ]
        try:
            audit = live_bias_audit.job_audit(job, rule=rule, exclusions=exclusions)
        except live_bias_audit.ExclusionError as exc:
            form.add_error(None, str(exc))
            audit = live_bias_audit.job_audit(job, rule=rule)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            live_bias_audit.bias_audit_record(
                audit,
                actor=request.user,
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
            "warnings": [w.as_dict() for w in warnings],
            "classes": [label for _, label in live_bias_audit.OUTCOME_CLASSES],
            "auditor": auditor,
            "may_record": may_record,
            "form": form,
            "under_two_percent": sorted(set(small)),
            "recorded": BiasAudit.objects.filter(job=job)[:10],
            "public_url": reverse("renown:audit-summary", args=[job.organization.slug]),
        }
        return TemplateResponse(request, "admin/renown_hiring/job/bias_audit.html", context)


class ScreeningRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    go_live = forms.BooleanField(
        required=False,
        initial=True,
        label="Make live when saved",
        help_text="A screen-out rule is saved as a draft whatever this says: it goes live "
        "when a second HR admin approves it.",
    )
    acknowledgement = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Acknowledgement of serious warnings",
        help_text="Needed when the rule has serious fairness warnings (listed under "
        "'Fairness' below) or counts missing data as failing: say in words why it should "
        "go live anyway. It is kept in the audit trail with the warnings it answers.",
    )
    # Set on the class the admin builds for the "Preview" button: validate, never save.
    previewing = False
    # Set by clean(): the draft is unchanged and only its serious warnings are acknowledged
    # (``services.rule_acknowledge``, no new version).
    acknowledging_only = False

    class Meta:
        model = ScreeningRule
        fields = [*RULE_DEFINITION_FIELDS, "job", "change_note"]

    def draft(self) -> ScreeningRule | None:
        """The version these values describe (unsaved), or None while fields are missing."""
        cleaned = getattr(self, "cleaned_data", None) or {}
        previous = self.instance if self.instance.pk else None
        job = cleaned.get("job") or (previous.job if previous is not None else None)
        needed = [f for f in RULE_DEFINITION_FIELDS if f != "group"]
        if job is None or any(cleaned.get(f) is None for f in needed):
            return None
        try:
            metrics.metric_source(cleaned["metric"])
        except ValueError:
            return None
        rule = ScreeningRule(
            job=job,
            lineage=previous.lineage if previous is not None else uuid.uuid4(),
            version=previous.version + 1 if previous is not None else 1,
            status=RuleStatus.DRAFT,
        )
        for name in RULE_DEFINITION_FIELDS:
            setattr(rule, name, cleaned.get(name))
        return rule

    def clean(self) -> dict[str, Any]:
        cleaned = self._clean_definition()
        if self.previewing:
            # The admin re-renders the form with the preview; nothing is saved.
            raise ValidationError(
                "Preview only: nothing was saved. The fairness panel below shows what these "
                "values would do. Press Save to keep them."
            )
        draft = self.draft() if not self.errors else None
        acknowledgement = cleaned.get("acknowledgement", "").strip()
        waiting = bool(self.instance.pk and self.instance.acknowledgement_pending)
        if self.acknowledging_only and not waiting and not services.serious_warnings(self.instance):
            self.add_error(
                "acknowledgement",
                f"Nothing changed, and version {self.instance.version} has no serious warning "
                "to acknowledge: a new version would be the same as this one.",
            )
        elif draft is not None and cleaned.get("go_live") and not acknowledgement:
            serious = services.serious_warnings(draft)
            if serious:
                self.add_error(
                    "acknowledgement",
                    f"{len(serious)} serious fairness warning{'s' if len(serious) > 1 else ''} "
                    "(see 'Fairness' below) must be acknowledged in words before this rule "
                    "can go live: "
                    + " ".join(f"({i}) {w.message}" for i, w in enumerate(serious, 1)),
                )
        return cleaned

    def _clean_definition(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        job = cleaned.get("job") or (self.instance.job if self.instance.pk else None)
        group = cleaned.get("group")
        if group is not None and job is not None and group.job_id != job.pk:
            self.add_error("group", "The group belongs to another job.")
        previous = self.instance if self.instance.pk else None
        unchanged = not set(self.changed_data) & set(RULE_DEFINITION_FIELDS)
        if previous is not None and unchanged and not self.previewing:
            self._acknowledge_only(previous, cleaned)
        newly_failing = cleaned.get("missing_data_policy") == MissingDataPolicy.FAIL and (
            previous is None
            or ScreeningRule.objects.get(pk=previous.pk).missing_data_policy
            != MissingDataPolicy.FAIL
        )
        if newly_failing and not cleaned.get("acknowledgement", "").strip():
            self.add_error("acknowledgement", SERIOUS_MISSING_DATA_FAIL)
        metric = cleaned.get("metric")
        if metric:
            try:
                metrics.metric_source(metric)
            except ValueError as exc:
                self.add_error("metric", str(exc))
        return cleaned

    def _acknowledge_only(self, previous: ScreeningRule, cleaned: dict[str, Any]) -> None:
        """An unchanged draft with words in the acknowledgement: acknowledge its serious
        warnings as it stands (no new version); anything else unchanged is refused."""
        # A live version its job's change left waiting is acknowledged the same way.
        draft = previous.status == RuleStatus.DRAFT or bool(
            previous.status == RuleStatus.LIVE and previous.acknowledgement_pending
        )
        if not (draft and cleaned.get("acknowledgement", "").strip()):
            raise ValidationError(
                "Nothing changed: a new version would be the same as this one."
                + (
                    " To acknowledge this draft's serious warnings as it stands, write the "
                    "acknowledgement and save."
                    if draft
                    else ""
                )
            )
        if "change_note" in self.changed_data:
            # A note describes a version; acknowledging writes none, so it would be lost.
            self.add_error(
                "change_note",
                "The change note belongs to a new version, and acknowledging a draft as it "
                "stands writes none: this draft keeps its note. Say what you want recorded in "
                "the acknowledgement, or change the rule itself to write a new version.",
            )
        self.acknowledging_only = True


class RuleApprovalForm(forms.Form):
    """The second HR admin's approval of a draft, with their own words where needed."""

    acknowledgement = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Your acknowledgement of the serious warnings not yet acknowledged",
        help_text="Say in words why this rule should go live anyway. It is kept in the audit "
        "trail, under your name, with the warnings it answers.",
    )


class BiasAuditForm(forms.Form):
    """What LL144 asks to record about a bias audit (6 RCNY 5-301, 5-303)."""

    audited_on = forms.DateField(
        label="Date of the audit", widget=forms.DateInput(attrs={"type": "date"})
    )
    auditor = forms.CharField(max_length=200, label="Auditor (person or firm)")
    auditor_independent = forms.BooleanField(
        required=False,
        label="The auditor is independent",
        help_text="No involvement in using, developing or distributing the tool; no employment "
        "or financial interest (6 RCNY 5-300).",
    )
    data_source = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        initial="Historical data: this job's current screenings in Renown, with the candidates' "
        "voluntary self-identification.",
        label="Source of the data",
    )
    distributed_on = forms.DateField(
        required=False,
        label="The tool's distribution date",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    published = forms.BooleanField(
        required=False,
        label="Publish the summary on the organisation's public audit page",
    )


def fairness_panel(request: HttpRequest, rule: ScreeningRule, *, saved: bool) -> dict[str, Any]:
    """What the rule form shows about ``rule`` (saved, or the values being edited): the
    warnings, the what-if preview, the people at the line, the fairer alternatives.

    Names appear only in the list of people at the line, with their value; the
    demographic table is counts only, and categories under 5 people read "fewer than 5"
    unless the user is an auditor of the organisation.
    """
    job = rule.job
    auditor = has_role(user=request.user, organization=job.organization, roles=AUDITOR_ROLES)
    rules = rules_with_draft(job, rule if rule.status != RuleStatus.LIVE else None)
    if rule.status == RuleStatus.LIVE:
        rules = rules_with_draft(job, None)
        rules = [replace(r, draft=True) if r.spec == rule_spec(rule) else r for r in rules]
    approved = rule.approved_by_id is not None if rule.needs_second_approval else None
    preview = rule_preview(job, rules, four_eyes_approved=approved, include_restricted=auditor)
    # A saved draft may have its serious warnings acknowledged already: say which.
    acknowledgements: list[AuditEvent] = []
    unacknowledged: set[tuple[str, str]] | None = None
    acknowledged: set[tuple[str, str]] = set()
    if saved and not rule._state.adding and rule.status == RuleStatus.DRAFT:
        acknowledgements = list(selectors.rule_acknowledgements(rule=rule))
        unacknowledged = {(w.code, w.subject) for w in services.unacknowledged_warnings(rule)}
        own = {(w.code, w.subject) for w in services.serious_warnings(rule)}
        acknowledged = own - unacknowledged
    mine = next((r for r in rules if r.draft), None)
    near: list[NearCandidate] = []
    near_total = 0
    alternatives: list[Alternative] = []
    base = None
    if mine is not None:
        near, near_total = near_threshold_candidates(job, mine)
        base, alternatives = fairer_alternatives(job, rules)
    alternatives = best_first(alternatives)
    return {
        "rule": rule,
        "saved": saved,
        "job": job,
        "auditor": auditor,
        "preview": preview,
        "outcomes": [
            (label, preview.outcomes.get(code, 0))
            for code, label in live_bias_audit.OUTCOME_CLASSES
        ],
        "suggestions": sorted(preview.suggestions.items()),
        "acknowledgements": acknowledgements,
        "unacknowledged": None if unacknowledged is None else len(unacknowledged),
        "warning_groups": [
            (
                severity,
                label,
                [
                    {
                        **w.as_dict(),
                        "acknowledged": severity == "serious"
                        and (w.code, w.subject) in acknowledged,
                    }
                    for w in preview.warnings
                    if w.severity == severity
                ],
            )
            for severity, label in (
                ("serious", "Serious: to acknowledge before it goes live"),
                ("warning", "Warnings: risks to weigh"),
                ("info", "For information"),
            )
        ],
        "serious": len(preview.serious),
        "tables": live_bias_audit.display_tables(None, preview.audit, include_restricted=auditor),
        "near": near,
        "near_total": near_total,
        "base": base,
        "alternatives": alternatives,
        "suggested": sum(a.suggested for a in alternatives),
        "keep_share": f"{float(KEEP_PASSES):.0%}",
    }


def _run_action(
    request: HttpRequest,
    rules: QuerySet[ScreeningRule],
    step: Callable[[ScreeningRule], Any],
    done: str,
) -> None:
    for rule in rules.select_related("job__organization"):
        try:
            step(rule)
        except WarningNotAcknowledged as exc:
            messages.error(
                request,
                format_html(
                    '{} (v{}): {} <a href="{}">Open its approval page</a> to read them and '
                    "acknowledge them in your own words.",
                    rule,
                    rule.version,
                    exc.message,
                    reverse("admin:renown_hiring_screeningrule_approve", args=[rule.pk]),
                ),
            )
        except (ApplicationError, ValidationError) as exc:
            message = exc.message if isinstance(exc, ApplicationError) else "; ".join(exc.messages)
            messages.error(request, f"{rule} (v{rule.version}): {message}")
        else:
            messages.success(request, f"{rule} (v{rule.version}): {done}.")


@admin.register(ScreeningRule)
class ScreeningRuleAdmin(HiringScopedAdmin):
    """Rule versions. Saving a change writes the next version through ``rule_update``."""

    form = ScreeningRuleForm
    organization_path = "job__organization"
    list_display = [
        "__str__",
        "job",
        "version",
        "status",
        "action",
        "aggregation",
        "group",
        "created_by",
        "approved_by",
        "status_changed_at",
    ]
    list_filter = ["status", "action", "aggregation"]
    list_select_related = ["job", "group", "created_by", "approved_by"]
    search_fields = ["metric", "job__title"]
    readonly_fields = [
        "version",
        "status",
        "lineage",
        "created_by",
        "approved_by",
        "approved_at",
        "rolled_back_from",
        "status_changed_at",
        "created_at",
        "awaiting_acknowledgement",
        "version_history",
    ]
    actions = ["approve", "make_live", "deactivate", "roll_back_to_this_version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "job"] if obj is not None else fields

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if request.method == "POST" and "_preview" in request.POST:
            return type("ScreeningRulePreviewForm", (form,), {"previewing": True})
        return form

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        form = context["adminform"].form
        draft = form.draft() if form.is_bound else obj
        if draft is not None:
            context["fairness"] = fairness_panel(request, draft, saved=not form.is_bound)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="Awaits acknowledgement")
    def awaiting_acknowledgement(self, obj: ScreeningRule) -> SafeString:
        if obj._state.adding or not obj.acknowledgement_pending:
            return format_html("{}", "—")
        return format_html(
            "{} Write the acknowledgement below and save (no new version). New: {}",
            AWAITS_ACKNOWLEDGEMENT[0].upper() + AWAITS_ACKNOWLEDGEMENT[1:] + ".",
            "; ".join(w.get("message", w.get("code", "")) for w in obj.acknowledgement_pending),
        )

    @admin.display(description="Versions")
    def version_history(self, obj: ScreeningRule) -> SafeString:
        if obj._state.adding:
            return format_html("{}", "—")
        rows = format_html_join(
            "",
            "<tr><td>v{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    version.version,
                    version,
                    version.get_status_display(),
                    version.created_by or "—",
                    version.approved_by or "—",
                    version.change_note or "—",
                )
                for version in selectors.rule_versions(rule=obj)
            ),
        )
        return format_html(
            "<table><thead><tr><th>Version</th><th>Rule</th><th>Status</th><th>Written by</th>"
            "<th>Approved by</th><th>Why</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        # Only the newest version can be changed (into the next one); older ones are history.
        return (
            not isinstance(obj, ScreeningRule)
            or selectors.rule_latest_version(rule=obj).pk == obj.pk
        )

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # versions are the history a screening is explained by

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        activate = bool(data.get("go_live"))
        acknowledgement = data.get("acknowledgement", "")
        user: Any = request.user
        if not change:
            definition = {f: data[f] for f in RULE_DEFINITION_FIELDS}
            saved = services.rule_create(
                job=data["job"],
                actor=user,
                activate=activate,
                note=data.get("change_note", ""),
                acknowledgement=acknowledgement,
                **definition,
            )
        elif form.acknowledging_only:
            self._acknowledge(request, obj, data)
            return
        else:
            original = ScreeningRule.objects.get(pk=obj.pk)
            changes = {f: data[f] for f in RULE_DEFINITION_FIELDS if f in form.changed_data}
            saved = services.rule_update(
                rule=original,
                actor=user,
                changes=changes,
                activate=activate,
                note=data.get("change_note", ""),
                acknowledgement=acknowledgement,
            )
        # The admin goes on with the version the service wrote.
        obj.pk = saved.pk
        obj.refresh_from_db()
        if saved.status == RuleStatus.DRAFT and saved.needs_second_approval:
            messages.warning(
                request,
                f"Version {saved.version} is a draft: a second HR admin must approve this "
                "screen-out rule before it goes live.",
            )
        elif saved.status == RuleStatus.DRAFT:
            messages.info(request, f"Version {saved.version} is a draft, not live.")

    def _acknowledge(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> None:
        """The draft unchanged, its serious warnings acknowledged: no new version."""
        user: Any = request.user
        rule = services.rule_acknowledge(
            rule=ScreeningRule.objects.get(pk=obj.pk),
            actor=user,
            acknowledgement=data["acknowledgement"],
        )
        was_live = rule.status == RuleStatus.LIVE
        if data.get("go_live") and not rule.needs_second_approval and not was_live:
            rule = services.rule_activate(rule=rule, actor=user)
        obj.refresh_from_db()
        obj.acknowledged_only = True  # response_change: no "changed successfully"
        if was_live:
            messages.success(
                request,
                f"Your acknowledgement is recorded; live version {rule.version} no longer "
                "waits" + (" and screens out again." if rule.needs_second_approval else "."),
            )
        elif rule.status == RuleStatus.LIVE:
            messages.success(
                request, f"Your acknowledgement is recorded; version {rule.version} is live."
            )
        elif rule.needs_second_approval:
            messages.success(
                request,
                format_html(
                    "Your acknowledgement is recorded (no new version). Version {} waits for a "
                    'second HR admin of the organisation: they approve it on its <a href="{}">'
                    "approval page</a>.",
                    rule.version,
                    reverse("admin:renown_hiring_screeningrule_approve", args=[rule.pk]),
                ),
            )
        else:
            messages.success(
                request,
                f"Your acknowledgement is recorded (no new version); version {rule.version} "
                "is a draft, not live.",
            )

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        if getattr(obj, "acknowledged_only", False):
            # Back to the rule: its page now says the warnings are acknowledged.
            return HttpResponseRedirect(
                reverse("admin:renown_hiring_screeningrule_change", args=[obj.pk])
            )
        return super().response_change(request, obj)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.approve_view)
        view.model_admin = self  # type: ignore[attr-defined]  # as the admin's own views carry
        return [
            path("<path:object_id>/approve/", view, name="renown_hiring_screeningrule_approve"),
            *super().get_urls(),
        ]

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A second HR admin approves a draft: its warnings, who acknowledged them in what
        words, and a field for the approver's own words where some are not acknowledged."""
        rule = self.get_object(request, object_id)
        if rule is None or not self.has_view_permission(request, rule):
            raise Http404("No such rule.")
        if not self.has_change_permission(request, rule):
            raise PermissionDenied("Only HR admins of the organisation approve rules.")
        user: Any = request.user
        form = RuleApprovalForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.rule_approve(
                    rule=rule, approver=user, acknowledgement=form.cleaned_data["acknowledgement"]
                )
            except WarningNotAcknowledged as exc:
                form.add_error("acknowledgement", exc.message)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    f"Approved by you and live: {rule} (version {rule.version}); the job's "
                    "candidates are screened again with it.",
                )
                return HttpResponseRedirect(
                    reverse("admin:renown_hiring_screeningrule_change", args=[rule.pk])
                )
            rule.refresh_from_db()
        draft = rule.status == RuleStatus.DRAFT
        serious = services.serious_warnings(rule) if draft else []
        missing = (
            {(w.code, w.subject) for w in services.unacknowledged_warnings(rule)}
            if draft
            else set()
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Approve {rule} (version {rule.version})",
            "rule": rule,
            "draft": draft,
            "author": rule.created_by_id is not None and rule.created_by_id == user.pk,
            "serious": [(w.as_dict(), (w.code, w.subject) not in missing) for w in serious],
            "missing": len(missing),
            "acknowledgements": selectors.rule_acknowledgements(rule=rule),
            "form": form,
        }
        return TemplateResponse(request, "admin/renown_hiring/screeningrule/approve.html", context)

    @admin.action(
        description="Approve the selected drafts (a second HR admin)", permissions=["change"]
    )
    def approve(self, request: HttpRequest, queryset: QuerySet[ScreeningRule]) -> None:
        user: Any = request.user
        _run_action(
            request,
            queryset,
            lambda r: services.rule_approve(rule=r, approver=user),
            "approved and live",
        )

    @admin.action(
        description="Make the selected drafts live (not screen-out)", permissions=["change"]
    )
    def make_live(self, request: HttpRequest, queryset: QuerySet[ScreeningRule]) -> None:
        user: Any = request.user
        _run_action(request, queryset, lambda r: services.rule_activate(rule=r, actor=user), "live")

    @admin.action(description="Deactivate the selected versions", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[ScreeningRule]) -> None:
        user: Any = request.user
        _run_action(
            request, queryset, lambda r: services.rule_deactivate(rule=r, actor=user), "deactivated"
        )

    @admin.action(
        description="Roll back to the selected version (as a new version)", permissions=["change"]
    )
    def roll_back_to_this_version(
        self, request: HttpRequest, queryset: QuerySet[ScreeningRule]
    ) -> None:
        user: Any = request.user

        def step(rule: ScreeningRule) -> ScreeningRule:
            latest = selectors.rule_latest_version(rule=rule)
            return services.rule_rollback(rule=latest, actor=user, to_version=rule.version)

        _run_action(request, queryset, step, "restored as the newest version")


@admin.register(RuleGroup)
class RuleGroupAdmin(HiringScopedAdmin):
    organization_path = "job__organization"
    list_display = ["__str__", "job", "combinator", "created_at"]
    list_filter = ["combinator"]
    list_select_related = ["job"]
    search_fields = ["name", "job__title"]
    fields = ["job", "name", "combinator"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["job"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        user: Any = request.user
        data = form.cleaned_data
        if change:
            group = RuleGroup.objects.get(pk=obj.pk)
            saved = services.rule_group_update(
                group=group, actor=user, combinator=data["combinator"], name=data["name"]
            )
        else:
            saved = services.rule_group_create(
                job=data["job"], actor=user, combinator=data["combinator"], name=data["name"]
            )
        obj.pk = saved.pk
        obj.refresh_from_db()


class ApplicationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Application
        fields = ["job", "candidate", "external_id"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        job, candidate = cleaned.get("job"), cleaned.get("candidate")
        if (
            job is not None
            and candidate is not None
            and job.organization_id != candidate.organization_id
        ):
            raise ValidationError("The candidate and the job belong to different organisations.")
        return cleaned


@admin.register(Application)
class ApplicationAdmin(HiringScopedAdmin):
    form = ApplicationForm
    organization_path = "job__organization"
    list_display = ["candidate", "job", "external_id", "created_at"]
    list_select_related = ["candidate", "job"]
    search_fields = ["candidate__name", "job__title", "external_id"]
    raw_id_fields = ["candidate", "job"]
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = services.application_add(
            job=form.cleaned_data["job"],
            candidate=form.cleaned_data["candidate"],
            external_id=form.cleaned_data.get("external_id", ""),
            actor=request.user,
        )
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(Screening)
class ScreeningAdmin(RecordAdmin):
    organization_path = "job__organization"
    list_display = ["candidate", "job", "outcome", "suggestion", "evaluated_at"]
    list_filter = ["outcome", "suggestion"]
    list_select_related = ["candidate", "job"]
    search_fields = ["candidate__name", "job__title"]
    raw_id_fields = ["candidate", "job"]
    readonly_fields = [
        "candidate",
        "job",
        "outcome",
        "suggestion",
        "reasons",
        "rule_versions",
        "evaluated_at",
        "run",
    ]
    show_full_result_count = False


@admin.register(ScreeningRun)
class ScreeningRunAdmin(RecordAdmin):
    organization_path = "job__organization"
    list_display = ["job", "started_at", "reason", "candidates", "engine", "actor_label"]
    list_select_related = ["job"]
    search_fields = ["job__title", "reason"]
    readonly_fields = [
        "job",
        "started_at",
        "finished_at",
        "evaluated_at",
        "reason",
        "actor_label",
        "rules",
        "rule_versions",
        "candidates",
        "counts",
        "digest",
        "engine",
    ]


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
    list_filter = ["kind", "machine_suggestion", "follows_machine"]
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


# Admins of hiring's sub-packages (Django's autodiscovery imports ``hiring.admin`` only).
from hiring.privacy import admin as privacy_admin  # noqa: E402, F401  isort: skip
