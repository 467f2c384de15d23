"""The platform's own Applicant model linked to Renown (docs/install.md, issue 14's acceptance).

The on-commit sync runs inside each test's rolled-back transaction through pytest-django's
``django_capture_on_commit_callbacks(execute=True)``: the host's database stays as
`.ci/host-project` left it for the other tests.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

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


def _applicant_linked(django_capture_on_commit_callbacks: Any, **fields: str) -> Applicant:
    with django_capture_on_commit_callbacks(execute=True):
        return Applicant.objects.create(**fields)


def test_the_renown_card_renders_on_the_hosts_applicant_page(
    client: Client, recruiter: Any, django_capture_on_commit_callbacks: Any
):
    applicant = _applicant_linked(
        django_capture_on_commit_callbacks,
        full_name="Cy Moreno",
        email="cy@example.com",
        country="ES",
    )
    candidate = apps.get_model("renown_candidates", "Candidate").objects.get(
        host_link__object_id=str(applicant.pk)
    )
    now = timezone.now()
    apps.get_model("renown_scoring", "Score").objects.create(
        candidate=candidate,
        scorer="influence",
        scorer_version=1,
        value="41.50",
        scale_min=0,
        scale_max=100,
        components=[{"name": "GitHub followers", "points": 30.5, "detail": "1,200 followers"}],
        inputs_digest="host-project",
        as_of=now,
        computed_at=now,
    )
    client.force_login(recruiter)

    page = client.get(f"/applicants/{applicant.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-base="acme-careers"' in html  # the host's own layout around the card
    assert '<section class="renown-card" aria-label="Renown profile">' in html
    assert "Renown: Cy Moreno" in html
    assert "41.50" in html
    assert "GitHub followers: 30.50" in html
    assert "/static/renown/profile-card.css" in html
    assert f'href="/renown/candidates/{candidate.public_id}/"' in html
    # The full page the card links to opens for the same recruiter.
    assert client.get(f"/renown/candidates/{candidate.public_id}/").status_code == 200


def test_the_card_reveals_nothing_to_a_member_of_another_organisation(
    client: Client, django_capture_on_commit_callbacks: Any
):
    applicant = _applicant_linked(
        django_capture_on_commit_callbacks,
        full_name="Di Okafor",
        email="di@example.com",
        country="NG",
    )
    outsider = get_user_model().objects.create_user(username="gus", password="unused-in-tests")
    apps.get_model("renown", "Membership").objects.create(
        user=outsider,
        organization=apps.get_model("renown", "Organization").objects.get(slug="globex"),
        role="recruiter",
    )
    client.force_login(outsider)

    html = client.get(f"/applicants/{applicant.pk}/").content.decode()

    assert "No Renown profile yet." in html
    assert "renown-card__title" not in html
    assert "/renown/candidates/" not in html


def test_the_hosts_admin_links_the_applicant_to_renown(
    client: Client, superuser: Any, django_capture_on_commit_callbacks: Any
):
    applicant = _applicant_linked(
        django_capture_on_commit_callbacks,
        full_name="Eve Sato",
        email="eve@example.com",
        country="JP",
    )
    candidate = apps.get_model("renown_candidates", "Candidate").objects.get(
        host_link__object_id=str(applicant.pk)
    )
    apps.get_model("renown", "Membership").objects.create(
        user=superuser, organization=candidate.organization, role="hr_admin"
    )
    client.force_login(superuser)

    html = client.get(f"/admin/applicants/applicant/{applicant.pk}/change/").content.decode()

    assert "Renown profile" in html
    assert f"/renown/candidates/{candidate.public_id}/" in html
