"""Admin for snapshots, scores and vendor scores, scoped to the user's organisations.

Also the providers page (their terms and whether this deployment uses them), one of
the refresh cycles' admin URLs so that any host's admin has it with no URL of its own:
``/admin/renown_scoring/refreshcycle/providers/`` (``admin:renown_scoring_providers``),
linked from the refresh cycles' list.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from renown.admin import ALL_ROLES, OVERSIGHT_ROLES, OrganizationScopedAdmin
from scoring import conf, providers, selectors
from scoring.models import MetricSnapshot, RefreshCycle, Score, VendorScore
from scoring.providers.base import ProviderTerms

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Progress(TypedDict):
    """What ``selectors.refresh_cycle_list_with_progress`` annotates a cycle with."""

    done_count: int
    failed_count: int
    skipped_count: int


@dataclass(frozen=True)
class ProviderRow:
    network: str
    enabled: bool
    reason: str
    base_url: str
    terms: ProviderTerms | None


def provider_rows() -> list[ProviderRow]:
    """Every configured provider with its terms and state, for admins."""
    rows = []
    for network in sorted(conf.get("RENOWN_PROVIDERS")):
        base = providers.base_url(network) or "each handle's own instance"
        try:
            cls = providers.provider_class(network)
        except providers.ProviderDisabled as exc:
            terms = None
            with contextlib.suppress(ImportError, KeyError):
                terms = providers.provider_class_ignoring_switch(network).terms
            rows.append(ProviderRow(network, False, str(exc), base, terms))
            continue
        except ImportError as exc:
            rows.append(ProviderRow(network, False, f"cannot be loaded: {exc}", base, None))
            continue
        rows.append(ProviderRow(network, True, "", base, cls.terms))
    return rows


class ComputedDataAdmin(OrganizationScopedAdmin):
    """Fetched and computed rows are read, never typed in: an edited one explains nothing."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(RefreshCycle)
class RefreshCycleAdmin(ComputedDataAdmin):
    """Refresh runs and their progress: every role (recruiters start and follow them)."""

    view_roles = ALL_ROLES
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
    def progress(self, cycle: WithAnnotations[RefreshCycle, _Progress]) -> str:
        return f"{cycle.done_count} / {cycle.failed_count} / {cycle.total}"

    def get_urls(self) -> list[URLPattern]:
        # Before the model's own URLs, whose <object_id>/ catch-all would take it.
        view = self.admin_site.admin_view(self.providers_view)
        view.model_admin = self  # type: ignore[attr-defined]  # as the admin's own views carry
        return [
            path("providers/", view, name="renown_scoring_providers"),
            *super().get_urls(),
        ]

    def providers_view(self, request: HttpRequest) -> HttpResponse:
        """The providers page: deployment settings, not organisation data (any staff member)."""
        context = {
            **self.admin_site.each_context(request),
            "title": "Providers and their terms",
            "rows": provider_rows(),
        }
        return TemplateResponse(request, "admin/renown_scoring/providers.html", context)


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(ComputedDataAdmin):
    """Raw fetched metrics: HR admins and auditors (to check a score's inputs); a recruiter
    reads the score and its explanation on the candidate's page, not the raw data."""

    view_roles = OVERSIGHT_ROLES
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
    """Scores with their components: every role, as on the candidate's page."""

    view_roles = ALL_ROLES
    organization_path = "candidate__organization"
    list_display = ["candidate", "scorer", "scorer_version", "value", "as_of"]
    list_filter = ["scorer", "scorer_version"]
    list_select_related = ["candidate"]
    search_fields = ["candidate__name"]
    raw_id_fields = ["candidate"]
    show_full_result_count = False


@admin.register(VendorScore)
class VendorScoreAdmin(OrganizationScopedAdmin):
    """Vendor scores: every role, as on the candidate's page."""

    view_roles = ALL_ROLES
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
