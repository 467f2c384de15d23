"""A recruiter's word on a candidate's evidence and accounts: add, verify, reject — audited.

Each action checks the actor's role in the candidate's organisation, changes the
row through ``candidates.services`` and appends an audit event in the same
transaction, then asks scoring to recompute the candidate's scores once the
change is committed (verified evidence counts toward offline reputation; a
rejected account leaves the influence score).
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from candidates import services as candidate_services
from candidates.models import (
    AccountVerification,
    Candidate,
    EvidenceVerification,
    ReputationEvidence,
    SocialAccount,
)
from hiring.permissions import EVIDENCE_ROLES, require_role
from renown.models import AuditEventType
from renown.queue import enqueue_on_commit
from renown.trail import audit_record


def _rescore(candidate_id: int) -> None:
    from scoring.tasks import score_candidates_task

    enqueue_on_commit(score_candidates_task, [candidate_id])


def evidence_record_by_recruiter(
    *,
    candidate: Candidate,
    actor: AbstractBaseUser,
    kind: str,
    title: str,
    venue: str = "",
    date: datetime.date | None = None,
    url: str = "",
    reference: str = "",
) -> ReputationEvidence:
    """A recruiter records offline evidence they were shown (unverified until someone verifies it).

    Checks the role, then ``candidates.services.evidence_record`` (``evidence.added``).
    Raises NotPermitted unless the actor is a recruiter or HR admin of the
    candidate's organisation; ValidationError naming each bad field.
    """
    require_role(
        user=actor,
        organization=candidate.organization,
        roles=EVIDENCE_ROLES,
        action="add evidence",
    )
    return candidate_services.evidence_record(
        candidate=candidate,
        kind=kind,
        title=title,
        venue=venue,
        date=date,
        url=url,
        reference=reference,
        actor=actor,
    )


def evidence_decide(
    *, evidence: ReputationEvidence, actor: AbstractBaseUser, verified: bool
) -> ReputationEvidence:
    """Verify or reject a piece of evidence; the candidate is rescored after commit.

    Raises NotPermitted unless the actor is a recruiter or HR admin of the
    evidence's organisation.
    """
    candidate = evidence.candidate
    require_role(
        user=actor,
        organization=candidate.organization,
        roles=EVIDENCE_ROLES,
        action="verify evidence",
    )
    before = evidence.verification
    state = EvidenceVerification.VERIFIED if verified else EvidenceVerification.REJECTED
    with transaction.atomic():
        candidate_services.evidence_set_verification(
            evidence=evidence, verification=state, by=actor
        )
        audit_record(
            organization=candidate.organization,
            actor=actor,
            event_type=(
                AuditEventType.EVIDENCE_VERIFIED if verified else AuditEventType.EVIDENCE_REJECTED
            ),
            subject=evidence,
            before={"verification": before},
            after={"verification": state, "candidate": str(candidate.public_id)},
        )
        _rescore(candidate.pk)
    return evidence


def account_match_by_recruiter(
    *, candidate: Candidate, actor: AbstractBaseUser, network: str, handle: str
) -> SocialAccount:
    """A recruiter attaches an account they matched to the candidate (never found by name search).

    Checks the role, then ``candidates.services.account_attach`` as ``matched``
    (``account.added`` when new). Raises NotPermitted for the wrong role or
    organisation; ValidationError for a bad network or handle.
    """
    require_role(
        user=actor,
        organization=candidate.organization,
        roles=EVIDENCE_ROLES,
        action="add accounts",
    )
    return candidate_services.account_attach(
        candidate=candidate,
        network=network,
        handle=handle,
        verification=AccountVerification.MATCHED,
        actor=actor,
    )


def account_decide(
    *, account: SocialAccount, actor: AbstractBaseUser, verified: bool
) -> SocialAccount:
    """Verify an account as the candidate's, or reject it (it then leaves scoring).

    Raises NotPermitted for the wrong role or organisation.
    """
    candidate = account.candidate
    require_role(
        user=actor,
        organization=candidate.organization,
        roles=EVIDENCE_ROLES,
        action="verify accounts",
    )
    before = {"verification": account.verification, "status": account.status}
    with transaction.atomic():
        candidate_services.account_set_verification(account=account, verified=verified)
        audit_record(
            organization=candidate.organization,
            actor=actor,
            event_type=(
                AuditEventType.ACCOUNT_VERIFIED if verified else AuditEventType.ACCOUNT_REJECTED
            ),
            subject=account,
            before=before,
            after={
                "verification": account.verification,
                "status": account.status,
                "candidate": str(candidate.public_id),
            },
        )
        _rescore(candidate.pk)
    return account
