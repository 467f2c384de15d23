"""A candidate's dispute of an adverse action (15 U.S.C. 1681i): opened, reinvestigated, resolved.

Opening a dispute re-fetches the candidate's accounts; the reinvestigation then
re-scores and re-screens them; it is resolved within
``RENOWN_FCRA_REINVESTIGATION_DAYS`` (30) and the candidate is told the result.
A corrected dispute withdraws the rejection; a confirmed one returns the workflow
(``hiring.review.adverse_action``) to its waiting period or final notice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from hiring import conf
from hiring.models import AdverseAction, AdverseActionStatus, Dispute, NoticeKind, Suggestion
from hiring.review.adverse_action import (
    adverse_action_withdraw,
    notice_context,
    notice_record,
    require_reviewer,
    status_claim,
)
from hiring.review.notices import deliver, render_notice
from hiring.screening.run import screening_evaluate, screening_snapshot
from renown.exceptions import InvalidTransition
from renown.models import AuditEventType
from renown.queue import enqueue_on_commit
from renown.trail import AuditActor, audit_actor_label, audit_record


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
    require_reviewer(adverse_action, actor, "record disputes")
    return dispute_open_by_candidate(
        adverse_action=adverse_action, actor=actor, statement=statement, now=now
    )


def dispute_open_by_candidate(
    *,
    adverse_action: AdverseAction,
    actor: AuditActor,
    statement: str,
    now: datetime | None = None,
) -> Dispute:
    """``dispute_open`` when the candidate disputes themselves (through their private
    link: ``actor`` names it), not a recruiter recording what they said."""
    from scoring.services import refresh_enqueue, refresh_start

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
            status_claim(adverse_action, [was], status=AdverseActionStatus.DISPUTED)
        cycle, batches = refresh_start(
            organization=adverse_action.job.organization,
            account_ids=account_ids,
            label=f"dispute: candidate {candidate.pk}",
            audited=False,  # the dispute.opened event below names the cycle
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
    rescreen: dict[str, object] = {
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
    require_reviewer(adverse_action, actor, "resolve disputes")
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
    context = notice_context(
        adverse_action, dispute=dispute, resolution=resolution, note=note, sent_at=now
    )
    notice = render_notice(NoticeKind.DISPUTE_RESULT, context)
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
            status_claim(
                adverse_action,
                [AdverseActionStatus.DISPUTED],
                status=AdverseActionStatus.PRE_ADVERSE_SENT,
            )
        notice_record(
            adverse_action,
            NoticeKind.DISPUTE_RESULT,
            notice,
            actor,
            now,
            dispute,
            portal=context["portal"],
        )
    return dispute
