"""The FCRA adverse-action steps: pre-adverse notice, waiting period, dispute, final notice."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import override_settings

from hiring import services
from hiring.models import AdverseAction, AdverseActionNotice, Dispute, Screening
from renown.exceptions import InvalidTransition, NoticeNotDelivered, NotPermitted
from renown.models import AuditEvent
from scoring.models import MetricSnapshot, RefreshCycle, Score
from tests import factories

FIXTURES = Path(__file__).parents[2] / "scoring" / "providers" / "fixtures" / "bluesky"
PROFILE = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.actor\.getProfile\?.*$")
FEED = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.feed\.getAuthorFeed\?.*$")


def bluesky_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 6, 1, 15, tzinfo=UTC)


@pytest.fixture
def rejection(org_a: Any, recruiter_a: Any) -> AdverseAction:
    job = factories.JobFactory(organization=org_a, title="Developer Advocate")
    factories.ScreeningRuleFactory(job=job, threshold=Decimal(35), action="screen_out")
    person = factories.CandidateFactory(
        organization=org_a, name="Ada <b>Lovelace</b>", email="ada@example.test"
    )
    factories.ApplicationFactory(job=job, candidate=person)
    factories.SocialAccountFactory(candidate=person, handle="ada.example.invalid")
    factories.ScoreFactory(
        candidate=person,
        value=Decimal("20.50"),
        as_of=MONDAY - timedelta(days=1),
        components=[{"name": "reach", "points": 19.5, "detail": "900 followers"}],
    )
    services.screening_run_for_job(job=job, now=MONDAY)
    decision = services.decision_record(
        screening=Screening.objects.get(job=job),
        reviewer=recruiter_a,
        kind="reject",
        reason="Below the line.",
        now=MONDAY,
    )
    return decision.adverse_action


def test_the_pre_adverse_notice_carries_the_data_their_explanation_and_the_rights(
    rejection: AdverseAction, recruiter_a: Any
) -> None:
    notice = services.adverse_action_send_pre_adverse(
        adverse_action=rejection, actor=recruiter_a, now=MONDAY
    )
    rejection.refresh_from_db()
    assert rejection.status == "pre_adverse_sent"
    # Five business days after Monday 1 June: over at midnight ending Monday 8 June.
    assert rejection.waiting_until == datetime(2026, 6, 9, tzinfo=UTC)
    (message,) = mail.outbox
    assert message.to == ["ada@example.test"]
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "influence ≥ 35.00" in body
        assert "20.50" in body
        assert "900 followers" in body  # what each input contributed
        assert "Fair Credit Reporting Act" in body
        assert "bluesky: ada.example.invalid" in body
    assert "<b>Lovelace</b>" in message.body  # plain text is not HTML-escaped...
    assert "<b>Lovelace</b>" not in html  # ...the HTML is
    assert "&lt;b&gt;Lovelace&lt;/b&gt;" in html
    assert (notice.body_text, notice.body_html) == (message.body, html)
    assert len(notice.content_sha256) == 64
    event = AuditEvent.objects.get(event_type="notice.sent")
    assert event.after["sha256"] == notice.content_sha256
    assert rejection.report["rules"][0]["value"] == "20.50"
    with pytest.raises(InvalidTransition):
        services.adverse_action_send_pre_adverse(adverse_action=rejection, actor=recruiter_a)


def test_the_final_notice_waits_for_the_waiting_period(
    rejection: AdverseAction, recruiter_a: Any
) -> None:
    with pytest.raises(InvalidTransition, match="follows the pre-adverse notice"):
        services.adverse_action_send_final(adverse_action=rejection, actor=recruiter_a, now=MONDAY)
    services.adverse_action_send_pre_adverse(
        adverse_action=rejection, actor=recruiter_a, now=MONDAY
    )
    with pytest.raises(InvalidTransition, match="waiting period runs until 2026-06-09"):
        services.adverse_action_send_final(
            adverse_action=rejection, actor=recruiter_a, now=datetime(2026, 6, 8, 23, tzinfo=UTC)
        )
    notice = services.adverse_action_send_final(
        adverse_action=rejection, actor=recruiter_a, now=datetime(2026, 6, 9, 9, tzinfo=UTC)
    )
    rejection.refresh_from_db()
    assert rejection.status == "final_sent"
    assert notice.kind == "final"
    assert "did not make this decision" in notice.body_text
    assert "60 days" in notice.body_text


@override_settings(RENOWN_FCRA_WAITING_BUSINESS_DAYS=10)
def test_the_waiting_period_is_configurable(org_a: Any, recruiter_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    factories.ScreeningRuleFactory(job=job, threshold=Decimal(35), action="screen_out")
    person = factories.CandidateFactory(organization=org_a)
    factories.ApplicationFactory(job=job, candidate=person)
    factories.ScoreFactory(candidate=person, value=Decimal(10), as_of=MONDAY)
    services.screening_run_for_job(job=job, now=MONDAY)
    decision = services.decision_record(
        screening=Screening.objects.get(job=job), reviewer=recruiter_a, kind="reject", reason="x"
    )
    services.adverse_action_send_pre_adverse(
        adverse_action=decision.adverse_action, actor=recruiter_a, now=MONDAY
    )
    decision.adverse_action.refresh_from_db()
    assert decision.adverse_action.waiting_until == datetime(2026, 6, 16, tzinfo=UTC)


def test_a_dispute_refetches_rescores_and_blocks_the_final_notice(
    rejection: AdverseAction,
    recruiter_a: Any,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.RENOWN_PROVIDER_URL_BLUESKY = "https://appview.test"
    scores_before = Score.objects.filter(candidate=rejection.candidate).count()
    with pytest.raises(InvalidTransition, match="follows a notice"):
        services.dispute_open(adverse_action=rejection, actor=recruiter_a, statement="wrong")
    services.adverse_action_send_pre_adverse(
        adverse_action=rejection, actor=recruiter_a, now=MONDAY
    )
    with aioresponses() as bluesky, django_capture_on_commit_callbacks(execute=True):
        bluesky.get(PROFILE, payload=bluesky_fixture("get_profile.json"))
        bluesky.get(FEED, payload=bluesky_fixture("get_author_feed.json"))
        dispute = services.dispute_open(
            adverse_action=rejection,
            actor=recruiter_a,
            statement="That Bluesky account is not mine.",
            now=MONDAY + timedelta(days=1),
        )
    dispute.refresh_from_db()
    rejection.refresh_from_db()
    assert rejection.status == "disputed"
    assert dispute.due_at == MONDAY + timedelta(days=31)
    cycle = RefreshCycle.objects.get(pk=dispute.refresh_cycle_id)
    assert cycle.total == 1  # the candidate's one account, fetched again
    assert MetricSnapshot.objects.get(cycle=cycle).status == "ok"
    assert Score.objects.filter(candidate=rejection.candidate).count() > scores_before
    assert dispute.rescreen["refetch"] == {"accounts": 1, "fetched": 1, "failed": 0, "skipped": 0}
    assert dispute.reinvestigated_at is not None
    assert dispute.rescreen["outcome"] is not None
    assert AuditEvent.objects.filter(event_type="dispute.reinvestigated").count() == 1
    with pytest.raises(InvalidTransition, match="dispute is open"):
        services.adverse_action_send_final(
            adverse_action=rejection, actor=recruiter_a, now=MONDAY + timedelta(days=20)
        )
    with pytest.raises(InvalidTransition, match="already open"):
        services.dispute_open(adverse_action=rejection, actor=recruiter_a, statement="again")


def _reinvestigated(rejection: AdverseAction, recruiter_a: Any, outcome: str) -> Dispute:
    services.adverse_action_send_pre_adverse(
        adverse_action=rejection, actor=recruiter_a, now=MONDAY
    )
    dispute = services.dispute_open(
        adverse_action=rejection, actor=recruiter_a, statement="Old data.", now=MONDAY
    )
    suggestion = "reject" if outcome == "below" else "advance"
    Dispute.objects.filter(pk=dispute.pk).update(
        reinvestigated_at=MONDAY, rescreen={"outcome": outcome, "suggestion": suggestion}
    )
    dispute.refresh_from_db()
    return dispute


def test_a_confirmed_dispute_resumes_the_workflow_and_tells_the_candidate(
    rejection: AdverseAction, recruiter_a: Any
) -> None:
    dispute = _reinvestigated(rejection, recruiter_a, "below")
    services.dispute_resolve(
        dispute=dispute,
        actor=recruiter_a,
        resolution="confirmed",
        note="Same figures after re-fetching.",
        now=MONDAY + timedelta(days=2),
    )
    rejection.refresh_from_db()
    assert (dispute.status, dispute.resolution, rejection.status) == (
        "resolved",
        "confirmed",
        "pre_adverse_sent",
    )
    result = AdverseActionNotice.objects.get(kind="dispute_result")
    assert result.dispute == dispute
    assert "Same figures after re-fetching." in result.body_text
    assert "the result stands" in result.body_text
    with pytest.raises(InvalidTransition, match="already resolved"):
        services.dispute_resolve(
            dispute=dispute, actor=recruiter_a, resolution="confirmed", note="x"
        )


def test_a_corrected_dispute_withdraws_the_rejection(
    rejection: AdverseAction, recruiter_a: Any
) -> None:
    dispute = _reinvestigated(rejection, recruiter_a, "meets")
    with pytest.raises(InvalidTransition, match="no longer below"):
        services.dispute_resolve(
            dispute=dispute, actor=recruiter_a, resolution="confirmed", note="x"
        )
    services.dispute_resolve(
        dispute=dispute, actor=recruiter_a, resolution="corrected", note="A namesake's account."
    )
    rejection.refresh_from_db()
    assert rejection.status == "withdrawn"
    assert "withdrawn" in AdverseActionNotice.objects.get(kind="dispute_result").body_text


def test_a_dispute_cannot_be_resolved_before_the_reinvestigation(
    rejection: AdverseAction, recruiter_a: Any
) -> None:
    services.adverse_action_send_pre_adverse(
        adverse_action=rejection, actor=recruiter_a, now=MONDAY
    )
    dispute = services.dispute_open(adverse_action=rejection, actor=recruiter_a, statement="x")
    with pytest.raises(InvalidTransition, match="not run yet"):
        services.dispute_resolve(
            dispute=dispute, actor=recruiter_a, resolution="corrected", note="y"
        )


def test_an_undeliverable_notice_records_nothing(
    rejection: AdverseAction, recruiter_a: Any
) -> None:
    rejection.candidate.email = ""
    rejection.candidate.save()
    with pytest.raises(NoticeNotDelivered, match="no email address"):
        services.adverse_action_send_pre_adverse(adverse_action=rejection, actor=recruiter_a)
    rejection.refresh_from_db()
    assert rejection.status == "pending"
    assert not AdverseActionNotice.objects.exists()
    assert not AuditEvent.objects.filter(event_type="notice.sent").exists()


@override_settings(EMAIL_BACKEND="tests.hiring.review.test_adverse_action.FailingBackend")
def test_a_mail_server_failure_records_nothing(rejection: AdverseAction, recruiter_a: Any) -> None:
    with pytest.raises(NoticeNotDelivered, match="did not take"):
        services.adverse_action_send_pre_adverse(adverse_action=rejection, actor=recruiter_a)
    rejection.refresh_from_db()
    assert rejection.status == "pending"


class FailingBackend:
    def __init__(self, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise OSError("connection refused")


def test_only_recruiters_walk_the_steps(
    rejection: AdverseAction, hr_admin_a: Any, auditor_a: Any
) -> None:
    for user in (hr_admin_a, auditor_a):
        with pytest.raises(NotPermitted):
            services.adverse_action_send_pre_adverse(adverse_action=rejection, actor=user)


def test_the_database_holds_the_order_of_the_steps(rejection: AdverseAction) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseAction.objects.filter(pk=rejection.pk).update(status="pre_adverse_sent")
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseAction.objects.filter(pk=rejection.pk).update(
            pre_adverse_sent_at=MONDAY,
            waiting_until=MONDAY + timedelta(days=7),
            final_sent_at=MONDAY + timedelta(days=1),
        )


@override_settings(RENOWN_PUBLIC_URL="https://jobs.example.test")
def test_each_notice_carries_a_private_link_stored_once_it_went_out(
    rejection: AdverseAction, recruiter_a: Any
) -> None:
    from django.test import Client

    from hiring.portal.models import PortalLink

    services.adverse_action_send_pre_adverse(adverse_action=rejection, actor=recruiter_a)
    (message,) = mail.outbox
    found = re.search(r"https://jobs\.example\.test(/portal/[^/\s]+/)", message.body)
    assert found, message.body
    assert f'href="{found.group(0)}"' in message.alternatives[0][0]
    link = PortalLink.objects.get()
    assert link.candidate == rejection.candidate
    assert AuditEvent.objects.filter(event_type="portal.link_created").count() == 1
    page = Client().get(found.group(1))
    assert page.status_code == 200
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in page.content.decode()


@override_settings(RENOWN_PUBLIC_URL="https://jobs.example.test")
def test_a_notice_that_did_not_go_out_leaves_no_link(
    rejection: AdverseAction, recruiter_a: Any
) -> None:
    from hiring.portal.models import PortalLink

    rejection.candidate.email = ""
    rejection.candidate.save()
    with pytest.raises(NoticeNotDelivered):
        services.adverse_action_send_pre_adverse(adverse_action=rejection, actor=recruiter_a)
    assert not PortalLink.objects.exists()
    assert not AuditEvent.objects.filter(event_type="portal.link_created").exists()


def test_without_a_public_url_the_notice_says_how_to_ask_for_a_link(
    rejection: AdverseAction, recruiter_a: Any
) -> None:
    from hiring.portal.models import PortalLink

    services.adverse_action_send_pre_adverse(adverse_action=rejection, actor=recruiter_a)
    (message,) = mail.outbox
    assert "Ask Acme Hiring for a private link" in " ".join(message.body.split())
    assert "/portal/" not in message.body
    assert not PortalLink.objects.exists()
