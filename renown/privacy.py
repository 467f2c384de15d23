"""The privacy protocol: each app says how it exports and erases its own data about a candidate.

The access request (GDPR Art. 15) and the erasure (Art. 17) are use cases of the
top app (``hiring.privacy.services``), but no app may know another's tables by
heart: an app added to Renown (or a host's app that stores data about Renown's
candidates) would otherwise be left out of both. So each app registers its
*sections* here, one per kind of row it holds about a candidate::

    # <app>/privacy.py, imported by the app's AppConfig.ready()
    from renown import privacy

    privacy.register(
        "renown_candidates",  # the registering app's label: it owns these rows
        privacy.DataSection(
            name="accounts",
            model=SocialAccount,
            # The rows are SocialAccount's whose ``candidate`` is the person (the default
            # ``candidate_path``); a path through another model: "account__candidate".
            erase="delete",
            identifiers=lambda rows: rows.values_list("handle", flat=True),
        ),
    )

The contract of a section:

- ``rows(candidate)`` returns every row of ``model`` about the candidate (and
  none about anyone else): by ``candidate_path`` (default ``"candidate"``), or by
  ``query`` where no foreign key says it (a webhook body naming the person). It
  is called with ``candidates.models.Candidate``, which this base cannot import
  (``DataSubject`` is what it may rely on).
- The export holds ``{section.name: [serialize(row) for row in rows]}`` for every
  section, in registration order (Django calls ``ready()`` in
  ``INSTALLED_APPS`` order: with ``with_renown_apps``, a host's apps, then
  candidates, scoring, hiring), the base's own (webhook deliveries, audit
  events) last.
- ``erase`` says what the erasure does with the rows: ``"delete"`` deletes them
  at once (and counts them in the erasure's record); ``"keep"`` leaves them
  with the candidate row, which a retention hold keeps until the law lets go of
  it (they are deleted with the candidate, at once when nothing must be kept);
  a callable is the app's own erasure, run at once (e.g. detach a replay record
  and forget what it said). ``pseudonymise``, for kept rows, replaces the
  person's identifiers in them when a hold keeps them; ``identifiers`` says
  what in an app's rows names the person (a handle), to be scrubbed so.
- Every model with a foreign key to the candidate, or to such a model's rows,
  must be in a section registered by the app that owns the model (a test walks
  the models and fails otherwise).

Register at ``AppConfig.ready()`` (directly or by importing a module that
registers on import): a duplicate name fails loudly, at start-up.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import QuerySet

from renown.json_types import JSONValue

__all__ = [
    "DataSection",
    "DataSubject",
    "Pseudonym",
    "audit_subject_rows",
    "register",
    "row_fields",
    "section",
    "sections",
]


class DataSubject(Protocol):
    """The person a section is asked about: ``candidates.models.Candidate``."""

    @property
    def pk(self) -> int: ...

    @property
    def public_id(self) -> uuid.UUID: ...

    @property
    def organization_id(self) -> int: ...

    @property
    def _meta(self) -> ModelMeta: ...


class ModelMeta(Protocol):
    """What a section may read of the subject's ``_meta`` (``Options``)."""

    @property
    def label_lower(self) -> str: ...


# Fields never exported: secrets of the organisation, not data about the person.
_NEVER_EXPORTED = frozenset({"secret"})

# Keys of the export that are not sections.
_RESERVED = frozenset({"exported_at", "candidate"})


def row_fields(obj: models.Model) -> dict[str, object]:
    """Every stored field of ``obj`` by attribute name (``account_id``), secrets left out.

    The default ``DataSection.serialize``; a section that must hold something back
    builds on it.
    """
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in _NEVER_EXPORTED
    }


@dataclass(frozen=True)
class Pseudonym:
    """What replaces the person in the records a retention hold keeps.

    ``identifiers`` are what named the person (name, e-mail, ATS id, handles);
    ``label`` stands in for each of them.
    """

    label: str
    identifiers: tuple[str, ...]

    def text(self, text: str) -> str:
        """``text`` with every identifier (three characters or more) replaced by the label."""
        # Longest first, so that a name is not half-replaced through a shorter identifier in it.
        for secret in sorted({s for s in self.identifiers if len(s) >= 3}, key=len, reverse=True):
            text = text.replace(secret, self.label)
        return text

    def json(self, value: object) -> JSONValue:
        """JSON-ready ``value`` with every identifier replaced, in keys and values alike."""
        encoded = json.dumps(value, cls=DjangoJSONEncoder)
        # Identifiers are searched as they appear inside a JSON string (escaped).
        escaped = Pseudonym(self.label, tuple(json.dumps(i)[1:-1] for i in self.identifiers))
        decoded: JSONValue = json.loads(escaped.text(encoded))
        return decoded


Erase = Literal["delete", "keep"] | Callable[[DataSubject], None]

# The model of a section's rows. Covariant: the registry holds every app's sections as
# ``DataSection[models.Model]``; a section's callables are only ever given its own rows.
M = TypeVar("M", bound=models.Model, covariant=True)


@dataclass(frozen=True)
class DataSection(Generic[M]):
    """One kind of row an app holds about a candidate, and what export and erasure do with it.

    ``name`` is the section's key in the export (unique across apps); the candidate's
    rows of ``model`` are those whose ``candidate_path`` (a foreign key to the
    candidate, or a lookup through one: ``"adverse_action__candidate"``) is the
    person, or what ``query(candidate)`` returns where a foreign key cannot say it. ``erase``: ``"delete"`` (at once,
    counted), ``"keep"`` (with the candidate row, while a retention hold lasts),
    or a callable doing the app's own erasure at once. ``pseudonymise(rows,
    pseudonym)`` scrubs kept rows when a hold keeps them; ``identifiers(rows)``
    gives what in these rows names the person (a handle), scrubbed from kept
    rows (read before anything is erased). ``serialize`` turns a
    row into the export's dict (default: ``row_fields``), ``order_by`` orders the
    rows. ``audit_subjects``: audit events whose subject is one of these rows are
    about the candidate too (they go into the export's audit events).
    ``app_label`` is set by ``register``.
    """

    name: str
    model: type[M]
    candidate_path: str = "candidate"
    query: Callable[[DataSubject], QuerySet[M]] | None = None
    erase: Erase = "delete"
    pseudonymise: Callable[[QuerySet[M], Pseudonym], None] | None = None
    identifiers: Callable[[QuerySet[M]], Iterable[str]] | None = None
    serialize: Callable[[M], Mapping[str, object]] = row_fields
    order_by: tuple[str, ...] = ("pk",)
    audit_subjects: bool = False
    app_label: str = field(default="", compare=False)

    def rows(self, candidate: DataSubject) -> QuerySet[M]:
        """Every row of ``model`` about ``candidate``, and none about anyone else."""
        if self.query is not None:
            return self.query(candidate)
        lookup = {f"{self.candidate_path}_id": candidate.pk}
        return self.model._default_manager.filter(**lookup)


_registry: dict[str, DataSection[models.Model]] = {}


def register(app_label: str, *new: DataSection[Any]) -> None:
    """Register ``app_label``'s sections; call it from the app's ``AppConfig.ready()``.

    (``DataSection[Any]``: mypy infers a section written inside the call from this
    parameter's type before its arguments, and ``DataSection[models.Model]`` would refuse
    every ``serialize`` or ``pseudonymise`` that takes one model's rows.)

    ``app_label`` is the label of the app registering, which must own each
    section's model. Raises ``ImproperlyConfigured`` on a name already
    registered (by any app), a name the export uses for itself, an ``erase``
    that is neither ``"delete"``, ``"keep"`` nor callable, or ``pseudonymise`` on
    rows that are not kept.
    """
    for section in new:
        if section.name in _RESERVED:
            raise ImproperlyConfigured(
                f"Privacy section name {section.name!r} ({app_label}) is reserved by the export."
            )
        if section.name in _registry:
            raise ImproperlyConfigured(
                f"Privacy section {section.name!r} is registered twice: by "
                f"{_registry[section.name].app_label} and by {app_label}."
            )
        if section.erase not in ("delete", "keep") and not callable(section.erase):
            raise ImproperlyConfigured(
                f"Privacy section {section.name!r} ({app_label}): erase must be "
                f"'delete', 'keep' or a callable, not {section.erase!r}."
            )
        if section.pseudonymise is not None and section.erase != "keep":
            raise ImproperlyConfigured(
                f"Privacy section {section.name!r} ({app_label}): only kept rows are "
                "pseudonymised (erase='keep')."
            )
        _registry[section.name] = replace(section, app_label=app_label)


# The base's own label: its sections are listed after the apps'.
_BASE = "renown"


def sections() -> list[DataSection[models.Model]]:
    """Every registered section: the apps' in registration order, then the base's own.

    The base registers first (its ``ready()`` runs first) but its sections are the
    logs of what was sent and done about the apps' rows (webhook deliveries, the
    audit trail): they read best, and were always exported, after those rows.
    """
    registered = list(_registry.values())
    return [s for s in registered if s.app_label != _BASE] + [
        s for s in registered if s.app_label == _BASE
    ]


def section(name: str) -> DataSection[models.Model]:
    """The section registered as ``name``; ``KeyError`` when there is none."""
    return _registry[name]


def audit_subject_rows(
    candidate: DataSubject,
) -> Iterable[tuple[type[models.Model], QuerySet[models.Model]]]:
    """For each section marked ``audit_subjects``: its model and the candidate's rows."""
    for registered in sections():
        if registered.audit_subjects:
            yield registered.model, registered.rows(candidate)
