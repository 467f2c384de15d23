"""``/api/v1/candidates/{id}/portal-link/``: the contract ({"url", "expires_at"}), the link
opening without a login, revocation, and another organisation's candidate (404)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


def test_a_write_token_makes_a_link_that_opens_without_login(write_client: Any, org_a: Any) -> None:
    person = factories.CandidateFactory(organization=org_a, name="Ada Example")
    before = timezone.now()
    response = write_client.post(f"/api/v1/candidates/{person.public_id}/portal-link/")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"url", "expires_at"}
    url = urlsplit(body["url"])
    assert (url.scheme, url.netloc) == ("http", "testserver")
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=30) <= expires - before < timedelta(days=30, minutes=1)
    page = Client().get(url.path)
    assert page.status_code == 200
    assert "Ada Example" in page.content.decode()
    # DELETE withdraws it.
    assert (
        write_client.delete(f"/api/v1/candidates/{person.public_id}/portal-link/").status_code
        == 204
    )
    assert Client().get(url.path).status_code == 410


@override_settings(RENOWN_PUBLIC_URL="https://jobs.example.com")
def test_the_public_url_setting_names_the_links_origin(write_client: Any, org_a: Any) -> None:
    person = factories.CandidateFactory(organization=org_a)
    body = write_client.post(f"/api/v1/candidates/{person.public_id}/portal-link/").json()
    assert body["url"].startswith("https://jobs.example.com/portal/")


def test_another_organisations_candidate_is_404(write_client: Any, org_b: Any) -> None:
    person = factories.CandidateFactory(organization=org_b)
    for method in ("post", "delete"):
        response = getattr(write_client, method)(
            f"/api/v1/candidates/{person.public_id}/portal-link/"
        )
        assert response.status_code == 404


def test_a_read_token_cannot_make_a_link(read_client: Any, org_a: Any) -> None:
    person = factories.CandidateFactory(organization=org_a)
    assert (
        read_client.post(f"/api/v1/candidates/{person.public_id}/portal-link/").status_code == 403
    )
