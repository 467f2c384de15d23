"""Incremental reads: ``?updated_after=T`` on the lists a client keeps a copy of.

A list that takes ``updated_after`` (a view with ``IncrementalListMixin``) answers the
rows changed at or after T (``time >= T``, inclusive) in ``(time, key)`` order, where
``time`` is the list's change time (a candidate's ``updated_at``, a score's
``computed_at``, a screening's ``evaluated_at``) and ``key`` the row's id; pages follow
a keyset cursor over that pair, so rows that share a time are neither skipped nor
repeated across pages, and a row that changes again while a client pages moves to
the end, where the client reads it again.

Erasures are reported in the same order: a view that reads ``erasure_tombstones()``
adds ``{"id": "<candidate's public id>", "erased": true, "updated_at": "<erased_at>"}``
for every candidate erased at or after T, so that the client deletes its copy.
Tombstones are keyed by the candidate's public id: where the rows are too (the
candidate list) both share one order; elsewhere a tombstone comes after the rows of
the same instant.

T is ISO 8601: a date and time with an offset or ``Z``; without an offset it is UTC,
and a date alone is that day's midnight UTC. Anything else is 400 naming
``updated_after``; so is ``ordering`` beside it (the order is fixed).
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Model, Q, QuerySet
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from renown.api.serializers import DateTimeField
from renown.json_types import JSONObject

UPDATED_AFTER = "updated_after"
MAX_LENGTH = 64  # longer than any ISO 8601 date and time
INVALID = (
    "Give a date and time in ISO 8601 with an offset, e.g. 2026-05-01T12:00:00Z "
    "(without an offset it is read as UTC; a date alone as its midnight UTC)."
)
# What erasure_tombstones() rows hold: the candidate's former public id, the erasure time.
TOMBSTONE_KEY = "public_id"
TOMBSTONE_TIME = "erased_at"
_DATETIME = DateTimeField()


def requested(request: Request) -> bool:
    """Whether the request asks for an incremental read (``updated_after`` is present)."""
    return UPDATED_AFTER in request.query_params


# ISO 8601's extended format as RFC 3339 profiles it (the "T" may be a space), the time
# and its seconds optional; nothing else (Python's own reader takes any separator).
_ISO_8601 = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[Tt ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?"
    r"(?P<offset>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)


def parse_updated_after(value: str) -> datetime:
    """``updated_after`` as an aware UTC time; ValidationError naming it when unreadable.

    Fractions of a second past microseconds are cut (the bound moves earlier: a row
    may come twice, never not at all). A time beyond what Python holds once moved to
    UTC (year 1 with a positive offset, year 9999 with a negative one) is the first or
    the last representable instant.
    """
    text = value.strip()
    match = _ISO_8601.fullmatch(text) if len(text) <= MAX_LENGTH else None
    moment: datetime | None = None
    if match is not None:
        parts = match.groupdict()
        clock = f"{parts['hour'] or '00'}:{parts['minute'] or '00'}:{parts['second'] or '00'}"
        fraction = (parts["fraction"] or "")[:6].ljust(6, "0")
        offset = (parts["offset"] or "").upper()
        try:  # well formed, but there may be no such day, hour or offset
            moment = datetime.fromisoformat(f"{parts['date']}T{clock}.{fraction}{offset}")
        except ValueError:
            moment = None
    if moment is None:
        raise ValidationError({UPDATED_AFTER: [INVALID]})
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        if moment.year == 1:
            return datetime.min.replace(tzinfo=UTC)
        return datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Tombstone:
    """An erased candidate as an incremental read reports it."""

    id: str
    updated_at: datetime

    def as_dict(self) -> JSONObject:
        return {
            "id": self.id,
            "erased": True,
            "updated_at": _DATETIME.to_representation(self.updated_at),
        }


class TombstoneSerializer(serializers.Serializer[JSONObject]):  # the schema's; holds nothing
    """An erased candidate: delete your copy of them and of everything of theirs."""

    id = serializers.UUIDField(help_text="The public id the erased candidate had.")
    erased = serializers.BooleanField(help_text="Always true.")
    updated_at = DateTimeField(help_text="When the candidate was erased.")

    class Meta:
        ref_name = "ErasedCandidate"


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last row's (time, rank, key); the next page starts after it."""

    moment: datetime
    rank: int
    key: str

    def encode(self) -> str:
        text = f"k1|{self.moment.isoformat()}|{self.rank}|{self.key}"
        return base64.urlsafe_b64encode(text.encode()).decode("ascii")

    @classmethod
    def decode(cls, encoded: str) -> Position:
        """The position a cursor names; NotFound for anything else (as DRF's cursors)."""
        try:
            text = base64.urlsafe_b64decode(encoded.encode("ascii")).decode("utf-8")
            version, when, rank, key = text.split("|", 3)
            moment = datetime.fromisoformat(when)
            if version != "k1" or moment.tzinfo is None or rank not in ("0", "1"):
                raise ValueError(text)
            return cls(moment, int(rank), key)
        except (ValueError, UnicodeError, binascii.Error):
            raise NotFound("Invalid cursor") from None


# Where a row stands in an incremental read: (change time, source rank, key).
SortKey = tuple[datetime, int, "uuid.UUID | int | str"]


@dataclass(frozen=True)
class Source:
    """Rows of one kind in an incremental read.

    ``rank`` orders sources whose rows share an instant: sources of one rank must
    have keys of one type (they are compared). ``tombstones``: the rows are erasures
    (``TOMBSTONE_KEY``, ``TOMBSTONE_TIME``) and read as ``Tombstone``.
    """

    queryset: QuerySet[Model, object]
    time_field: str
    key_field: str
    rank: int = 0
    tombstones: bool = False

    def after(self, since: datetime, position: Position | None) -> QuerySet[Model, object]:
        """The rows at or after ``since`` and after ``position``, in (time, key) order."""
        time_field, key_field = self.time_field, self.key_field
        rows = self.queryset.filter(**{f"{time_field}__gte": since})
        if position is not None:
            at = position.moment
            if self.rank < position.rank:
                rows = rows.filter(**{f"{time_field}__gt": at})
            elif self.rank > position.rank:
                rows = rows.filter(**{f"{time_field}__gte": at})
            else:
                # (time, key) > (at, key): the ">=" alone lets an index on time start there.
                key = self.key_value(position.key)
                rows = rows.filter(
                    Q(**{f"{time_field}__gt": at}) | Q(**{f"{key_field}__gt": key}),
                    **{f"{time_field}__gte": at},
                )
        rows = rows.order_by(time_field, key_field)
        if self.tombstones:
            return rows.values_list(key_field, time_field)
        return rows

    def key_value(self, text: str) -> object:
        """A cursor's key as this source's key field holds it; NotFound if it cannot."""
        field = self.queryset.model._meta.get_field(self.key_field)
        assert isinstance(field, Field)  # noqa: S101 - a concrete column: the key field
        try:
            return field.to_python(text)
        except (DjangoValidationError, ValueError, TypeError):
            raise NotFound("Invalid cursor") from None

    def entry(self, row: object) -> tuple[SortKey, object]:
        """(sort key, item) of a fetched row."""
        if self.tombstones:
            key, when = cast("tuple[uuid.UUID, datetime]", row)
            return (when, self.rank, key), Tombstone(str(key), when)
        when = getattr(row, self.time_field)
        key = getattr(row, self.key_field)
        return (when, self.rank, key), row


def keyset_page(
    sources: Sequence[Source], *, since: datetime, position: Position | None, size: int
) -> tuple[list[object], Position | None]:
    """One page of the sources' rows merged in (time, rank, key) order, and where it ended
    if more follow (None on the last page). One query per source.
    """
    fetched: list[tuple[SortKey, object]] = []
    for source in sources:
        fetched += [source.entry(row) for row in source.after(since, position)[: size + 1]]
    fetched.sort(key=lambda pair: pair[0])
    page = fetched[:size]
    if len(fetched) <= size:
        return [item for _, item in page], None
    when, rank, key = page[-1][0]
    return [item for _, item in page], Position(when, rank, str(key))


class IncrementalListMixin:
    """A list that takes ``updated_after`` (see the module); put it first among the bases.

    ``incremental_time_field`` and ``incremental_key_field`` name the change time and
    the id; ``erasure_tombstones`` returns the erasures to report (rows with
    ``public_id`` and ``erased_at``), or None; ``reports_erasures`` says, for the
    schema, whether it may. ``list_queryset`` is what the list reads before filters.
    """

    incremental_time_field: ClassVar[str] = "updated_at"
    incremental_key_field: ClassVar[str] = "id"
    reports_erasures: ClassVar[bool] = False

    def list_queryset(self) -> QuerySet[Model, object]:
        return self.get_queryset()  # type: ignore[attr-defined,no-any-return]

    def erasure_tombstones(self) -> QuerySet[Model, object] | None:
        return None

    def incremental_sources(self, queryset: QuerySet[Model, object]) -> list[Source]:
        """The sources of an incremental read of ``queryset`` (already filtered)."""
        sources = [Source(queryset, self.incremental_time_field, self.incremental_key_field)]
        tombstones = self.erasure_tombstones()
        if tombstones is not None:
            # Keyed like the rows (by public id): one order; otherwise after them.
            rank = 0 if self.incremental_key_field == TOMBSTONE_KEY else 1
            sources.append(Source(tombstones, TOMBSTONE_TIME, TOMBSTONE_KEY, rank, True))
        return sources

    def page_data(self, page: Sequence[object]) -> list[object]:
        """The page as the answer shows it: rows through the serializer, tombstones as such."""
        rows = [item for item in page if not isinstance(item, Tombstone)]
        shown = iter(self.get_serializer(rows, many=True).data)  # type: ignore[attr-defined]
        return [item.as_dict() if isinstance(item, Tombstone) else next(shown) for item in page]

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        queryset = self.filter_queryset(self.list_queryset())  # type: ignore[attr-defined]
        page = self.paginate_queryset(queryset)  # type: ignore[attr-defined]
        return self.get_paginated_response(self.page_data(page))  # type: ignore[attr-defined,no-any-return]
