"""The API's candidate use cases: deletion (erasure), update, upsert and bulk upsert."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from renown.api.access import Principal
from candidates.models import Candidate
from candidates.services import candidate_create
from renown.models import Organization


def candidate_delete(*, candidate: Candidate, actor: Principal) -> None:
    """Erase a candidate (the API's ``DELETE``): ``hiring.privacy.services.candidate_erase``.

    The profile data goes at once; the decision records the law makes the
    employer keep stay pseudonymised under a retention hold; ``candidate.erased``
    is emitted and the erasure is appended to the audit trail.
    """
    from hiring.privacy.services import candidate_erase

    who = actor.user if actor.user is not None else f"api-token:{actor.label}"
    candidate_erase(candidate=candidate, actor=who)


# --- candidates through the API ------------------------------------------------------

CANDIDATE_FIELDS = ("name", "email", "ats_source", "external_id", "country", "region")


class BulkItemResult(TypedDict, total=False):
    index: int
    status: str
    id: str
    errors: list[dict[str, str]]


def candidate_update(*, candidate: Candidate, changes: Mapping[str, Any]) -> Candidate:
    """Change the given fields of a candidate; ValidationError names each bad field."""
    for field, value in changes.items():
        if field not in CANDIDATE_FIELDS:
            raise ValueError(f"not a candidate field: {field}")
        setattr(candidate, field, value)
    candidate.full_clean()
    candidate.save()
    return candidate


def candidate_upsert(
    *, organization: Organization, ats_source: str, external_id: str, data: Mapping[str, Any]
) -> tuple[Candidate, bool]:
    """Create or update the candidate the ATS knows by ``external_id``; (candidate, created).

    Two concurrent first upserts of one key: the loser's insert fails on the unique
    constraint and it updates the winner's row instead.
    """
    values = {f: data[f] for f in CANDIDATE_FIELDS if f in data}
    values |= {"ats_source": ats_source, "external_id": external_id}
    try:
        return _upsert_once(organization, ats_source, external_id, values)
    except IntegrityError:
        return _upsert_once(organization, ats_source, external_id, values)


def _upsert_once(
    organization: Organization, ats_source: str, external_id: str, values: dict[str, Any]
) -> tuple[Candidate, bool]:
    with transaction.atomic():
        candidate = (
            Candidate.objects.select_for_update()
            .filter(organization=organization, ats_source=ats_source, external_id=external_id)
            .first()
        )
        if candidate is None:
            return candidate_create(organization=organization, **values), True
        return candidate_update(candidate=candidate, changes=values), False


def candidate_bulk_upsert(
    *, organization: Organization, items: Sequence[Mapping[str, Any] | None]
) -> dict[int, BulkItemResult]:
    """Upsert validated candidate items in a few statements: {index: result}.

    ``items`` holds each item's validated fields, None for one that failed
    validation (the caller reports it). An item with ``ats_source`` and
    ``external_id`` updates the candidate with that key, if any; the same key twice
    in one request is an error on the later item. Everything else is created with
    one ``bulk_create``; updates go in one ``bulk_update``.
    """
    for attempt in range(2):
        try:
            return _bulk_upsert_once(organization, items)
        except IntegrityError:
            if attempt:  # a concurrent import created the same keys twice over: give up
                raise
    raise AssertionError("unreachable")


def _update_rows(candidates: Sequence[Candidate], batch_size: int = 500) -> None:
    """Write the candidate fields of changed rows: one UPDATE ... FROM (VALUES ...) a batch.

    bulk_update's CASE expressions over a thousand rows are slow on both databases;
    an unchanged row is never written.
    """
    if not candidates:
        return
    quote = connection.ops.quote_name
    table = quote(Candidate._meta.db_table)
    column_of = {f.name: str(f.column) for f in Candidate._meta.concrete_fields}
    columns = [column_of[f] for f in CANDIDATE_FIELDS]
    names = ", ".join(quote(c) for c in ["id", *columns])
    assignments = ", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns)
    now = timezone.now()
    updated_at = next(f for f in Candidate._meta.concrete_fields if f.name == "updated_at")
    now_value = updated_at.get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        for start in range(0, len(candidates), batch_size):
            batch = candidates[start : start + batch_size]
            row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
            params: list[Any] = []
            for candidate in batch:
                params += [candidate.pk, *(getattr(candidate, f) for f in CANDIDATE_FIELDS)]
            cursor.execute(
                f"WITH v({names}) AS (VALUES {', '.join([row] * len(batch))}) "  # noqa: S608 - quoted names, values as parameters
                f"UPDATE {table} SET {assignments}, {quote(column_of['updated_at'])} = %s "
                f"FROM v WHERE {table}.{quote('id')} = v.{quote('id')}",
                [*params, now_value],
            )


def _bulk_upsert_once(
    organization: Organization, items: Sequence[Mapping[str, Any] | None]
) -> dict[int, BulkItemResult]:
    results: dict[int, BulkItemResult] = {}
    keyed: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        if item is None or not item.get("external_id"):
            continue
        key = (item["ats_source"], item["external_id"])
        if key in keyed:
            results[index] = {
                "index": index,
                "status": "error",
                "errors": [
                    {
                        "field": "external_id",
                        "message": f"The same candidate is item {keyed[key]} of this request.",
                    }
                ],
            }
        else:
            keyed[key] = index
    with transaction.atomic():
        existing: dict[tuple[str, str], Candidate] = {}
        if keyed:
            rows = Candidate.objects.select_for_update().filter(
                organization=organization,
                external_id__in={external for _, external in keyed},
            )
            existing = {
                (c.ats_source, c.external_id): c
                for c in rows
                if (c.ats_source, c.external_id) in keyed
            }
        to_create: list[tuple[int, Candidate]] = []
        to_update: list[tuple[int, Candidate]] = []
        changed: list[Candidate] = []
        for index, item in enumerate(items):
            if item is None or index in results:
                continue
            values = {f: item.get(f, "") for f in CANDIDATE_FIELDS}
            found = existing.get((values["ats_source"], values["external_id"]))
            if found is not None and values["external_id"]:
                before = [getattr(found, f) for f in CANDIDATE_FIELDS]
                for field in CANDIDATE_FIELDS:
                    if field in item:
                        setattr(found, field, values[field])
                if [getattr(found, f) for f in CANDIDATE_FIELDS] != before:
                    changed.append(found)
                to_update.append((index, found))
            else:
                to_create.append((index, Candidate(organization=organization, **values)))
        Candidate.objects.bulk_create([c for _, c in to_create], batch_size=500)
        _update_rows(changed)
    for index, candidate in to_create:
        results[index] = {"index": index, "status": "created", "id": str(candidate.public_id)}
    for index, candidate in to_update:
        results[index] = {"index": index, "status": "updated", "id": str(candidate.public_id)}
    return results
