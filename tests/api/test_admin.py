"""API tokens in the admin: created by HR admins, shown once, scoped to the organisation."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from api.models import ApiToken
from api.services import api_token_authenticate, api_token_create

pytestmark = pytest.mark.django_db


def test_hr_admin_creates_a_token_and_sees_it_once(hr_admin_a: Any, org_a: Any) -> None:
    client = Client()
    client.force_login(hr_admin_a)
    response = client.post(
        "/admin/api/apitoken/add/",
        {"organization": org_a.pk, "name": "greenhouse", "scope": "write"},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    plaintext = next(word for m in shown for word in m.split() if word.startswith("rnw_"))
    token = ApiToken.objects.get(name="greenhouse")
    assert api_token_authenticate(plaintext) == token
    page = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert plaintext not in page
    assert token.digest not in page


def test_rotate_and_revoke_actions(hr_admin_a: Any, org_a: Any) -> None:
    token, plaintext = api_token_create(organization=org_a, name="ats", scope="read")
    client = Client()
    client.force_login(hr_admin_a)
    client.post(
        "/admin/api/apitoken/", {"action": "rotate", "_selected_action": [token.pk]}, follow=True
    )
    assert api_token_authenticate(plaintext) is None
    token.refresh_from_db()
    assert token.rotated_at is not None
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_other_organisation_tokens_are_hidden(hr_admin_a: Any, org_b: Any) -> None:
    token, _ = api_token_create(organization=org_b, name="theirs", scope="write")
    client = Client()
    client.force_login(hr_admin_a)
    assert client.get(f"/admin/api/apitoken/{token.pk}/change/").status_code == 404
    assert "theirs" not in client.get("/admin/api/apitoken/").content.decode()


def test_auditor_cannot_create_tokens(auditor_a: Any, org_a: Any) -> None:
    client = Client()
    client.force_login(auditor_a)
    response = client.post(
        "/admin/api/apitoken/add/", {"organization": org_a.pk, "name": "x", "scope": "write"}
    )
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
