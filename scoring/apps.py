from __future__ import annotations

from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    # Prefixed so that neither the label nor the tables (renown_...) meet a host's own.
    label = "renown_scoring"
    verbose_name = "Scoring"
    # The plugin's migrations must not follow the host's DEFAULT_AUTO_FIELD.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from scoring import checks, conf, privacy, readings  # noqa: F401  (they register on import)

        readings.connect()
