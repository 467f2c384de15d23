"""The admin normalises and checks handles like every other write path (the model's clean)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from candidates.models import SocialAccount
from tests import factories

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def candidate_form(org: Any, candidate: Any, network: str, handle: str) -> dict[str, Any]:
    return {
        "organization": org.pk,
        "name": candidate.name,
        "email": "",
        "ats_source": "",
        "external_id": "",
        "country": "US",
        "region": "US-CA",
        "accounts-TOTAL_FORMS": "1",
        "accounts-INITIAL_FORMS": "0",
        "accounts-0-network": network,
        "accounts-0-handle": handle,
        "accounts-0-verification": "claimed",
        "notices-TOTAL_FORMS": "0",
        "notices-INITIAL_FORMS": "0",
    }


@pytest.mark.parametrize("handle", ["alice@2130706433", "alice@127.1", "alice@localhost."])
def test_the_account_admin_refuses_a_mastodon_handle_naming_an_address(
    hr_admin_a: Any, org_a: Any, handle: str
) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    response = login(hr_admin_a).post(
        "/admin/renown_candidates/socialaccount/add/",
        {"candidate": candidate.pk, "network": "mastodon", "handle": handle,
         "verification": "claimed", "status": "active"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "the instance must be a DNS name" in response.content.decode()
    assert not SocialAccount.objects.exists()


@pytest.fixture
def superuser(db: None) -> Any:
    # The accounts inline shows to those with the model permissions: a superuser here.
    return factories.UserFactory(username="root", is_staff=True, is_superuser=True)


def test_the_candidate_admin_inline_refuses_it_too(superuser: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    response = login(superuser).post(
        f"/admin/renown_candidates/candidate/{candidate.pk}/change/",
        candidate_form(org_a, candidate, "mastodon", "alice@2130706433"),
    )
    assert response.status_code == 200
    assert "the instance must be a DNS name" in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_the_admin_stores_the_normalised_handle(superuser: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    response = login(superuser).post(
        f"/admin/renown_candidates/candidate/{candidate.pk}/change/",
        candidate_form(org_a, candidate, "mastodon", "@Alice@Mastodon.Social"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(SocialAccount.objects.values_list("handle", flat=True)) == ["alice@mastodon.social"]
