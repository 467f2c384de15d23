"""Reputation evidence: recorded, changed, removed, and a recruiter's verification."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candidates.models import (
    Candidate,
    EvidenceSource,
    EvidenceVerification,
    ReputationEvidence,
)
from candidates.services.candidates import _candidate_ref
from renown.models import AuditEventType
from renown.trail import AuditActor, audit_record

# What a piece of evidence claims: changing one of these undoes its verification.
EVIDENCE_SUBSTANCE = ("kind", "title", "venue", "date", "url", "reference")


def _evidence_state(evidence: ReputationEvidence) -> dict[str, object]:
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
    reference: str = "",
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
        reference=reference.strip(),
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
    *,
    evidence: ReputationEvidence,
    changes: Mapping[str, str | datetime.date | None],
    actor: AuditActor = None,
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
