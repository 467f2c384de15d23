from __future__ import annotations

from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    # Prefixed so that neither the label nor the tables (renown_...) meet a host's own.
    label = "renown_candidates"
    verbose_name = "Candidates"
    # The plugin's migrations must not follow the host's DEFAULT_AUTO_FIELD.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Settings, privacy sections and the host-link checks register on import.
        from candidates import conf, hostlink, privacy  # noqa: F401
