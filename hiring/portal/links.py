"""The portal's one gate: private links made, opened and revoked.

A link is ``<prefix>/portal/<token>/``, the token being ``signing.dumps`` of a random
nonce (Django's signer, ``SECRET_KEY`` and its fallbacks); the row keeps the nonce's
SHA-256. Opening checks, in this order and each with no data shown on failure: the
signature (an altered character fails here, before any query), the row of the nonce's
hash, the candidate not erased, revocation, expiry. A link can be prepared before its
row exists (``portal_link_prepare``): a notice carries it, and the row is written only
once the notice went out. Every portal page and action starts from
``portal_open``; what it returns (``PortalVisit``) is the only way to the candidate.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from hiring import conf
from hiring.portal.models import PortalLink
from renown.models import AuditEventType
from renown.trail import AuditActor, audit_actor_label, audit_record

SALT = "renown.portal.link"

INVALID = "invalid"
EXPIRED = "expired"
REVOKED = "revoked"


class LinkRefused(Exception):
    """The link opens nothing: ``reason`` is ``invalid``, ``expired`` or ``revoked``.

    An erased candidate's link, or one whose row is gone, is ``invalid``: the page
    never tells a stranger that a person was known here.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PortalVisit:
    """A link that opened: the one candidate it shows, and who the audit trail names."""

    link: PortalLink
    candidate: Candidate
    token: str

    @property
    def actor(self) -> str:
        """The audit trail's actor for what the candidate does through this link."""
        return f"candidate, through portal link #{self.link.pk}"


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


@dataclass(frozen=True)
class PreparedLink:
    """A link made but not yet stored (``portal_link_create`` stores it)."""

    token: str
    nonce_sha256: str
    created_at: datetime
    expires_at: datetime


def portal_link_prepare(*, now: datetime | None = None) -> PreparedLink:
    """A new link's token and times, before its row exists (for a notice to carry)."""
    now = now or timezone.now()
    nonce = secrets.token_urlsafe(24)
    return PreparedLink(
        token=signing.dumps({"n": nonce}, salt=SALT, compress=False),
        nonce_sha256=_digest(nonce),
        created_at=now,
        expires_at=now + timedelta(days=conf.get("RENOWN_PORTAL_LINK_DAYS")),
    )


def portal_link_create(
    *,
    candidate: Candidate,
    actor: AuditActor,
    now: datetime | None = None,
    prepared: PreparedLink | None = None,
) -> tuple[PortalLink, str]:
    """A new private link for the candidate (``portal.link_created``): (the row, its token).

    The token is given once, here; only its nonce's hash is kept. Earlier links stay
    valid until they expire or are revoked. ``prepared``: the link a notice already
    carries. ValueError for an erased candidate.
    """
    if candidate.erased_at is not None:
        raise ValueError("an erased candidate has no portal")
    prepared = prepared or portal_link_prepare(now=now)
    with transaction.atomic():
        link = PortalLink.objects.create(
            candidate=candidate,
            nonce_sha256=prepared.nonce_sha256,
            created_at=prepared.created_at,
            created_by_label=audit_actor_label(actor)[:200],
            expires_at=prepared.expires_at,
        )
        audit_record(
            organization=candidate.organization,
            actor=actor,
            event_type=AuditEventType.PORTAL_LINK_CREATED,
            subject=link,
            after={"candidate": str(candidate.public_id), "expires_at": link.expires_at},
        )
    return link, prepared.token


def portal_links_revoke(
    *, candidate: Candidate, actor: AuditActor, now: datetime | None = None
) -> int:
    """Revoke every live link of the candidate (``portal.links_revoked``); how many were live."""
    now = now or timezone.now()
    with transaction.atomic():
        live = list(
            PortalLink.objects.select_for_update()
            .filter(candidate=candidate, revoked_at__isnull=True, expires_at__gt=now)
            .values_list("pk", flat=True)
        )
        PortalLink.objects.filter(pk__in=live).update(revoked_at=now)
        audit_record(
            organization=candidate.organization,
            actor=actor,
            event_type=AuditEventType.PORTAL_LINKS_REVOKED,
            subject=candidate,
            after={"candidate": str(candidate.public_id), "links": sorted(live)},
        )
    return len(live)


def portal_open(token: str, *, now: datetime | None = None, count: bool = False) -> PortalVisit:
    """The candidate a link shows, or LinkRefused saying why not (see the module).

    ``count``: record the opening on the link (the page's GET; its forms' POSTs do not).
    """
    try:
        nonce = signing.loads(token, salt=SALT)["n"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkRefused(INVALID) from None
    if not isinstance(nonce, str):
        raise LinkRefused(INVALID)
    link = (
        PortalLink.objects.select_related("candidate__organization")
        .filter(nonce_sha256=_digest(nonce))
        .first()
    )
    if link is None:
        raise LinkRefused(INVALID)
    if link.candidate.erased_at is not None:
        raise LinkRefused(INVALID)
    now = now or timezone.now()
    if link.revoked_at is not None:
        raise LinkRefused(REVOKED)
    if link.expires_at <= now:
        raise LinkRefused(EXPIRED)
    if count:
        PortalLink.objects.filter(pk=link.pk).update(
            last_opened_at=now, times_opened=F("times_opened") + 1
        )
    return PortalVisit(link=link, candidate=link.candidate, token=token)


def public_url(path: str, request: HttpRequest | None = None) -> str | None:
    """``path`` as the candidate opens it: ``RENOWN_PUBLIC_URL`` + path, else the
    request's own origin; None with neither (a notice sent from a task)."""
    origin = conf.get("RENOWN_PUBLIC_URL").rstrip("/")
    if origin:
        return origin + path
    if request is not None:
        return request.build_absolute_uri(path)
    return None


def portal_url(token: str, request: HttpRequest | None = None) -> str | None:
    """The link as the candidate opens it (``public_url``)."""
    return public_url(reverse("renown:portal", kwargs={"token": token}), request)
