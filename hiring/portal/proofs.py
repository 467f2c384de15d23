"""A candidate claims an account through their link, and proves one is theirs.

Claiming attaches the account as *claimed by the candidate* through the shared audited
service (``account.added``, the link as actor). Proving: Renown shows a public proof
code for the account (``AccountProof``; never the private link), the candidate places
it in the profile (a Mastodon profile field or bio, or a field linking to Renown's
public proof page, which links back with ``rel="me"``; the Bluesky description; the
GitHub bio), and a check reads the profile through the provider, with the same SSRF
guard and rate limits as every fetch (``scoring.fetching.profile_read_in_process``).
Found: the account becomes *verified by proof* (``account.verified``, the link as
actor) and the proof records when, how and for which handle. Not found, or the
provider failed: nothing changes but the proof's latest check, and the candidate is
told what was looked at. Each change is a ``PortalAction`` and a
``candidate.portal_action`` webhook, in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from candidates import services as candidate_services
from candidates.models import AccountStatus, AccountVerification, Network, SocialAccount
from hiring.portal import proof_codes
from hiring.portal.links import PortalVisit, public_url
from hiring.portal.models import AccountProof, PortalActionKind, ProofMethod
from hiring.portal.services import record_visit_action
from renown.models import AuditEventType
from renown.queue import enqueue_on_commit
from renown.trail import audit_record
from scoring import providers
from scoring.fetching import profile_read_in_process
from scoring.providers.base import (
    ProviderError,
    ProviderNotFound,
    ProviderRateLimited,
    ProviderRefused,
    PublicProfile,
)

# Networks where a person writes a short public text that only they control.
PROOF_NETWORKS = ("mastodon", "bluesky", "github")
_CODE_ATTEMPTS = 5


class AccountNotYours(Exception):
    """The account is not one of the visiting candidate's (the view answers 404)."""


@dataclass(frozen=True)
class ProofCheck:
    """What a check found: ``proved``, and what to tell the candidate."""

    proved: bool
    message: str
    looked_at: tuple[str, ...] = ()


def portal_account_get(*, visit: PortalVisit, account_id: int) -> SocialAccount:
    """One of the visiting candidate's accounts; AccountNotYours for any other id."""
    account = (
        SocialAccount.objects.filter(pk=account_id, candidate=visit.candidate)
        .select_related("candidate__organization")
        .first()
    )
    if account is None:
        raise AccountNotYours(account_id)
    return account


def _own(visit: PortalVisit, account: SocialAccount) -> None:
    if account.candidate_id != visit.candidate.pk:
        raise AccountNotYours(account.pk)


def portal_account_claim(*, visit: PortalVisit, network: str, handle: str) -> SocialAccount:
    """The candidate names an account of theirs: attached as *claimed by the candidate*.

    ``candidates.services.account_attach`` (``account.added``, the link as actor), a
    ``PortalAction`` and the webhook. An account the candidate already has is returned
    as it is, with nothing recorded. ValidationError naming ``network`` or ``handle``.
    """
    if network not in Network.values:
        raise ValidationError({"network": "Choose a network from the list."})
    with transaction.atomic():
        before = set(visit.candidate.accounts.values_list("pk", flat=True))
        account = candidate_services.account_attach(
            candidate=visit.candidate,
            network=network,
            handle=handle,
            verification=AccountVerification.CLAIMED,
            actor=visit.actor,
        )
        if account.pk not in before:
            record_visit_action(
                visit,
                PortalActionKind.ACCOUNT_CLAIMED,
                f"Claimed the {account.get_network_display()} account {account.handle}",
                account,
            )
    return account


def portal_proof_code(*, visit: PortalVisit, account: SocialAccount) -> AccountProof:
    """The account's public proof code, made on first use (one per account).

    AccountNotYours for another candidate's account; ValidationError for a network
    where Renown cannot look for a code.
    """
    _own(visit, account)
    if account.network not in PROOF_NETWORKS:
        raise ValidationError(
            f"Renown cannot check a proof on {account.get_network_display()}: "
            "only on Mastodon, Bluesky and GitHub."
        )
    existing = AccountProof.objects.filter(account=account).first()
    if existing is not None:
        return existing
    for _ in range(_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return AccountProof.objects.create(
                    account=account, code=proof_codes.code_new(), created_at=timezone.now()
                )
        except IntegrityError:
            # Another request made this account's proof first, or (50 random bits) a
            # code repeated: take the account's, or try a new code.
            existing = AccountProof.objects.filter(account=account).first()
            if existing is not None:
                return existing
    raise RuntimeError("no unique proof code after several attempts")


def proof_page_url(code: str, request: HttpRequest | None = None) -> str:
    """The public page of a code (``RENOWN_PUBLIC_URL``, else the request's origin)."""
    path = reverse("renown:proof-page", kwargs={"code": code})
    return public_url(path, request) or path


def mastodon_profile_url(handle: str) -> str:
    """The profile's address on its instance: what a ``rel="me"`` link must name."""
    user, _, instance = handle.partition("@")
    return f"https://{instance}/@{user}"


def _refuses_demo(account: SocialAccount) -> bool:
    # As refreshes do (scoring.services.refresh): a demo organisation's synthetic people
    # are read only from a stand-in a setting points at, never from the public service.
    network = account.network
    return account.candidate.organization.is_demo and (
        providers.base_url(network) == providers.default_base_url(network)
    )


def _failure(account: SocialAccount, exc: ProviderError) -> str:
    network = account.get_network_display()
    if isinstance(exc, ProviderNotFound):
        return f"{network} says there is no account {account.handle} (or it is suspended)."
    if isinstance(exc, ProviderRateLimited):
        wait = max(1, round(exc.retry_after))
        return f"{network} asked Renown to wait: try again in {wait} seconds."
    if isinstance(exc, ProviderRefused):
        return f"Renown will not contact the address of {account.handle}."
    return f"Renown could not read the profile from {network} just now: try again later."


def _looked_at(profile: PublicProfile, network: str) -> tuple[str, ...]:
    return tuple(proof_codes.places_looked(profile, network))


def _check_recorded(proof: AccountProof, result: str) -> None:
    proof.checked_at = timezone.now()
    proof.last_result = result[:600]
    proof.save(update_fields=["checked_at", "last_result"])


def portal_account_prove(*, visit: PortalVisit, account: SocialAccount) -> ProofCheck:
    """Look for the account's proof code in its public profile, through the provider.

    Found: the account becomes *verified by proof* (``account.verified``, the link as
    actor; a rejected account is active again and the candidate is rescored), the
    proof records when, how and which handle, a ``PortalAction`` and the webhook.
    Not found, or a provider error: only the proof's latest check is recorded, and the
    result says what was looked at or what failed (never an exception for a provider's
    failure). AccountNotYours for another candidate's account; ValidationError for a
    network where Renown cannot look.
    """
    proof = portal_proof_code(visit=visit, account=account)
    if _refuses_demo(account):
        result = "Demo accounts are never read from the public service."
        _check_recorded(proof, result)
        return ProofCheck(False, result)
    # The HTTP call happens outside any transaction (it may take seconds).
    try:
        profile = profile_read_in_process(account.network, account.handle)
    except ProviderError as exc:
        result = _failure(account, exc)
        _check_recorded(proof, result)
        return ProofCheck(False, result)
    page_path = reverse("renown:proof-page", kwargs={"code": proof.code})
    found = proof_codes.proof_find(
        network=account.network, code=proof.code, profile=profile, proof_page_path=page_path
    )
    looked_at = _looked_at(profile, account.network)
    if found is None:
        places = ", ".join(looked_at) if looked_at else "a profile with no text yet"
        result = (
            f"Not found: Renown read {places} of {account.handle} on "
            f"{account.get_network_display()} and did not find {proof.code}. A change to a "
            "profile can take a minute to show."
        )
        _check_recorded(proof, result)
        return ProofCheck(False, result, looked_at)
    return _proved(visit, account, proof, found, profile.handle)


def _proved(
    visit: PortalVisit,
    account: SocialAccount,
    proof: AccountProof,
    found: proof_codes.ProofFound,
    handle: str,
) -> ProofCheck:
    now = timezone.now()
    method = ProofMethod(found.method)
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update().get(pk=account.pk)
        before = {"verification": account.verification, "status": account.status}
        candidate_services.account_set_verification(account=account, verified=True)
        audit_record(
            organization=visit.candidate.organization,
            actor=visit.actor,
            event_type=AuditEventType.ACCOUNT_VERIFIED,
            subject=account,
            before=before,
            after={
                "verification": account.verification,
                "status": account.status,
                "candidate": str(visit.candidate.public_id),
                "proof": method.value,
            },
            note=f"verified by proof: {method.label}",
        )
        result = f"Proved on {now:%Y-%m-%d %H:%M} UTC: {found.label} carried {proof.code}."
        proof.verified_at = now
        proof.method = method
        proof.handle_proved = handle[:255]
        proof.checked_at = now
        proof.last_result = result
        proof.full_clean()
        proof.save()
        record_visit_action(
            visit,
            PortalActionKind.ACCOUNT_PROVED,
            f"Proved the {account.get_network_display()} account {account.handle} is theirs "
            f"({method.label.lower()})",
            account,
        )
        if before["status"] != account.status == AccountStatus.ACTIVE:
            from scoring.tasks import score_candidates_task

            # A rejected account counts again: the scores must include it.
            enqueue_on_commit(score_candidates_task, [visit.candidate.pk])
    return ProofCheck(True, result)


@dataclass(frozen=True)
class AccountProofRow:
    """One account on the candidate's page: its proof state and code, if it can have one."""

    account: SocialAccount
    proof: AccountProof | None
    provable: bool
    page_url: str
    profile_url: str


def portal_proof_rows(
    visit: PortalVisit, request: HttpRequest | None = None
) -> list[AccountProofRow]:
    """Each of the candidate's accounts with its proof (codes made for the unproved ones).

    Two queries and, the first time, one insert per provable account.
    """
    accounts = list(SocialAccount.objects.filter(candidate=visit.candidate).select_related("proof"))
    rows = []
    for account in accounts:
        provable = account.network in PROOF_NETWORKS
        proof: AccountProof | None = getattr(account, "proof", None)
        if provable and proof is None:
            proof = portal_proof_code(visit=visit, account=account)
        rows.append(
            AccountProofRow(
                account=account,
                proof=proof,
                provable=provable,
                page_url=proof_page_url(proof.code, request) if proof else "",
                profile_url=mastodon_profile_url(account.handle)
                if account.network == "mastodon"
                else "",
            )
        )
    return rows


def portal_proofs_context(
    visit: PortalVisit, request: HttpRequest | None = None
) -> dict[str, object]:
    """What the page's proof part shows: each account's proof, and the claim form's choices."""
    return {
        "proof_rows": portal_proof_rows(visit, request),
        "claim_networks": Network.choices,
        "account_claim_url": reverse("renown:portal-account-claim", kwargs={"token": visit.token}),
        "account_prove_url": reverse("renown:portal-account-prove", kwargs={"token": visit.token}),
    }
