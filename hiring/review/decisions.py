"""Human review: a person decides on a screening (advance, reject, hold) with a reason.

Only a screening whose machine suggestion is a rejection (a below on approved
screen-out rules, with the rules still as they were) can be rejected through
Renown, and a rejection of a candidate under the FCRA opens the adverse-action
workflow (``hiring.review.adverse_action``). A rejection for reasons outside
Renown (any screening) carries the reviewer's written reason and attestation that
Renown's data played no part: the FCRA steps are for an adverse action "based in
whole or in part" on the report (15 U.S.C. 1681b(b)(3)(A), 1681m(a)), so it opens
none, and the attestation is on the audit trail. Each decision keeps what the
machine said and how long the review took, for the automation-bias figures
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

# What a reviewer attests for a rejection outside Renown (kept on the decision and on its
# audit event, as worded when attested).
OUTSIDE_RENOWN_ATTESTATION = "I attest that Renown's data played no part in this rejection."


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
    outside_renown: bool = False,
    attested: bool = False,
) -> Decision:
    """Record a reviewer's decision on a screening, with the reason and the machine's view.

    ``review_started_at`` is when the reviewer opened the screening (the review
    page signs it); the time taken is kept when it is plausible. A decision other
    than reject withdraws an open adverse action on the candidate for the job.

    ``outside_renown``: a rejection for reasons that are not Renown's data, on any
    screening; ``attested`` is the reviewer's attestation of
    ``OUTSIDE_RENOWN_ATTESTATION``. It opens no adverse action, and its audit event
    keeps the reason and the words attested.

    Raises NotPermitted unless the reviewer is a recruiter of the organisation,
    ValidationError for an unknown kind, an empty reason, a decision outside Renown
    that is not a rejection, or one without the attestation (or an attestation without
    it), DecisionNotAllowed for a rejection the screening does not support (or one
    already under way).
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
    if outside_renown and kind != DecisionKind.REJECT:
        raise ValidationError(
            {"outside_renown": f"Only a rejection can be outside Renown, not {kind!r}."}
        )
    if outside_renown and not attested:
        raise ValidationError(
            {
                "attested": "A rejection outside Renown needs your attestation: "
                f"“{OUTSIDE_RENOWN_ATTESTATION}” If its data played any part, reject "
                "through Renown (the FCRA steps follow)."
            }
        )
    if attested and not outside_renown:
        raise ValidationError(
            {"attested": "The attestation goes with a rejection outside Renown only."}
        )
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
        if outside_renown and open_action is not None:
            # The rejection under way rests on Renown's data: an attestation now cannot
            # take it out of the FCRA steps.
            raise DecisionNotAllowed(
                "A rejection of this candidate through Renown is under way (FCRA steps): "
                "it cannot become a rejection outside Renown."
            )
        if (
            outside_renown
            and AdverseAction.objects.filter(candidate_id=screening.candidate_id, job=job).exists()
        ):
            # A rejection through Renown was started (and withdrawn, e.g. by a hold): what
            # follows cannot be said to owe nothing to its data.
            raise DecisionNotAllowed(
                "A rejection of this candidate through Renown was started for this job: a "
                "later rejection goes through Renown too (the FCRA steps follow)."
            )
        if kind == DecisionKind.REJECT and not outside_renown:
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
            # Not a review of the machine's suggestion: no agreement figure.
            follows_machine=None
            if outside_renown
            else follows_suggestion(screening.suggestion, kind),
            screening_snapshot=screening_snapshot(screening),
            outside_renown=outside_renown,
            attestation=OUTSIDE_RENOWN_ATTESTATION if outside_renown else "",
        )
        adverse_action = None
        if kind == DecisionKind.REJECT and not outside_renown and fcra_applies(screening.candidate):
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
                "outside_renown": outside_renown,
                # Who attested and when are the event's actor and time.
                "attestation": decision.attestation,
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
                "outside_renown": outside_renown,
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
