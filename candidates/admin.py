"""Admin for candidates, their accounts, evidence, notices and page views.

Every admin here is organisation-scoped (``renown.admin.OrganizationScopedAdmin``).
Candidates, notices, accounts and evidence are what a recruiter reads on the
candidate's page: every role views them (``ALL_ROLES``); who opened which page is
for HR admins and auditors only.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from candidates import services
from candidates.models import (
    Candidate,
    CandidateNotice,
    CandidateQuerySet,
    CandidateView,
    EvidenceVerification,
    ReputationEvidence,
    SocialAccount,
)
from renown.access import signed_in_user
from renown.admin.scoped import ALL_ROLES, OVERSIGHT_ROLES, OrganizationScopedAdmin


class SocialAccountInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SocialAccount
    extra = 0
    fields = [
        "network",
        "handle",
        "verification",
        "verified_at",
        "status",
        "last_fetched_at",
    ]
    readonly_fields = ["status", "last_fetched_at"]


class CandidateNoticeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CandidateNotice
    extra = 0
    fields = [
        "kind",
        "given_at",
        "lawful_basis",
        "document_version",
        "source",
        "withdrawn_at",
    ]


@admin.register(Candidate)
class CandidateAdmin(OrganizationScopedAdmin):
    view_roles = ALL_ROLES
    # The trail outlives an erasure: it says these changed, never what they said.
    audit_withheld_fields = frozenset({"name", "email", "external_id"})
    list_display = [
        "name",
        "email",
        "organization",
        "country",
        "region",
        "ats_source",
        "created_at",
    ]
    list_filter = [("organization", admin.RelatedOnlyFieldListFilter), "country", "ats_source"]
    list_select_related = ["organization"]
    search_fields = ["name", "email", "external_id", "=public_id"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    inlines = [SocialAccountInline, CandidateNoticeInline]
    show_full_result_count = False  # COUNT(*) over 100,000 rows on every page is waste

    def get_queryset(self, request: HttpRequest) -> CandidateQuerySet:
        # An erased candidate is a record under a retention hold (its own admin), not a
        # candidate: in no list, behind no change page, as everywhere else.
        queryset = cast("CandidateQuerySet", super().get_queryset(request))
        return queryset.not_erased()


@admin.register(CandidateNotice)
class CandidateNoticeAdmin(OrganizationScopedAdmin):
    view_roles = ALL_ROLES
    organization_path = "candidate__organization"
    list_display = ["candidate", "kind", "given_at", "lawful_basis", "withdrawn_at"]
    list_filter = ["kind", "lawful_basis"]
    list_select_related = ["candidate"]
    search_fields = ["candidate__name", "candidate__email"]
    raw_id_fields = ["candidate"]


@admin.register(SocialAccount)
class SocialAccountAdmin(OrganizationScopedAdmin):
    view_roles = ALL_ROLES
    audit_withheld_fields = frozenset({"handle"})  # the person, after an erasure too
    organization_path = "candidate__organization"
    list_display = [
        "handle",
        "network",
        "candidate",
        "verification",
        "status",
        "last_fetched_at",
    ]
    list_filter = ["network", "verification", "status"]
    list_select_related = ["candidate"]
    search_fields = ["handle", "candidate__name"]
    raw_id_fields = ["candidate"]


class ReputationEvidenceForm(forms.ModelForm):  # type: ignore[type-arg]
    def clean_verification(self) -> str:
        verification: str = self.cleaned_data["verification"]
        before = self.initial.get("verification", EvidenceVerification.UNVERIFIED)
        if verification == EvidenceVerification.UNVERIFIED and before != verification:
            raise forms.ValidationError(
                "A decision on evidence is not taken back: verify or reject it."
            )
        return verification


@admin.register(ReputationEvidence)
class ReputationEvidenceAdmin(OrganizationScopedAdmin):
    view_roles = ALL_ROLES
    organization_path = "candidate__organization"
    form = ReputationEvidenceForm
    list_display = ["title", "kind", "candidate", "date", "verification", "source"]
    list_filter = ["kind", "verification", "source"]
    list_select_related = ["candidate"]
    search_fields = ["title", "venue", "candidate__name"]
    raw_id_fields = ["candidate"]
    readonly_fields = ["verified_by", "verified_at"]
    # Should the verdict's service record its own event (evidence.verified/rejected), a
    # retitle saved with the verdict is still recorded (admin.changed, the other fields).
    audit_service_fields = frozenset({"verification"})

    def save_model(
        self,
        request: HttpRequest,
        obj: ReputationEvidence,
        form: forms.ModelForm[ReputationEvidence],
        change: bool,
    ) -> None:
        # A verdict goes through the service that records who decided and when (the
        # evidence_decision_has_time constraint): saved as it was, then decided.
        decided = "verification" in form.changed_data
        verdict = obj.verification
        if decided:
            obj.verification = form.initial.get("verification", EvidenceVerification.UNVERIFIED)
        super().save_model(request, obj, form, change)
        if decided:
            decider = signed_in_user(request)  # the admin lets only staff in
            services.evidence_set_verification(evidence=obj, verification=verdict, by=decider)


@admin.register(CandidateView)
class CandidateViewAdmin(OrganizationScopedAdmin):
    """Who opened which candidate's page: read-only, for HR admins and auditors."""

    view_roles = OVERSIGHT_ROLES
    organization_path = "candidate__organization"
    list_display = ["viewed_at", "viewer_label", "candidate"]
    list_select_related = ["candidate"]
    search_fields = ["viewer_label", "=candidate__public_id", "candidate__name"]
    date_hierarchy = "viewed_at"
    raw_id_fields = ["candidate", "viewer"]
    readonly_fields = ["candidate", "viewer", "viewer_label", "viewed_at"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
