from __future__ import annotations

from django.apps import AppConfig


class HiringConfig(AppConfig):
    name = "hiring"
    verbose_name = "Hiring and screening"

    def ready(self) -> None:
        from django.contrib import admin

        from hiring import (
            checks,  # noqa: F401  (registers system checks)
            login_throttle,  # noqa: F401  (counts failed log-ins)
        )

        admin.site.site_header = "Renown administration"
        admin.site.site_title = "Renown admin"
        admin.site.index_title = "Screening, candidates and scores"
