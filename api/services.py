"""API token use cases: create, rotate, revoke, authenticate; and candidate deletion.

A token reads ``rnw_<prefix>_<secret>``. The prefix (12 characters, not secret)
finds the row; only the SHA-256 of the whole token is stored, and the plaintext
is returned once, by ``api_token_create`` or ``api_token_rotate``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from api.models import ApiToken, TokenScope

if TYPE_CHECKING:
    from api.access import Principal
from candidates.models import Candidate, Organization
from candidates.services import candidate_create

TOKEN_PREFIX = "rnw_"  # noqa: S105 - the public marker of a Renown token
# last_used_at is written at most this often per token: one UPDATE a minute, not one a request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def api_token_create(
    *,
    organization: Organization,
    name: str,
    scope: str,
    created_by: AbstractBaseUser | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; returns it and its plaintext (shown once, never stored).

    Raises ValidationError for an unknown scope, an empty name, or a name already
    used by an active token of the organisation.
    """
    name = name.strip()
    if scope not in TokenScope.values:
        raise ValidationError({"scope": f"Choose read or write, not {scope!r}."})
    if not name:
        raise ValidationError({"name": "Name the integration that uses the token."})
    if ApiToken.objects.filter(organization=organization, name=name, revoked_at=None).exists():
        raise ValidationError({"name": f"An active token named {name!r} exists; rotate it."})
    prefix, plaintext = _new_secret()
    token = ApiToken(
        organization=organization,
        name=name,
        scope=scope,
        prefix=prefix,
        digest=_digest(plaintext),
        created_by_id=created_by.pk if created_by is not None else None,
    )
    token.full_clean(exclude=["prefix", "digest"])
    token.save()
    return token, plaintext


def api_token_rotate(*, token: ApiToken) -> str:
    """Give the token a new secret; the old one stops working at once. Returns the plaintext."""
    if not token.is_active:
        raise ValidationError("A revoked token cannot be rotated; create a new one.")
    prefix, plaintext = _new_secret()
    token.prefix = prefix
    token.digest = _digest(plaintext)
    token.rotated_at = timezone.now()
    token.save(update_fields=["prefix", "digest", "rotated_at", "updated_at"])
    return plaintext


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke the token for good (idempotent)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_authenticate(plaintext: str) -> ApiToken | None:
    """The active token ``plaintext`` names, or None; records the use (once a minute)."""
    if not plaintext.startswith(TOKEN_PREFIX):
        return None
    prefix, sep, _ = plaintext.removeprefix(TOKEN_PREFIX).partition("_")
    if not sep or len(prefix) != 12:
        return None
    token = (
        ApiToken.objects.select_related("organization")
        .filter(prefix=prefix, revoked_at=None)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, _digest(plaintext)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def candidate_delete(*, candidate: Candidate, actor: Principal) -> None:
    """Erase a candidate (the API's ``DELETE``): ``privacy.services.candidate_erase``.

    The profile data goes at once; the decision records the law makes the
    employer keep stay pseudonymised under a retention hold; ``candidate.erased``
    is emitted and the erasure is appended to the audit trail.
    """
    from privacy.services import candidate_erase

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
