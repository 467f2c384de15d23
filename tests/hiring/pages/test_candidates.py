"""The recruiter's first pages: candidate list and candidate page, tenant-gated."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_users_are_sent_to_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/login/").status_code == 200


def test_login_with_password_reaches_the_list(recruiter_a: Any) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": "rita-recruiter", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_list_shows_own_candidates_and_searches(recruiter_a: Any, org_a: Any, org_b: Any) -> None:
    factories.CandidateFactory(organization=org_a, name="Ada Lovelace")
    factories.CandidateFactory(organization=org_a, name="Grace Hopper")
    factories.CandidateFactory(organization=org_b, name="Alan Turing")
    client = login(recruiter_a)
    body = client.get("/").content.decode()
    assert "Ada Lovelace" in body
    assert "Grace Hopper" in body
    assert "Alan Turing" not in body
    searched = client.get("/", {"q": "grace"}).content.decode()
    assert "Grace Hopper" in searched
    assert "Ada Lovelace" not in searched


def test_list_query_count_does_not_grow_with_the_page(
    recruiter_a: Any, org_a: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(60):
        factories.CandidateFactory(organization=org_a)
    client = login(recruiter_a)
    # Session, user, organisation, role, count, page, scores, flags, organisations, jobs.
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200


def test_candidate_page_explains_the_score(recruiter_a: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    factories.ScoreFactory(
        candidate=candidate,
        value=34,
        components=[
            {"name": "baseline", "points": 1.0, "detail": "Every scale starts at 1."},
            {"name": "reach", "points": 33.0, "detail": "1,520 followers across bluesky"},
        ],
    )
    body = login(recruiter_a).get(f"/candidates/{candidate.public_id}/").content.decode()
    assert "Why 34.00" in body
    assert "1,520 followers across bluesky" in body


def test_candidate_without_data_is_told_apart_from_a_low_score(
    recruiter_a: Any, org_a: Any
) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    body = login(recruiter_a).get(f"/candidates/{candidate.public_id}/").content.decode()
    assert "That is not a low score" in body


def test_user_supplied_text_is_escaped(recruiter_a: Any, org_a: Any) -> None:
    payload = "<script>alert('x')</script>"
    candidate = factories.CandidateFactory(organization=org_a, name=f"Eve {payload}")
    factories.SocialAccountFactory(candidate=candidate, handle=f"{payload}.invalid")
    factories.ReputationEvidenceFactory(candidate=candidate, title=payload, venue=payload)
    client = login(recruiter_a)
    for url in ("/", f"/candidates/{candidate.public_id}/"):
        body = client.get(url).content.decode()
        assert payload not in body
        assert "&lt;script&gt;" in body


def test_another_organisations_candidate_is_404(recruiter_a: Any, org_b: Any) -> None:
    theirs = factories.CandidateFactory(organization=org_b)
    assert login(recruiter_a).get(f"/candidates/{theirs.public_id}/").status_code == 404


def test_switching_organisation_only_to_ones_you_belong_to(
    recruiter_a: Any, org_a: Any, org_b: Any
) -> None:
    second = factories.OrganizationFactory(slug="second", name="Second Employer")
    factories.MembershipFactory(user=recruiter_a, organization=second, role="recruiter")
    factories.CandidateFactory(organization=second, name="Second Sam")
    client = login(recruiter_a)
    assert "Second Sam" not in client.get("/").content.decode()
    response = client.post(
        "/organization/switch/", {"organization": "second", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"  # never an open redirect
    assert "Second Sam" in client.get("/").content.decode()
    assert client.post("/organization/switch/", {"organization": org_b.slug}).status_code == 404


def test_switching_needs_csrf(recruiter_a: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(recruiter_a)
    assert client.post("/organization/switch/", {"organization": "acme"}).status_code == 403


def test_user_without_membership_gets_404(db: None) -> None:
    loner = factories.UserFactory(username="loner")
    assert login(loner).get("/").status_code == 404


def test_candidate_page_shows_trend_dips_reputation_vendor_scores_and_flags(
    recruiter_a: Any, org_a: Any
) -> None:
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from scoring.models import AnomalyFlag

    candidate = factories.CandidateFactory(organization=org_a)
    now = datetime.now(tz=UTC)
    for day in range(60):
        value = Decimal(30) if 20 <= day < 30 else Decimal(50)
        factories.ScoreFactory(
            candidate=candidate, value=value, as_of=now - timedelta(days=60 - day)
        )
    factories.ScoreFactory(
        candidate=candidate,
        scorer="reputation",
        value=Decimal(12),
        scale_min=0,
        components=[{"name": "talks", "points": 12.0, "detail": "2 verified talks"}],
    )
    factories.ScoreFactory(
        candidate=candidate,
        scorer="vendor.klout",
        value=Decimal("34.34"),
        scale_min=0,
        components=[
            {"name": "klout", "points": 34.34, "detail": "klout said 35 on its own 1-100 scale"}
        ],
    )
    factories.VendorScoreFactory(candidate=candidate, vendor="klout", value=Decimal(35))
    AnomalyFlag.objects.create(
        candidate=candidate,
        kind="follower_jump",
        detail="Gained 20,000 followers in a day",
        observed_on=now.date(),
        detected_at=now,
    )
    body = login(recruiter_a).get(f"/candidates/{candidate.public_id}/").content.decode()
    assert "Influence over the last 180 days" in body
    assert "Dip " in body
    assert "20.0 points from the median" in body
    assert "2 verified talks" in body
    assert "Klout (1-100; closed 2018-05-25)" in body
    assert '<td class="num">34.34</td>' in body  # Klout 35 read on 0-100
    assert "Gained 20,000 followers in a day" in body


def test_candidate_page_query_count_does_not_grow_with_accounts(
    recruiter_a: Any, org_a: Any
) -> None:
    """Each account row names its proof: read for all accounts at once, not per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    candidate = factories.CandidateFactory(organization=org_a)
    client = login(recruiter_a)
    url = f"/candidates/{candidate.public_id}/"

    def queries(accounts: int) -> int:
        for _ in range(accounts):
            factories.SocialAccountFactory(
                candidate=candidate, verification="verified", status="active"
            )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries(1) == queries(4)
