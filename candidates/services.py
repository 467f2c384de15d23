"""Candidate use cases: candidates, their accounts and evidence, and who viewed them."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from candidates.handles import InvalidHandle, normalize_handle
from candidates.models import (
    AccountStatus,
    AccountVerification,
    Candidate,
    CandidateView,
    EvidenceSource,
    EvidenceVerification,
    ReputationEvidence,
    SocialAccount,
)
from renown.models import Organization


def candidate_create(
    *,
    organization: Organization,
    name: str,
    email: str = "",
    ats_source: str = "",
    external_id: str = "",
    country: str = "",
    region: str = "",
) -> Candidate:
    """Create a candidate in ``organization``; ValidationError names each bad field."""
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
    candidate.save()
    return candidate


def account_add(
    *,
    candidate: Candidate,
    network: str,
    handle: str,
    verification: str = AccountVerification.CLAIMED,
) -> SocialAccount:
    """Attach an account the candidate supplied (or a recruiter matched) to the candidate.

    The handle is normalised for its network, so the same account given twice is
    one row. Renown never searches for accounts by name: a handle comes from the
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
    account.save()
    return account


def evidence_add(
    *,
    candidate: Candidate,
    kind: str,
    title: str,
    venue: str = "",
    date: datetime.date | None = None,
    url: str = "",
) -> ReputationEvidence:
    """Record a piece of offline evidence by hand (unverified); ValidationError per field.

    Only http(s) links are kept: a ``javascript:`` URL would run when clicked.
    """
    evidence = ReputationEvidence(
        candidate=candidate,
        kind=kind,
        title=title.strip(),
        venue=venue.strip(),
        date=date,
        url=url.strip(),
        source=EvidenceSource.MANUAL,
    )
    if evidence.url and not evidence.url.lower().startswith(("http://", "https://")):
        raise ValidationError({"url": "Only http:// and https:// links can be recorded."})
    evidence.full_clean()
    evidence.save()
    return evidence


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
