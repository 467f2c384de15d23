"""Retention holds, read-only: what an erasure kept, why, and until when."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from candidates import admin as candidate_admin
from candidates.models import Candidate
from hiring.privacy.models import RetentionHold
from hiring.privacy.services import candidate_erase
from renown.admin import OVERSIGHT_ROLES, OrganizationScopedAdmin


@admin.register(RetentionHold)
class RetentionHoldAdmin(OrganizationScopedAdmin):
    """What an erasure kept and until when: HR admins and auditors; recruiters no longer
    see an erased person at all."""

    view_roles = OVERSIGHT_ROLES
    list_display = ["candidate", "organization", "erased_at", "hold_until", "erased_by_label"]
    readonly_fields = ["candidate", "organization", "erased_at", "erased_by_label", "hold_until", "basis"]  # fmt: skip

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # holds end by themselves (the periodic purge), never by hand

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ErasingCandidateAdmin(candidate_admin.CandidateAdmin):
    """The candidates admin, where "delete" is the erasure every other way in performs.

    A hard delete would skip the retention holds and the ``candidate.erased`` event and
    webhook; so the admin's delete (and its bulk action) calls ``candidate_erase``, as
    the API's ``DELETE`` and ``erase_candidate`` do. Registered here because the
    erasure is hiring's use case, which the candidates app may not import.
    """

    def delete_object(self, request: HttpRequest, obj: Model) -> None:
        assert isinstance(obj, Candidate)  # noqa: S101 - this admin's model
        candidate_erase(candidate=obj, actor=request.user)


admin.site.unregister(Candidate)
admin.site.register(Candidate, ErasingCandidateAdmin)
