"""What a candidate disputes through their link: an FCRA reinvestigation where one applies,
otherwise a review a recruiter answers. Both audited, both announced to the organisation."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hiring.models import AdverseAction, AdverseActionStatus, Dispute, Job
from hiring.permissions import EVIDENCE_ROLES, require_role
from hiring.portal.links import PortalVisit
from hiring.portal.models import PortalActionKind, PortalDispute
from hiring.portal.services import record_action
from hiring.review.disputes import dispute_open_by_candidate
from renown.models import AuditEventType
from renown.trail import audit_actor_label, audit_record

STATEMENT_MAX = 4000
# What a candidate can dispute without a job in question (the job ones come from
# ``dispute_subjects``).
GENERAL_SUBJECTS = {
    "influence": "my influence score",
    "reputation": "my offline reputation score",
    "vendor": "a vendor score on file",
    "accounts": "the accounts Renown holds",
    "notices": "a notice or consent on record",
    "other": "something else",
}


@dataclass(frozen=True)
class Subject:
    key: str  # "influence", ..., or "job:<id>"
    label: str
    fcra: bool  # a dispute here is the FCRA reinvestigation of a rejection


def _disputable(adverse_action: AdverseAction) -> bool:
    return (
        adverse_action.status
        in (
            AdverseActionStatus.PRE_ADVERSE_SENT,
            AdverseActionStatus.FINAL_SENT,
        )
        and not adverse_action.disputes.filter(status=Dispute.Status.OPEN).exists()
    )


def dispute_subjects(visit: PortalVisit) -> list[Subject]:
    """What the candidate can dispute: each job that screened them, then the rest."""
    candidate = visit.candidate
    actions = {
        a.job_id: a
        for a in AdverseAction.objects.filter(candidate=candidate).order_by("created_at")
    }
    subjects = []
    jobs = Job.objects.filter(screenings__candidate=candidate).order_by("title").distinct()
    for job in jobs:
        action = actions.get(job.pk)
        fcra = action is not None and _disputable(action)
        label = f"the decision on {job.title}" if fcra else f"the screening for {job.title}"
        subjects.append(Subject(f"job:{job.pk}", label, fcra))
    subjects += [Subject(key, label, False) for key, label in GENERAL_SUBJECTS.items()]
    return subjects


def portal_dispute_open(*, visit: PortalVisit, subject: str, statement: str) -> PortalDispute:
    """The candidate disputes ``subject`` (a key of ``dispute_subjects``) in their words.

    A rejection that followed an FCRA pre-adverse notice starts its reinvestigation
    (``dispute_open_by_candidate``: re-fetch, re-score, no final notice meanwhile);
    anything else is a review for a recruiter (``portal_dispute.opened``). Either way
    the organisation hears of it. ValidationError naming the field.
    """
    statement = statement.strip()
    if not statement:
        raise ValidationError({"statement": "Say what is wrong or missing."})
    if len(statement) > STATEMENT_MAX:
        raise ValidationError({"statement": f"At most {STATEMENT_MAX} characters."})
    chosen = next((s for s in dispute_subjects(visit) if s.key == subject), None)
    if chosen is None:
        raise ValidationError({"subject": "Choose what you dispute from the list."})
    job = None
    if chosen.key.startswith("job:"):
        job = Job.objects.get(pk=int(chosen.key.removeprefix("job:")))
    now = timezone.now()
    with transaction.atomic():
        dispute = PortalDispute.objects.create(
            candidate=visit.candidate,
            link=visit.link,
            about=chosen.label,
            job=job,
            statement=statement,
            opened_at=now,
        )
        if chosen.fcra:
            action = (
                AdverseAction.objects.filter(candidate=visit.candidate, job=job)
                .order_by("-created_at")
                .first()
            )
            assert action is not None  # noqa: S101 - dispute_subjects found it
            dispute.fcra_dispute = dispute_open_by_candidate(
                adverse_action=action, actor=visit.actor, statement=statement, now=now
            )
            dispute.status = PortalDispute.Status.REINVESTIGATION
            dispute.save(update_fields=["fcra_dispute", "status"])
        else:
            audit_record(
                organization=visit.candidate.organization,
                actor=visit.actor,
                event_type=AuditEventType.PORTAL_DISPUTE_OPENED,
                subject=dispute,
                after={
                    "candidate": str(visit.candidate.public_id),
                    "about": dispute.about,
                    "statement": statement,
                },
            )
        record_action(
            visit.candidate,
            visit.link,
            PortalActionKind.DISPUTE_OPENED,
            f"Disputed {dispute.about}"
            + (" (FCRA reinvestigation started)" if chosen.fcra else " (asks for a review)")
            + f": “{statement[:300]}”",
            dispute,
        )
    return dispute


def portal_dispute_answer(
    *, dispute: PortalDispute, actor: AbstractBaseUser, answer: str
) -> PortalDispute:
    """A recruiter answers a review the candidate asked for (``portal_dispute.answered``);
    the candidate reads it on their page. An FCRA reinvestigation is resolved as such, on
    the review page, not here. NotPermitted for the wrong role; ValidationError otherwise.
    """
    require_role(
        user=actor,
        organization=dispute.candidate.organization,
        roles=EVIDENCE_ROLES,
        action="answer a candidate's dispute",
    )
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": "Write the answer the candidate will read."})
    if dispute.status != PortalDispute.Status.OPEN:
        raise ValidationError("This dispute is not waiting for an answer.")
    with transaction.atomic():
        claimed = PortalDispute.objects.filter(
            pk=dispute.pk, status=PortalDispute.Status.OPEN
        ).update(
            status=PortalDispute.Status.ANSWERED,
            answer=answer,
            answered_at=timezone.now(),
            answered_by_label=audit_actor_label(actor)[:200],
        )
        if not claimed:
            raise ValidationError("Someone answered meanwhile; reload the page.")
        dispute.refresh_from_db()
        audit_record(
            organization=dispute.candidate.organization,
            actor=actor,
            event_type=AuditEventType.PORTAL_DISPUTE_ANSWERED,
            subject=dispute,
            before={"status": PortalDispute.Status.OPEN},
            after={"status": dispute.status, "answer": answer},
        )
    return dispute
