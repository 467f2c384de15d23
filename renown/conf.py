"""The plugin base's settings with their defaults, and the registry of every app's settings.

A host project overrides a setting by setting it. Read at call time (``get(...)``) so
that ``override_settings`` in tests works.

Every app's ``conf`` module registers its ``DEFAULTS`` here when imported
(``register_defaults``; each app's ``AppConfig.ready`` imports its conf modules), so the
system checks in ``renown.checks`` know every Renown setting without the base importing
any app: ``renown.E020`` for a value of the wrong type or out of range,
``renown.W020`` for a ``RENOWN_*`` setting no app knows (a typo, most likely) or one an
app retired (``register_retired``: the warning says what replaced it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeGuard, overload

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from renown.json_types import JSONObject

# What is wrong with a value (a phrase to follow "it "), or None when it is fine. A
# validator runs only on a value of its default's type and shape (``problem``), and may
# rely on it: it narrows ``object`` with the checks the shape check already made.
Validator = Callable[[object], str | None]

# Names a settings module may import from ``renown`` that are not settings.
NOT_SETTINGS = frozenset({"RENOWN_APPS", "RENOWN_BEAT_SCHEDULE"})


@dataclass(frozen=True)
class KnownSetting:
    """A registered setting: the module that owns it, its default and its extra rule."""

    name: str
    owner: str
    default: object
    validator: Validator | None = None


_registry: dict[str, KnownSetting] = {}
_families: dict[str, KnownSetting] = {}
_retired: dict[str, str] = {}


def register_defaults(
    owner: str,
    defaults: Mapping[str, object],
    *,
    validators: Mapping[str, Validator] | None = None,
    families: Mapping[str, object] | None = None,
) -> None:
    """Make ``defaults`` known to Renown's settings checks (idempotent per owner).

    ``owner`` is the registering module (``__name__``); ``validators`` adds a rule to some
    settings beyond "the same type as the default, not negative"; ``families`` maps a
    name prefix to the default of every setting whose name starts with it (settings
    named after something the host configures, such as a provider's network), and a
    validator keyed by the prefix applies to each of them.
    """
    validators = validators or {}
    families = families or {}
    unknown = set(validators) - set(defaults) - set(families)
    if unknown:
        raise ImproperlyConfigured(f"{owner}: validators for unknown settings {sorted(unknown)}")
    for name, default in defaults.items():
        _register(_registry, KnownSetting(name, owner, default, validators.get(name)))
    for prefix, default in families.items():
        _register(_families, KnownSetting(prefix, owner, default, validators.get(prefix)))


def register_retired(owner: str, retired: Mapping[str, str]) -> None:
    """Name settings an earlier version had and this one ignores, each with what replaced it.

    A host still setting one is told so (``renown.W020``) instead of being offered the
    closest current name.
    """
    for name, replacement in retired.items():
        if name in _registry:
            raise ImproperlyConfigured(f"{owner}: {name} is both current and retired")
        _retired[name] = replacement


def retired_setting(name: str) -> str | None:
    """What replaced the retired setting ``name`` (in words), or None if it is not retired."""
    return _retired.get(name)


def _register(table: dict[str, KnownSetting], known: KnownSetting) -> None:
    if not known.name.startswith("RENOWN_"):
        raise ImproperlyConfigured(f"{known.owner}: {known.name} is not prefixed RENOWN_")
    existing = table.get(known.name)
    if existing is not None and existing.owner != known.owner:
        raise ImproperlyConfigured(
            f"{known.name} is registered by both {existing.owner} and {known.owner}"
        )
    table[known.name] = known


def known_settings() -> Mapping[str, KnownSetting]:
    """Every registered setting by name (the conf modules imported so far)."""
    return MappingProxyType(_registry)


def lookup(name: str) -> KnownSetting | None:
    """The registered setting ``name``, or the family it belongs to; None if unknown."""
    if name in _registry:
        return _registry[name]
    for prefix, known in _families.items():
        if name.startswith(prefix):
            return KnownSetting(name, known.owner, known.default, known.validator)
    return None


def problem(known: KnownSetting, value: object) -> str | None:
    """What is wrong with ``value`` for the setting (type and shape of its default, range)."""
    found = shape_problem(value, known.default)
    if found is None and known.validator is not None:
        found = known.validator(value)
    return found


def _type_name(value: object) -> str:
    return type(value).__name__


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def shape_problem(value: object, default: object) -> str | None:
    """Whether ``value`` has the type and shape of ``default`` (recursively for containers).

    bool, int, float (an int is fine where a float is expected), str, list or tuple,
    dict; numbers must be finite and not negative; a container's items must look like
    the default's items (when the default has any).
    """
    if isinstance(default, bool):
        return (
            None if isinstance(value, bool) else f"must be True or False, not {_type_name(value)}"
        )
    if isinstance(default, int | float):
        if isinstance(default, int) and not (isinstance(value, int) and _is_number(value)):
            return f"must be a whole number, not {_type_name(value)}"
        if not _is_number(value):
            return f"must be a number, not {_type_name(value)}"
        if not math.isfinite(value):
            return "must be a finite number"
        return "must not be negative" if value < 0 else None
    if isinstance(default, str):
        return None if isinstance(value, str) else f"must be a string, not {_type_name(value)}"
    if isinstance(default, list | tuple):
        if not isinstance(value, list | tuple):
            return f"must be a list, not {_type_name(value)}"
        if default:
            for item in value:
                if found := shape_problem(item, default[0]):
                    return f"has the item {item!r} that {found}"
        return None
    if isinstance(default, Mapping):
        if not isinstance(value, Mapping):
            return f"must be a dict, not {_type_name(value)}"
        if default:
            key_default, value_default = next(iter(default.items()))
            for key, item in value.items():
                if found := shape_problem(key, key_default):
                    return f"has the key {key!r} that {found}"
                if found := shape_problem(item, value_default):
                    return f"has under {key!r} a value that {found}"
        return None
    return None


# --- validators (rules beyond the default's shape) ------------------------------------


def at_least(minimum: float) -> Validator:
    """A number of at least ``minimum`` (a count that must not be zero, a timeout...)."""

    def validate(value: object) -> str | None:
        if not _is_number(value):
            return f"must be a number, not {_type_name(value)}"
        return f"must be at least {minimum}" if value < minimum else None

    return validate


def between(low: float, high: float) -> Validator:
    """A number from ``low`` to ``high`` (a share, a fraction)."""

    def validate(value: object) -> str | None:
        if not _is_number(value):
            return f"must be a number, not {_type_name(value)}"
        return f"must be between {low} and {high}" if not low <= value <= high else None

    return validate


def one_of(*choices: str) -> Validator:
    """One of a few words."""

    def validate(value: object) -> str | None:
        return None if value in choices else f"must be one of {', '.join(map(repr, choices))}"

    return validate


def matches(pattern: str, description: str) -> Validator:
    """A string matching ``pattern`` (full match), described as ``description``."""
    compiled = re.compile(pattern)

    def validate(value: object) -> str | None:
        if isinstance(value, str) and compiled.fullmatch(value):
            return None
        return f"must be {description}"

    return validate


def each_value(validator: Validator) -> Validator:
    """A dict whose every value passes ``validator``."""

    def validate(value: object) -> str | None:
        if not isinstance(value, Mapping):
            return f"must be a dict, not {_type_name(value)}"
        for key, item in value.items():
            if found := validator(item):
                return f"has under {key!r} a value that {found}"
        return None

    return validate


def dotted_path(*, blank: bool = False) -> Validator:
    """A dotted import path (``package.module.name``); ``""`` too when ``blank``."""
    pattern = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")

    def validate(value: object) -> str | None:
        if blank and value == "":
            return None
        if isinstance(value, str) and pattern.fullmatch(value):
            return None
        return "must be a dotted path such as 'package.module.name'" + (
            " (or '' for none)" if blank else ""
        )

    return validate


def role_groups(value: object) -> str | None:
    """A dict from role (recruiter, hr_admin, auditor) to an auth group's name, each its own."""
    if not isinstance(value, Mapping):
        return f"must be a dict, not {_type_name(value)}"
    roles = ("recruiter", "hr_admin", "auditor")  # renown.models.Role, not imported here
    for role, group in value.items():
        if role not in roles:
            return f"has the key {role!r} that is not a role ({', '.join(map(repr, roles))})"
        if not isinstance(group, str) or not group:
            return f"has under {role!r} {group!r}, which is not a group's name"
    if len(set(value.values())) != len(value):
        return "gives one group two roles"
    return None


def fernet_keys(value: object) -> str | None:
    """A list of Fernet keys: each the URL-safe base64 of 32 bytes (``Fernet.generate_key()``)."""
    import base64
    import binascii

    if not isinstance(value, list | tuple):
        return f"must be a list of keys, not {_type_name(value)}"
    for i, key in enumerate(value):
        try:
            raw = base64.urlsafe_b64decode(key.encode() if isinstance(key, str) else b"")
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            return (
                f"has at [{i}] something that is not a Fernet key (URL-safe base64 of "
                "32 bytes; python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            )
    return None


# --- the base's own settings -------------------------------------------------------

DEFAULTS: JSONObject = {
    # Who to contact about Renown's requests (Open Library and OpenAlex ask for one).
    "RENOWN_CONTACT_EMAIL": "",
    "RENOWN_ALLOW_PRIVATE_HOSTS": False,
    "RENOWN_HTTP_TIMEOUT_SECONDS": 10.0,
    "RENOWN_HTTP_CONNECT_TIMEOUT_SECONDS": 5.0,
    # Concurrent requests per provider within one batch (per worker process).
    "RENOWN_PROVIDER_CONCURRENCY": 20,
    # --- API ---------------------------------------------------------------------------
    # A request body over this answers 413 (checked on the declared Content-Length).
    "RENOWN_API_MAX_BODY_BYTES": 2 * 1024 * 1024,
    # Requests per token (or signed-in user) over this answer 429 (DRF's rate syntax).
    "RENOWN_API_THROTTLE_RATE": "1200/min",
    # An Idempotency-Key's response is replayed for this long.
    "RENOWN_API_IDEMPOTENCY_TTL_HOURS": 24,
    # A key reserved by a request that died is free again after this; keep it above
    # the longest a request may run (gunicorn's --timeout, 30 s by default).
    "RENOWN_API_IDEMPOTENCY_RESERVATION_SECONDS": 60,
    # --- tenancy -----------------------------------------------------------------------
    # A single-employer host's organisation (its slug): made by ``migrate`` when missing
    # (never changed when it exists); candidates linked from the host's model belong to
    # it unless the mapping names another. "" for none.
    "RENOWN_DEFAULT_ORGANIZATION": "",
    # The host's auth groups that give a role, by role: {"hr_admin": "HR admins", ...}.
    # The role is in RENOWN_DEFAULT_ORGANIZATION only (which must be set); an explicit
    # membership there wins; a user in the groups of two roles gets neither.
    "RENOWN_ROLE_GROUPS": {},
    # --- secrets at rest ---------------------------------------------------------------
    # Fernet keys (urlsafe base64 of 32 bytes) that encrypt the ATS secrets and API
    # credentials Renown stores (``renown.crypto``): the first encrypts, every one
    # decrypts, so a new key goes first and the old one stays until ``manage.py
    # renown_reencrypt`` has run. Empty: a key derived from SECRET_KEY (renown.W030).
    "RENOWN_ENCRYPTION_KEYS": [],
}

register_defaults(
    __name__,
    DEFAULTS,
    validators={
        "RENOWN_HTTP_TIMEOUT_SECONDS": at_least(0.001),
        "RENOWN_HTTP_CONNECT_TIMEOUT_SECONDS": at_least(0.001),
        "RENOWN_PROVIDER_CONCURRENCY": at_least(1),
        "RENOWN_API_MAX_BODY_BYTES": at_least(1),
        "RENOWN_API_THROTTLE_RATE": matches(
            r"\d+/[smhd]\w*",
            "a rate such as '1200/min' (per s, min, hour or day)",
        ),
        "RENOWN_API_IDEMPOTENCY_TTL_HOURS": at_least(1),
        "RENOWN_API_IDEMPOTENCY_RESERVATION_SECONDS": at_least(1),
        "RENOWN_DEFAULT_ORGANIZATION": matches(
            r"|[-a-zA-Z0-9_]{1,60}", "an organisation's slug such as 'acme' (or '' for none)"
        ),
        "RENOWN_ROLE_GROUPS": role_groups,
        "RENOWN_ENCRYPTION_KEYS": fernet_keys,
    },
)


# The base's settings by the type of their value (``get``'s overloads). The checks
# (renown.E020) hold a host's value to its default's type, so ``get`` may promise it.
BoolSetting = Literal["RENOWN_ALLOW_PRIVATE_HOSTS"]
IntSetting = Literal[
    "RENOWN_PROVIDER_CONCURRENCY",
    "RENOWN_API_MAX_BODY_BYTES",
    "RENOWN_API_IDEMPOTENCY_TTL_HOURS",
    "RENOWN_API_IDEMPOTENCY_RESERVATION_SECONDS",
]
FloatSetting = Literal["RENOWN_HTTP_TIMEOUT_SECONDS", "RENOWN_HTTP_CONNECT_TIMEOUT_SECONDS"]
StrSetting = Literal[
    "RENOWN_CONTACT_EMAIL", "RENOWN_API_THROTTLE_RATE", "RENOWN_DEFAULT_ORGANIZATION"
]
StrMapSetting = Literal["RENOWN_ROLE_GROUPS"]
StrListSetting = Literal["RENOWN_ENCRYPTION_KEYS"]


@overload
def get(name: BoolSetting) -> bool: ...
@overload
def get(name: IntSetting) -> int: ...
@overload
def get(name: FloatSetting) -> float: ...
@overload
def get(name: StrSetting) -> str: ...
@overload
def get(name: StrMapSetting) -> Mapping[str, str]: ...
@overload
def get(name: StrListSetting) -> list[str]: ...
def get(name: str) -> object:
    """The setting ``name`` from Django settings, or its default here."""
    return value(name)


def value(name: str) -> object:
    """The base's setting ``name`` as set, or its default (``get`` says its type)."""
    return getattr(settings, name, DEFAULTS[name])
