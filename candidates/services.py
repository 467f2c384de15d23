"""Candidate use cases: candidates, their accounts, evidence and notices, and who viewed them.

Every change goes through a service here that validates, writes and appends its
audit event (``renown.trail.audit_record``) in the same transaction: the API, the
web UI, the ATS handlers and the host link all call these. A single-object call
records one event for the object it changed (none when nothing changed); a bulk
call records one event for the call, with its counts and a SHA-256 of the ids.
Names and e-mail addresses never enter the trail (it is append-only and outlives
an erasure): a candidate's event lists the fields that changed, not their values.

The write and its event share a transaction without a savepoint of their own
(``atomic(savepoint=False)``): should either fail, the whole caller's transaction
rolls back, and a loop over host records or ATS items pays no extra queries.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from candidates.handles import InvalidHandle, normalize_handle
from candidates.models import (
    AccountStatus,
    AccountVerification,
    Candidate,
    CandidateNotice,
    CandidateView,
    EvidenceSource,
    EvidenceVerification,
    ReputationEvidence,
    SocialAccount,
)
from renown.models import AuditEventType, Organization
from renown.trail import AuditActor, audit_record

# The fields a caller may write on a candidate (the API, an ATS, the host link).
CANDIDATE_FIELDS = ("name", "email", "ats_source", "external_id", "country", "region")
# Fields whose values may be recorded in the trail (not names, not e-mail addresses).
_RECORDED_CANDIDATE_FIELDS = ("ats_source", "external_id", "country", "region")
# What a piece of evidence claims: changing one of these undoes its verification.
EVIDENCE_SUBSTANCE = ("kind", "title", "venue", "date", "url")
# What names an account: changing one of these undoes its verification.
ACCOUNT_SUBSTANCE = ("network", "handle")


def ids_digest(ids: Iterable[object]) -> str:
    """SHA-256 (hex) of the sorted ids, one a line: names a bulk call's objects in one value."""
    return hashlib.sha256("\n".join(sorted(str(i) for i in ids)).encode()).hexdigest()


def _candidate_ref(candidate: Candidate) -> dict[str, str]:
    return {"candidate": str(candidate.public_id)}


# --- candidates ------------------------------------------------------------------------


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
    *, candidate: Candidate, changes: Mapping[str, Any], actor: AuditActor = None
) -> Candidate:
    """Change the given fields of a candidate (``candidate.changed``, when one differs).

    Raises ValueError for a field that is not a candidate's, ValidationError naming
    each bad value. The event lists the changed fields; values only for the ones
    that are not personal (source, id, country, region).
    """
    for field in changes:
        if field not in CANDIDATE_FIELDS:
            raise ValueError(f"not a candidate field: {field}")
    before = {f: getattr(candidate, f) for f in CANDIDATE_FIELDS}
    for field, value in changes.items():
        setattr(candidate, field, value)
    candidate.full_clean()
    changed = sorted(f for f in CANDIDATE_FIELDS if getattr(candidate, f) != before[f])
    with transaction.atomic(savepoint=False):
        candidate.save()
        if changed:
            audit_record(
                organization=candidate.organization,
                actor=actor,
                event_type=AuditEventType.CANDIDATE_CHANGED,
                subject=candidate,
                before={f: before[f] for f in changed if f in _RECORDED_CANDIDATE_FIELDS},
                after={
                    **_candidate_ref(candidate),
                    "fields": changed,
                    **{
                        f: getattr(candidate, f) for f in changed if f in _RECORDED_CANDIDATE_FIELDS
                    },
                },
            )
    return candidate


def candidate_upsert(
    *,
    organization: Organization,
    ats_source: str,
    external_id: str,
    data: Mapping[str, Any],
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
    values: dict[str, Any],
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
    items: Sequence[Mapping[str, Any] | None],
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
    organization: Organization, items: Sequence[Mapping[str, Any] | None], actor: AuditActor
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


# --- accounts ------------------------------------------------------------------------


def account_attach(
    *,
    candidate: Candidate,
    network: str,
    handle: str,
    verification: str = AccountVerification.CLAIMED,
    actor: AuditActor = None,
) -> SocialAccount:
    """Attach an account the candidate supplied (or a recruiter matched) to the candidate.

    The handle is normalised for its network, so the same account given twice is
    one row (returned as it is, no event); a new one records ``account.added``.
    Renown never searches for accounts by name: a handle comes from the
    candidate or a recruiter. Raises ValidationError for a bad handle or network.
    """
    try:
        normalised = normalize_handle(network, handle)
    except KeyError:
        raise ValidationError({"network": f"Unknown network {network!r}."}) from None
    except InvalidHandle as exc:
        raise ValidationError({"handle": str(exc)}) from None
    existing = SocialAccount.objects.filter(
        candidate=candidate, network=network, handle=normalised
    ).first()
    if existing is not None:
        return existing
    account = SocialAccount(
        candidate=candidate,
        network=network,
        handle=normalised,
        verification=verification,
    )
    account.full_clean()
    with transaction.atomic(savepoint=False):
        account.save()
        audit_record(
            organization=candidate.organization,
            actor=actor,
            event_type=AuditEventType.ACCOUNT_ADDED,
            subject=account,
            after={
                **_candidate_ref(candidate),
                "network": account.network,
                "handle": account.handle,
                "verification": account.verification,
            },
        )
    return account


def account_update(
    *, account: SocialAccount, network: str, handle: str, actor: AuditActor = None
) -> SocialAccount:
    """Change which account this is (``account.changed``, when it differs).

    The handle is normalised for the network. A verified account whose network or
    handle changes returns to claimed: the recruiter vouched for the other one.
    Raises ValidationError for a bad network or handle, or one the candidate has.
    """
    try:
        normalised = normalize_handle(network, handle)
    except KeyError:
        raise ValidationError({"network": f"Unknown network {network!r}."}) from None
    except InvalidHandle as exc:
        raise ValidationError({"handle": str(exc)}) from None
    before = {f: getattr(account, f) for f in (*ACCOUNT_SUBSTANCE, "verification")}
    if (account.network, account.handle) == (network, normalised):
        return account
    account.network, account.handle = network, normalised
    reverified = account.verification == AccountVerification.VERIFIED
    if reverified:
        account.verification = AccountVerification.CLAIMED
        account.verified_at = None
    account.full_clean()
    with transaction.atomic(savepoint=False):
        account.save()
        audit_record(
            organization=account.candidate.organization,
            actor=actor,
            event_type=AuditEventType.ACCOUNT_CHANGED,
            subject=account,
            before=before,
            after={
                **_candidate_ref(account.candidate),
                **{f: getattr(account, f) for f in (*ACCOUNT_SUBSTANCE, "verification")},
            },
            note="account changed: verification undone" if reverified else "",
        )
    return account


def account_remove(*, account: SocialAccount, actor: AuditActor = None) -> None:
    """Remove an account from its candidate (``account.removed``); its snapshots go with it."""
    candidate = account.candidate
    with transaction.atomic(savepoint=False):
        audit_record(
            organization=candidate.organization,
            actor=actor,
            event_type=AuditEventType.ACCOUNT_REMOVED,
            subject=account,
            before={
                **_candidate_ref(candidate),
                "network": account.network,
                "handle": account.handle,
                "verification": account.verification,
                "status": account.status,
            },
        )
        account.delete()


# --- evidence ------------------------------------------------------------------------


def _evidence_state(evidence: ReputationEvidence) -> dict[str, Any]:
    return {f: getattr(evidence, f) for f in (*EVIDENCE_SUBSTANCE, "verification")}


def _evidence_clean(evidence: ReputationEvidence) -> None:
    # Only http(s) links are kept: a ``javascript:`` URL would run when clicked.
    if evidence.url and not evidence.url.lower().startswith(("http://", "https://")):
        raise ValidationError({"url": "Only http:// and https:// links can be recorded."})
    evidence.full_clean()


def evidence_record(
    *,
    candidate: Candidate,
    kind: str,
    title: str,
    venue: str = "",
    date: datetime.date | None = None,
    url: str = "",
    source: str = EvidenceSource.MANUAL,
    actor: AuditActor = None,
) -> ReputationEvidence:
    """Record a piece of offline evidence, unverified (``evidence.added``); ValidationError per field.

    Only http(s) links are kept: a ``javascript:`` URL would run when clicked.
    """
    evidence = ReputationEvidence(
        candidate=candidate,
        kind=kind,
        title=title.strip(),
        venue=venue.strip(),
        date=date,
        url=url.strip(),
        source=source,
    )
    _evidence_clean(evidence)
    with transaction.atomic(savepoint=False):
        evidence.save()
        audit_record(
            organization=candidate.organization,
            actor=actor,
            event_type=AuditEventType.EVIDENCE_ADDED,
            subject=evidence,
            after={**_candidate_ref(candidate), **_evidence_state(evidence)},
        )
    return evidence


def evidence_update(
    *, evidence: ReputationEvidence, changes: Mapping[str, Any], actor: AuditActor = None
) -> ReputationEvidence:
    """Change what a piece of evidence says (``evidence.changed``, when something differs).

    Changing its substance (kind, title, venue, date, URL) after it was verified or
    rejected returns it to unverified: the verifier vouched for what it said then.
    Raises ValueError for a field outside ``EVIDENCE_SUBSTANCE``, ValidationError
    naming each bad value.
    """
    for field in changes:
        if field not in EVIDENCE_SUBSTANCE:
            raise ValueError(f"not an evidence field: {field}")
    before = _evidence_state(evidence)
    for field, value in changes.items():
        setattr(evidence, field, value.strip() if isinstance(value, str) else value)
    changed = [f for f in EVIDENCE_SUBSTANCE if getattr(evidence, f) != before[f]]
    reverified = bool(changed) and evidence.verification != EvidenceVerification.UNVERIFIED
    if reverified:
        evidence.verification = EvidenceVerification.UNVERIFIED
        evidence.verified_by = None
        evidence.verified_at = None
    _evidence_clean(evidence)
    with transaction.atomic(savepoint=False):
        evidence.save()
        if changed:
            audit_record(
                organization=evidence.candidate.organization,
                actor=actor,
                event_type=AuditEventType.EVIDENCE_CHANGED,
                subject=evidence,
                before=before,
                after={**_candidate_ref(evidence.candidate), **_evidence_state(evidence)},
                note="substance changed: verification undone" if reverified else "",
            )
    return evidence


def evidence_remove(*, evidence: ReputationEvidence, actor: AuditActor = None) -> None:
    """Remove a piece of evidence (``evidence.removed``, with what it said)."""
    candidate = evidence.candidate
    with transaction.atomic(savepoint=False):
        audit_record(
            organization=candidate.organization,
            actor=actor,
            event_type=AuditEventType.EVIDENCE_REMOVED,
            subject=evidence,
            before={**_candidate_ref(candidate), **_evidence_state(evidence)},
        )
        evidence.delete()


# --- notices -------------------------------------------------------------------------


def _notice_state(notice: CandidateNotice) -> dict[str, Any]:
    return {
        "kind": notice.kind,
        "given_at": notice.given_at,
        "lawful_basis": notice.lawful_basis,
        "document_version": notice.document_version,
        "source": notice.source,
        "withdrawn_at": notice.withdrawn_at,
    }


def notice_record(
    *,
    candidate: Candidate,
    kind: str,
    given_at: datetime.datetime,
    lawful_basis: str = "",
    document_version: str = "",
    source: str = "",
    withdrawn_at: datetime.datetime | None = None,
    actor: AuditActor = None,
) -> CandidateNotice:
    """Record a notice given or an authorisation signed (``notice.recorded``); ValidationError."""
    notice = CandidateNotice(
        candidate=candidate,
        kind=kind,
        given_at=given_at,
        lawful_basis=lawful_basis,
        document_version=document_version,
        source=source,
        withdrawn_at=withdrawn_at,
    )
    notice.full_clean()
    with transaction.atomic(savepoint=False):
        notice.save()
        audit_record(
            organization=candidate.organization,
            actor=actor,
            event_type=AuditEventType.NOTICE_RECORDED,
            subject=notice,
            after={**_candidate_ref(candidate), **_notice_state(notice)},
        )
    return notice


def notice_withdraw(
    *, notice: CandidateNotice, withdrawn_at: datetime.datetime, actor: AuditActor = None
) -> CandidateNotice:
    """Record that the candidate withdrew a consent or authorisation (``notice.withdrawn``).

    Nothing is deleted. Raises ValidationError when it was already withdrawn or
    ``withdrawn_at`` is before it was given.
    """
    if notice.withdrawn_at is not None:
        raise ValidationError({"withdrawn_at": "Already withdrawn."})
    if withdrawn_at < notice.given_at:
        raise ValidationError({"withdrawn_at": "A notice is withdrawn after it was given."})
    notice.withdrawn_at = withdrawn_at
    with transaction.atomic(savepoint=False):
        notice.save(update_fields=["withdrawn_at", "updated_at"])
        audit_record(
            organization=notice.candidate.organization,
            actor=actor,
            event_type=AuditEventType.NOTICE_WITHDRAWN,
            subject=notice,
            before={"withdrawn_at": None},
            after={
                **_candidate_ref(notice.candidate),
                "kind": notice.kind,
                "withdrawn_at": withdrawn_at,
            },
        )
    return notice


# --- verification (the recruiter's word, audited by hiring.services.evidence) ---------


def evidence_set_verification(
    *, evidence: ReputationEvidence, verification: str, by: AbstractBaseUser | None
) -> ReputationEvidence:
    """Mark evidence verified or rejected (by whom, when); ValidationError for another state."""
    if verification not in {EvidenceVerification.VERIFIED, EvidenceVerification.REJECTED}:
        raise ValidationError({"verification": "Evidence can only be verified or rejected."})
    evidence.verification = verification
    evidence.verified_by_id = by.pk if by is not None else None
    evidence.verified_at = timezone.now()
    evidence.full_clean()
    evidence.save(update_fields=["verification", "verified_by", "verified_at", "updated_at"])
    return evidence


def account_set_verification(*, account: SocialAccount, verified: bool) -> SocialAccount:
    """A recruiter's word on an account: verified (it is the candidate's) or rejected (it is not).

    A rejected account leaves scoring: only active accounts are fetched and scored.
    A verified one that had been rejected becomes active again.
    """
    if verified:
        account.verification = AccountVerification.VERIFIED
        account.verified_at = timezone.now()
        if account.status == AccountStatus.REJECTED:
            account.status = AccountStatus.ACTIVE
    else:
        account.status = AccountStatus.REJECTED
    account.full_clean()
    account.save(update_fields=["verification", "verified_at", "status", "updated_at"])
    return account


def candidate_view_record(*, candidate: Candidate, viewer: AbstractBaseUser) -> None:
    """Record that ``viewer`` opened the candidate's page: one narrow INSERT."""
    CandidateView.objects.create(
        candidate=candidate,
        viewer_id=viewer.pk,
        viewer_label=viewer.get_username()[:150],
        viewed_at=timezone.now(),
    )
