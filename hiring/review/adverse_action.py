"""The FCRA adverse-action workflow of a rejection that used Renown's data.

pending ──send pre-adverse notice──▶ pre_adverse_sent ──(waiting period over)──▶ final_sent
                                        │  ▲
                          open dispute  ▼  │ resolve: confirmed
                                      disputed ──resolve: corrected──▶ withdrawn

- Pre-adverse notice (15 U.S.C. 1681b(b)(3)(A)): a copy of the data Renown
  used, its explanation, and the Summary of Rights; the waiting period starts
  (``RENOWN_FCRA_WAITING_BUSINESS_DAYS``, 5 business days by default: the statute
  sets none).
- Dispute (1681i): ``hiring.review.disputes``.
- Final notice (1681m(a)): only once the waiting period is over and no dispute is open.
- Withdrawal: a later decision other than reject, or a corrected dispute, ends it.

Every notice is rendered (text and HTML), delivered by email, then recorded
with a hash of what was sent and an audit event. A notice is sent before the
state changes: if sending fails nothing is recorded and the step can be retried.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from hiring import conf, selectors
from hiring.business_days import waiting_period_end
from hiring.models import (
    AdverseAction,
    AdverseActionNotice,
    AdverseActionStatus,
    Dispute,
    NoticeKind,
)
from hiring.permissions import REVIEW_ROLES, require_role
from hiring.portal.links import PreparedLink, portal_link_create, portal_link_prepare, portal_url
from hiring.review.notices import RenderedNotice, deliver, render_notice
from renown.exceptions import InvalidTransition
from renown.models import AuditEventType
from renown.trail import audit_actor_label, audit_record


def notice_portal_link() -> PreparedLink | None:
    """A private link for a notice to carry (stored once the notice went out,
    ``notice_record``); None when ``RENOWN_PUBLIC_URL`` is unset (a notice has no request
    to name the site by): the notice then tells the candidate to ask for one."""
    if not conf.get("RENOWN_PUBLIC_URL"):
        return None
    return portal_link_prepare()


def notice_context(adverse_action: AdverseAction, **extra: object) -> dict[str, object]:
    decision = adverse_action.decision
    portal = notice_portal_link()
    return {
        "portal": portal,
        "portal_url": portal_url(portal.token) if portal is not None else None,
        "candidate": adverse_action.candidate,
        "job": adverse_action.job,
        "organization": adverse_action.job.organization,
        "decision": decision,
        "adverse_action": adverse_action,
        "report": adverse_action.report or selectors.consumer_report(decision=decision),
        "reinvestigation_days": conf.get("RENOWN_FCRA_REINVESTIGATION_DAYS"),
        **extra,
    }


def notice_record(
    adverse_action: AdverseAction,
    kind: str,
    notice: RenderedNotice,
    actor: AbstractBaseUser | None,
    now: datetime,
    dispute: Dispute | None = None,
    portal: object = None,  # the context's "portal": a PreparedLink, or None
) -> AdverseActionNotice:
    """Record a notice that went out; store the private link it carried (``portal``)."""
    if isinstance(portal, PreparedLink):
        portal_link_create(candidate=adverse_action.candidate, actor=actor, prepared=portal)
    record = AdverseActionNotice.objects.create(
        adverse_action=adverse_action,
        dispute=dispute,
        kind=kind,
        recipient=adverse_action.candidate.email,
        subject=notice.subject,
        body_text=notice.text,
        body_html=notice.html,
        sent_at=now,
        sent_by_label=audit_actor_label(actor),
        content_sha256=notice.sha256,
    )
    audit_record(
        organization=adverse_action.job.organization,
        actor=actor,
        event_type=AuditEventType.NOTICE_SENT,
        subject=record,
        after={
            "kind": kind,
            "adverse_action": adverse_action.pk,
            "candidate": adverse_action.candidate.public_id,
            "dispute": dispute.pk if dispute else None,
            "sha256": notice.sha256,
            "status": adverse_action.status,
        },
    )
    return record


def require_reviewer(adverse_action: AdverseAction, actor: AbstractBaseUser, action: str) -> None:
    require_role(
        user=actor, organization=adverse_action.job.organization, roles=REVIEW_ROLES, action=action
    )


def status_claim(adverse_action: AdverseAction, expected: list[str], **changes: object) -> None:
    """Move the workflow on only from an expected state (a concurrent step finds nothing)."""
    if not AdverseAction.objects.filter(pk=adverse_action.pk, status__in=expected).update(
        **changes
    ):
        raise InvalidTransition("The adverse action changed meanwhile; reload it.")
    adverse_action.refresh_from_db()


def adverse_action_send_pre_adverse(
    *, adverse_action: AdverseAction, actor: AbstractBaseUser, now: datetime | None = None
) -> AdverseActionNotice:
    """Send the pre-adverse notice with the copy of the data; the waiting period starts.

    Raises NotPermitted unless ``actor`` is a recruiter of the organisation,
    InvalidTransition unless the rejection is pending, NoticeNotDelivered when
    the email cannot be sent (nothing is recorded then).
    """
    require_reviewer(adverse_action, actor, "send adverse-action notices")
    if adverse_action.status != AdverseActionStatus.PENDING:
        raise InvalidTransition("The pre-adverse notice was already sent.")
    now = now or timezone.now()
    report = selectors.consumer_report(decision=adverse_action.decision)
    waiting_until = waiting_period_end(
        now, adverse_action.waiting_business_days, timezone.get_current_timezone()
    )
    context = notice_context(
        adverse_action, report=report, waiting_until=waiting_until, sent_at=now
    )
    notice = render_notice(NoticeKind.PRE_ADVERSE, context)
    deliver(notice, adverse_action.candidate.email)
    with transaction.atomic():
        status_claim(
            adverse_action,
            [AdverseActionStatus.PENDING],
            status=AdverseActionStatus.PRE_ADVERSE_SENT,
            pre_adverse_sent_at=now,
            waiting_until=waiting_until,
            report=report,
        )
        return notice_record(
            adverse_action, NoticeKind.PRE_ADVERSE, notice, actor, now, portal=context["portal"]
        )


def adverse_action_send_final(
    *, adverse_action: AdverseAction, actor: AbstractBaseUser, now: datetime | None = None
) -> AdverseActionNotice:
    """Send the final adverse-action notice, once the waiting period is over.

    Raises InvalidTransition before the pre-adverse notice, during the waiting
    period, while a dispute is open, or after the final notice.
    """
    require_reviewer(adverse_action, actor, "send adverse-action notices")
    now = now or timezone.now()
    if adverse_action.status == AdverseActionStatus.DISPUTED:
        raise InvalidTransition("A dispute is open: resolve it before the final notice.")
    if adverse_action.status != AdverseActionStatus.PRE_ADVERSE_SENT:
        raise InvalidTransition(
            f"The final notice follows the pre-adverse notice; this rejection is "
            f"'{adverse_action.get_status_display()}'."
        )
    assert adverse_action.waiting_until is not None  # noqa: S101 - a constraint holds it
    if now < adverse_action.waiting_until:
        raise InvalidTransition(
            f"The waiting period runs until {timezone.localtime(adverse_action.waiting_until):%Y-%m-%d %H:%M}."
        )
    context = notice_context(adverse_action, sent_at=now)
    notice = render_notice(NoticeKind.FINAL, context)
    deliver(notice, adverse_action.candidate.email)
    with transaction.atomic():
        status_claim(
            adverse_action,
            [AdverseActionStatus.PRE_ADVERSE_SENT],
            status=AdverseActionStatus.FINAL_SENT,
            final_sent_at=now,
        )
        return notice_record(
            adverse_action, NoticeKind.FINAL, notice, actor, now, portal=context["portal"]
        )


def adverse_action_withdraw(
    *, adverse_action: AdverseAction, actor: AbstractBaseUser | None, why: str, now: datetime
) -> AdverseAction:
    """End an open adverse-action workflow: the rejection no longer stands (in a transaction)."""
    was = adverse_action.status
    changed = AdverseAction.objects.filter(
        pk=adverse_action.pk, status__in=AdverseActionStatus.open()
    ).update(status=AdverseActionStatus.WITHDRAWN, withdrawn_at=now)
    if changed:
        adverse_action.refresh_from_db()
        audit_record(
            organization=adverse_action.job.organization,
            actor=actor,
            event_type=AuditEventType.ADVERSE_ACTION_WITHDRAWN,
            subject=adverse_action,
            before={"status": was},
            after={"status": AdverseActionStatus.WITHDRAWN, "why": why},
        )
    return adverse_action
