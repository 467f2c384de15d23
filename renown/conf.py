"""The plugin base's settings with their defaults; a host project overrides them by setting.

Read at call time (``get(...)``) so that ``override_settings`` in tests works.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Who to contact about Renown's requests (Open Library and OpenAlex ask for one).
    "RENOWN_CONTACT_EMAIL": "",
    "RENOWN_ALLOW_PRIVATE_HOSTS": False,
    "RENOWN_HTTP_TIMEOUT_SECONDS": 10.0,
    "RENOWN_HTTP_CONNECT_TIMEOUT_SECONDS": 5.0,
    # Concurrent requests per provider within one batch (per worker process).
    "RENOWN_PROVIDER_CONCURRENCY": 20,
}


def get(name: str) -> Any:
    """The setting ``name`` from Django settings, or its default here."""
    return getattr(settings, name, DEFAULTS[name])
