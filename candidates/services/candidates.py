"""Candidates created, changed and upserted (one at a time or in bulk), and who viewed one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TypedDict

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from candidates.models import (
    Candidate,
    CandidateView,
)
from renown.models import AuditEventType, Organization
from renown.trail import AuditActor, audit_record

# The fields a caller may write on a candidate (the API, an ATS, the host link).
CANDIDATE_FIELDS = ("name", "email", "ats_source", "external_id", "country", "region")
# Fields whose values may be recorded in the trail (not names, not e-mail addresses).
_RECORDED_CANDIDATE_FIELDS = ("ats_source", "external_id", "country", "region")


def ids_digest(ids: Iterable[object]) -> str:
    """SHA-256 (hex) of the sorted ids, one a line: names a bulk call's objects in one value."""
    return hashlib.sha256("\n".join(sorted(str(i) for i in ids)).encode()).hexdigest()


def _candidate_ref(candidate: Candidate) -> dict[str, str]:
    return {"candidate": str(candidate.public_id)}


def candidate_create(
    *,
    organization: Organization,
    name: str,
    email: str = "",
    ats_source: str = "",
    external_id: str = "",
    country: str = "",
    region: str = "",
    actor: AuditActor = None,
) -> Candidate:
    """Create a candidate in ``organization`` (``candidate.created``); ValidationError per field."""
    candidate = Candidate(
        organization=organization,
        name=name,
        email=email,
        ats_source=ats_source,
        external_id=external_id,
        country=country.upper(),
        region=region.upper(),
    )
    candidate.full_clean()
    with transaction.atomic(savepoint=False):
        candidate.save()
        audit_record(
            organization=organization,
            actor=actor,
            event_type=AuditEventType.CANDIDATE_CREATED,
            subject=candidate,
            after={
                **_candidate_ref(candidate),
                **{f: getattr(candidate, f) for f in _RECORDED_CANDIDATE_FIELDS},
            },
        )
    return candidate


def candidate_update(
    *, candidate: Candidate, changes: Mapping[str, str], actor: AuditActor = None
) -> Candidate:
    """Change the given fields of a candidate (``candidate.changed``, when one differs).

    Raises ValueError for a field that is not a candidate's, ValidationError naming
    each bad value. The event lists the changed fields; values only for the ones
    that are not personal (source, id, country, region). Nothing is written when no
    value differs: ``updated_at`` moves only with a change (the API's ``updated_after``
    reads report what changed, and an ATS pushing the same record again changes nothing).
    """
    for field in changes:
        if field not in CANDIDATE_FIELDS:
            raise ValueError(f"not a candidate field: {field}")
    before = {f: getattr(candidate, f) for f in CANDIDATE_FIELDS}
    for field, value in changes.items():
        setattr(candidate, field, value)
    candidate.full_clean()
    changed = sorted(f for f in CANDIDATE_FIELDS if getattr(candidate, f) != before[f])
    if not changed:
        return candidate
    with transaction.atomic(savepoint=False):
        candidate.save()
        audit_record(
            organization=candidate.organization,
            actor=actor,
            event_type=AuditEventType.CANDIDATE_CHANGED,
            subject=candidate,
            before={f: before[f] for f in changed if f in _RECORDED_CANDIDATE_FIELDS},
            after={
                **_candidate_ref(candidate),
                "fields": changed,
                **{f: getattr(candidate, f) for f in changed if f in _RECORDED_CANDIDATE_FIELDS},
            },
        )
    return candidate


def candidate_upsert(
    *,
    organization: Organization,
    ats_source: str,
    external_id: str,
    data: Mapping[str, str],
    actor: AuditActor = None,
) -> tuple[Candidate, bool]:
    """Create or update the candidate the ATS knows by ``external_id``; (candidate, created).

    Only the fields in ``data`` are written (an update keeps the others).
    ``candidate.created`` or ``candidate.changed`` (none when nothing differs).
    Two concurrent first upserts of one key: the loser's insert fails on the unique
    constraint and it updates the winner's row instead.
    """
    values = {f: data[f] for f in CANDIDATE_FIELDS if f in data}
    values |= {"ats_source": ats_source, "external_id": external_id}
    try:
        return _upsert_once(organization, ats_source, external_id, values, actor)
    except IntegrityError:
        return _upsert_once(organization, ats_source, external_id, values, actor)


def _upsert_once(
    organization: Organization,
    ats_source: str,
    external_id: str,
    values: dict[str, str],
    actor: AuditActor,
) -> tuple[Candidate, bool]:
    with transaction.atomic():
        candidate = (
            Candidate.objects.select_for_update()
            .filter(organization=organization, ats_source=ats_source, external_id=external_id)
            .first()
        )
        if candidate is None:
            return candidate_create(organization=organization, actor=actor, **values), True
        return candidate_update(candidate=candidate, changes=values, actor=actor), False


class BulkItemResult(TypedDict, total=False):
    index: int
    status: str
    id: str
    errors: list[dict[str, str]]


def candidate_bulk_upsert(
    *,
    organization: Organization,
    items: Sequence[Mapping[str, str] | None],
    actor: AuditActor = None,
) -> dict[int, BulkItemResult]:
    """Upsert validated candidate items in a few statements: {index: result}.

    ``items`` holds each item's validated fields, None for one that failed
    validation (the caller reports it). An item with ``ats_source`` and
    ``external_id`` updates the candidate with that key, if any; the same key twice
    in one request is an error on the later item. Everything else is created with
    one ``bulk_create``; updates go in one ``bulk_update``. One
    ``candidates.bulk_upserted`` event for the call: the counts and a digest
    (``ids_digest``) of the created and of the changed candidates' public ids.
    """
    for attempt in range(2):
        try:
            return _bulk_upsert_once(organization, items, actor)
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
            params: list[int | str] = []
            for candidate in batch:
                params += [candidate.pk, *(getattr(candidate, f) for f in CANDIDATE_FIELDS)]
            cursor.execute(
                f"WITH v({names}) AS (VALUES {', '.join([row] * len(batch))}) "  # noqa: S608 - quoted names, values as parameters
                f"UPDATE {table} SET {assignments}, {quote(column_of['updated_at'])} = %s "
                f"FROM v WHERE {table}.{quote('id')} = v.{quote('id')}",
                [*params, now_value],
            )


def _bulk_upsert_once(
    organization: Organization, items: Sequence[Mapping[str, str] | None], actor: AuditActor
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
        audit_record(
            organization=organization,
            actor=actor,
            event_type=AuditEventType.CANDIDATES_BULK_UPSERTED,
            subject=None,
            after={
                "items": len(items),
                "created": len(to_create),
                "updated": len(to_update),
                "changed": len(changed),
                "rejected": len(items) - len(to_create) - len(to_update),
                "created_ids_sha256": ids_digest(c.public_id for _, c in to_create),
                "changed_ids_sha256": ids_digest(c.public_id for c in changed),
            },
        )
    for index, candidate in to_create:
        results[index] = {"index": index, "status": "created", "id": str(candidate.public_id)}
    for index, candidate in to_update:
        results[index] = {"index": index, "status": "updated", "id": str(candidate.public_id)}
    return results


def candidate_view_record(*, candidate: Candidate, viewer: AbstractBaseUser) -> None:
    """Record that ``viewer`` opened the candidate's page: one narrow INSERT."""
    CandidateView.objects.create(
        candidate=candidate,
        viewer_id=viewer.pk,
        viewer_label=viewer.get_username()[:150],
        viewed_at=timezone.now(),
    )
