"""The influence style, explained, on the recruiter's candidate page and on the candidate's
own portal page: the style, its figures and thresholds, and that it never screens."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from hiring.portal.links import portal_link_create
from tests import factories
from tests.scoring.test_style_for_candidate import daily

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def recruiter_page(user: Any, candidate: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/candidates/{candidate.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def portal_page(user: Any, candidate: Any) -> str:
    _, token = portal_link_create(candidate=candidate, actor=user)
    response = Client().get(reverse("renown:portal", kwargs={"token": token}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("page", [recruiter_page, portal_page], ids=["recruiter", "portal"])
def test_both_pages_show_the_style_with_its_figures_and_thresholds(
    org_a: Any, recruiter_a: Any, page: Any
) -> None:
    person = factories.CandidateFactory(organization=org_a, name="Ada Example")
    daily(factories.SocialAccountFactory(candidate=person, network="bluesky"))
    body = page(recruiter_a, person)
    for shown in (
        'id="style-h"',
        "Influence style",
        "Broadcaster",
        "influence_style v1",
        "6.0 posts on a typical active day and 0.2 replies per post on bluesky.",
        "read on bluesky, where they post most: 120 new posts over 20 active days.",
        "At least 3 posts on a typical active day and fewer than 1 reply per post.",
        "Real activity on 1 network (bluesky).",
        "never used to screen",
        "6 RCNY 5-301",
    ):
        assert shown in body, shown


@pytest.mark.parametrize("page", [recruiter_page, portal_page], ids=["recruiter", "portal"])
def test_an_empty_network_shows_not_enough_data_and_why(
    org_a: Any, recruiter_a: Any, page: Any
) -> None:
    person = factories.CandidateFactory(organization=org_a)
    body = page(recruiter_a, person)
    assert "Not enough data" in body
    assert "No readings of any account in the last 90 days." in body
    assert "Broadcaster" not in body
