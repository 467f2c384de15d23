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
        # System checks; settings and privacy sections register on import.
        from hiring import checks, conf, hostlink  # noqa: F401
        from hiring.privacy import conf as privacy_conf  # noqa: F401
        from hiring.privacy import sections  # noqa: F401

        # The host's candidate model kept in sync (a no-op until it is configured).
        hostlink.connect()
