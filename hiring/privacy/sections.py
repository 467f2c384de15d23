"""What the hiring app holds about a candidate, for export and erasure (``renown.privacy``).

Imported by ``HiringConfig.ready()``. The hiring records (applications,
screenings, decisions, adverse actions with their disputes and notices) are what
the law makes the employer keep: an erasure keeps them, pseudonymised, under a
retention hold (``hiring.privacy.services``); the links and the inbound replay
records are erased at once.
"""

from __future__ import annotations

from django.db.models import QuerySet

from hiring.ats.models import CandidateLink, InboundDelivery
from hiring.models import (
    AdverseAction,
    AdverseActionNotice,
    Application,
    Decision,
    Dispute,
    PortalAction,
    PortalConfirmation,
    PortalDispute,
    PortalLink,
    ReviewAssignment,
    Screening,
)
from hiring.portal.models import AccountProof
from hiring.privacy.models import RetentionHold
from renown import privacy


def _applications_pseudonymise(rows: QuerySet[Application], pseudonym: privacy.Pseudonym) -> None:
    rows.update(external_id="")


def _decisions_pseudonymise(rows: QuerySet[Decision], pseudonym: privacy.Pseudonym) -> None:
    for decision in rows:
        decision.reason = pseudonym.text(decision.reason)
        decision.save(update_fields=["reason"])


def _adverse_actions_pseudonymise(
    rows: QuerySet[AdverseAction], pseudonym: privacy.Pseudonym
) -> None:
    for action in rows:
        action.report = pseudonym.json(action.report)
        action.save(update_fields=["report"])


def _disputes_pseudonymise(rows: QuerySet[Dispute], pseudonym: privacy.Pseudonym) -> None:
    for dispute in rows:
        dispute.statement = pseudonym.text(dispute.statement)
        dispute.save(update_fields=["statement"])


def _notices_pseudonymise(
    rows: QuerySet[AdverseActionNotice], pseudonym: privacy.Pseudonym
) -> None:
    for notice in rows:
        notice.recipient = "erased@erased.invalid"
        notice.subject = pseudonym.text(notice.subject)
        notice.body_text = pseudonym.text(notice.body_text)
        notice.body_html = pseudonym.text(notice.body_html)
        # content_sha256 stays: it proves what was sent; the text no longer names anyone.
        notice.save(update_fields=["recipient", "subject", "body_text", "body_html"])


def _portal_link_fields(link: PortalLink | PortalConfirmation) -> dict[str, object]:
    # The nonce's hash opens nothing by itself, but it is the deployment's, not the person's.
    fields = privacy.row_fields(link)
    fields.pop("nonce_sha256")
    return fields


def _inbound_deliveries_forget(candidate: privacy.DataSubject) -> None:
    # The replay record stays (a hash of the body); what it said about the person goes.
    InboundDelivery.objects.filter(candidate_id=candidate.pk).update(candidate=None, result={})


privacy.register(
    "renown_hiring",
    privacy.DataSection(
        name="applications",
        model=Application,
        erase="keep",
        pseudonymise=_applications_pseudonymise,
    ),
    privacy.DataSection(
        name="screenings",
        model=Screening,
        erase="keep",
    ),
    privacy.DataSection(
        # Who works the candidate's screening in the queue: workflow, not a record the
        # law makes the employer keep; erased with the candidate.
        name="review_assignments",
        model=ReviewAssignment,
        candidate_path="screening__candidate",
    ),
    privacy.DataSection(
        name="decisions",
        model=Decision,
        erase="keep",
        pseudonymise=_decisions_pseudonymise,
        audit_subjects=True,
    ),
    privacy.DataSection(
        name="adverse_actions",
        model=AdverseAction,
        erase="keep",
        pseudonymise=_adverse_actions_pseudonymise,
        audit_subjects=True,
    ),
    privacy.DataSection(
        name="disputes",
        model=Dispute,
        candidate_path="adverse_action__candidate",
        erase="keep",
        pseudonymise=_disputes_pseudonymise,
        audit_subjects=True,
    ),
    privacy.DataSection(
        name="adverse_action_notices",
        model=AdverseActionNotice,
        candidate_path="adverse_action__candidate",
        erase="keep",
        pseudonymise=_notices_pseudonymise,
    ),
    privacy.DataSection(
        name="links",
        model=CandidateLink,
    ),
    privacy.DataSection(
        # The private links to the candidate's own page: erased at once (an erased
        # person's link opens nothing), with what the candidate did through them.
        name="portal_links",
        model=PortalLink,
        serialize=_portal_link_fields,
    ),
    privacy.DataSection(
        name="portal_actions",
        model=PortalAction,
    ),
    privacy.DataSection(
        # What the candidate disputed and the answer: theirs, erased with them (an FCRA
        # dispute's own record is kept with its adverse action).
        name="portal_disputes",
        model=PortalDispute,
    ),
    privacy.DataSection(
        name="portal_confirmations",
        model=PortalConfirmation,
        serialize=_portal_link_fields,
    ),
    privacy.DataSection(
        # The public proof codes of the candidate's accounts, and what their checks found.
        name="account_proofs",
        model=AccountProof,
        candidate_path="account__candidate",
    ),
    privacy.DataSection(
        name="inbound_deliveries",
        model=InboundDelivery,
        erase=_inbound_deliveries_forget,
    ),
    privacy.DataSection(
        name="retention_hold",
        model=RetentionHold,
        # Created by the erasure itself; it goes with the candidate when the hold ends.
        erase="keep",
    ),
)
