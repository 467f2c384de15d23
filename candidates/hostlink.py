"""The host's own candidate model: which it is, and what Renown reads from its records.

A host names its model (``RENOWN_HOST_CANDIDATE_MODEL``) and either maps Renown's
candidate fields to attribute paths on it (``RENOWN_HOST_CANDIDATE_FIELDS``) or gives a
function that turns a host record into the mapping (``RENOWN_HOST_CANDIDATE_ADAPTER``).
This module reads settings and host objects only; the sync and the reconcile that write
through the services live in ``hiring.hostlink`` (erasure is hiring's use case).

System checks (at start-up, ``manage.py check``):

- ``renown.E030``: ``RENOWN_HOST_CANDIDATE_MODEL`` names no installed model.
- ``renown.E031``: a host model without fields or adapter, or fields/adapter without a model.
- ``renown.E032``: ``RENOWN_HOST_CANDIDATE_FIELDS`` lacks a required field, names a field
  Renown does not have, or a path the host's model does not have.
- ``renown.E033``: ``RENOWN_HOST_CANDIDATE_ADAPTER`` cannot be imported or is not callable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import NotRequired, TypedDict

from django.apps import AppConfig, apps
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.module_loading import import_string

from candidates import conf

# Renown's candidate fields a mapping may fill; the first three are required.
REQUIRED_FIELDS = ("name", "email", "country")
OPTIONAL_FIELDS = ("region", "external_id", "organization")
MAPPED_FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
# What an adapter may return besides the fields.
ADAPTER_EXTRAS = ("accounts", "links", "notices")


class HostAccount(TypedDict):
    network: str
    handle: str


class HostNotice(TypedDict):
    """What the candidate was told or agreed to (``candidates.models.CandidateNotice``)."""

    kind: str
    given_at: datetime  # aware
    lawful_basis: NotRequired[str]
    document_version: NotRequired[str]
    withdrawn_at: NotRequired[datetime | None]


class HostAdapterValues(TypedDict, total=False):
    """What a ``RENOWN_HOST_CANDIDATE_ADAPTER`` returns for a host record (any of it)."""

    name: str | None
    email: str | None
    country: str | None
    region: str | None
    external_id: str | None
    organization: str | None
    accounts: Iterable[HostAccount] | None
    links: Iterable[str] | None
    notices: Iterable[HostNotice] | None


class HostValues(TypedDict):
    """What Renown reads from one host record."""

    name: str
    email: str
    country: str
    region: str
    external_id: str
    organization: str  # a slug; "" for RENOWN_DEFAULT_ORGANIZATION
    accounts: list[HostAccount]
    links: list[str]
    notices: list[HostNotice]


def host_model() -> type[models.Model] | None:
    """The host's candidate model, or None when none is configured (or it is not installed)."""
    label = conf.get("RENOWN_HOST_CANDIDATE_MODEL")
    if not label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def is_host_model(model: type[models.Model]) -> bool:
    """Whether ``model`` is the configured host model (cheap: a label comparison)."""
    label = conf.get("RENOWN_HOST_CANDIDATE_MODEL")
    return bool(label) and model._meta.label_lower == label.lower()


def _adapter() -> Callable[[models.Model], HostAdapterValues] | None:
    path = conf.get("RENOWN_HOST_CANDIDATE_ADAPTER")
    return import_string(path) if path else None


def _resolve(obj: object, path: str) -> object:
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part)
    return value() if callable(value) else value


def _describe(obj: models.Model) -> str:
    return f"{obj._meta.label} pk={obj.pk!r}"


def host_values(obj: models.Model) -> HostValues:
    """What Renown reads from the host record ``obj`` (through the adapter or the fields).

    ``external_id`` defaults to the host's primary key. Raises ValidationError naming the
    host object and the field when a required value is missing or of the wrong type.
    """
    adapter = _adapter()
    raw: Mapping[str, object]
    adapted: HostAdapterValues = {}
    if adapter is not None:
        raw = adapted = adapter(obj)
    else:
        resolved: dict[str, object] = {}
        raw = resolved
        for field, path in conf.get("RENOWN_HOST_CANDIDATE_FIELDS").items():
            try:
                resolved[field] = _resolve(obj, path)
            except AttributeError as exc:
                raise ValidationError(
                    {field: f"{_describe(obj)}: cannot read {path!r} ({exc})"}
                ) from None
    errors: dict[str, str] = {}
    text: dict[str, str] = {}
    for field in MAPPED_FIELDS:
        value = raw.get(field)
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[field] = f"{_describe(obj)}: {field} must be text, not {type(value).__name__}"
            continue
        text[field] = value.strip()
    if "name" not in errors and not text.get("name"):
        errors["name"] = f"{_describe(obj)}: name is blank"
    if errors:
        raise ValidationError(errors)
    return HostValues(
        name=text["name"],
        email=text["email"],
        country=text["country"].upper(),
        region=text["region"].upper(),
        external_id=text["external_id"] or str(obj.pk),
        organization=text["organization"],
        accounts=list(adapted.get("accounts") or []),
        links=list(adapted.get("links") or []),
        notices=list(adapted.get("notices") or []),
    )


# --- system checks -------------------------------------------------------------------


def _path_problem(model: type[models.Model], path: str) -> str | None:
    """Why ``path`` is not an attribute path on ``model``'s instances, or None."""
    current: type[object] | None = model
    for part in path.split("."):
        if current is None:
            return None  # past a plain attribute: its type is unknown, trust the host
        meta = getattr(current, "_meta", None)
        if meta is not None:
            try:
                field = meta.get_field(part)
            except FieldDoesNotExist:
                pass
            else:
                current = field.related_model if field.is_relation else None
                continue
        if not hasattr(current, part):
            return f"{current.__name__} has no field or attribute {part!r}"
        current = None
    return None


@register()
def check_host_candidate_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    """The host candidate settings against the host's model (renown.E030-E033)."""
    label = conf.value("RENOWN_HOST_CANDIDATE_MODEL")
    fields = conf.value("RENOWN_HOST_CANDIDATE_FIELDS")
    adapter = conf.value("RENOWN_HOST_CANDIDATE_ADAPTER")
    if (
        not isinstance(label, str)
        or not isinstance(fields, Mapping)
        or not isinstance(adapter, str)
    ):
        return []  # renown.E020 already says so
    if not label:
        if fields or adapter:
            return [
                Error(
                    "RENOWN_HOST_CANDIDATE_FIELDS or RENOWN_HOST_CANDIDATE_ADAPTER is set, "
                    "but RENOWN_HOST_CANDIDATE_MODEL is not.",
                    hint="Name the host's model: RENOWN_HOST_CANDIDATE_MODEL = 'app_label.Model'.",
                    id="renown.E031",
                )
            ]
        return []
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        return [
            Error(
                f"RENOWN_HOST_CANDIDATE_MODEL = {label!r} names no installed model ({exc}).",
                hint="Give 'app_label.ModelName' of a model in INSTALLED_APPS.",
                id="renown.E030",
            )
        ]
    errors: list[CheckMessage] = []
    if adapter:
        try:
            function = import_string(adapter)
        except ImportError as exc:
            errors.append(
                Error(
                    f"RENOWN_HOST_CANDIDATE_ADAPTER = {adapter!r} cannot be imported ({exc}).",
                    id="renown.E033",
                )
            )
        else:
            if not callable(function):
                errors.append(
                    Error(
                        f"RENOWN_HOST_CANDIDATE_ADAPTER = {adapter!r} is not callable.",
                        hint="Give a function host_obj -> mapping.",
                        id="renown.E033",
                    )
                )
        return errors
    if not fields:
        return [
            Error(
                f"RENOWN_HOST_CANDIDATE_MODEL = {label!r} is set, but neither "
                "RENOWN_HOST_CANDIDATE_FIELDS nor RENOWN_HOST_CANDIDATE_ADAPTER is.",
                hint="Map name, email and country to the model's attributes, or give an adapter.",
                id="renown.E031",
            )
        ]
    errors.extend(
        Error(
            f"RENOWN_HOST_CANDIDATE_FIELDS has no {field!r}.",
            hint=f"Map {field!r} to an attribute of {model._meta.label}.",
            id="renown.E032",
        )
        for field in REQUIRED_FIELDS
        if field not in fields
    )
    for field, path in fields.items():
        if field not in MAPPED_FIELDS:
            errors.append(
                Error(
                    f"RENOWN_HOST_CANDIDATE_FIELDS maps {field!r}, which is not a Renown "
                    f"candidate field ({', '.join(MAPPED_FIELDS)}).",
                    id="renown.E032",
                )
            )
        elif isinstance(path, str) and (found := _path_problem(model, path)):
            errors.append(
                Error(
                    f"RENOWN_HOST_CANDIDATE_FIELDS[{field!r}] = {path!r}: {found}.",
                    hint=f"Give an attribute path on {model._meta.label}, e.g. 'full_name'.",
                    id="renown.E032",
                )
            )
    return errors
