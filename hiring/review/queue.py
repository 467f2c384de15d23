"""Working the review queue at volume: decisions on several screenings with one reason,
and who works which screening ("assign to me").

Each decision still goes through ``decision_record`` (one decision and one audit event
per person); everything is checked before anything is written, and either all of the
selected screenings are decided or none is.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hiring import selectors
from hiring.models import Decision, DecisionKind, Job, ReviewAssignment, Screening
from hiring.permissions import REVIEW_ROLES, require_role
from hiring.review.decisions import decision_record
from renown.models import AuditEventType
from renown.trail import audit_actor_label, audit_record

# A rejection is one person's decision on one candidate's evidence (and, under the FCRA,
# the start of the adverse-action steps): never in bulk.
BULK_KINDS = (DecisionKind.ADVANCE, DecisionKind.HOLD)


def _waiting(job: Job, screening_ids: Collection[int]) -> list[Screening]:
    """The selected screenings, locked, each still waiting in the job's queue (call it
    inside a transaction); ValidationError naming those that do not (decided meanwhile,
    or not this job's)."""
    if not screening_ids:
        raise ValidationError({"screening": "Select at least one candidate."})
    # Locked first (in id order, as every bulk takes them), then read: a decision another
    # person is recording on one of them finishes before this one looks.
    list(
        Screening.objects.select_for_update()
        .filter(job=job, pk__in=screening_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    found = list(selectors.review_queue(job=job).filter(pk__in=screening_ids))
    gone = set(screening_ids) - {s.pk for s in found}
    if gone:
        raise ValidationError(
            {
                "screening": f"{len(gone)} of the {len(set(screening_ids))} selected no longer "
                "wait in this job's queue (decided by someone else meanwhile?): reload the "
                "queue and select again. Nothing was recorded."
            }
        )
    return found


def decision_bulk_record(
    *,
    job: Job,
    screening_ids: Collection[int],
    reviewer: AbstractBaseUser,
    kind: str,
    reason: str,
    now: datetime | None = None,
) -> list[Decision]:
    """Advance or hold each selected screening of ``job`` with the same written reason.

    One ``decision_record`` per screening (its own decision and audit event, naming the
    person), all in one transaction. Raises NotPermitted unless the reviewer is a
    recruiter of the organisation; ValidationError for a rejection, an empty reason, or
    a selection that no longer waits in the queue, before anything is written.
    """
    require_role(
        user=reviewer, organization=job.organization, roles=REVIEW_ROLES, action="record decisions"
    )
    if kind not in BULK_KINDS:
        raise ValidationError(
            {"kind": "Advance or hold several at once; reject each candidate on their own page."}
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why: the reason is part of each record."})
    now = now or timezone.now()
    with transaction.atomic():
        screenings = _waiting(job, screening_ids)
        return [
            decision_record(screening=s, reviewer=reviewer, kind=kind, reason=reason, now=now)
            for s in screenings
        ]


def review_assign(
    *,
    job: Job,
    screening_ids: Collection[int],
    actor: AbstractBaseUser,
    assignee: AbstractBaseUser | None,
    now: datetime | None = None,
) -> int:
    """Assign the selected screenings of ``job`` to ``assignee`` (None: release them).

    Recruiters of the organisation assign to themselves or to another recruiter of it;
    one audit event per screening. Returns how many changed hands.
    """
    organization = job.organization
    require_role(user=actor, organization=organization, roles=REVIEW_ROLES, action="assign reviews")
    if assignee is not None:
        require_role(
            user=assignee,
            organization=organization,
            roles=REVIEW_ROLES,
            action="be assigned reviews",
        )
    now = now or timezone.now()
    changed = 0
    with transaction.atomic():
        screenings = _waiting(job, screening_ids)
        current = {
            a.screening_id: a
            for a in ReviewAssignment.objects.select_for_update().filter(screening__in=screenings)
        }
        for screening in screenings:
            before = current.get(screening.pk)
            if (before.assignee_id if before else None) == (assignee.pk if assignee else None):
                continue
            if assignee is None:
                ReviewAssignment.objects.filter(screening=screening).delete()
            else:
                ReviewAssignment.objects.update_or_create(
                    screening=screening,
                    defaults={"assignee": assignee, "assigned_by": actor, "assigned_at": now},
                )
            audit_record(
                organization=organization,
                actor=actor,
                event_type=AuditEventType.REVIEW_ASSIGNED,
                subject=screening,
                before={"assignee": audit_actor_label(before.assignee) if before else None},
                after={
                    "candidate": screening.candidate.public_id,
                    "job": job.pk,
                    "assignee": audit_actor_label(assignee) if assignee else None,
                },
            )
            changed += 1
    return changed
