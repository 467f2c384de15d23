"""Admin for snapshots, scores and vendor scores, scoped to the user's organisations."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from renown.admin import OrganizationScopedAdmin
from scoring import selectors
from scoring.models import MetricSnapshot, RefreshCycle, Score, VendorScore


class ComputedDataAdmin(OrganizationScopedAdmin):
    """Fetched and computed rows are read, never typed in: an edited one explains nothing."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(RefreshCycle)
class RefreshCycleAdmin(ComputedDataAdmin):
    list_display = [
        "__str__",
        "organization",
        "status",
        "progress",
        "total",
        "started_at",
    ]
    list_filter = ["status"]
    list_select_related = ["organization"]
    readonly_fields = ["started_at", "finished_at", "total", "error"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RefreshCycle]:
        return selectors.refresh_cycle_list_with_progress(super().get_queryset(request))

    @admin.display(description="done / failed / total")
    def progress(self, cycle: Any) -> str:
        return f"{cycle.done_count} / {cycle.failed_count} / {cycle.total}"


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(ComputedDataAdmin):
    organization_path = "account__candidate__organization"
    list_display = ["account", "provider", "observed_at", "status"]
    list_filter = ["provider", "status"]
    list_select_related = ["account"]
    search_fields = ["account__handle", "account__candidate__name"]
    raw_id_fields = ["account", "cycle"]
    date_hierarchy = "observed_at"
    show_full_result_count = False


@admin.register(Score)
class ScoreAdmin(ComputedDataAdmin):
    organization_path = "candidate__organization"
    list_display = ["candidate", "scorer", "scorer_version", "value", "as_of"]
    list_filter = ["scorer", "scorer_version"]
    list_select_related = ["candidate"]
    search_fields = ["candidate__name"]
    raw_id_fields = ["candidate"]
    show_full_result_count = False


@admin.register(VendorScore)
class VendorScoreAdmin(OrganizationScopedAdmin):
    organization_path = "candidate__organization"
    list_display = [
        "candidate",
        "vendor",
        "vendor_name",
        "value",
        "scale_min",
        "scale_max",
        "as_of",
    ]
    list_filter = ["vendor"]
    list_select_related = ["candidate"]
    search_fields = ["candidate__name", "vendor_name"]
    raw_id_fields = ["candidate"]
