"""Screening rules and rule groups: versions, four-eyes approval, the fairness preview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminForm
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from hiring import selectors, services
from hiring.admin.base import AUDITOR_ROLES, HiringScopedAdmin
from hiring.admin.forms import PREVIEW_ONLY, RuleApprovalForm, ScreeningRuleForm
from hiring.fairness import live_bias_audit
from hiring.fairness.alternatives import KEEP_PASSES, Alternative, best_first, fairer_alternatives
from hiring.fairness.preview import (
    NearCandidate,
    near_threshold_candidates,
    rule_preview,
    rules_with_draft,
)
from hiring.fairness.summary import rule_summary
from hiring.fairness.warning import warning_display
from hiring.models import (
    RULE_DEFINITION_FIELDS,
    RuleGroup,
    RuleStatus,
    ScreeningRule,
)
from hiring.permissions import has_role
from hiring.screening.spec import rule_spec
from hiring.services.jobs import AWAITS_ACKNOWLEDGEMENT
from renown.access import signed_in_user
from renown.exceptions import ApplicationError, StatementRequired, WarningNotAcknowledged
from renown.models import AuditEvent
from scoring.models import StatsWindow

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups

# Set on the rule by a save that only acknowledged its warnings (this request's object only).
_ACKNOWLEDGED_ONLY = "acknowledged_only"


def fairness_panel(request: HttpRequest, rule: ScreeningRule, *, saved: bool) -> dict[str, object]:
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
        "summary": rule_summary(preview, base, alternatives, include_restricted=auditor),
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
                        **warning_display(w),
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


def run_action(
    request: HttpRequest,
    rules: QuerySet[ScreeningRule],
    step: Callable[[ScreeningRule], object],
    done: str,
) -> None:
    for rule in rules.select_related("job__organization"):
        try:
            step(rule)
        except (WarningNotAcknowledged, StatementRequired) as exc:
            messages.error(
                request,
                format_html(
                    '{} (v{}): {} <a href="{}">Open its approval page</a> to read its '
                    "warnings and say it in your own words.",
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
        "approval_statement",
        "rolled_back_from",
        "status_changed_at",
        "created_at",
        "awaiting_acknowledgement",
        "version_history",
    ]
    actions = ["approve", "make_live", "deactivate", "roll_back_to_this_version"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: ScreeningRule | None = None
    ) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "job"] if obj is not None else fields

    def get_form(
        self,
        request: HttpRequest,
        obj: ScreeningRule | None = None,
        change: bool = False,
        **kwargs: object,
    ) -> type[forms.ModelForm[ScreeningRule]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        if (
            obj is not None
            and obj.window_days not in StatsWindow.values
            and issubclass(form, ScreeningRuleForm)
        ):
            form = form.keeping_window(obj.window_days)
        if request.method == "POST" and "_preview" in request.POST:
            return type("ScreeningRulePreviewForm", (form,), {"previewing": True})
        return form

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, object],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: ScreeningRule | None = None,
    ) -> HttpResponse:
        adminform = context["adminform"]
        if not isinstance(adminform, AdminForm) or not isinstance(
            adminform.form, ScreeningRuleForm
        ):
            raise TypeError("the rule page shows a ScreeningRuleForm")
        form = adminform.form
        draft = form.draft() if form.is_bound else obj
        if draft is not None:
            context["fairness"] = fairness_panel(request, draft, saved=not form.is_bound)
        if (
            obj is not None
            and not form.is_bound
            and obj.status == RuleStatus.DRAFT
            and obj.needs_second_approval
        ):
            # A second HR admin approves where the warnings are (rule_approve's own view),
            # the saved version only: not beside a preview of values edited since.
            context["approval_form"] = RuleApprovalForm()
        if form.is_bound and form.previewing:
            # A preview is not a failed save: no error banner. The fields' own errors stay
            # beside them, and the summary lists them ("To see what these values would do").
            others = [e for e in form.errors.get(NON_FIELD_ERRORS, []) if e != PREVIEW_ONLY]
            if NON_FIELD_ERRORS in form.errors:
                if others:
                    form.errors[NON_FIELD_ERRORS] = form.error_class(
                        [str(e) for e in others], error_class="nonfield"
                    )
                else:
                    del form.errors[NON_FIELD_ERRORS]
            context["errors"] = []
        if request.headers.get("X-Renown-Preview") == "panel":
            # The live preview (static/renown/rule-preview.js): the two regions alone.
            return TemplateResponse(
                request, "admin/renown_hiring/screeningrule/_preview.html", context
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_fields(self, request: HttpRequest, obj: ScreeningRule | None = None) -> _FieldGroups:
        # The acknowledgement is written beside the warnings, at the top of the page.
        return [f for f in super().get_fields(request, obj) if f != "acknowledgement"]

    @admin.display(description="Awaits acknowledgement")
    def awaiting_acknowledgement(self, obj: ScreeningRule) -> SafeString:
        if obj._state.adding or not obj.acknowledgement_pending:
            return format_html("{}", "—")
        return format_html(
            "{} Write the acknowledgement beside the warnings and save (no new version). New: {}",
            AWAITS_ACKNOWLEDGEMENT[0].upper() + AWAITS_ACKNOWLEDGEMENT[1:] + ".",
            "; ".join(w.get("message", w.get("code", "")) for w in obj.acknowledgement_pending),
        )

    @admin.display(description="Versions")
    def version_history(self, obj: ScreeningRule) -> SafeString:
        if obj._state.adding:
            return format_html("{}", "—")
        rows = format_html_join(
            "",
            "<tr><td>v{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    version.version,
                    version,
                    version.get_status_display(),
                    version.created_by or "—",
                    version.approved_by or "—",
                    version.approval_statement or "—",
                    version.change_note or "—",
                )
                for version in selectors.rule_versions(rule=obj)
            ),
        )
        return format_html(
            "<table><thead><tr><th>Version</th><th>Rule</th><th>Status</th><th>Written by</th>"
            "<th>Approved by</th><th>Approver's statement</th><th>Why</th></tr></thead>"
            "<tbody>{}</tbody></table>",
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

    def save_model(
        self,
        request: HttpRequest,
        obj: ScreeningRule,
        form: forms.ModelForm[ScreeningRule],
        change: bool,
    ) -> None:
        data = form.cleaned_data
        activate = bool(data.get("go_live"))
        acknowledgement = data.get("acknowledgement", "")
        user = signed_in_user(request)
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
        elif isinstance(form, ScreeningRuleForm) and form.acknowledging_only:
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

    def _acknowledge(
        self, request: HttpRequest, obj: ScreeningRule, data: dict[str, object]
    ) -> None:
        """The draft unchanged, its serious warnings acknowledged: no new version."""
        user = signed_in_user(request)
        rule = services.rule_acknowledge(
            rule=ScreeningRule.objects.get(pk=obj.pk),
            actor=user,
            statement=str(data["acknowledgement"]),
        )
        was_live = rule.status == RuleStatus.LIVE
        if data.get("go_live") and not rule.needs_second_approval and not was_live:
            rule = services.rule_activate(rule=rule, actor=user)
        obj.refresh_from_db()
        setattr(obj, _ACKNOWLEDGED_ONLY, True)  # response_change: no "changed successfully"
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

    def response_change(self, request: HttpRequest, obj: ScreeningRule) -> HttpResponse:
        if getattr(obj, _ACKNOWLEDGED_ONLY, False):
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
        words, and a field for the approver's statement (always asked for: it is saved with
        the version and on the trail, and acknowledges any warning not yet acknowledged)."""
        rule = self.get_object(request, object_id)
        if rule is None or not self.has_view_permission(request, rule):
            raise Http404("No such rule.")
        if not self.has_change_permission(request, rule):
            raise PermissionDenied("Only HR admins of the organisation approve rules.")
        user = signed_in_user(request)
        form = RuleApprovalForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.rule_approve(
                    rule=rule, approver=user, statement=form.cleaned_data["statement"]
                )
            except (WarningNotAcknowledged, StatementRequired) as exc:
                form.add_error("statement", exc.message)
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
            "serious": [(warning_display(w), (w.code, w.subject) not in missing) for w in serious],
            "missing": len(missing),
            "acknowledgements": selectors.rule_acknowledgements(rule=rule),
            "form": form,
        }
        return TemplateResponse(request, "admin/renown_hiring/screeningrule/approve.html", context)

    @admin.action(
        description="Approve the selected draft on its approval page (a second HR admin)",
        permissions=["change"],
    )
    def approve(
        self, request: HttpRequest, queryset: QuerySet[ScreeningRule]
    ) -> HttpResponse | None:
        """An approval is the approver's statement about one version (``rule_approve``
        needs it): the list sends them to the approval page, one draft at a time."""
        pages = [
            (rule, reverse("admin:renown_hiring_screeningrule_approve", args=[rule.pk]))
            for rule in queryset.select_related("job")
        ]
        if len(pages) == 1:
            return HttpResponseRedirect(pages[0][1])
        messages.info(
            request,
            format_html(
                "Each approval is your statement about one version: approve them on their "
                "approval pages: {}",
                format_html_join(
                    ", ", '<a href="{}">{} (v{})</a>', ((u, r, r.version) for r, u in pages)
                ),
            ),
        )
        return None

    @admin.action(
        description="Make the selected drafts live (not screen-out)", permissions=["change"]
    )
    def make_live(self, request: HttpRequest, queryset: QuerySet[ScreeningRule]) -> None:
        user = signed_in_user(request)
        run_action(request, queryset, lambda r: services.rule_activate(rule=r, actor=user), "live")

    @admin.action(description="Deactivate the selected versions", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[ScreeningRule]) -> None:
        user = signed_in_user(request)
        run_action(
            request, queryset, lambda r: services.rule_deactivate(rule=r, actor=user), "deactivated"
        )

    @admin.action(
        description="Roll back to the selected version (as a new version)", permissions=["change"]
    )
    def roll_back_to_this_version(
        self, request: HttpRequest, queryset: QuerySet[ScreeningRule]
    ) -> None:
        user = signed_in_user(request)

        def step(rule: ScreeningRule) -> ScreeningRule:
            latest = selectors.rule_latest_version(rule=rule)
            return services.rule_rollback(rule=latest, actor=user, to_version=rule.version)

        run_action(request, queryset, step, "restored as the newest version")


@admin.register(RuleGroup)
class RuleGroupAdmin(HiringScopedAdmin):
    organization_path = "job__organization"
    list_display = ["__str__", "job", "combinator", "created_at"]
    list_filter = ["combinator"]
    list_select_related = ["job"]
    search_fields = ["name", "job__title"]
    fields = ["job", "name", "combinator"]

    def get_readonly_fields(self, request: HttpRequest, obj: RuleGroup | None = None) -> list[str]:
        return ["job"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: RuleGroup, form: forms.ModelForm[RuleGroup], change: bool
    ) -> None:
        user = signed_in_user(request)
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
