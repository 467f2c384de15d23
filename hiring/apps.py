from __future__ import annotations

from django.apps import AppConfig


class HiringConfig(AppConfig):
    name = "hiring"
    # Prefixed so that neither the label nor the tables (renown_...) meet a host's own.
    label = "renown_hiring"
    verbose_name = "Hiring and screening"
    # The plugin's migrations must not follow the host's DEFAULT_AUTO_FIELD.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hiring import checks  # noqa: F401  (registers system checks)
        from hiring.privacy import sections  # noqa: F401  (registers its privacy sections)
