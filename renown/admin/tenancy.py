"""Admin for organisations and memberships."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from renown import tenancy
from renown.admin.scoped import ALL_ROLES, OVERSIGHT_ROLES, OrganizationScopedAdmin
from renown.models import Membership, Organization


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    """Organisations: every member sees their own organisation's name and slug."""

    view_roles = ALL_ROLES
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
    """Who holds which role: HR admins and auditors (who may act is what they oversee);
    a recruiter has no need of the staff list. Only superusers grant and revoke here,
    through ``membership_grant`` and ``membership_revoke`` (their events, not the admin's);
    a membership's user and organisation stay what they were: revoke and grant again."""

    view_roles = OVERSIGHT_ROLES
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", ("organization", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user"]

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        return ["user", "organization"] if obj is not None else []

    def save_model(
        self,
        request: HttpRequest,
        obj: Membership,
        form: forms.ModelForm[Membership],
        change: bool,
    ) -> None:
        granted = tenancy.membership_grant(
            organization=obj.organization, user=obj.user, role=obj.role, actor=request.user
        )
        obj.pk = granted.membership.pk
        obj.refresh_from_db()

    def delete_object(self, request: HttpRequest, obj: Model) -> None:
        assert isinstance(obj, Membership)  # noqa: S101 - this admin's model
        tenancy.membership_revoke(organization=obj.organization, user=obj.user, actor=request.user)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)
