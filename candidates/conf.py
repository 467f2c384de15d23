"""The candidates app's plugin settings with their defaults; a host project overrides them by setting.

Read at call time (``get(...)``) so that ``override_settings`` in tests works.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from renown.conf import at_least, register_defaults

DEFAULTS: dict[str, Any] = {
    # Self-identification counts are shown only over at least this many candidates
    # (or none): counts over two or three people are their answers.
    "RENOWN_SELF_IDENTIFICATION_MIN_POPULATION": 5,
}

register_defaults(
    __name__, DEFAULTS, validators={"RENOWN_SELF_IDENTIFICATION_MIN_POPULATION": at_least(1)}
)


def get(name: str) -> Any:
    """The setting ``name`` from Django settings, or its default here."""
    return getattr(settings, name, DEFAULTS[name])
