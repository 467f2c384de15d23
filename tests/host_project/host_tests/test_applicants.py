"""The platform's own Applicant model linked to Renown (docs/install.md, issue 14's acceptance).

The on-commit sync runs inside each test's rolled-back transaction through pytest-django's
``django_capture_on_commit_callbacks(execute=True)``: the host's database stays as
`.ci/host-project` left it for the other tests.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from applicants.models import Applicant

pytestmark = pytest.mark.django_db


def _listed(client: Client, token: str) -> list[dict[str, Any]]:
    response = client.get("/renown/api/v1/candidates/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


def _link_host() -> str:
    out = StringIO()
    call_command("renown_link_host", stdout=out, stderr=StringIO())
    return out.getvalue().strip().splitlines()[-1]


def test_migrate_made_the_default_organisation(organization: Any):
    assert organization.slug == "acme"


def test_an_applicant_appears_in_renown_follows_updates_and_goes_when_deleted(
    client: Client, api_token: str, django_capture_on_commit_callbacks: Any
):
    with django_capture_on_commit_callbacks(execute=True):
        applicant = Applicant.objects.create(
            full_name="Ada Quill", email="ada@example.com", country="DE"
        )
    (listed,) = [c for c in _listed(client, api_token) if c["external_id"] == str(applicant.pk)]
    assert (listed["name"], listed["ats_source"], listed["country"]) == ("Ada Quill", "host", "DE")

    with django_capture_on_commit_callbacks(execute=True):
        applicant.full_name = "Ada Lovelace Quill"
        applicant.save()
    names = [c["name"] for c in _listed(client, api_token)]
    assert "Ada Lovelace Quill" in names

    with django_capture_on_commit_callbacks(execute=True):
        applicant.delete()
    assert [c for c in _listed(client, api_token) if c["ats_source"] == "host"] == []


def test_queryset_update_is_reconciled_by_the_command(
    client: Client, api_token: str, django_capture_on_commit_callbacks: Any
):
    with django_capture_on_commit_callbacks(execute=True):
        applicant = Applicant.objects.create(
            full_name="Bo Lee", email="bo@example.com", country="US"
        )
    Applicant.objects.filter(pk=applicant.pk).update(full_name="Bo Lee-Park")
    assert "Bo Lee-Park" not in [c["name"] for c in _listed(client, api_token)]
    assert _link_host().startswith("0 created, 1 updated")
    assert "Bo Lee-Park" in [c["name"] for c in _listed(client, api_token)]
    assert _link_host().endswith("(nothing changed)")
