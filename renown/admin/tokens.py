"""API tokens in the admin: created, rotated and revoked by HR admins of the organisation.

The plaintext is shown once, in the body of the page that answers the creation or
the rotation (``SecretShownOnceAdmin``, ``admin/secret_shown.html``), never in a
message: messages travel in a signed but readable cookie (or the session), where
the secret would outlive the page.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html

from renown.access import signed_in_user
from renown.admin.scoped import OVERSIGHT_ROLES, OrganizationScopedAdmin, SecretShownOnceAdmin
from renown.api.tokens import api_token_create, api_token_revoke, api_token_rotate
from renown.models import ApiToken


class ApiTokenForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ApiToken
        fields = ["organization", "name", "scope"]


@admin.register(ApiToken)
class ApiTokenAdmin(SecretShownOnceAdmin, OrganizationScopedAdmin):
    """API tokens (name, scope, prefix, use; never the digest): HR admins manage them,
    auditors read which integrations may write; recruiters do not see them."""

    view_roles = OVERSIGHT_ROLES
    form = ApiTokenForm
    shown_columns = (
        ("Token", "name"),
        ("Organisation", "organization"),
        ("Scope", "get_scope_display"),
    )
    shown_usage = format_html(
        "It is not stored (only its digest is). The integration sends it as <code>{}</code>.",
        "Authorization: Bearer <secret>",
    )
    list_display = ["name", "organization", "scope", "prefix", "last_used_at", "revoked_at"]
    list_filter = ["scope", ("organization", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organization"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "last_used_at", "rotated_at", "revoked_at", "created_at"]
    actions = ["rotate", "revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("organization", "name", "scope")
        return ("organization", "name", "scope", *self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return []
        # A token's organisation and scope never change: revoke it and create another.
        return ["organization", "scope", *self.readonly_fields]

    def save_model(
        self, request: HttpRequest, obj: ApiToken, form: forms.ModelForm[ApiToken], change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, plaintext = api_token_create(
            organization=obj.organization,
            name=obj.name,
            scope=obj.scope,
            created_by=signed_in_user(request),
        )
        obj.pk = token.pk
        obj.prefix, obj.digest = token.prefix, token.digest
        obj._state.adding = False
        self.keep_secret_for_page(obj, plaintext)

    @admin.action(description="Rotate: new secret, the old one stops working")
    def rotate(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> HttpResponse | None:
        shown = []
        for token in queryset.select_related("organization"):
            if not self.has_change_permission(request, token) or not token.is_active:
                continue
            shown.append((token, api_token_rotate(token=token, actor=request.user)))
        if not shown:
            messages.warning(request, "No active token of yours was selected: nothing rotated.")
            return None
        return self.secrets_shown(
            request, shown, title="New secrets", note="The old secrets stopped working."
        )

    @admin.action(description="Revoke")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            if self.has_change_permission(request, token):
                api_token_revoke(token=token, actor=request.user)
        messages.info(request, "Revoked.")
