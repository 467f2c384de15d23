"""Render and deliver the FCRA notices: text and HTML, through Django's email backend.

Templates live in ``hiring/templates/renown/hiring/notices/`` (a host project may override
them, e.g. with its lawyers' wording or the current official Summary of
Rights); ``<kind>.txt`` and ``<kind>.html`` each render the whole message, the
subject is the first line of ``<kind>_subject.txt``.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from hiring import conf
from renown.exceptions import NoticeNotDelivered

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    text: str
    html: str

    @property
    def sha256(self) -> str:
        """Hash of exactly what was sent (subject, text and HTML), for the audit trail."""
        payload = "\x1e".join((self.subject, self.text, self.html)).encode()
        return hashlib.sha256(payload).hexdigest()


def agency() -> dict[str, str]:
    """The consumer reporting agency named in the notices (15 U.S.C. 1681m(a)(3))."""
    return {
        "name": conf.get("RENOWN_FCRA_AGENCY_NAME")
        or "The operator of this Renown deployment (name not configured)",
        "address": conf.get("RENOWN_FCRA_AGENCY_ADDRESS") or "(address not configured)",
        "phone": conf.get("RENOWN_FCRA_AGENCY_PHONE") or "(telephone not configured)",
    }


def render_notice(kind: str, context: Mapping[str, object]) -> RenderedNotice:
    """Render one notice; ``kind`` is pre_adverse, final or dispute_result."""
    context = {**context, "agency": agency()}
    subject = render_to_string(f"renown/hiring/notices/{kind}_subject.txt", context).strip()
    subject = " ".join(subject.splitlines())
    text = render_to_string(f"renown/hiring/notices/{kind}.txt", context)
    html = render_to_string(f"renown/hiring/notices/{kind}.html", context)
    return RenderedNotice(subject=subject, text=text, html=html)


def deliver(notice: RenderedNotice, recipient: str) -> None:
    """Send the notice by email (text with an HTML alternative); NoticeNotDelivered on failure."""
    if not recipient:
        raise NoticeNotDelivered(
            "The candidate has no email address on record: add one, or deliver the notice "
            "another way and record it outside Renown."
        )
    message = EmailMultiAlternatives(
        subject=notice.subject,
        body=notice.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
    )
    message.attach_alternative(notice.html, "text/html")
    try:
        sent = message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("notice to candidate not delivered: %s", exc)
        raise NoticeNotDelivered(f"The mail server did not take the notice: {exc}") from exc
    if sent != 1:
        raise NoticeNotDelivered("The mail backend did not send the notice.")
