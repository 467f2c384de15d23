"""Rule versions, four-eyes approval, deactivation and rollback, each in the audit trail."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hiring import services
from hiring.models import ScreeningRule
from renown.exceptions import (
    ApplicationError,
    FourEyesViolation,
    InvalidTransition,
    NotPermitted,
    StatementRequired,
    WarningNotAcknowledged,
)
from renown.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def events(org: Any) -> list[str]:
    return list(
        AuditEvent.objects.filter(organization=org)
        .order_by("sequence")
        .values_list("event_type", flat=True)
    )


def test_a_review_rule_goes_live_at_once(job: Any, hr_admin_a: Any, org_a: Any) -> None:
    rule = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35)
    )
    assert (rule.version, rule.status, rule.active) == (1, "live", True)
    # One event for the call: the rule and that it went live with it.
    assert events(org_a) == ["rule.created"]
    event = AuditEvent.objects.get(organization=org_a)
    assert (event.after["status"], event.after["went_live"]) == ("live", True)


def test_a_draft_is_not_live_until_made_live(job: Any, hr_admin_a: Any) -> None:
    rule = services.rule_create(
        job=job, actor=hr_admin_a, metric="reputation", threshold=Decimal(30), activate=False
    )
    assert rule.status == "draft"
    services.rule_activate(rule=rule, actor=hr_admin_a)
    assert rule.status == "live"


def test_a_screen_out_rule_needs_a_second_hr_admin(
    job: Any, hr_admin_a: Any, second_admin: Any, recruiter_a: Any, hr_admin_b: Any, org_a: Any
) -> None:
    rule = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35), action="screen_out"
    )
    assert rule.status == "draft"
    with pytest.raises(FourEyesViolation, match="second HR admin"):
        services.rule_approve(rule=rule, approver=hr_admin_a, statement="Reviewed; approved.")
    with pytest.raises(FourEyesViolation):
        services.rule_activate(rule=rule, actor=hr_admin_a)
    with pytest.raises(NotPermitted, match="HR admin of Acme"):
        services.rule_approve(rule=rule, approver=recruiter_a, statement="Reviewed; approved.")
    with pytest.raises(NotPermitted):
        services.rule_approve(
            rule=rule, approver=hr_admin_b, statement="Reviewed; approved."
        )  # another organisation's admin
    rule.refresh_from_db()
    assert rule.status == "draft"
    services.rule_approve(rule=rule, approver=second_admin, statement="Reviewed; approved.")
    assert (rule.status, rule.active, rule.approved_by, rule.created_by) == (
        "live",
        True,
        second_admin,
        hr_admin_a,
    )
    assert events(org_a) == ["rule.created", "rule.approved"]
    with pytest.raises(InvalidTransition):
        services.rule_approve(rule=rule, approver=second_admin, statement="Reviewed; approved.")


def test_the_database_itself_refuses_an_unapproved_or_self_approved_screen_out(
    job: Any, hr_admin_a: Any
) -> None:
    rule = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35), action="screen_out"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningRule.objects.filter(pk=rule.pk).update(status="live", active=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningRule.objects.filter(pk=rule.pk).update(approved_by=hr_admin_a)


def test_a_change_is_a_new_version_and_the_live_one_stays_until_approved(
    job: Any, hr_admin_a: Any, second_admin: Any, org_a: Any
) -> None:
    v1 = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35), action="screen_out"
    )
    services.rule_approve(rule=v1, approver=second_admin, statement="Reviewed; approved.")
    v2 = services.rule_update(rule=v1, actor=hr_admin_a, changes={"threshold": Decimal(40)})
    v1.refresh_from_db()
    assert (v1.status, v2.status, v2.version, v2.lineage) == ("live", "draft", 2, v1.lineage)
    assert (v1.threshold, v2.threshold) == (Decimal(35), Decimal(40))  # v1 never edited
    services.rule_approve(rule=v2, approver=second_admin, statement="Reviewed; approved.")
    v1.refresh_from_db()
    assert (v1.status, v2.status) == ("superseded", "live")
    changed = AuditEvent.objects.get(organization=org_a, event_type="rule.changed")
    # As stored, both sides: 40 reads back 40.00.
    assert (changed.before["threshold"], changed.after["threshold"]) == ("35.00", "40.00")


def test_only_the_newest_version_can_be_changed(job: Any, hr_admin_a: Any) -> None:
    v1 = services.rule_create(job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35))
    services.rule_update(rule=v1, actor=hr_admin_a, changes={"threshold": Decimal(36)})
    with pytest.raises(InvalidTransition, match="not the newest"):
        services.rule_update(rule=v1, actor=hr_admin_a, changes={"threshold": Decimal(37)})
    latest = ScreeningRule.objects.get(lineage=v1.lineage, version=2)
    with pytest.raises(ApplicationError, match="Nothing changed"):
        services.rule_update(rule=latest, actor=hr_admin_a, changes={"threshold": Decimal(36)})


def test_a_new_draft_supersedes_the_waiting_one(
    job: Any, hr_admin_a: Any, second_admin: Any
) -> None:
    v1 = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35), action="screen_out"
    )
    v2 = services.rule_update(rule=v1, actor=hr_admin_a, changes={"threshold": Decimal(36)})
    v1.refresh_from_db()
    assert (v1.status, v2.status) == ("superseded", "draft")


def test_deactivate_and_roll_back(job: Any, hr_admin_a: Any, second_admin: Any, org_a: Any) -> None:
    v1 = services.rule_create(job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35))
    v2 = services.rule_update(rule=v1, actor=hr_admin_a, changes={"threshold": Decimal(50)})
    services.rule_deactivate(rule=v2, actor=hr_admin_a, note="too strict")
    assert not job.rules.filter(active=True).exists()
    with pytest.raises(InvalidTransition):
        services.rule_deactivate(rule=v2, actor=hr_admin_a)
    v3 = services.rule_rollback(rule=v2, actor=hr_admin_a, to_version=1)
    assert (v3.version, v3.threshold, v3.status, v3.rolled_back_from) == (3, Decimal(35), "live", 1)
    with pytest.raises(InvalidTransition, match="earlier version"):
        services.rule_rollback(rule=v3, actor=hr_admin_a, to_version=3)
    assert "rule.rolled_back" in events(org_a)
    assert "rule.deactivated" in events(org_a)


def test_rolling_back_a_screen_out_rule_needs_approval_again(
    job: Any, hr_admin_a: Any, second_admin: Any
) -> None:
    v1 = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35), action="screen_out"
    )
    services.rule_approve(rule=v1, approver=second_admin, statement="Reviewed; approved.")
    v2 = services.rule_update(rule=v1, actor=second_admin, changes={"action": "needs_review"})
    assert v2.status == "live"
    v3 = services.rule_rollback(rule=v2, actor=hr_admin_a, to_version=1)
    assert (v3.action, v3.status) == ("screen_out", "draft")
    services.rule_approve(rule=v3, approver=second_admin, statement="Reviewed; approved.")
    assert v3.status == "live"


def test_missing_data_as_failing_needs_an_acknowledgement(
    job: Any, hr_admin_a: Any, org_a: Any
) -> None:
    with pytest.raises(WarningNotAcknowledged, match="cannot measure"):
        services.rule_create(
            job=job,
            actor=hr_admin_a,
            metric="influence",
            threshold=Decimal(35),
            missing_data_policy="fail",
        )
    rule = services.rule_create(
        job=job,
        actor=hr_admin_a,
        metric="influence",
        threshold=Decimal(35),
        missing_data_policy="fail",
        acknowledgement="Only for a role where the public account is the job.",
    )
    acknowledged = AuditEvent.objects.get(organization=org_a, event_type="warning.acknowledged")
    assert acknowledged.subject_id == str(rule.pk)
    assert acknowledged.note == "Only for a role where the public account is the job."


def test_recruiters_and_auditors_do_not_change_rules(
    job: Any, recruiter_a: Any, auditor_a: Any
) -> None:
    for user in (recruiter_a, auditor_a):
        with pytest.raises(NotPermitted):
            services.rule_create(job=job, actor=user, metric="influence", threshold=Decimal(35))


def test_bad_metrics_and_foreign_groups_are_refused(job: Any, hr_admin_a: Any) -> None:
    with pytest.raises(ValidationError, match="Unknown metric"):
        services.rule_create(job=job, actor=hr_admin_a, metric="Klout!", threshold=Decimal(35))
    other = factories.RuleGroupFactory(job=factories.JobFactory(organization=job.organization))
    with pytest.raises(ValidationError, match="another job"):
        services.rule_create(
            job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35), group=other
        )


def test_groups_are_audited_and_a_live_change_rescreens(
    job: Any, hr_admin_a: Any, org_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    group = services.rule_group_create(job=job, actor=hr_admin_a, combinator="all", name="reach")
    services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35), group=group
    )
    with django_capture_on_commit_callbacks() as callbacks:
        services.rule_group_update(group=group, actor=hr_admin_a, combinator="any")
    assert len(callbacks) == 1  # the job's screening runs again
    assert events(org_a).count("rule_group.changed") == 2


def test_making_a_rule_live_schedules_the_screening(
    job: Any, hr_admin_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    candidate = factories.CandidateFactory(organization=job.organization)
    factories.ApplicationFactory(job=job, candidate=candidate)
    factories.ScoreFactory(candidate=candidate, value=Decimal(50))
    with django_capture_on_commit_callbacks(execute=True):
        services.rule_create(job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35))
    assert job.screenings.get().outcome == "meets"


# --- serious fairness warnings (issue 6) ------------------------------------------------


KLOUT = {"metric": "vendor:klout", "threshold": Decimal(35), "max_data_age_days": 3650}


def test_a_rule_with_serious_warnings_does_not_go_live_unacknowledged(
    job: Any, hr_admin_a: Any, org_a: Any
) -> None:
    # Klout closed in 2018: a serious warning on any rule that reads it.
    with pytest.raises(WarningNotAcknowledged, match="Klout closed") as caught:
        services.rule_create(job=job, actor=hr_admin_a, action="needs_review", **KLOUT)
    assert {w["code"] for w in caught.value.warnings} == {"metric.discontinued"}
    assert not ScreeningRule.objects.filter(job=job).exists()  # nothing half-saved
    assert events(org_a) == []
    rule = services.rule_create(
        job=job, actor=hr_admin_a, action="needs_review",
        acknowledgement="Only as a tie-breaker in review; nobody is rejected on it.", **KLOUT,
    )  # fmt: skip
    assert rule.status == "live"
    acknowledged = AuditEvent.objects.get(event_type="warning.acknowledged")
    assert acknowledged.note.startswith("Only as a tie-breaker")
    assert [w["code"] for w in acknowledged.after["warnings"]] == ["metric.discontinued"]


def test_a_draft_saved_without_going_live_waits_for_its_acknowledgement(
    job: Any, hr_admin_a: Any
) -> None:
    rule = services.rule_create(
        job=job, actor=hr_admin_a, action="needs_review", activate=False, **KLOUT
    )
    assert rule.status == "draft"
    with pytest.raises(WarningNotAcknowledged):
        services.rule_activate(rule=rule, actor=hr_admin_a)
    services.rule_activate(rule=rule, actor=hr_admin_a, acknowledgement="Reviewed; advisory use.")
    assert rule.status == "live"


def test_a_screen_out_draft_is_acknowledged_before_approval_is_asked(
    job: Any, hr_admin_a: Any, second_admin: Any
) -> None:
    with pytest.raises(WarningNotAcknowledged):
        services.rule_create(job=job, actor=hr_admin_a, action="screen_out", **KLOUT)
    rule = services.rule_create(
        job=job, actor=hr_admin_a, action="screen_out", acknowledgement="Pilot, reviewed.", **KLOUT
    )
    assert rule.status == "draft"
    services.rule_approve(
        rule=rule, approver=second_admin, statement="Reviewed; approved."
    )  # the author's words stand
    assert rule.status == "live"


def test_an_acknowledgement_holds_for_the_version_as_stored(
    job: Any, hr_admin_a: Any, second_admin: Any
) -> None:
    # The admin's form gives 35, the row reads back 35.00: the warning's subject (the
    # rule's line) must be the same for the author's words and the approver's check.
    rule = services.rule_create(
        job=job, actor=hr_admin_a, action="screen_out", acknowledgement="Pilot, reviewed.", **KLOUT
    )
    stored = ScreeningRule.objects.get(pk=rule.pk)
    assert services.unacknowledged_warnings(stored) == []
    services.rule_approve(rule=stored, approver=second_admin, statement="Reviewed; approved.")
    assert stored.status == "live"


def test_a_serious_warning_that_appears_after_the_acknowledgement_blocks_approval(
    job: Any, hr_admin_a: Any, second_admin: Any
) -> None:
    rule = services.rule_create(
        job=job, actor=hr_admin_a, action="screen_out", metric="influence", threshold=Decimal(35)
    )
    job.influence_relevance = "none"  # the job changed: influence no longer job-related
    job.save()
    with pytest.raises(StatementRequired) as refused:
        services.rule_approve(rule=rule, approver=second_admin, statement=" ")
    assert "job_relatedness.not_relevant" in {w["code"] for w in refused.value.warnings}
    services.rule_approve(
        rule=rule, approver=second_admin, statement="Relevance is being re-assessed."
    )
    assert rule.status == "live"


def test_another_rules_warning_was_that_rules_to_acknowledge(
    job: Any, hr_admin_a: Any, second_admin: Any
) -> None:
    services.rule_create(
        job=job, actor=hr_admin_a, action="advisory", acknowledgement="Kept for comparison.",
        **KLOUT,
    )  # fmt: skip
    # Klout's warning belongs to the Klout rule, acknowledged when it went live: a new
    # influence rule on the same job neither repeats nor needs it.
    rule = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35), action="screen_out"
    )
    assert [w.code for w in services.serious_warnings(rule)] == []
    services.rule_approve(rule=rule, approver=second_admin, statement="Reviewed; approved.")
    assert rule.status == "live"


# --- acknowledging a draft as it stands, approval with the approver's words (issue 12) --


def test_acknowledging_a_draft_writes_no_new_version_and_lets_it_be_approved(
    job: Any, hr_admin_a: Any, second_admin: Any, org_a: Any
) -> None:
    rule = services.rule_create(
        job=job, actor=hr_admin_a, action="screen_out", activate=False, **KLOUT
    )
    with pytest.raises(StatementRequired):
        services.rule_approve(rule=rule, approver=second_admin, statement="")
    services.rule_acknowledge(rule=rule, actor=hr_admin_a, statement="  Pilot, reviewed. ")
    assert list(ScreeningRule.objects.filter(lineage=rule.lineage).values_list("version")) == [(1,)]
    acknowledged = AuditEvent.objects.get(event_type="warning.acknowledged")
    assert (acknowledged.actor, acknowledged.note, acknowledged.subject_id) == (
        hr_admin_a,
        "Pilot, reviewed.",
        str(rule.pk),
    )
    assert [w["code"] for w in acknowledged.after["warnings"]] == ["metric.discontinued"]
    assert services.unacknowledged_warnings(rule) == []
    rule.refresh_from_db()
    assert rule.status == "draft"  # acknowledged, waiting for the second HR admin
    services.rule_approve(rule=rule, approver=second_admin, statement="Reviewed; approved.")
    assert (rule.status, rule.approved_by) == ("live", second_admin)
    assert events(org_a) == ["rule.created", "warning.acknowledged", "rule.approved"]


@pytest.mark.parametrize(
    ("words", "error"),
    [("", "in words"), ("   \n", "in words")],
)
def test_an_acknowledgement_needs_words(job: Any, hr_admin_a: Any, words: str, error: str) -> None:
    rule = services.rule_create(job=job, actor=hr_admin_a, activate=False, **KLOUT)
    with pytest.raises(StatementRequired, match=error):
        services.rule_acknowledge(rule=rule, actor=hr_admin_a, statement=words)
    assert not AuditEvent.objects.filter(event_type="warning.acknowledged").exists()


def test_only_a_drafts_serious_warnings_are_acknowledged_on_their_own(
    job: Any, hr_admin_a: Any, recruiter_a: Any
) -> None:
    quiet = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35), activate=False
    )
    with pytest.raises(InvalidTransition, match="no serious warning"):
        services.rule_acknowledge(rule=quiet, actor=hr_admin_a, statement="Fine.")
    live = services.rule_create(
        job=job, actor=hr_admin_a, action="needs_review", acknowledgement="Advisory.", **KLOUT
    )
    with pytest.raises(InvalidTransition, match="live"):
        services.rule_acknowledge(rule=live, actor=hr_admin_a, statement="Again.")
    draft = services.rule_update(
        rule=live, actor=hr_admin_a, changes={"threshold": Decimal(40)}, activate=False
    )
    with pytest.raises(NotPermitted):
        services.rule_acknowledge(rule=draft, actor=recruiter_a, statement="Me too.")
    assert AuditEvent.objects.filter(event_type="warning.acknowledged").count() == 1


def test_the_approver_acknowledges_in_words_what_appeared_since(
    job: Any, hr_admin_a: Any, second_admin: Any
) -> None:
    rule = services.rule_create(
        job=job, actor=hr_admin_a, action="screen_out", activate=False, **KLOUT
    )
    services.rule_acknowledge(rule=rule, actor=hr_admin_a, statement="Pilot, reviewed.")
    job.influence_relevance = "none"  # the job changed: a new serious warning
    job.save()
    new = [w.code for w in services.unacknowledged_warnings(rule)]
    assert "job_relatedness.not_relevant" in new
    assert "metric.discontinued" not in new  # hr-admin's words answered that one
    with pytest.raises(StatementRequired) as refused:
        services.rule_approve(rule=rule, approver=second_admin, statement="")
    assert [w["code"] for w in refused.value.warnings] == new
    rule.refresh_from_db()
    assert rule.status == "draft"
    services.rule_approve(
        rule=rule, approver=second_admin, statement="Relevance is being re-assessed."
    )
    assert rule.status == "live"
    words = AuditEvent.objects.filter(event_type="warning.acknowledged").order_by("sequence")
    assert [(e.actor, e.note) for e in words] == [
        (hr_admin_a, "Pilot, reviewed."),
        (second_admin, "Relevance is being re-assessed."),
    ]
    assert set(new) <= {w["code"] for w in words[1].after["warnings"]}


def test_the_author_acknowledges_but_never_approves(job: Any, hr_admin_a: Any) -> None:
    rule = services.rule_create(
        job=job, actor=hr_admin_a, action="screen_out", activate=False, **KLOUT
    )
    services.rule_acknowledge(rule=rule, actor=hr_admin_a, statement="Pilot, reviewed.")
    with pytest.raises(FourEyesViolation):
        services.rule_approve(rule=rule, approver=hr_admin_a, statement="Mine, approved.")
    rule.refresh_from_db()
    assert (rule.status, rule.approved_by) == ("draft", None)
