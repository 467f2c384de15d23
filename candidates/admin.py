"""Admin for tenants and candidates, and the bases the other apps' admins share.

``OrganizationScopedAdmin`` is the organisation-scoped base every admin uses;
``SecretShownOnceAdmin`` shows a new secret (API token, webhook signing secret)
once in the page body.

An admin user sees only the objects of the organisations they belong to
(superusers see all); HR admins may change them, auditors and recruiters only
view. Another organisation's object is a 404, as everywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import ForeignKey, Model, QuerySet, URLField
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst

from candidates import selectors, services
from candidates.models import (
    Candidate,
    CandidateNotice,
    CandidateView,
    EvidenceVerification,
    Membership,
    Organization,
    ReputationEvidence,
    Role,
    SocialAccount,
)

CHANGE_ROLES = frozenset({Role.HR_ADMIN})


def _org_ids(
    request: HttpRequest, roles: frozenset[str] | None = None
) -> QuerySet[Organization, int]:
    # The same tenant gate as everywhere else: the user's memberships.
    return selectors.organization_list_for_user(user=request.user, roles=roles).values_list(
        "pk", flat=True
    )


class OrganizationScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Scopes a ModelAdmin to the organisations of the user's memberships.

    ``organization_path`` is the lookup from the model to its Organization
    (``"candidate__organization"``); "" for Organization itself.
    """

    organization_path: str = "organization"
    # Django 6 makes https the default scheme for typed URLs; take it now.
    formfield_overrides = {URLField: {"assume_scheme": "https"}}

    def _object_org_id(self, obj: Model) -> int | None:
        if not self.organization_path:
            return int(obj.pk)
        target: Any = obj
        for part in self.organization_path.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
        return int(target.pk)

    def _allowed(
        self, request: HttpRequest, obj: Model | None, roles: frozenset[str] | None
    ) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser:
            return True
        org_ids = set(_org_ids(request, roles))
        if obj is None:
            return bool(org_ids)
        return self._object_org_id(obj) in org_ids

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.organization_path or 'pk'}__in": _org_ids(request)})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, None, None)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, obj, None)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, None, CHANGE_ROLES)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, obj, CHANGE_ROLES)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, obj, CHANGE_ROLES)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        # Offer, and accept, only objects of organisations the user may change.
        if not request.user.is_superuser:
            org_ids = _org_ids(request, CHANGE_ROLES)
            model = db_field.related_model
            if not isinstance(model, type):
                pass  # a recursive "self" relation: no tenant model uses one
            elif model is Organization:
                kwargs["queryset"] = Organization.objects.filter(pk__in=org_ids)
            elif hasattr(model, "organization_id"):
                kwargs["queryset"] = model._default_manager.filter(organization_id__in=org_ids)
            elif hasattr(model, "candidate_id"):
                kwargs["queryset"] = model._default_manager.filter(
                    candidate__organization_id__in=org_ids
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponseRedirect:
        # Django redirects to the index with "doesn't exist"; Renown answers 404 for
        # objects outside the user's organisations, exactly as for missing ones.
        raise Http404("Not found.")


# Where save_model leaves a new object's secret for response_add (an attribute of
# this request's object only, never a field that is saved).
_SHOWN_ONCE_ATTR = "_renown_secret_for_page"


class SecretShownOnceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Shows a new secret once, in the body of the page that answers, never in a message.

    Messages travel in Django's signed but readable cookie (or the session), where
    the secret would outlive the page. Extension point for every admin that hands
    out a secret: on creation ``save_model`` calls ``keep_secret_for_page(obj,
    secret)`` and ``response_add`` answers with ``admin/secret_shown.html``; an
    action returns ``self.secrets_shown(request, [(obj, secret), …], title=…)``.
    The admin's views are ``never_cache`` (no-store), so the page is not kept either.

    ``shown_columns`` are the (heading, attribute or method) pairs shown beside
    each secret, the first one linking to the object; callers ``select_related``
    what they name, so the template runs no query. ``shown_usage`` is one
    sentence saying how the receiver uses the secret (may be ``format_html``).
    """

    shown_columns: Sequence[tuple[str, str]] = (("Name", "name"),)
    shown_usage: str = ""

    def keep_secret_for_page(self, obj: Model, secret: str) -> None:
        setattr(obj, _SHOWN_ONCE_ATTR, secret)

    def response_add(
        self, request: HttpRequest, obj: Model, post_url_continue: str | None = None
    ) -> HttpResponse:
        secret: str | None = getattr(obj, _SHOWN_ONCE_ATTR, None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        title = f"{capfirst(self.opts.verbose_name)} created"
        return self.secrets_shown(request, [(obj, secret)], title=title)

    def secrets_shown(
        self,
        request: HttpRequest,
        shown: Sequence[tuple[Model, str]],
        *,
        title: str,
        note: str = "",
    ) -> TemplateResponse:
        """The page listing each (object, secret) once; ``note`` follows the usage sentence."""
        opts = self.opts
        rows = []
        for obj, secret in shown:
            cells = []
            for _heading, name in self.shown_columns:
                value = getattr(obj, name)
                cells.append(value() if callable(value) else value)
            change_url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)]
            )
            rows.append({"change_url": change_url, "cells": cells, "secret": secret})
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": title,
            "headings": [heading for heading, _name in self.shown_columns],
            "rows": rows,
            "usage": self.shown_usage,
            "note": note,
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        }
        return TemplateResponse(request, "admin/secret_shown.html", context)


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_path = ""
    list_display = ["name", "slug", "is_demo", "created_at"]
    search_fields = ["name", "slug"]
    list_filter = ["is_demo"]
    prepopulated_fields = {"slug": ["name"]}

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)


@admin.register(Membership)
class MembershipAdmin(OrganizationScopedAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", ("organization", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)


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


@admin.register(CandidateNotice)
class CandidateNoticeAdmin(OrganizationScopedAdmin):
    organization_path = "candidate__organization"
    list_display = ["candidate", "kind", "given_at", "lawful_basis", "withdrawn_at"]
    list_filter = ["kind", "lawful_basis"]
    list_select_related = ["candidate"]
    search_fields = ["candidate__name", "candidate__email"]
    raw_id_fields = ["candidate"]


@admin.register(SocialAccount)
class SocialAccountAdmin(OrganizationScopedAdmin):
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
    organization_path = "candidate__organization"
    form = ReputationEvidenceForm
    list_display = ["title", "kind", "candidate", "date", "verification", "source"]
    list_filter = ["kind", "verification", "source"]
    list_select_related = ["candidate"]
    search_fields = ["title", "venue", "candidate__name"]
    raw_id_fields = ["candidate"]
    readonly_fields = ["verified_by", "verified_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # A verdict goes through the service that records who decided and when (the
        # evidence_decision_has_time constraint): saved as it was, then decided.
        decided = "verification" in form.changed_data
        verdict = obj.verification
        if decided:
            obj.verification = form.initial.get("verification", EvidenceVerification.UNVERIFIED)
        super().save_model(request, obj, form, change)
        if decided:
            decider = cast("AbstractBaseUser", request.user)  # the admin lets only staff in
            services.evidence_set_verification(evidence=obj, verification=verdict, by=decider)


VIEW_LOG_ROLES = frozenset({Role.HR_ADMIN, Role.AUDITOR})


@admin.register(CandidateView)
class CandidateViewAdmin(OrganizationScopedAdmin):
    """Who opened which candidate's page: read-only, for HR admins and auditors."""

    organization_path = "candidate__organization"
    list_display = ["viewed_at", "viewer_label", "candidate"]
    list_select_related = ["candidate"]
    search_fields = ["viewer_label", "=candidate__public_id", "candidate__name"]
    date_hierarchy = "viewed_at"
    raw_id_fields = ["candidate", "viewer"]
    readonly_fields = ["candidate", "viewer", "viewer_label", "viewed_at"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(candidate__organization__in=_org_ids(request, VIEW_LOG_ROLES))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, None, VIEW_LOG_ROLES)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, obj, VIEW_LOG_ROLES)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
