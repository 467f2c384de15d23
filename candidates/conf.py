"""The candidates app's plugin settings with their defaults; a host project overrides them by setting.

Read at call time (``get(...)``) so that ``override_settings`` in tests works.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, overload

from django.conf import settings

from renown.conf import at_least, dotted_path, each_value, matches, register_defaults
from renown.json_types import JSONObject

DEFAULTS: JSONObject = {
    # Self-identification counts are shown only over at least this many candidates
    # (or none): counts over two or three people are their answers.
    "RENOWN_SELF_IDENTIFICATION_MIN_POPULATION": 5,
    # --- the host's own candidate model (candidates.hostlink) -----------------------------
    # "app_label.Model" whose records Renown keeps a candidate for ("" for none).
    "RENOWN_HOST_CANDIDATE_MODEL": "",
    # Renown field -> dotted attribute path on the host object, e.g.
    # {"name": "full_name", "email": "email", "country": "address.country"}.
    "RENOWN_HOST_CANDIDATE_FIELDS": {},
    # Dotted path of a function host_obj -> mapping (instead of the fields above).
    "RENOWN_HOST_CANDIDATE_ADAPTER": "",
}

register_defaults(
    __name__,
    DEFAULTS,
    validators={
        "RENOWN_SELF_IDENTIFICATION_MIN_POPULATION": at_least(1),
        "RENOWN_HOST_CANDIDATE_MODEL": matches(
            r"|[A-Za-z_]\w*\.[A-Za-z_]\w*", "'app_label.ModelName' (or '' for none)"
        ),
        "RENOWN_HOST_CANDIDATE_FIELDS": each_value(
            lambda path: (
                None
                if isinstance(path, str) and path
                else "must be a dotted attribute path such as 'address.country'"
            )
        ),
        "RENOWN_HOST_CANDIDATE_ADAPTER": dotted_path(blank=True),
    },
)


# The settings by the type of their value (``get``'s overloads; renown.E020 holds a host's
# value to its default's type).
IntSetting = Literal["RENOWN_SELF_IDENTIFICATION_MIN_POPULATION"]
StrSetting = Literal["RENOWN_HOST_CANDIDATE_MODEL", "RENOWN_HOST_CANDIDATE_ADAPTER"]
StrMapSetting = Literal["RENOWN_HOST_CANDIDATE_FIELDS"]


@overload
def get(name: IntSetting) -> int: ...
@overload
def get(name: StrSetting) -> str: ...
@overload
def get(name: StrMapSetting) -> Mapping[str, str]: ...
def get(name: str) -> object:
    """The setting ``name`` from Django settings, or its default here."""
    return value(name)


def value(name: str) -> object:
    """The setting ``name`` as set (not yet checked: a system check's view), or its default."""
    return getattr(settings, name, DEFAULTS[name])
