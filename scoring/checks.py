"""System checks of the scoring app.

``renown.W040``: the provider rate limiter keeps its counts in each worker process's
memory (no ``RENOWN_RATE_LIMIT_STORAGE_URL`` and a broker that is not Redis), so each
provider's rate holds per worker: N workers together may send N times the rate.
An unparseable ``RENOWN_PROVIDER_RATE_<NETWORK>`` is ``renown.E020`` (the settings check).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig
from django.core.checks import CheckMessage, Warning, register

from scoring.rate_limit import is_shared, storage_url


@register()
def check_rate_limit_storage(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    """Provider rates held per worker process, not across workers."""
    if is_shared(storage_url()):
        return []
    return [
        Warning(
            "The provider rate limiter counts in each worker process's memory: each "
            "provider's rate (RENOWN_PROVIDER_RATE_<NETWORK>) holds per worker, so N "
            "workers together may send N times that rate.",
            hint=(
                "Set RENOWN_RATE_LIMIT_STORAGE_URL to a Redis URL every worker reaches "
                "(or use Redis as CELERY_BROKER_URL, which it then shares); with one "
                "worker process this warning can be silenced (SILENCED_SYSTEM_CHECKS)."
            ),
            id="renown.W040",
        )
    ]
