"""The host's own admin for its Applicant, with Renown's link, as docs/install.md shows."""

from __future__ import annotations

from django.contrib import admin

from hiring.admin_links import RenownProfileLinkMixin
from tests.hostapp.models import Applicant


@admin.register(Applicant)
class ApplicantAdmin(RenownProfileLinkMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["full_name", "email", "country"]
    # An admin that lists its fields names Renown's too. (portfolio is left out: its
    # URLField warns of Django 6.0's default scheme, which the tests treat as an error.)
    fields = ["full_name", "email", "country", "renown_profile"]
