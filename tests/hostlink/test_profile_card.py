"""The host's own pages show Renown: ``{% renown_profile %}`` and the admin's link."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import hiring
from candidates.models import Candidate, CandidateView, HostLink
from hiring.models import Screening
from scoring.models import AnomalyFlag
from tests import factories
from tests.hostapp.models import Applicant

CARD = Template(
    "<main><h1>{{ applicant }}</h1>{% load renown %}{% renown_profile applicant %}</main>"
)
CSS = Path(hiring.__file__).parent / "static" / "renown" / "profile-card.css"


def _render(applicant: Applicant, user: Any) -> str:
    request = RequestFactory().get(f"/applicants/{applicant.pk}/")
    request.user = user
    return CARD.render(Context({"request": request, "applicant": applicant}))


def _link(applicant: Applicant, organization: Any) -> Candidate:
    candidate = factories.CandidateFactory(organization=organization, name=applicant.full_name)
    HostLink.objects.create(
        candidate=candidate,
        content_type=ContentType.objects.get_for_model(Applicant),
        object_id=str(applicant.pk),
    )
    return candidate


@pytest.fixture
def scored(org_a: Any) -> tuple[Applicant, Candidate]:
    """An Applicant linked to acme's candidate with both scores, a flag, a reading, a screening."""
    applicant = Applicant.objects.create(full_name="Ada Quill", email="ada@example.com")
    candidate = _link(applicant, org_a)
    factories.ScoreFactory(
        candidate=candidate,
        scorer="influence",
        value=Decimal("62.5"),
        components=[
            {"name": "audience", "points": 40.0, "detail": "12k followers"},
            {"name": "engagement", "points": 20.0, "detail": "steady"},
            {"name": "activity", "points": 2.5, "detail": "weekly posts"},
            {"name": "tiny part", "points": 0.01, "detail": "rounding"},
        ],
    )
    factories.ScoreFactory(
        candidate=candidate,
        scorer="reputation",
        value=Decimal("71"),
        components=[{"name": "verified award", "points": 71.0, "detail": "Pulitzer 2019"}],
    )
    account = factories.SocialAccountFactory(candidate=candidate, network="bluesky", handle="ada")
    factories.MetricSnapshotFactory(
        account=account, observed_at=datetime.now(tz=UTC) - timedelta(days=400)
    )
    AnomalyFlag.objects.create(
        candidate=candidate,
        kind="follower_jump",
        detail="Followers tripled in a day",
        observed_on=date(2026, 11, 2),
        detected_at=timezone.now(),
    )
    job = factories.JobFactory(organization=org_a, title="Science editor")
    Screening.objects.create(
        candidate=candidate, job=job, outcome="meets", suggestion="advance",
        evaluated_at=timezone.now(),
    )  # fmt: skip
    return applicant, candidate


def test_a_member_sees_scores_why_flags_freshness_screening_and_the_link(
    scored: tuple[Applicant, Candidate], recruiter_a: Any
) -> None:
    applicant, candidate = scored
    html = _render(applicant, recruiter_a)
    assert 'class="renown-card"' in html
    assert "62.50" in html
    assert "71.00" in html
    # The "why": the three parts that weigh most, not the fourth.
    assert "audience: 40.00" in html
    assert "activity: 2.50" in html
    assert "tiny part" not in html
    assert "verified award: 71.00" in html
    assert "Pulitzer 2019" in html
    assert "Followers tripled in a day" in html
    assert "Last fetched" in html
    assert "stale: Bluesky: ada" in html
    assert "Science editor" in html
    assert "Meets" in html
    url = reverse("renown:candidate-detail", args=[candidate.public_id])
    assert f'href="{url}"' in html
    assert "/static/renown/profile-card.css" in html
    # Shown scores are a view of the candidate, recorded as the page records one.
    assert CandidateView.objects.filter(candidate=candidate, viewer_id=recruiter_a.pk).count() == 1
    assert "<style" not in html
    assert "<script" not in html
    assert "style=" not in html


def test_the_link_opens_the_candidate_page_for_the_member(
    scored: tuple[Applicant, Candidate], recruiter_a: Any, client: Any
) -> None:
    applicant, _ = scored
    href = re.search(r'class="renown-card__link" href="([^"]+)"', _render(applicant, recruiter_a))
    assert href is not None
    client.force_login(recruiter_a)
    page = client.get(href.group(1))
    assert page.status_code == 200
    assert "Ada Quill" in page.content.decode()


def test_an_unlinked_host_record_says_there_is_no_profile_yet(org_a: Any, recruiter_a: Any) -> None:
    applicant = Applicant.objects.create(full_name="Nobody Yet")
    html = _render(applicant, recruiter_a)
    assert "No Renown profile yet." in html
    assert "renown-card__link" not in html


def test_another_organisations_user_sees_nothing_of_the_candidate(
    scored: tuple[Applicant, Candidate], hr_admin_b: Any
) -> None:
    applicant, candidate = scored
    html = _render(applicant, hr_admin_b)
    # The same neutral line as an unlinked record: not even that a profile exists.
    assert html == _render(Applicant.objects.create(full_name="Other"), hr_admin_b).replace(
        "Other", "Ada Quill"
    )
    for secret in ("62.50", "audience", "Followers tripled", "Science editor", "Meets"):
        assert secret not in html
    assert str(candidate.public_id) not in html


def test_an_anonymous_visitor_gets_nothing(scored: tuple[Applicant, Candidate]) -> None:
    applicant, _ = scored
    html = _render(applicant, AnonymousUser())
    assert "renown-card" not in html
    assert html.replace("\n", "") == "<main><h1>Ada Quill</h1></main>"


def test_an_erased_candidate_is_not_shown(
    scored: tuple[Applicant, Candidate], recruiter_a: Any
) -> None:
    applicant, candidate = scored
    Candidate.objects.filter(pk=candidate.pk).update(erased_at=timezone.now())
    html = _render(applicant, recruiter_a)
    assert "No Renown profile yet." in html
    assert "62.50" not in html


def test_a_card_costs_a_constant_number_of_queries(
    scored: tuple[Applicant, Candidate], org_a: Any, recruiter_a: Any
) -> None:
    applicant, candidate = scored
    _render(applicant, recruiter_a)  # warm the content-type cache
    with CaptureQueriesContext(connection) as few:
        _render(applicant, recruiter_a)
    for n in range(5):
        account = factories.SocialAccountFactory(candidate=candidate, handle=f"more{n}")
        factories.MetricSnapshotFactory(account=account)
        AnomalyFlag.objects.create(
            candidate=candidate, kind="low_engagement", detail=f"flag {n}",
            observed_on=date(2026, 10, n + 1), detected_at=timezone.now(), account=account,
        )  # fmt: skip
        job = factories.JobFactory(organization=org_a)
        Screening.objects.create(
            candidate=candidate, job=job, outcome="below", suggestion="review",
            evaluated_at=timezone.now(),
        )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        html = _render(applicant, recruiter_a)
    assert "More flags on the full page." in html
    # HostLink, the gate, scores, accounts, readings, flags, the view record, screenings.
    assert len(many) == len(few) <= 8


def test_every_rule_of_the_card_stylesheet_is_under_renown_card() -> None:
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.DOTALL)
    selectors = [
        s.strip() for block in re.findall(r"([^{}]+)\{[^{}]*\}", css) for s in block.split(",")
    ]
    assert selectors
    assert "@" not in css  # no at-rules whose nesting this parse would miss
    for selector in selectors:
        assert selector == ".renown-card" or selector.startswith(
            (".renown-card ", ".renown-card.", ".renown-card:", ".renown-card>")
        ), selector


def test_the_host_admin_links_a_member_to_the_renown_page(
    scored: tuple[Applicant, Candidate], hr_admin_a: Any, client: Any
) -> None:
    applicant, candidate = scored
    hr_admin_a.is_superuser = True  # the host's own admin permissions are not Renown's
    hr_admin_a.save()
    client.force_login(hr_admin_a)
    page = client.get(reverse("admin:hostapp_applicant_change", args=[applicant.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Renown profile" in body
    url = reverse("renown:candidate-detail", args=[candidate.public_id])
    assert f'<a href="{url}">Open in Renown</a>' in body


def test_the_host_admin_says_not_linked_to_others(
    scored: tuple[Applicant, Candidate], hr_admin_b: Any, client: Any
) -> None:
    applicant, candidate = scored
    hr_admin_b.is_superuser = True
    hr_admin_b.save()
    client.force_login(hr_admin_b)
    body = client.get(
        reverse("admin:hostapp_applicant_change", args=[applicant.pk])
    ).content.decode()
    assert "Renown profile" in body
    assert "Not linked" in body
    assert str(candidate.public_id) not in body
    unlinked = Applicant.objects.create(full_name="Nobody Yet")
    body = client.get(
        reverse("admin:hostapp_applicant_change", args=[unlinked.pk])
    ).content.decode()
    assert "Not linked" in body


@pytest.mark.urls("tests.hostapp.urls")
def test_the_host_page_shows_the_card_to_a_member(
    scored: tuple[Applicant, Candidate], recruiter_a: Any, hr_admin_b: Any, client: Any
) -> None:
    applicant, _ = scored
    client.force_login(recruiter_a)
    body = client.get(f"/applicants/{applicant.pk}/").content.decode()
    assert "Ada Quill" in body
    assert "62.50" in body
    client.force_login(hr_admin_b)
    body = client.get(f"/applicants/{applicant.pk}/").content.decode()
    assert "No Renown profile yet." in body
    assert "62.50" not in body
