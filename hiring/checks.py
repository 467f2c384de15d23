"""Deployment problems as system checks (``manage.py check --deploy``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from renown import conf as renown_conf


@register(Tags.security, deploy=True)
def check_private_hosts(
    app_configs: Sequence[AppConfig] | None, **kwargs: object
) -> list[CheckMessage]:
    """Fetching from private addresses in production turns providers into an SSRF hole."""
    if renown_conf.get("RENOWN_ALLOW_PRIVATE_HOSTS") and not settings.DEBUG:
        return [
            Warning(
                "RENOWN_ALLOW_PRIVATE_HOSTS is on with DEBUG off.",
                hint="Provider fetches may reach loopback and private networks; unset it in production.",
                id="renown.W001",
            )
        ]
    return []
