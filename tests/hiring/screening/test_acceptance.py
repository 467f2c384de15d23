"""Issue 5, walked through on a small demo, through the interfaces people use.

An HR admin drafts a screen-out rule in the admin; a second HR admin approves it
(the author cannot); a recruiter works the review queue in the web UI; a
rejection goes through the pre-adverse notice; a dispute re-fetches and
re-scores the candidate; the final notice follows the waiting period; and
``verify_audit_trail`` confirms every step, until an audit row is edited by hand.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from hiring.models import (
    AdverseAction,
    Decision,
    Dispute,
    Job,
    Screening,
    ScreeningRule,
    ScreeningRun,
)
from renown.models import AuditEvent, Organization
from scoring.models import RefreshCycle

pytestmark = pytest.mark.django_db


def login(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def verify() -> str:
    out = io.StringIO()
    call_command("verify_audit_trail", stdout=out)
    return out.getvalue()


def page(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def test_issue_5_end_to_end(django_capture_on_commit_callbacks: Any) -> None:
    call_command("demo", candidates=40, stdout=io.StringIO())
    organization = Organization.objects.get(slug="demo")
    community = Job.objects.get(organization=organization, title="Community Manager")
    hr_admin, second_admin, recruiter = (login(u) for u in ("hr-admin", "hr-admin-2", "recruiter"))

    # 1. An HR admin drafts a screen-out rule in the admin. It does not go live. The job
    # hires in New York City with no LL144 notice or audit on record: serious warnings,
    # which the form asks to acknowledge in words first (issue 6).
    rule_form = {
        "job": community.pk,
        "metric": "influence",
        "operator": "gte",
        "threshold": "50",
        "aggregation": "median",
        "window_days": "90",
        "max_data_age_days": "30",
        "missing_data_policy": "review",
        "near_band": "1",
        "near_band_source": "fixed",
        "action": "screen_out",
        "go_live": "on",
        "change_note": "Community managers grow audiences: a 90-day median, not a day's dip.",
    }
    blocked = page(hr_admin.post("/admin/renown_hiring/screeningrule/add/", rule_form))
    assert "must be acknowledged in words" in blocked
    assert not ScreeningRule.objects.filter(job=community, metric="influence").exists()
    rule_form["acknowledgement"] = "The LL144 notice goes out today; the audit is booked."
    response = hr_admin.post("/admin/renown_hiring/screeningrule/add/", rule_form)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = ScreeningRule.objects.get(job=community, metric="influence")
    assert (rule.status, rule.active) == ("draft", False)

    # 2. The author cannot approve their own rule; a second HR admin can, and it goes live.
    approve = {"action": "approve", "_selected_action": [rule.pk]}
    body = page(hr_admin.post("/admin/renown_hiring/screeningrule/", approve, follow=True))
    assert "second HR admin" in body
    rule.refresh_from_db()
    assert rule.status == "draft"
    # The list action opens the approval page; the approval is the approver's statement.
    opened = second_admin.post("/admin/renown_hiring/screeningrule/", approve)
    assert opened["Location"] == f"/admin/renown_hiring/screeningrule/{rule.pk}/approve/"
    with django_capture_on_commit_callbacks(execute=True):  # the re-screening task runs
        second_admin.post(opened["Location"], {"statement": "Read the notice plan; approved."})
    rule.refresh_from_db()
    assert (rule.status, rule.active, rule.approved_by.username) == ("live", True, "hr-admin-2")
    run = ScreeningRun.objects.filter(job=community).latest("started_at")
    assert run.rule_versions == {str(rule.pk): 1}
    assert run.candidates == community.applications.count() == 20

    # 3. A recruiter works the review queue in the web UI.
    assert "Community Manager" in page(recruiter.get("/jobs/"))
    queue = page(recruiter.get(f"/jobs/{community.pk}/review/"))
    below = (
        Screening.objects.filter(job=community, suggestion="reject", candidate__country="US")
        .exclude(candidate__email="")
        .select_related("candidate")
        .first()
    )
    assert below is not None, "the demo should hold a US candidate below the line"
    candidate = below.candidate
    assert candidate.name in queue
    review_url = f"/jobs/{community.pk}/candidates/{candidate.public_id}/"
    other = (
        Screening.objects.filter(job=community, suggestion="review")
        .select_related("candidate")
        .first()
    )
    if other is not None:  # a hold, for a candidate the rules could not settle
        recruiter.post(
            f"/jobs/{community.pk}/candidates/{other.candidate.public_id}/decision/",
            {"kind": "hold", "reason": "No recent data: ask for the accounts they use."},
        )
    review_page = page(recruiter.get(review_url))
    token = re.search(r'name="review_token" value="([^"]+)"', review_page)
    assert token is not None
    with time_machine.travel(timezone.now() + timedelta(seconds=95), tick=False):
        body = page(
            recruiter.post(
                f"{review_url}decision/",
                {
                    "kind": "reject",
                    "reason": "Median reach well below the line over 90 days; no offline record.",
                    "review_token": token.group(1),
                },
                follow=True,
            )
        )
    assert "pre-adverse notice" in body
    decision = Decision.objects.get(screening=below, kind="reject")
    assert decision.follows_machine is True
    assert decision.review_seconds is not None
    assert decision.review_seconds >= 90
    adverse_action = AdverseAction.objects.get(decision=decision)
    assert adverse_action.status == "pending"

    # 4. The pre-adverse notice: the data, their explanation, the Summary of Rights.
    page(recruiter.post(f"{review_url}pre-adverse-notice/", follow=True))
    adverse_action.refresh_from_db()
    assert adverse_action.status == "pre_adverse_sent"
    (message,) = mail.outbox
    assert message.to == [candidate.email]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for text in (message.body, html):
        assert "influence ≥ 50.00" in text  # the rule, with the value it used
        assert "Summary of Your Rights".lower() in text.lower()
        assert "No final decision has been made" in text
    assert "reach:" in message.body  # what each input contributed to the score
    body = page(recruiter.post(f"{review_url}final-notice/", follow=True))
    assert "waiting period runs until" in body  # not before the waiting period is over
    assert len(mail.outbox) == 1

    # 5. The candidate disputes: the accounts are fetched again, re-scored, re-screened.
    runs_before = ScreeningRun.objects.filter(job=community).count()
    with django_capture_on_commit_callbacks(execute=True):
        page(
            recruiter.post(
                f"{review_url}dispute/",
                {"statement": "My Mastodon account moved; the old one is not mine any more."},
                follow=True,
            )
        )
    dispute = Dispute.objects.get(adverse_action=adverse_action)
    adverse_action.refresh_from_db()
    assert adverse_action.status == "disputed"
    assert dispute.refresh_cycle is not None
    assert RefreshCycle.objects.get(pk=dispute.refresh_cycle_id).status == "finished"
    assert dispute.reinvestigated_at is not None
    assert dispute.rescreen["scores_recomputed"] >= 1
    assert dispute.rescreen["outcome"] == "below"
    assert ScreeningRun.objects.filter(job=community).count() == runs_before + 1
    resolved = page(
        recruiter.post(
            f"{review_url}dispute/resolve/",
            {
                "resolution": "confirmed",
                "note": "The re-fetched accounts give the same figures; the old account was "
                "never used.",
            },
            follow=True,
        )
    )
    assert "resolved" in resolved
    dispute.refresh_from_db()
    adverse_action.refresh_from_db()
    assert (dispute.status, adverse_action.status) == ("resolved", "pre_adverse_sent")
    assert len(mail.outbox) == 2  # the candidate is told the result

    # 6. After the waiting period, the final notice.
    assert adverse_action.waiting_until is not None
    with time_machine.travel(adverse_action.waiting_until + timedelta(minutes=1), tick=False):
        page(recruiter.post(f"{review_url}final-notice/", follow=True))
    adverse_action.refresh_from_db()
    assert adverse_action.status == "final_sent"
    final = mail.outbox[2]
    assert "did not make this decision" in final.body
    assert "60 days" in final.body

    # 7. The audit trail holds every step, and notices that it was edited.
    types = set(
        AuditEvent.objects.filter(organization=organization).values_list("event_type", flat=True)
    )
    assert {
        "rule.created",
        "rule.approved",
        "screening.run",
        "decision.recorded",
        "notice.sent",
        "dispute.opened",
        "dispute.reinvestigated",
        "dispute.resolved",
    } <= types
    assert "Audit trail intact" in verify()
    event = AuditEvent.objects.get(event_type="decision.recorded", subject_id=str(decision.pk))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(AuditEvent._meta.db_table)} "  # noqa: S608
            "SET after = %s WHERE id = %s",
            ['{"decision": "advance"}', event.pk],
        )
    with pytest.raises(CommandError) as failure:
        verify()
    assert failure.value.returncode == 1
    assert f"#{event.sequence}" in str(failure.value)
    assert "hash mismatch" in str(failure.value)
