"""Vendor scores: one recorded by hand, or many imported from a CSV export, normalised to
the vendor's scale."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from decimal import Decimal
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models.functions import Lower
from django.utils import timezone

from candidates.models import Candidate
from candidates.services import ids_digest
from renown.models import AuditEventType, Organization
from renown.trail import AuditActor, audit_record
from scoring import readings
from scoring.models import VendorScore
from scoring.vendors import VENDOR_SCALES


@dataclass
class VendorImportReport:
    """What an import did: rows taken (created or updated) and rows rejected, with reasons."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = dataclass_field(default_factory=list)

    @property
    def taken(self) -> int:
        return self.created + self.updated + self.unchanged


class _VendorScoreKey(TypedDict):
    """What names one stored vendor score (``vendor_score_record`` looks it up by it)."""

    candidate: Candidate
    vendor: str
    vendor_name: str
    as_of: date


class VendorRowError(ValueError):
    """One row's value cannot be imported; the message starts with the column it is in."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column = column


@dataclass(frozen=True)
class _VendorRow:
    key: tuple[int, str, str, date]  # the unique constraint: candidate, vendor, vendor_name, as_of
    values: tuple[Decimal, Decimal, Decimal]  # value, scale_min, scale_max


_VENDOR_KEY = ("candidate", "vendor", "vendor_name", "as_of")
_VENDOR_VALUES = ("value", "scale_min", "scale_max")
_VENDOR_COLUMNS = ("external_id", "email", "vendor", "value", "as_of", "scale_min", "scale_max")
# A plain decimal number: no thousands separators, no underscores, no "Infinity".
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _vendor_column(name: str) -> models.Field[object, object]:
    """VendorScore's field ``name`` (a column of its own, not a relation's other side)."""
    field = VendorScore._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"VendorScore.{name} is not a column")
    return field


def _max_length(name: str) -> int:
    length = _vendor_column(name).max_length
    if length is None:
        raise TypeError(f"VendorScore.{name} has no max_length")
    return length


@functools.cache
def _decimal_limits(name: str) -> tuple[int, int, Decimal]:
    """The DecimalField ``name``'s max_digits, decimal_places and largest value it stores."""
    field = _vendor_column(name)
    if not isinstance(field, models.DecimalField) or field.max_digits is None:
        raise TypeError(f"VendorScore.{name} is not a DecimalField")
    digits, places = field.max_digits, int(field.decimal_places)
    return digits, places, Decimal(10) ** (digits - places) - Decimal(10) ** -places


def _decimal_check(column: str, value: Decimal) -> None:
    """``value`` fits the DecimalField ``column`` exactly, or VendorRowError.

    The limits are the column's own (max_digits, decimal_places), so the check and
    the column cannot drift apart: PostgreSQL would refuse a larger number with an
    error, and either database would round away extra decimals.
    """
    digits, places, largest = _decimal_limits(column)
    if abs(value) > largest:
        raise VendorRowError(
            column, f"{value} does not fit: the column holds -{largest} to {largest} "
            f"({digits} digits, {places} after the point)"
        )  # fmt: skip
    if value != value.quantize(Decimal(1).scaleb(-places)):  # 42.50 fits 2 places, 42.125 not
        raise VendorRowError(
            column, f"{value} has more than {places} decimal places; it would be rounded"
        )


def _vendor_row_parse(
    row: Mapping[str, str | None],
    candidates_by_key: Callable[[str, str], list[int]],
    today: date,
) -> _VendorRow:
    """Validate one CSV row against the columns it goes into; VendorRowError names the field."""

    cells = {name: (row.get(name) or "").strip() for name in _VENDOR_COLUMNS}
    text = cells.__getitem__

    def number(name: str) -> Decimal:
        raw = text(name)
        if not _NUMBER.fullmatch(raw):
            hint = " (use a dot for decimals, no thousands separator)" if "," in raw else ""
            raise VendorRowError(name, f"{raw!r} is not a number{hint}")
        value = Decimal(raw)
        _decimal_check(name, value)
        return value

    external_id, email = text("external_id"), text("email")
    if not external_id and not email:
        raise VendorRowError("external_id", "external_id or email is required")
    column, key = ("external_id", external_id) if external_id else ("email", email)
    matches = candidates_by_key(column, key)
    if not matches:
        raise VendorRowError(column, f"no candidate with {column} {key!r} in this organisation")
    if len(matches) > 1:
        raise VendorRowError(
            column, f"{column} {key!r} matches {len(matches)} candidates; use the other column"
        )

    vendor = text("vendor").lower()
    if not vendor:
        raise VendorRowError("vendor", "vendor is required")
    value = number("value")
    raw_date = text("as_of")
    try:
        if not _ISO_DATE.fullmatch(raw_date):
            raise ValueError(raw_date)
        as_of = date.fromisoformat(raw_date)
    except ValueError:
        raise VendorRowError("as_of", f"{raw_date!r} is not a date (YYYY-MM-DD)") from None
    if as_of > today:
        raise VendorRowError("as_of", f"{as_of} is in the future")

    scale_min_raw, scale_max_raw = text("scale_min"), text("scale_max")
    known = VENDOR_SCALES.get(vendor)
    if known is not None:
        vendor_code, vendor_name = vendor, ""
        scale_min, scale_max = known.minimum, known.maximum
        for name, raw, expected in (
            ("scale_min", scale_min_raw, scale_min),
            ("scale_max", scale_max_raw, scale_max),
        ):
            if raw and number(name) != expected:
                raise VendorRowError(
                    name, f"{vendor} scores are on {scale_min}-{scale_max}, not the scale given"
                )
        if known.closed_on and as_of > known.closed_on:
            raise VendorRowError(
                "as_of",
                f"{vendor} closed on {known.closed_on}; a score dated {as_of} cannot be one",
            )
    else:
        vendor_code, vendor_name = "custom", text("vendor")
        longest = _max_length("vendor_name")
        if len(vendor_name) > longest:
            raise VendorRowError(
                "vendor",
                f"a custom vendor's name is at most {longest} characters; "
                f"{vendor_name[:20]!r}... has {len(vendor_name)}",
            )
        if not scale_min_raw or not scale_max_raw:
            missing = "scale_min" if not scale_min_raw else "scale_max"
            raise VendorRowError(
                missing, f"custom vendor {vendor_name!r} needs scale_min and scale_max"
            )
        scale_min, scale_max = number("scale_min"), number("scale_max")
        if not scale_min < scale_max:
            raise VendorRowError(
                "scale_max", f"scale_min {scale_min} must be below scale_max {scale_max}"
            )
    if not scale_min <= value <= scale_max:
        raise VendorRowError(
            "value", f"{value} is outside {vendor}'s scale {scale_min}-{scale_max}"
        )
    return _VendorRow(
        key=(matches[0], vendor_code, vendor_name, as_of), values=(value, scale_min, scale_max)
    )


# Beyond this many keys, reading the organisation's candidates (or vendor scores)
# whole is cheaper than building IN lists of thousands of values.
_LOOKUP_WHOLESALE = 2000


def _candidate_lookup(
    organization: Organization, rows: Sequence[tuple[int, Mapping[str, str | None]]]
) -> Callable[[str, str], list[int]]:
    """Every candidate the rows name, in a few queries; the function answers from memory."""
    external_ids: set[str] = set()
    emails: set[str] = set()
    for _, row in rows:
        external_id = (row.get("external_id") or "").strip()
        if external_id:
            external_ids.add(external_id)
        elif email := (row.get("email") or "").strip():
            emails.add(email.lower())
    candidates = Candidate.objects.filter(organization=organization).order_by("id")
    by_key: dict[tuple[str, str], list[int]] = {}

    def add(field: str, key: str, candidate_id: int) -> None:
        by_key.setdefault((field, key), []).append(candidate_id)

    if len(external_ids) + len(emails) > _LOOKUP_WHOLESALE:
        for candidate_id, external_id, email in candidates.annotate(
            email_key=Lower("email")
        ).values_list("id", "external_id", "email_key"):
            if external_id in external_ids:
                by_key.setdefault(("external_id", external_id), []).append(candidate_id)
            if email in emails:
                by_key.setdefault(("email", email), []).append(candidate_id)
    else:
        ids, keys = sorted(external_ids), sorted(emails)
        for start in range(0, len(ids), 1000):
            for external_id, candidate_id in candidates.filter(
                external_id__in=ids[start : start + 1000]
            ).values_list("external_id", "id"):
                add("external_id", external_id, candidate_id)
        for start in range(0, len(keys), 1000):
            for email, candidate_id in (
                candidates.annotate(email_key=Lower("email"))
                .filter(email_key__in=keys[start : start + 1000])
                .values_list("email_key", "id")
            ):
                add("email", email, candidate_id)

    def candidates_by_key(field: str, value: str) -> list[int]:
        return by_key.get((field, value if field == "external_id" else value.lower()), [])

    return candidates_by_key


def _vendor_scores_stored(
    organization: Organization, keys: Iterable[tuple[int, str, str, date]]
) -> dict[tuple[int, str, str, date], tuple[Decimal, Decimal, Decimal]]:
    """The stored value and scale of each key (candidate, vendor, vendor_name, as_of) on file."""
    wanted = set(keys)
    if not wanted:
        return {}
    candidate_ids = sorted({key[0] for key in wanted})
    scores = VendorScore.objects.all()
    if len(candidate_ids) > _LOOKUP_WHOLESALE:
        chunks = [scores.filter(candidate__organization=organization)]
    else:
        chunks = [
            scores.filter(candidate_id__in=candidate_ids[start : start + 1000])
            for start in range(0, len(candidate_ids), 1000)
        ]
    stored = {}
    for chunk in chunks:
        for candidate_id, vendor, vendor_name, as_of, *values in chunk.values_list(
            "candidate_id", "vendor", "vendor_name", "as_of", *_VENDOR_VALUES
        ):
            key = (candidate_id, vendor, vendor_name, as_of)
            if key in wanted:
                stored[key] = (values[0], values[1], values[2])
    return stored


def _vendor_scores_upsert(rows: Sequence[_VendorRow], *, source: str) -> None:
    """Insert ``rows``, or give a stored row with the same key their value and scale, in bulk.

    The keys must be distinct. Not bulk_create: building 100,000 model instances
    and preparing every value through its field took several times longer than
    the database did. PostgreSQL gets the rows by COPY into a temporary table
    shaped like the real one (as ``_insert_scores`` does) and moves them with one
    INSERT ... ON CONFLICT; elsewhere one executemany of the same upsert. A stored
    row keeps its ``imported_at``, as ``save()`` kept it. Call inside a transaction.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    names = [*_VENDOR_KEY, *_VENDOR_VALUES, "source", "imported_at"]
    column = {name: quote(_vendor_column(name).column) for name in names}
    columns = ", ".join(column[name] for name in names)
    changed = ", ".join(
        f"{column[name]} = excluded.{column[name]}" for name in (*_VENDOR_VALUES, "source")
    )
    upsert = (
        f"ON CONFLICT ({', '.join(column[name] for name in _VENDOR_KEY)}) DO UPDATE SET {changed}"
    )
    table = quote(VendorScore._meta.db_table)
    now = timezone.now()
    # Our own table and column names, no user input: every value is a bound parameter.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMP TABLE vendor_score_incoming ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY vendor_score_incoming ({columns}) FROM STDIN") as copy:
                for item in rows:
                    copy.write_row((*item.key, *item.values, source, now))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
                f"FROM vendor_score_incoming {upsert}"
            )
            # ON COMMIT DROP alone is not enough when the caller's transaction goes on.
            cursor.execute("DROP TABLE vendor_score_incoming")
        else:
            _vendor_scores_executemany(cursor, rows, columns, upsert, table, source, now)
    # The latest-reading rows of the candidates written, in the same transaction.
    readings.vendor_readings_upsert({item.key[0] for item in rows})


def _vendor_scores_executemany(
    cursor: CursorWrapper, rows: Sequence[_VendorRow], columns: str, upsert: str, table: str,
    source: str, now: datetime,
) -> None:  # fmt: skip
    """``_vendor_scores_upsert`` elsewhere than PostgreSQL: one executemany."""
    names = [*_VENDOR_KEY, *_VENDOR_VALUES, "source", "imported_at"]
    ops = connection.ops
    places = [_decimal_limits(name)[:2] for name in _VENDOR_VALUES]
    imported_at = ops.adapt_datetimefield_value(now)
    cursor.executemany(
        f"INSERT INTO {table} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(names))}) {upsert}",
        [
            (
                *item.key[:3],
                ops.adapt_datefield_value(item.key[3]),
                *(
                    ops.adapt_decimalfield_value(value, digits, decimals)
                    for value, (digits, decimals) in zip(item.values, places, strict=True)
                ),
                source,
                imported_at,
            )
            for item in rows
        ],
    )


def vendor_scores_import(
    *,
    organization: Organization,
    rows: Iterable[tuple[int, Mapping[str, str | None]]],
    source: str,
    actor: AuditActor = None,
) -> VendorImportReport:
    """Import vendor scores (Klout, Kred, ... or a custom vendor with a declared scale).

    ``rows`` pairs each row with its line number in the file. Every row is
    validated first, against the vendor's scale and the columns it goes into
    (their lengths, digits and decimal places); a bad row is reported with its
    line number, field and reason. Then the good rows are written together in one
    transaction, in bulk. Importing the same row again changes nothing; a new
    value for the same candidate, vendor and date replaces the old (within one
    file too: the later line wins). One ``vendor_scores.imported`` event for the
    import: its counts and a SHA-256 of the keys written (``ids_digest``).
    """
    rows = list(rows)
    lookup = _candidate_lookup(organization, rows)
    today = timezone.now().date()
    report = VendorImportReport()
    parsed: list[_VendorRow] = []
    for line, row in rows:
        try:
            parsed.append(_vendor_row_parse(row, lookup, today))
        except VendorRowError as exc:
            report.rejected.append((line, str(exc)))
    source = source[: _max_length("source")]
    with transaction.atomic():
        known = _vendor_scores_stored(organization, (item.key for item in parsed))
        writes: dict[tuple[int, str, str, date], _VendorRow] = {}
        for item in parsed:
            before = writes[item.key].values if item.key in writes else known.get(item.key)
            if before is None:
                report.created += 1
            elif before == item.values:
                report.unchanged += 1
                continue
            else:
                report.updated += 1
            writes[item.key] = item
        _vendor_scores_upsert(list(writes.values()), source=source)
        audit_record(
            organization=organization,
            actor=actor,
            event_type=AuditEventType.VENDOR_SCORES_IMPORTED,
            subject=None,
            after={
                "source": source,
                "rows": len(rows),
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": len(report.rejected),
                "written_keys_sha256": ids_digest(":".join(map(str, key)) for key in writes),
            },
        )
    return report


def vendor_score_record(
    *,
    candidate: Candidate,
    vendor: str,
    as_of: date,
    value: Decimal,
    scale_min: Decimal,
    scale_max: Decimal,
    vendor_name: str = "",
    source: str = "",
    actor: AuditActor = None,
) -> tuple[VendorScore, bool]:
    """Store one vendor score pushed for a candidate: (score, created) — ``vendor_score.recorded``.

    A value for the same vendor and date replaces the stored one (before and after
    in the event). Raises ValidationError when the database refuses the values.
    """
    identity: _VendorScoreKey = {
        "candidate": candidate,
        "vendor": vendor,
        "vendor_name": vendor_name,
        "as_of": as_of,
    }
    changes = {
        "value": value,
        "scale_min": scale_min,
        "scale_max": scale_max,
        "source": source[:200],
    }
    try:
        with transaction.atomic():
            stored = VendorScore.objects.select_for_update().filter(**identity).first()
            before = (
                {name: getattr(stored, name) for name in _VENDOR_VALUES}
                if stored is not None
                else None
            )
            score, created = VendorScore.objects.update_or_create(**identity, defaults=changes)
            readings.vendor_readings_upsert([candidate.pk])
            audit_record(
                organization=candidate.organization,
                actor=actor,
                event_type=AuditEventType.VENDOR_SCORE_RECORDED,
                subject=score,
                before=before,
                after={
                    "candidate": str(candidate.public_id),
                    "vendor": vendor,
                    "vendor_name": vendor_name,
                    "as_of": as_of,
                    **{name: getattr(score, name) for name in _VENDOR_VALUES},
                },
            )
    except IntegrityError:
        raise ValidationError({"value": "Not a valid vendor score."}) from None
    return score, created
