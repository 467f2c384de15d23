"""Retention holds, read-only: what an erasure kept, why, and until when."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hiring.privacy.models import RetentionHold
from renown.admin import OVERSIGHT_ROLES, OrganizationScopedAdmin


@admin.register(RetentionHold)
class RetentionHoldAdmin(OrganizationScopedAdmin):
    """What an erasure kept and until when: HR admins and auditors; recruiters no longer
    see an erased person at all."""

    view_roles = OVERSIGHT_ROLES
    list_display = ["candidate", "organization", "erased_at", "hold_until", "erased_by_label"]
    readonly_fields = ["candidate", "organization", "erased_at", "erased_by_label", "hold_until", "basis"]  # fmt: skip

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # holds end by themselves (the periodic purge), never by hand

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
