"""Candidate notices (the consent to fetch): recorded and withdrawn."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from candidates.models import (
    Candidate,
    CandidateNotice,
)
from candidates.services.candidates import _candidate_ref
from renown.models import AuditEventType
from renown.trail import AuditActor, audit_record


def _notice_state(notice: CandidateNotice) -> dict[str, object]:
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
