"""Applications, screenings and screening runs: what a screening saw and decided."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from hiring import services
from hiring.admin.base import HiringScopedAdmin, RecordAdmin
from hiring.admin.forms import ApplicationForm
from hiring.models import (
    Application,
    Screening,
    ScreeningRun,
)


@admin.register(Application)
class ApplicationAdmin(HiringScopedAdmin):
    form = ApplicationForm
    organization_path = "job__organization"
    list_display = ["candidate", "job", "external_id", "created_at"]
    list_select_related = ["candidate", "job"]
    search_fields = ["candidate__name", "job__title", "external_id"]
    raw_id_fields = ["candidate", "job"]
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(
        self,
        request: HttpRequest,
        obj: Application,
        form: forms.ModelForm[Application],
        change: bool,
    ) -> None:
        saved = services.application_add(
            job=form.cleaned_data["job"],
            candidate=form.cleaned_data["candidate"],
            external_id=form.cleaned_data.get("external_id", ""),
            actor=request.user,
        )
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(Screening)
class ScreeningAdmin(RecordAdmin):
    organization_path = "job__organization"
    list_display = ["candidate", "job", "outcome", "suggestion", "evaluated_at"]
    list_filter = ["outcome", "suggestion"]
    list_select_related = ["candidate", "job"]
    search_fields = ["candidate__name", "job__title"]
    raw_id_fields = ["candidate", "job"]
    readonly_fields = [
        "candidate",
        "job",
        "outcome",
        "suggestion",
        "reasons",
        "rule_versions",
        "evaluated_at",
        "run",
    ]
    show_full_result_count = False


@admin.register(ScreeningRun)
class ScreeningRunAdmin(RecordAdmin):
    organization_path = "job__organization"
    list_display = ["job", "started_at", "reason", "candidates", "engine", "actor_label"]
    list_select_related = ["job"]
    search_fields = ["job__title", "reason"]
    readonly_fields = [
        "job",
        "started_at",
        "finished_at",
        "evaluated_at",
        "reason",
        "actor_label",
        "rules",
        "rule_versions",
        "candidates",
        "counts",
        "digest",
        "engine",
    ]
