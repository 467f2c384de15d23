"""Disputes through the portal: the FCRA reinvestigation where a rejection followed a
pre-adverse notice, a review answered by a recruiter otherwise; the state on both pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hiring import services
from hiring.models import AdverseAction, Dispute, PortalDispute, Screening
from hiring.portal.links import portal_link_create
from hiring.portal.models import PortalAction
from renown.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db
NOW = datetime.now(tz=UTC).replace(microsecond=0)


@pytest.fixture
def ada(org_a: Any) -> Any:
    return factories.CandidateFactory(organization=org_a, name="Ada Example", country="US")


def _dispute(token: str, subject: str, statement: str) -> Any:
    return Client().post(
        reverse("renown:portal-dispute", kwargs={"token": token}),
        {"subject": subject, "statement": statement},
        follow=True,
    )


def test_a_dispute_of_a_score_is_a_review_a_recruiter_answers(ada: Any, recruiter_a: Any) -> None:
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    page = _dispute(token, "influence", "My Mastodon account moved; the score misses it.")
    assert "a recruiter will answer here" in page.content.decode()
    dispute = PortalDispute.objects.get()
    assert (dispute.status, dispute.about) == ("open", "my influence score")
    opened = AuditEvent.objects.get(event_type="portal_dispute.opened")
    assert opened.actor_label.startswith("candidate, through portal link #")
    assert PortalAction.objects.get().kind == "dispute_opened"
    recruiter = Client()
    recruiter.force_login(recruiter_a)
    seen = recruiter.get(f"/candidates/{ada.public_id}/").content.decode()
    assert "My Mastodon account moved" in seen
    recruiter.post(
        reverse(
            "renown:portal-dispute-answer",
            kwargs={"public_id": ada.public_id, "dispute_id": dispute.pk},
        ),
        {"answer": "Added: send us the new handle through this page."},
    )
    dispute.refresh_from_db()
    assert dispute.status == "answered"
    assert AuditEvent.objects.filter(event_type="portal_dispute.answered").count() == 1
    mine = Client().get(reverse("renown:portal", kwargs={"token": token})).content.decode()
    assert "Added: send us the new handle through this page." in mine


def test_an_auditor_cannot_answer(ada: Any, recruiter_a: Any, auditor_a: Any) -> None:
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    _dispute(token, "other", "Wrong.")
    dispute = PortalDispute.objects.get()
    auditor = Client()
    auditor.force_login(auditor_a)
    url = reverse(
        "renown:portal-dispute-answer",
        kwargs={"public_id": ada.public_id, "dispute_id": dispute.pk},
    )
    assert auditor.post(url, {"answer": "No."}).status_code == 403
    assert PortalDispute.objects.get().status == "open"


def test_a_rejection_after_a_pre_adverse_notice_starts_the_fcra_reinvestigation(
    ada: Any, recruiter_a: Any, org_a: Any
) -> None:
    job = factories.JobFactory(organization=org_a, title="Developer Advocate")
    factories.ScreeningRuleFactory(job=job, threshold=Decimal(35), action="screen_out")
    factories.ApplicationFactory(job=job, candidate=ada)
    factories.ScoreFactory(candidate=ada, value=Decimal(20), as_of=NOW - timedelta(days=1))
    services.screening_run_for_job(job=job, now=NOW)
    decision = services.decision_record(
        screening=Screening.objects.get(job=job), reviewer=recruiter_a, kind="reject",
        reason="Below the line.", now=NOW,
    )  # fmt: skip
    services.adverse_action_send_pre_adverse(
        adverse_action=decision.adverse_action, actor=recruiter_a, now=NOW
    )
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    page = _dispute(token, f"job:{job.pk}", "The talks I gave are not counted.")
    assert "you will be told the result by" in page.content.decode()
    dispute = PortalDispute.objects.get()
    assert dispute.status == "reinvestigation"
    fcra = Dispute.objects.get()
    assert dispute.fcra_dispute == fcra
    assert fcra.opened_by_label.startswith("candidate, through portal link #")
    assert AdverseAction.objects.get().status == "disputed"
    mine = Client().get(reverse("renown:portal", kwargs={"token": token})).content.decode()
    assert "Being reinvestigated" in mine
    # A second FCRA dispute while one is open is not offered: it becomes a review.
    _dispute(token, f"job:{job.pk}", "And another thing.")
    assert Dispute.objects.count() == 1
    assert PortalDispute.objects.filter(status="open").count() == 1


@pytest.mark.parametrize(
    ("subject", "statement", "says"),
    [
        ("influence", "   ", "Say what is wrong"),
        ("job:999999", "Wrong.", "Choose what you dispute"),
        ("nonsense", "Wrong.", "Choose what you dispute"),
        ("other", "x" * 4001, "At most 4000"),
    ],
    ids=["empty", "another job", "unknown subject", "too long"],
)
def test_bad_disputes_are_refused_and_nothing_is_written(
    ada: Any, recruiter_a: Any, subject: str, statement: str, says: str
) -> None:
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    page = _dispute(token, subject, statement).content.decode()
    assert "Nothing changed" in page
    assert says in page
    assert not PortalDispute.objects.exists()
    assert not PortalAction.objects.exists()
