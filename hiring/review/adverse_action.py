"""The FCRA adverse-action workflow of a rejection that used Renown's data.

pending ──send pre-adverse notice──▶ pre_adverse_sent ──(waiting period over)──▶ final_sent
                                        │  ▲
                          open dispute  ▼  │ resolve: confirmed
                                      disputed ──resolve: corrected──▶ withdrawn

- Pre-adverse notice (15 U.S.C. 1681b(b)(3)(A)): a copy of the data Renown
  used, its explanation, and the Summary of Rights; the waiting period starts
  (``RENOWN_FCRA_WAITING_BUSINESS_DAYS``, 5 business days by default: the statute
  sets none).
- Dispute (1681i): a reinvestigation re-fetches the candidate's accounts and
  re-scores and re-screens them; it is resolved within
  ``RENOWN_FCRA_REINVESTIGATION_DAYS`` (30) and the candidate is told the result.
  A corrected dispute withdraws the rejection.
- Final notice (1681m(a)): only once the waiting period is over and no dispute is open.

Every notice is rendered (text and HTML), delivered by email, then recorded
with a hash of what was sent and an audit event. A notice is sent before the
state changes: if sending fails nothing is recorded and the step can be retried.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

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
    Suggestion,
)
from hiring.permissions import REVIEW_ROLES, require_role
from hiring.review.decisions import adverse_action_withdraw
from hiring.review.notices import RenderedNotice, deliver, render_notice
from hiring.screening.run import screening_evaluate, screening_snapshot
from renown.exceptions import InvalidTransition
from renown.models import AuditEventType
from renown.queue import enqueue_on_commit
from renown.trail import audit_actor_label, audit_record


def _context(adverse_action: AdverseAction, **extra: Any) -> dict[str, Any]:
    decision = adverse_action.decision
    return {
        "candidate": adverse_action.candidate,
        "job": adverse_action.job,
        "organization": adverse_action.job.organization,
        "decision": decision,
        "adverse_action": adverse_action,
        "report": adverse_action.report or selectors.consumer_report(decision=decision),
        "reinvestigation_days": conf.get("RENOWN_FCRA_REINVESTIGATION_DAYS"),
        **extra,
    }


def _record_notice(
    adverse_action: AdverseAction,
    kind: str,
    notice: RenderedNotice,
    actor: AbstractBaseUser | None,
    now: datetime,
    dispute: Dispute | None = None,
) -> AdverseActionNotice:
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


def _require_reviewer(adverse_action: AdverseAction, actor: AbstractBaseUser, action: str) -> None:
    require_role(
        user=actor, organization=adverse_action.job.organization, roles=REVIEW_ROLES, action=action
    )


def _claim(adverse_action: AdverseAction, expected: list[str], **changes: Any) -> None:
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
    _require_reviewer(adverse_action, actor, "send adverse-action notices")
    if adverse_action.status != AdverseActionStatus.PENDING:
        raise InvalidTransition("The pre-adverse notice was already sent.")
    now = now or timezone.now()
    report = selectors.consumer_report(decision=adverse_action.decision)
    waiting_until = waiting_period_end(
        now, adverse_action.waiting_business_days, timezone.get_current_timezone()
    )
    notice = render_notice(
        NoticeKind.PRE_ADVERSE,
        _context(adverse_action, report=report, waiting_until=waiting_until, sent_at=now),
    )
    deliver(notice, adverse_action.candidate.email)
    with transaction.atomic():
        _claim(
            adverse_action,
            [AdverseActionStatus.PENDING],
            status=AdverseActionStatus.PRE_ADVERSE_SENT,
            pre_adverse_sent_at=now,
            waiting_until=waiting_until,
            report=report,
        )
        return _record_notice(adverse_action, NoticeKind.PRE_ADVERSE, notice, actor, now)


def adverse_action_send_final(
    *, adverse_action: AdverseAction, actor: AbstractBaseUser, now: datetime | None = None
) -> AdverseActionNotice:
    """Send the final adverse-action notice, once the waiting period is over.

    Raises InvalidTransition before the pre-adverse notice, during the waiting
    period, while a dispute is open, or after the final notice.
    """
    _require_reviewer(adverse_action, actor, "send adverse-action notices")
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
    notice = render_notice(NoticeKind.FINAL, _context(adverse_action, sent_at=now))
    deliver(notice, adverse_action.candidate.email)
    with transaction.atomic():
        _claim(
            adverse_action,
            [AdverseActionStatus.PRE_ADVERSE_SENT],
            status=AdverseActionStatus.FINAL_SENT,
            final_sent_at=now,
        )
        return _record_notice(adverse_action, NoticeKind.FINAL, notice, actor, now)


def dispute_open(
    *,
    adverse_action: AdverseAction,
    actor: AbstractBaseUser,
    statement: str,
    now: datetime | None = None,
) -> Dispute:
    """Record the candidate's dispute and start the reinvestigation.

    Re-fetches the candidate's accounts (a refresh cycle queued after commit),
    then re-scores and re-screens them (``dispute_reinvestigate``, queued after
    it). While it is open, no final notice can be sent. Raises InvalidTransition
    before any notice, after a withdrawal, or while another dispute is open.
    """
    from scoring.services import refresh_enqueue, refresh_start

    _require_reviewer(adverse_action, actor, "record disputes")
    statement = statement.strip()
    if not statement:
        raise InvalidTransition("Write down what the candidate disputes.")
    if adverse_action.disputes.filter(status=Dispute.Status.OPEN).exists():
        raise InvalidTransition("A dispute is already open.")
    if adverse_action.status not in (
        AdverseActionStatus.PRE_ADVERSE_SENT,
        AdverseActionStatus.FINAL_SENT,
    ):
        raise InvalidTransition(
            "A dispute follows a notice; this rejection is "
            f"'{adverse_action.get_status_display()}'."
        )
    now = now or timezone.now()
    candidate = adverse_action.candidate
    account_ids = list(
        candidate.accounts.filter(status="active").order_by("id").values_list("id", flat=True)
    )
    with transaction.atomic():
        was = adverse_action.status
        if was == AdverseActionStatus.PRE_ADVERSE_SENT:
            _claim(adverse_action, [was], status=AdverseActionStatus.DISPUTED)
        cycle, batches = refresh_start(
            organization=adverse_action.job.organization,
            account_ids=account_ids,
            label=f"dispute: candidate {candidate.pk}",
        )
        dispute = Dispute.objects.create(
            adverse_action=adverse_action,
            statement=statement,
            opened_at=now,
            due_at=now + timedelta(days=conf.get("RENOWN_FCRA_REINVESTIGATION_DAYS")),
            opened_by_label=audit_actor_label(actor),
            refresh_cycle=cycle,
        )
        audit_record(
            organization=adverse_action.job.organization,
            actor=actor,
            event_type=AuditEventType.DISPUTE_OPENED,
            subject=dispute,
            before={"status": was},
            after={
                "adverse_action": adverse_action.pk,
                "candidate": candidate.public_id,
                "statement": statement,
                "due_at": dispute.due_at,
                "refresh_cycle": cycle.pk,
                "accounts": account_ids,
            },
        )
        refresh_enqueue(cycle=cycle, batches=batches)
        from hiring.tasks import dispute_reinvestigate_task

        dispute_id = dispute.pk
        enqueue_on_commit(dispute_reinvestigate_task, dispute_id)
    return dispute


def dispute_reinvestigate(*, dispute: Dispute, now: datetime | None = None) -> Dispute:
    """Re-score the candidate from the data as they are now and screen them again.

    Runs after the re-fetch (``dispute_open`` queues it); may run again. Records
    the new screening on the dispute for the person who resolves it.
    """
    from scoring.selectors import refresh_progress
    from scoring.services import flags_detect, score_compute_many

    if dispute.status != Dispute.Status.OPEN:
        return dispute
    now = now or timezone.now()
    adverse_action = dispute.adverse_action
    candidate = adverse_action.candidate
    produced = score_compute_many(candidate_ids=[candidate.pk], as_of=now)
    flags_detect(candidate_ids=[candidate.pk], as_of=now)
    screening = screening_evaluate(
        candidate=candidate, job=adverse_action.job, now=now, reason=f"dispute {dispute.pk}"
    )
    progress = (
        refresh_progress(cycle=dispute.refresh_cycle_id) if dispute.refresh_cycle_id else None
    )
    rescreen: dict[str, Any] = {
        "scores_recomputed": produced,
        "refetch": {
            "accounts": progress.total,
            "fetched": progress.done - progress.skipped,
            "failed": progress.failed,
            "skipped": progress.skipped,
        }
        if progress
        else None,
    }
    if screening is None:
        rescreen |= {"outcome": None, "suggestion": None, "note": "The job has no live rule."}
    else:
        rescreen |= screening_snapshot(screening)
    before = adverse_action.decision.screening_snapshot
    with transaction.atomic():
        Dispute.objects.filter(pk=dispute.pk).update(reinvestigated_at=now, rescreen=rescreen)
        dispute.refresh_from_db()
        audit_record(
            organization=adverse_action.job.organization,
            actor=None,
            event_type=AuditEventType.DISPUTE_REINVESTIGATED,
            subject=dispute,
            before={"outcome": before.get("outcome"), "suggestion": before.get("suggestion")},
            after={
                "outcome": rescreen.get("outcome"),
                "suggestion": rescreen.get("suggestion"),
                "scores_recomputed": produced,
                "refetch": rescreen["refetch"],
                "reasons": rescreen.get("reasons"),
            },
        )
    return dispute


def dispute_resolve(
    *,
    dispute: Dispute,
    actor: AbstractBaseUser,
    resolution: str,
    note: str,
    now: datetime | None = None,
) -> Dispute:
    """Close the reinvestigation, tell the candidate the result, and move the workflow on.

    ``confirmed`` (the re-screened data still support the rejection): the
    workflow returns to its waiting period or final notice. ``corrected``: the
    rejection is withdrawn and the candidate goes back to the review queue.
    Raises InvalidTransition before the reinvestigation ran, for a closed dispute,
    or when ``confirmed`` contradicts the new screening.
    """
    adverse_action = dispute.adverse_action
    _require_reviewer(adverse_action, actor, "resolve disputes")
    if dispute.status != Dispute.Status.OPEN:
        raise InvalidTransition("The dispute is already resolved.")
    if dispute.reinvestigated_at is None:
        raise InvalidTransition("The reinvestigation has not run yet: wait for the re-scoring.")
    if resolution not in (Dispute.Resolution.CONFIRMED, Dispute.Resolution.CORRECTED):
        raise InvalidTransition("Resolve as confirmed or corrected.")
    rescreen = dispute.rescreen or {}
    if (
        resolution == Dispute.Resolution.CONFIRMED
        and rescreen.get("suggestion") != Suggestion.REJECT
    ):
        raise InvalidTransition(
            "After re-scoring, the candidate is no longer below the screen-out rule: the "
            "data do not confirm the rejection. Resolve as corrected."
        )
    note = note.strip()
    if not note:
        raise InvalidTransition("Say what the reinvestigation found.")
    now = now or timezone.now()
    notice = render_notice(
        NoticeKind.DISPUTE_RESULT,
        _context(adverse_action, dispute=dispute, resolution=resolution, note=note, sent_at=now),
    )
    deliver(notice, adverse_action.candidate.email)
    with transaction.atomic():
        changed = Dispute.objects.filter(pk=dispute.pk, status=Dispute.Status.OPEN).update(
            status=Dispute.Status.RESOLVED,
            resolution=resolution,
            resolution_note=note,
            resolved_at=now,
            resolved_by_label=audit_actor_label(actor),
        )
        if not changed:
            raise InvalidTransition("The dispute changed meanwhile; reload it.")
        dispute.refresh_from_db()
        audit_record(
            organization=adverse_action.job.organization,
            actor=actor,
            event_type=AuditEventType.DISPUTE_RESOLVED,
            subject=dispute,
            before={"status": Dispute.Status.OPEN},
            after={
                "resolution": resolution,
                "note": note,
                "late": now > dispute.due_at,
                "outcome_after_reinvestigation": rescreen.get("outcome"),
            },
        )
        if resolution == Dispute.Resolution.CORRECTED:
            adverse_action_withdraw(
                adverse_action=adverse_action, actor=actor, why="dispute corrected", now=now
            )
        elif adverse_action.status == AdverseActionStatus.DISPUTED:
            _claim(
                adverse_action,
                [AdverseActionStatus.DISPUTED],
                status=AdverseActionStatus.PRE_ADVERSE_SENT,
            )
        _record_notice(adverse_action, NoticeKind.DISPUTE_RESULT, notice, actor, now, dispute)
    return dispute
