"""A person decides: reasons, what the machine said, rejections only on a screen-out below."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from hiring import services
from hiring.models import AdverseAction, Decision, Screening
from renown.exceptions import DecisionNotAllowed, NotPermitted
from renown.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def screened(
    org: Any, value: str | None, *, action: str = "screen_out", **candidate: Any
) -> Screening:
    """A candidate of ``org`` screened by one live rule: influence ≥ 35."""
    job = factories.JobFactory(organization=org)
    factories.ScreeningRuleFactory(job=job, threshold=Decimal(35), action=action)
    person = factories.CandidateFactory(organization=org, **candidate)
    factories.ApplicationFactory(job=job, candidate=person)
    if value is not None:
        factories.ScoreFactory(
            candidate=person, value=Decimal(value), as_of=NOW - timedelta(days=1)
        )
    services.screening_run_for_job(job=job, now=NOW)
    return Screening.objects.get(job=job, candidate=person)


def test_a_rejection_of_a_us_candidate_opens_the_adverse_action_workflow(
    org_a: Any, recruiter_a: Any
) -> None:
    screening = screened(org_a, "20")
    assert (screening.outcome, screening.suggestion) == ("below", "reject")
    started = NOW - timedelta(seconds=42)
    decision = services.decision_record(
        screening=screening,
        reviewer=recruiter_a,
        kind="reject",
        reason="20 against 35, and nothing offline.",
        review_started_at=started,
        now=NOW,
    )
    assert (decision.follows_machine, decision.review_seconds) == (True, 42.0)
    assert decision.screening_snapshot["reasons"] == screening.reasons
    assert decision.adverse_action.status == "pending"
    event = AuditEvent.objects.get(event_type="decision.recorded")
    assert event.after["decision"] == "reject"
    assert event.after["adverse_action"] == decision.adverse_action.pk


def test_no_workflow_outside_the_us_unless_configured(org_a: Any, recruiter_a: Any) -> None:
    screening = screened(org_a, "20", country="DE", region="DE-BE")
    decision = services.decision_record(
        screening=screening, reviewer=recruiter_a, kind="reject", reason="below", now=NOW
    )
    assert not AdverseAction.objects.filter(decision=decision).exists()
    with override_settings(RENOWN_FCRA_MODE="all"):
        other = screened(org_a, "20", country="DE", region="DE-BE")
        decision = services.decision_record(
            screening=other, reviewer=recruiter_a, kind="reject", reason="below", now=NOW
        )
        assert AdverseAction.objects.filter(decision=decision).exists()


@pytest.mark.parametrize(
    ("value", "action", "outcome"),
    [
        (None, "screen_out", "insufficient_data"),  # never "below" for the unmeasured
        ("34", "screen_out", "below"),  # below, but...
        ("80", "screen_out", "meets"),
        ("20", "needs_review", "below"),  # below a rule that cannot screen out
    ],
)
def test_only_a_below_on_a_screen_out_rule_can_be_rejected(
    org_a: Any, recruiter_a: Any, value: str | None, action: str, outcome: str
) -> None:
    screening = screened(org_a, value, action=action)
    assert screening.outcome == outcome
    if screening.suggestion == "reject":
        return  # covered above
    with pytest.raises(DecisionNotAllowed, match="screen-out"):
        services.decision_record(
            screening=screening, reviewer=recruiter_a, kind="reject", reason="no", now=NOW
        )
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            screening=screening,
            candidate=screening.candidate,
            job=screening.job,
            kind="reject",
            reason="forced",
            reviewer_label="x",
            decided_at=NOW,
            machine_outcome=screening.outcome,
            machine_suggestion=screening.suggestion,
        )


def test_a_rejection_waits_for_a_screening_of_the_current_rules(
    org_a: Any, recruiter_a: Any, hr_admin_a: Any
) -> None:
    screening = screened(org_a, "20")
    services.rule_create(
        job=screening.job, actor=hr_admin_a, metric="reputation", threshold=Decimal(10)
    )  # live now; the screening has not seen it yet
    with pytest.raises(DecisionNotAllowed, match="rules changed"):
        services.decision_record(
            screening=screening, reviewer=recruiter_a, kind="reject", reason="x", now=NOW
        )


def test_overrides_are_recorded_and_advance_withdraws_a_rejection(
    org_a: Any, recruiter_a: Any
) -> None:
    screening = screened(org_a, "20")
    rejected = services.decision_record(
        screening=screening, reviewer=recruiter_a, kind="reject", reason="below", now=NOW
    )
    with pytest.raises(DecisionNotAllowed, match="already under way"):
        services.decision_record(
            screening=screening, reviewer=recruiter_a, kind="reject", reason="again", now=NOW
        )
    advanced = services.decision_record(
        screening=screening,
        reviewer=recruiter_a,
        kind="advance",
        reason="Her conference talks are not in any score.",
        now=NOW + timedelta(hours=1),
    )
    assert (advanced.follows_machine, advanced.is_override) == (False, True)
    rejected.adverse_action.refresh_from_db()
    assert rejected.adverse_action.status == "withdrawn"
    assert AuditEvent.objects.filter(event_type="adverse_action.withdrawn").exists()


def test_review_of_undecided_screenings_has_no_agreement_figure(
    org_a: Any, recruiter_a: Any
) -> None:
    screening = screened(org_a, None)
    decision = services.decision_record(
        screening=screening, reviewer=recruiter_a, kind="hold", reason="ask for accounts", now=NOW
    )
    assert decision.follows_machine is None


def test_implausible_review_times_are_not_kept(org_a: Any, recruiter_a: Any) -> None:
    screening = screened(org_a, "80")
    decision = services.decision_record(
        screening=screening,
        reviewer=recruiter_a,
        kind="advance",
        reason="meets",
        review_started_at=NOW - timedelta(days=2),
        now=NOW,
    )
    assert (decision.review_seconds, decision.review_started_at) == (None, None)


def test_only_recruiters_decide_and_they_say_why(
    org_a: Any, recruiter_a: Any, hr_admin_a: Any, auditor_a: Any, hr_admin_b: Any
) -> None:
    screening = screened(org_a, "80")
    for user in (hr_admin_a, auditor_a, hr_admin_b):
        with pytest.raises(NotPermitted):
            services.decision_record(
                screening=screening, reviewer=user, kind="advance", reason="ok", now=NOW
            )
    with pytest.raises(ValidationError, match="reason"):
        services.decision_record(
            screening=screening, reviewer=recruiter_a, kind="advance", reason="  ", now=NOW
        )
    with pytest.raises(ValidationError, match="advance, reject or hold"):
        services.decision_record(
            screening=screening, reviewer=recruiter_a, kind="promote", reason="x", now=NOW
        )
