from __future__ import annotations

from django.apps import AppConfig


class HostAppConfig(AppConfig):
    """A host's own candidate app, for the host-link tests (tests.hostapp.models.Applicant)."""

    name = "tests.hostapp"
    label = "hostapp"
    default_auto_field = "django.db.models.BigAutoField"
