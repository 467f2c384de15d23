"""Human review: a person decides on a screening (advance, reject, hold) with a reason.

Only a screening whose machine suggestion is a rejection (a below on approved
screen-out rules, with the rules still as they were) can be rejected, and a
rejection of a candidate under the FCRA opens the adverse-action workflow
(``hiring.review.adverse_action``). Each decision keeps what the machine said
and how long the review took, for the automation-bias figures
(``hiring.oversight``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate
from hiring import conf, selectors
from hiring.models import (
    AdverseAction,
    AdverseActionStatus,
    Decision,
    DecisionKind,
    Screening,
    Suggestion,
)
from hiring.permissions import REVIEW_ROLES, require_role
from hiring.review.adverse_action import adverse_action_withdraw
from hiring.screening.evaluation import follows_suggestion
from hiring.screening.run import screening_snapshot
from renown.exceptions import DecisionNotAllowed
from renown.models import AuditEventType, EventType
from renown.trail import audit_actor_label, audit_record
from renown.webhooks import services as webhook_services
from renown.webhooks.events import DecisionRecordedData

# A review page left open longer than this is not a measure of the review's length.
MAX_TIMED_REVIEW = timedelta(hours=8)


def fcra_applies(candidate: Candidate) -> bool:
    """Whether a rejection of this candidate goes through the FCRA adverse-action workflow."""
    mode = conf.get("RENOWN_FCRA_MODE")
    if mode == "all":
        return True
    if mode == "off":
        return False
    return candidate.country.upper() == "US"


def decision_record(
    *,
    screening: Screening,
    reviewer: AbstractBaseUser,
    kind: str,
    reason: str,
    review_started_at: datetime | None = None,
    now: datetime | None = None,
) -> Decision:
    """Record a reviewer's decision on a screening, with the reason and the machine's view.

    ``review_started_at`` is when the reviewer opened the screening (the review
    page signs it); the time taken is kept when it is plausible. A decision other
    than reject withdraws an open adverse action on the candidate for the job.

    Raises NotPermitted unless the reviewer is a recruiter of the organisation,
    ValidationError for an unknown kind or an empty reason, DecisionNotAllowed for a
    rejection the screening does not support (or one already under way).
    """
    job = screening.job
    organization = job.organization
    require_role(
        user=reviewer, organization=organization, roles=REVIEW_ROLES, action="record decisions"
    )
    if kind not in DecisionKind.values:
        raise ValidationError({"kind": f"Choose advance, reject or hold, not {kind!r}."})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why: the reason is part of the record."})
    now = now or timezone.now()
    seconds = None
    if (
        review_started_at is not None
        and timedelta(0) <= now - review_started_at <= MAX_TIMED_REVIEW
    ):
        seconds = (now - review_started_at).total_seconds()
    with transaction.atomic():
        # One decision at a time per screening: the second waits and sees the first.
        screening = (
            Screening.objects.select_for_update().select_related("candidate").get(pk=screening.pk)
        )
        open_action = AdverseAction.objects.filter(
            candidate_id=screening.candidate_id, job=job, status__in=AdverseActionStatus.open()
        ).first()
        if kind == DecisionKind.REJECT:
            if screening.suggestion != Suggestion.REJECT:
                raise DecisionNotAllowed(
                    "Renown supports a rejection only when the candidate is below an approved "
                    f"screen-out rule; this screening is '{screening.get_outcome_display()}'. "
                    "Advance or hold, and look at the evidence."
                )
            if not selectors.screening_is_current(screening=screening):
                raise DecisionNotAllowed(
                    "The job's rules changed since this screening; it is being run again. "
                    "Decide on the new result."
                )
            if open_action is not None:
                raise DecisionNotAllowed("A rejection of this candidate is already under way.")
        decision = Decision.objects.create(
            screening=screening,
            candidate_id=screening.candidate_id,
            job=job,
            kind=kind,
            reason=reason,
            reviewer_id=reviewer.pk,
            reviewer_label=audit_actor_label(reviewer),
            decided_at=now,
            review_started_at=review_started_at if seconds is not None else None,
            review_seconds=seconds,
            machine_outcome=screening.outcome,
            machine_suggestion=screening.suggestion,
            follows_machine=follows_suggestion(screening.suggestion, kind),
            screening_snapshot=screening_snapshot(screening),
        )
        adverse_action = None
        if kind == DecisionKind.REJECT and fcra_applies(screening.candidate):
            adverse_action = AdverseAction.objects.create(
                decision=decision,
                candidate_id=screening.candidate_id,
                job=job,
                waiting_business_days=conf.get("RENOWN_FCRA_WAITING_BUSINESS_DAYS"),
            )
        audit_record(
            organization=organization,
            actor=reviewer,
            event_type=AuditEventType.DECISION_RECORDED,
            subject=decision,
            after={
                "screening": screening.pk,
                "candidate": screening.candidate.public_id,
                "job": job.pk,
                "decision": kind,
                "reason": reason,
                "machine_outcome": screening.outcome,
                "machine_suggestion": screening.suggestion,
                "follows_machine": decision.follows_machine,
                "review_seconds": seconds,
                "rule_versions": screening.rule_versions,
                "adverse_action": adverse_action.pk if adverse_action else None,
            },
        )
        data: DecisionRecordedData = {
            "decision": {
                "id": decision.pk,
                "kind": kind,
                "reason": reason,
                "decided_at": now,
                "machine_outcome": screening.outcome,
                "machine_suggestion": screening.suggestion,
                "follows_machine": decision.follows_machine,
                "adverse_action": adverse_action is not None,
            },
            "candidate": webhook_services.candidate_ref(screening.candidate),
            "job": {"id": job.pk, "external_id": job.external_id, "title": job.title},
        }
        webhook_services.event_emit(
            organization,
            EventType.DECISION_RECORDED,
            data,
            candidate=screening.candidate,
        )
        if open_action is not None and kind != DecisionKind.REJECT:
            adverse_action_withdraw(
                adverse_action=open_action, actor=reviewer, why=f"decision: {kind}", now=now
            )
    return decision
