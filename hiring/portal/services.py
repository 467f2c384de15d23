"""What a candidate can do through their link: each the same audited service recruiters
and the API use, with the link as the actor, recorded for the organisation.

Every action takes the ``PortalVisit`` that ``hiring.portal.links.portal_open`` returned
(no other way to the candidate), changes what it changes through the shared services
(whose audit event names the link), records a ``PortalAction`` for the recruiter's
candidate page and emits ``candidate.portal_action`` to the organisation's webhooks,
all in one transaction.
"""

from __future__ import annotations

import datetime

from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from candidates import services as candidate_services
from candidates.models import Candidate, EvidenceSource, ReputationEvidence, SocialAccount
from hiring.portal.links import PortalVisit
from hiring.portal.models import PortalAction, PortalActionKind, PortalLink
from renown.models import AuditEventType, EventType
from renown.queue import enqueue_on_commit
from renown.trail import audit_record
from renown.webhooks import services as webhook_services
from renown.webhooks.events import CandidatePortalActionData


def record_visit_action(
    visit: PortalVisit, kind: str, summary: str, subject: models.Model
) -> PortalAction:
    """``record_action`` for the visit's candidate and link."""
    return record_action(visit.candidate, visit.link, kind, summary, subject)


def record_action(
    candidate: Candidate,
    link: PortalLink | None,
    kind: str,
    summary: str,
    subject: models.Model,
) -> PortalAction:
    """The organisation's notice of an action: the row its recruiters see, and the webhook."""
    action = PortalAction.objects.create(
        candidate=candidate,
        link=link,
        kind=kind,
        summary=summary[:600],
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        occurred_at=timezone.now(),
    )
    payload: CandidatePortalActionData = {
        "candidate": webhook_services.candidate_ref(candidate),
        "action": {
            "id": action.pk,
            "kind": action.kind,
            "summary": action.summary,
            "subject": f"{action.subject_type}:{action.subject_id}",
            "occurred_at": action.occurred_at,
        },
    }
    webhook_services.event_emit(
        candidate.organization, EventType.CANDIDATE_PORTAL_ACTION, payload, candidate=candidate
    )
    return action


def portal_evidence_add(
    *,
    visit: PortalVisit,
    kind: str,
    title: str,
    venue: str = "",
    date: datetime.date | None = None,
    url: str = "",
    reference: str = "",
) -> ReputationEvidence:
    """The candidate adds offline evidence: unverified, supplied by the candidate.

    ``candidates.services.evidence_record`` (``evidence.added``, the link as actor);
    it counts toward offline reputation only once a recruiter verifies it.
    ValidationError naming each bad field, and nothing is written.
    """
    with transaction.atomic():
        evidence = candidate_services.evidence_record(
            candidate=visit.candidate,
            kind=kind,
            title=title,
            venue=venue,
            date=date,
            url=url,
            reference=reference,
            source=EvidenceSource.CANDIDATE,
            actor=visit.actor,
        )
        record_visit_action(
            visit,
            PortalActionKind.EVIDENCE_ADDED,
            f"Added {evidence.get_kind_display().lower()}: “{evidence.title}”"
            + (f" ({evidence.venue})" if evidence.venue else ""),
            evidence,
        )
    return evidence


def _rescore(visit: PortalVisit) -> None:
    from scoring.tasks import score_candidates_task

    enqueue_on_commit(score_candidates_task, [visit.candidate.pk])


def portal_account_disown(*, visit: PortalVisit, account_id: int) -> SocialAccount:
    """The candidate says an account is not theirs (a namesake).

    It stops being fetched and scored at once (``candidates.services.account_disown``;
    the scores are recomputed after commit), pending a recruiter's confirmation on the
    candidate's page. Http404 for an account that is not this candidate's;
    ValidationError when it already counts for nothing.
    """
    account = visit.candidate.accounts.filter(pk=account_id).first()
    if account is None:
        raise Http404("No such account.")
    with transaction.atomic():
        candidate_services.account_disown(account=account, actor=visit.actor)
        record_visit_action(
            visit,
            PortalActionKind.ACCOUNT_DISOWNED,
            f"Said {account} is not theirs: it is no longer fetched or scored; "
            "confirm (Reject) or restore (Verify) it",
            account,
        )
        _rescore(visit)
    return account


def audit_portal_request(
    candidate: Candidate, actor: str, what: str, subject: models.Model, **after: object
) -> None:
    """``portal.request``: what the candidate asked for that no shared service records
    itself (a download of their data; an erasure or a withdrawal waiting for the e-mail's
    confirmation)."""
    audit_record(
        organization=candidate.organization,
        actor=actor,
        event_type=AuditEventType.PORTAL_REQUEST,
        subject=subject,
        after={"candidate": str(candidate.public_id), "request": what, **after},
    )
