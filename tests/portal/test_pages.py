"""The candidate's page through their link: what it shows (their data, nobody else's), the
evidence they add (unverified, supplied by them, audited, announced), and the recruiter's
side (the link button, what the candidate did)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.models import ReputationEvidence
from hiring.portal.links import portal_link_create
from hiring.portal.models import PortalAction
from renown.models import AuditEvent, WebhookDelivery
from renown.trail import audit_trail_verify
from renown.webhooks import services as webhook_services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(org_a: Any) -> Any:
    person = factories.CandidateFactory(
        organization=org_a, name="Ada Example", ats_source="lever", external_id="opp-1"
    )
    now = timezone.now()
    factories.ScoreFactory(candidate=person, value=Decimal("41.50"), as_of=now - timedelta(days=1))
    factories.SocialAccountFactory(candidate=person, network="github", handle="ada-example")
    factories.VendorScoreFactory(candidate=person)
    factories.ReputationEvidenceFactory(candidate=person, title="Keynote at EuroPython")
    factories.CandidateNoticeFactory(candidate=person)
    return person


@pytest.fixture
def bo(org_a: Any) -> Any:
    """Someone else of the same organisation, screened for the same job."""
    person = factories.CandidateFactory(organization=org_a, name="Bo Other")
    factories.ReputationEvidenceFactory(candidate=person, title="Bo's secret award")
    factories.SocialAccountFactory(candidate=person, network="github", handle="bo-other")
    return person


def portal(token: str) -> str:
    return reverse("renown:portal", kwargs={"token": token})


def test_the_page_shows_the_candidate_their_own_data_and_nobody_elses(
    ada: Any, bo: Any, recruiter_a: Any, org_a: Any
) -> None:
    job = factories.JobFactory(organization=org_a, title="Developer advocate")
    for person in (ada, bo):
        factories.ApplicationFactory(job=job, candidate=person)
    factories.ScreeningRuleFactory(job=job, threshold=Decimal(35), action="screen_out")
    from hiring.screening.run import screening_run_for_job

    screening_run_for_job(job=job, actor="test")
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    response = Client().get(portal(token))
    assert response.status_code == 200
    body = response.content.decode()
    for shown in (
        "What Renown holds on you, Ada Example",
        "41.50",  # the score, with its parts
        "Why 41.50",
        "ada-example",
        "Claimed by the candidate",
        "Keynote at EuroPython",
        "Vendor scores",
        "ago)",  # each vendor score's age
        "Developer advocate",
        "Your Renown data met the job&#x27;s thresholds.",
        "Notices on record",
        "Acme Hiring",
    ):
        assert shown in body, shown
    for hidden in ("Bo Other", "bo-other", "Bo&#x27;s secret award", "rita-recruiter"):
        assert hidden not in body, hidden
    # No recruiter action is offered, and no recruiter page is linked.
    assert "Verify" not in body
    assert f"/candidates/{ada.public_id}/" not in body
    assert re.search(r'<meta name="referrer" content="same-origin">', body)


def test_evidence_added_through_the_portal_reaches_the_recruiter_unverified(
    ada: Any, recruiter_a: Any, org_a: Any
) -> None:
    webhook_services.subscription_create(
        organization=org_a,
        name="ATS",
        url="https://ats.example/hook",
        events=["candidate.portal_action"],
    )
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    client = Client(enforce_csrf_checks=True)
    page = client.get(portal(token))
    csrf = page.cookies["csrftoken"].value
    response = client.post(
        reverse("renown:portal-evidence", kwargs={"token": token}),
        {
            "kind": "teaching",
            "title": "Evening course: Python for journalists",
            "venue": "City Adult College",
            "date": "2026-03-01",
            "url": "",
            "reference": "Course PY-101, spring term",
            "csrfmiddlewaretoken": csrf,
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#evidence-h")
    evidence = ReputationEvidence.objects.get(title="Evening course: Python for journalists")
    assert evidence.candidate == ada
    assert evidence.verification == "unverified"
    assert evidence.source == "candidate"
    assert evidence.reference == "Course PY-101, spring term"
    # The audit trail names the link as the actor, and the chain still verifies.
    event = AuditEvent.objects.get(event_type="evidence.added", subject_id=str(evidence.pk))
    assert event.actor_label.startswith("candidate, through portal link #")
    assert event.actor_id is None
    assert all(status.intact for status in audit_trail_verify(organization=org_a))
    # The organisation hears of it: a webhook, and the recruiter's page.
    action = PortalAction.objects.get()
    assert action.kind == "evidence_added"
    body = json.loads(WebhookDelivery.objects.get(event_type="candidate.portal_action").body)
    assert body["data"]["candidate"] == {"id": str(ada.public_id), "ats_source": "lever",
                                         "external_id": "opp-1"}  # fmt: skip
    assert body["data"]["action"]["kind"] == "evidence_added"
    assert (
        body["data"]["action"]["subject"] == f"renown_candidates.reputationevidence:{evidence.pk}"
    )
    recruiter = Client()
    recruiter.force_login(recruiter_a)
    seen = recruiter.get(f"/candidates/{ada.public_id}/").content.decode()
    assert "Evening course: Python for journalists" in seen
    assert "Unverified, supplied by the candidate" in seen
    assert "Added teaching: “Evening course: Python for journalists” (City Adult College)" in seen
    # The candidate sees it on their page too, unverified.
    mine = client.get(portal(token)).content.decode()
    assert "Unverified, supplied by the candidate" in mine


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"kind": "talk", "title": ""}, "title"),
        ({"kind": "séance", "title": "A talk"}, "kind"),
        ({"kind": "talk", "title": "A talk", "url": "javascript:alert(1)"}, "url"),
        ({"kind": "talk", "title": "A talk", "date": "next tuesday"}, "date"),
        ({"kind": "talk", "title": "x" * 501}, "title"),
    ],
    ids=["no title", "unknown kind", "script link", "bad date", "long title"],
)
def test_bad_evidence_is_refused_naming_the_field_and_nothing_is_written(
    ada: Any, recruiter_a: Any, form: dict[str, str], field: str
) -> None:
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    before = ReputationEvidence.objects.count()
    response = Client().post(reverse("renown:portal-evidence", kwargs={"token": token}), form)
    assert response.status_code == 400
    assert f'id="id_{field}"' in response.content.decode()
    assert 'class="errorlist' in response.content.decode()
    assert ReputationEvidence.objects.count() == before
    assert not PortalAction.objects.exists()


def test_a_refused_link_cannot_add_evidence(ada: Any, recruiter_a: Any) -> None:
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = Client().post(
        reverse("renown:portal-evidence", kwargs={"token": altered}),
        {"kind": "talk", "title": "Injected"},
    )
    assert response.status_code == 404
    assert not ReputationEvidence.objects.filter(title="Injected").exists()


def test_a_recruiter_makes_and_withdraws_links_on_the_candidate_page(
    ada: Any, recruiter_a: Any, auditor_a: Any
) -> None:
    recruiter = Client()
    recruiter.force_login(recruiter_a)
    url = reverse("renown:portal-links", kwargs={"public_id": ada.public_id})
    page = recruiter.post(url, {"action": "create"}, follow=True).content.decode()
    found = re.search(r"http://testserver(/portal/[^/\s]+/)", page)
    assert found, page
    assert Client().get(found.group(1)).status_code == 200
    assert "1 link open" in page
    page = recruiter.post(url, {"action": "revoke"}, follow=True).content.decode()
    assert "Withdrawn: 1 private link." in page
    assert Client().get(found.group(1)).status_code == 410
    # An auditor reads the page but makes no link.
    auditor = Client()
    auditor.force_login(auditor_a)
    assert auditor.post(url, {"action": "create"}).status_code == 403


def test_another_organisations_member_cannot_make_a_link(ada: Any, hr_admin_b: Any) -> None:
    client = Client()
    client.force_login(hr_admin_b)
    url = reverse("renown:portal-links", kwargs={"public_id": ada.public_id})
    assert client.post(url, {"action": "create"}).status_code == 404
