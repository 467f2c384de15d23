"""A candidate's social accounts: attached, changed, removed, and a recruiter's verification."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candidates.handles import InvalidHandle, normalize_handle
from candidates.models import (
    AccountStatus,
    AccountVerification,
    Candidate,
    SocialAccount,
)
from candidates.services.candidates import _candidate_ref
from renown.models import AuditEventType
from renown.trail import AuditActor, audit_record

# What names an account: changing one of these undoes its verification.
ACCOUNT_SUBSTANCE = ("network", "handle")


def _account_state(account: SocialAccount) -> dict[str, object]:
    """What the trail records of an account: whose, on which network, which handle."""
    return {
        **_candidate_ref(account.candidate),
        "network": account.network,
        "handle": account.handle,
        "verification": account.verification,
    }


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
            after=_account_state(account),
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
            before={**_account_state(account), "status": account.status},
        )
        account.delete()


def account_set_verification(*, account: SocialAccount, verified: bool) -> SocialAccount:
    """A recruiter's word on an account: verified (it is the candidate's) or rejected (it is not).

    A rejected account leaves scoring: only active accounts are fetched and scored.
    A verified one that had been rejected, or disowned by the candidate, becomes active
    again.
    """
    if verified:
        account.verification = AccountVerification.VERIFIED
        account.verified_at = timezone.now()
        if account.status in (AccountStatus.REJECTED, AccountStatus.DISOWNED):
            account.status = AccountStatus.ACTIVE
    else:
        account.status = AccountStatus.REJECTED
    account.full_clean()
    account.save(update_fields=["verification", "verified_at", "status", "updated_at"])
    return account


def account_disown(*, account: SocialAccount, actor: AuditActor = None) -> SocialAccount:
    """The candidate says the account is not theirs (a namesake): it leaves fetching and
    scoring at once (``account.disowned``), until a recruiter confirms (rejects it) or
    finds it is theirs after all (verifies it). ValidationError when it was rejected
    already or is disowned already.
    """
    if account.status in (AccountStatus.REJECTED, AccountStatus.DISOWNED):
        raise ValidationError({"account": "This account already counts for nothing."})
    before = account.status
    account.status = AccountStatus.DISOWNED
    with transaction.atomic(savepoint=False):
        account.save(update_fields=["status", "updated_at"])
        audit_record(
            organization=account.candidate.organization,
            actor=actor,
            event_type=AuditEventType.ACCOUNT_DISOWNED,
            subject=account,
            before={"status": before},
            after={**_account_state(account), "status": account.status},
        )
    return account
