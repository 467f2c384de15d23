"""The base admins of hiring: scoped to the user's organisations; records are read-only."""

from __future__ import annotations

from typing import Any

from django.db.models import ForeignKey, Model
from django.forms import ModelChoiceField
from django.http import HttpRequest

from renown.admin import ALL_ROLES, OrganizationScopedAdmin
from renown.models import Role
from renown.tenancy import organization_list_for_user

AUDITOR_ROLES = frozenset({Role.AUDITOR})


class HiringScopedAdmin(OrganizationScopedAdmin):
    """Also offers only the user's organisations' objects that hang off a job (rule groups)."""

    view_roles = ALL_ROLES

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any], request: HttpRequest, **kwargs: object
    ) -> ModelChoiceField[Model] | None:
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
