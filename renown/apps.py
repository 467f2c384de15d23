from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RenownConfig(AppConfig):
    name = "renown"
    # Prefixed so that neither the label nor the tables (renown_...) meet a host's own.
    label = "renown"
    verbose_name = "Renown"
    # The plugin's migrations must not follow the host's DEFAULT_AUTO_FIELD.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # System checks; settings and privacy sections register on import.
        from renown import checks, conf, privacy_sections  # noqa: F401
        from renown.tenancy import default_organization_ensure
        from renown.webhooks import conf as webhooks_conf  # noqa: F401

        # After every ``migrate``: RENOWN_DEFAULT_ORGANIZATION exists (made when missing).
        post_migrate.connect(
            default_organization_ensure, sender=self, dispatch_uid="renown.default_organization"
        )
