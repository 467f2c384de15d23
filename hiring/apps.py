from __future__ import annotations

from django.apps import AppConfig


class HiringConfig(AppConfig):
    name = "hiring"
    verbose_name = "Hiring and screening"

    def ready(self) -> None:
        from hiring import checks  # noqa: F401  (registers system checks)
