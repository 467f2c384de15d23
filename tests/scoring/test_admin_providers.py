"""Admins see every provider's terms and whether this deployment uses it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PROVIDERS = "/admin/renown_scoring/refreshcycle/providers/"


def test_staff_sees_terms_and_switches(hr_admin_a: Any, settings: Any) -> None:
    settings.RENOWN_DISABLED_PROVIDERS = ["github"]
    client = Client()
    client.force_login(hr_admin_a)
    body = client.get(PROVIDERS).content.decode()
    assert "Providers and their terms" in body
    assert "Off: the github provider is disabled in this deployment" in body
    assert "Non-commercial use only." in body  # ORCID's public API
    assert "May not be blended into cross-platform scores" in body  # YouTube
    assert "recruiters" in body  # GitHub's acceptable-use clause, shown even while off
    assert "https://public.api.bsky.app" in body


def test_non_staff_cannot_see_it(recruiter_a: Any) -> None:
    client = Client()
    client.force_login(recruiter_a)
    response = client.get(PROVIDERS)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_index_and_refresh_cycles_link_to_it(hr_admin_a: Any) -> None:
    client = Client()
    client.force_login(hr_admin_a)
    assert PROVIDERS in client.get("/admin/").content.decode()
    assert PROVIDERS in client.get("/admin/renown_scoring/refreshcycle/").content.decode()


def test_the_sites_earlier_address_leads_there(hr_admin_a: Any) -> None:
    client = Client()
    client.force_login(hr_admin_a)
    response = client.get("/admin/providers/")
    assert response.status_code == 301
    assert response["Location"] == PROVIDERS
