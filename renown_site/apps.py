from __future__ import annotations

from django.apps import AppConfig


class RenownSiteConfig(AppConfig):
    name = "renown_site"
    verbose_name = "Renown site"

    def ready(self) -> None:
        from django.contrib import admin

        from renown_site import login_throttle  # noqa: F401  (counts failed log-ins)

        # The site's own admin: a host project keeps its header (issue 13).
        admin.site.site_header = "Renown administration"
        admin.site.site_title = "Renown admin"
        admin.site.index_title = "Screening, candidates and scores"
