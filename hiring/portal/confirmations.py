"""Erasure and consent withdrawal: asked for through the link, run from the e-mail on record.

A portal link can be forwarded, and neither action can be undone, so the page only
sends a second link to the candidate's e-mail address (GDPR Art. 12(6): the controller
may ask for what confirms the person's identity); opening it shows what will happen,
and a button there runs it. That link is signed like a portal link (its own salt),
expires after ``RENOWN_PORTAL_CONFIRMATION_HOURS`` and works once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from candidates import services as candidate_services
from candidates.models import CandidateNotice, LawfulBasis, NoticeKind
from hiring import conf
from hiring.portal.links import EXPIRED, INVALID, LinkRefused, PortalVisit, _digest, public_url
from hiring.portal.models import ConfirmationKind, PortalActionKind, PortalConfirmation
from hiring.portal.services import audit_portal_request, record_action
from hiring.privacy.services import ErasureResult, candidate_erase
from hiring.review.notices import deliver, render_notice

SALT = "renown.portal.confirmation"
USED = "used"


def withdrawable(notice: CandidateNotice) -> bool:
    """Whether the notice records a consent the candidate can withdraw: the FCRA written
    authorisation, or a GDPR notice whose lawful basis is consent (Art. 7(3))."""
    if notice.withdrawn_at is not None:
        return False
    if notice.kind == NoticeKind.FCRA_AUTHORIZATION:
        return True
    return notice.kind == NoticeKind.GDPR_NOTICE and notice.lawful_basis == LawfulBasis.CONSENT


def masked_email(address: str) -> str:
    """``a•••@example.com``: enough for the candidate to know which address, no more."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def _url(token: str, request: HttpRequest) -> str:
    path = reverse("renown:portal-confirm", kwargs={"token": token})
    return public_url(path, request) or path  # with a request, never None


def confirmation_request(
    *,
    visit: PortalVisit,
    kind: str,
    request: HttpRequest,
    notice_id: int | None = None,
) -> PortalConfirmation:
    """Send the candidate a link that confirms ``kind``; nothing else happens yet.

    ValidationError when Renown has no e-mail address for them, the notice is not theirs
    or not a consent they can withdraw, or the mail server did not take the message
    (then nothing is stored).
    """
    candidate = visit.candidate
    if not candidate.email:
        raise ValidationError(
            f"Renown has no e-mail address for you, so it cannot confirm that this is you. "
            f"Ask {candidate.organization.name} to do it for you."
        )
    notice = None
    if kind == ConfirmationKind.CONSENT_WITHDRAWAL:
        notice = candidate.notices.filter(pk=notice_id).first() if notice_id else None
        if notice is None or not withdrawable(notice):
            raise ValidationError("That is not a consent you can withdraw here.")
    elif kind != ConfirmationKind.ERASURE:
        raise ValidationError("Choose what to confirm.")
    now = timezone.now()
    nonce = secrets.token_urlsafe(24)
    token = signing.dumps({"n": nonce}, salt=SALT, compress=False)
    expires_at = now + timedelta(hours=conf.get("RENOWN_PORTAL_CONFIRMATION_HOURS"))
    message = render_notice(
        "portal_confirm",
        {
            "candidate": candidate,
            "organization": candidate.organization,
            "kind": kind,
            "notice": notice,
            "url": _url(token, request),
            "expires_at": expires_at,
        },
    )
    from renown.exceptions import NoticeNotDelivered

    try:
        deliver(message, candidate.email)
    except NoticeNotDelivered as exc:
        raise ValidationError(str(exc)) from exc
    with transaction.atomic():
        confirmation = PortalConfirmation.objects.create(
            candidate=candidate,
            link=visit.link,
            kind=kind,
            notice=notice,
            nonce_sha256=_digest(nonce),
            created_at=now,
            expires_at=expires_at,
        )
        audit_portal_request(
            candidate,
            visit.actor,
            f"{kind}: a confirmation link was sent to the e-mail address on record",
            confirmation,
            expires_at=expires_at,
            notice=notice.pk if notice is not None else None,
        )
        if kind == ConfirmationKind.ERASURE:
            record_action(
                candidate,
                visit.link,
                PortalActionKind.ERASURE_REQUESTED,
                "Asked for their data to be erased; it runs once they confirm from their "
                "e-mail address",
                confirmation,
            )
    return confirmation


def confirmation_open(token: str, *, now: datetime | None = None) -> PortalConfirmation:
    """The request a confirmation link names, or LinkRefused (invalid, expired, used)."""
    try:
        nonce = signing.loads(token, salt=SALT)["n"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkRefused(INVALID) from None
    if not isinstance(nonce, str):
        raise LinkRefused(INVALID)
    confirmation = (
        PortalConfirmation.objects.select_related("candidate__organization", "notice", "link")
        .filter(nonce_sha256=_digest(nonce))
        .first()
    )
    if confirmation is None or confirmation.candidate.erased_at is not None:
        raise LinkRefused(INVALID)
    if confirmation.confirmed_at is not None:
        raise LinkRefused(USED)
    if confirmation.expires_at <= (now or timezone.now()):
        raise LinkRefused(EXPIRED)
    return confirmation


@dataclass(frozen=True)
class Confirmed:
    """What ran: the erasure's result, or the withdrawn notice."""

    kind: str
    erasure: ErasureResult | None = None
    notice: CandidateNotice | None = None


def confirmation_run(*, confirmation: PortalConfirmation) -> Confirmed:
    """Run the confirmed request, once: the same erasure as the API's, or the withdrawal.

    The audit trail names the candidate, confirmed from their e-mail address. LinkRefused
    when it ran meanwhile (a second click).
    """
    actor = "candidate, confirmed from their e-mail address"
    if confirmation.link_id is not None:
        actor += f" (portal link #{confirmation.link_id})"
    now = timezone.now()
    with transaction.atomic():
        claimed = PortalConfirmation.objects.filter(
            pk=confirmation.pk, confirmed_at__isnull=True
        ).update(confirmed_at=now)
        if not claimed:
            raise LinkRefused(USED)
        if confirmation.kind == ConfirmationKind.ERASURE:
            result = candidate_erase(candidate=confirmation.candidate, actor=actor, now=now)
            return Confirmed(kind=confirmation.kind, erasure=result)
        notice = confirmation.notice
        assert notice is not None  # noqa: S101 - a constraint holds it
        notice.refresh_from_db()
        if notice.withdrawn_at is not None:
            # Withdrawn meanwhile (a second request confirmed first, or a recruiter): done.
            return Confirmed(kind=confirmation.kind, notice=notice)
        candidate_services.notice_withdraw(notice=notice, withdrawn_at=now, actor=actor)
        record_action(
            confirmation.candidate,
            confirmation.link,
            PortalActionKind.CONSENT_WITHDRAWN,
            f"Withdrew their {notice.get_kind_display()}: Renown no longer fetches their data "
            "where it rested on it",
            notice,
        )
    return Confirmed(kind=confirmation.kind, notice=notice)
