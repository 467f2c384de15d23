"""A rejection for reasons outside Renown: a reason and an attestation, no FCRA steps, audited."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hiring import services
from hiring.models import AdverseAction, Decision
from hiring.review.decisions import OUTSIDE_RENOWN_ATTESTATION
from renown.exceptions import DecisionNotAllowed, NotPermitted
from renown.models import AuditEvent
from tests.hiring.review.test_decisions import NOW, screened

pytestmark = pytest.mark.django_db


def reject_outside(screening: Any, reviewer: Any, **changes: Any) -> Decision:
    arguments = {
        "screening": screening,
        "reviewer": reviewer,
        "kind": "reject",
        "reason": "Withdrew after the second interview.",
        "outside_renown": True,
        "attested": True,
        "now": NOW,
    } | changes
    return services.decision_record(**arguments)


def test_an_outside_rejection_of_a_us_candidate_opens_no_adverse_action(
    org_a: Any, recruiter_a: Any
) -> None:
    screening = screened(org_a, "20")  # below an approved screen-out rule, in the US
    assert screening.suggestion == "reject"
    decision = reject_outside(screening, recruiter_a)
    assert (decision.kind, decision.outside_renown) == ("reject", True)
    assert decision.attestation == OUTSIDE_RENOWN_ATTESTATION
    assert decision.follows_machine is None  # not a review of the suggestion
    assert not AdverseAction.objects.exists()


def test_a_normal_rejection_still_opens_the_adverse_action(org_a: Any, recruiter_a: Any) -> None:
    screening = screened(org_a, "20")
    decision = services.decision_record(
        screening=screening, reviewer=recruiter_a, kind="reject", reason="Below.", now=NOW
    )
    assert (decision.outside_renown, decision.attestation) == (False, "")
    assert decision.adverse_action.status == "pending"


@pytest.mark.parametrize("value", [None, "80"])
def test_any_screening_can_be_rejected_outside_renown(
    org_a: Any, recruiter_a: Any, value: str | None
) -> None:
    screening = screened(org_a, value)  # unmeasured, or meets every rule
    assert screening.suggestion != "reject"
    decision = reject_outside(screening, recruiter_a)
    assert decision.machine_suggestion == screening.suggestion
    assert not AdverseAction.objects.exists()


def test_the_audit_event_records_the_attestation(org_a: Any, recruiter_a: Any) -> None:
    screening = screened(org_a, "20")
    with time_machine.travel(NOW, tick=False):
        decision = reject_outside(screening, recruiter_a)
    event = AuditEvent.objects.get(event_type="decision.recorded")
    assert (event.subject_type, event.subject_id) == ("renown_hiring.decision", str(decision.pk))
    assert event.actor_label == f"rita-recruiter (#{recruiter_a.pk})"  # who attested
    assert event.occurred_at == NOW  # when
    assert event.after["decision"] == "reject"
    assert event.after["outside_renown"] is True
    assert event.after["reason"] == "Withdrew after the second interview."
    assert event.after["attestation"] == OUTSIDE_RENOWN_ATTESTATION
    assert event.after["machine_suggestion"] == "reject"  # what Renown said, for the auditor
    assert event.after["adverse_action"] is None


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"attested": False}, "attested", "needs your attestation"),
        ({"reason": "   "}, "reason", "Say why"),
        ({"kind": "advance"}, "outside_renown", "Only a rejection"),
        ({"kind": "hold"}, "outside_renown", "Only a rejection"),
        ({"outside_renown": False}, "attested", "goes with a rejection outside Renown only"),
    ],
)
def test_refusals_name_the_field_and_record_nothing(
    org_a: Any, recruiter_a: Any, changes: dict[str, Any], field: str, words: str
) -> None:
    screening = screened(org_a, "20")
    with pytest.raises(ValidationError) as caught:
        reject_outside(screening, recruiter_a, **changes)
    assert list(caught.value.message_dict) == [field]
    assert words in " ".join(caught.value.message_dict[field])
    assert not Decision.objects.exists()
    assert not AuditEvent.objects.filter(event_type="decision.recorded").exists()


def test_a_rejection_under_way_cannot_be_recast_outside_renown(
    org_a: Any, recruiter_a: Any
) -> None:
    screening = screened(org_a, "20")
    rejected = services.decision_record(
        screening=screening, reviewer=recruiter_a, kind="reject", reason="Below.", now=NOW
    )
    with pytest.raises(DecisionNotAllowed, match="cannot become a rejection outside Renown"):
        reject_outside(screening, recruiter_a)
    rejected.adverse_action.refresh_from_db()
    assert rejected.adverse_action.status == "pending"
    assert Decision.objects.count() == 1


def test_a_withdrawn_rejection_cannot_be_followed_by_one_outside_renown(
    org_a: Any, recruiter_a: Any
) -> None:
    """A hold withdraws the rejection under way; an attestation afterwards would take the
    candidate out of the FCRA steps (and their dispute) with one tick: refused."""
    screening = screened(org_a, "20")
    services.decision_record(
        screening=screening, reviewer=recruiter_a, kind="reject", reason="Below.", now=NOW
    )
    services.decision_record(
        screening=screening, reviewer=recruiter_a, kind="hold", reason="Dispute.", now=NOW
    )
    assert AdverseAction.objects.get().status == "withdrawn"
    with pytest.raises(DecisionNotAllowed, match="was started for this job"):
        reject_outside(screening, recruiter_a)
    assert Decision.objects.filter(outside_renown=True).count() == 0


def test_only_recruiters_of_the_organisation_reject_outside_renown(
    org_a: Any, recruiter_a: Any, hr_admin_a: Any, auditor_a: Any, hr_admin_b: Any
) -> None:
    screening = screened(org_a, "20")
    for user in (hr_admin_a, auditor_a, hr_admin_b):
        with pytest.raises(NotPermitted):
            reject_outside(screening, user)
    assert not Decision.objects.exists()


def test_the_database_refuses_an_outside_decision_without_the_attestation(
    org_a: Any, recruiter_a: Any
) -> None:
    screening = screened(org_a, None)
    row = {
        "screening": screening,
        "candidate": screening.candidate,
        "job": screening.job,
        "reason": "forced",
        "reviewer_label": "x",
        "decided_at": NOW,
        "machine_outcome": screening.outcome,
        "machine_suggestion": screening.suggestion,
    }
    for fields in (
        {"kind": "reject", "outside_renown": True, "attestation": ""},
        {"kind": "advance", "outside_renown": True, "attestation": OUTSIDE_RENOWN_ATTESTATION},
        {"kind": "reject", "outside_renown": False, "attestation": ""},  # no screen-out below
        {"kind": "hold", "outside_renown": False, "attestation": OUTSIDE_RENOWN_ATTESTATION},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Decision.objects.create(**row, **fields)
    Decision.objects.create(
        **row, kind="reject", outside_renown=True, attestation=OUTSIDE_RENOWN_ATTESTATION
    )
