"""API tokens in the admin: created by HR admins, shown once, scoped to the organisation."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from renown.api.tokens import api_token_authenticate, api_token_create
from renown.models import ApiToken
from tests.leaks import secret_leaks

pytestmark = pytest.mark.django_db


SECRET = re.compile(r"rnw_[0-9a-f]{12}_[A-Za-z0-9_-]+")
NEXT_PAGE = "/admin/renown/apitoken/"


def test_hr_admin_creates_a_token_and_sees_it_once_in_the_page(
    hr_admin_a: Any, org_a: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    client.force_login(hr_admin_a)
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            "/admin/renown/apitoken/add/",
            {"organization": org_a.pk, "name": "greenhouse", "scope": "write"},
        )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    (plaintext,) = SECRET.findall(body)
    assert body.count(plaintext) == 1
    assert "<code>Authorization: Bearer &lt;secret&gt;</code>" in body
    token = ApiToken.objects.get(name="greenhouse")
    assert api_token_authenticate(plaintext) == token
    assert secret_leaks(client, response, plaintext, next_page=NEXT_PAGE) == []
    assert plaintext not in caplog.text
    page = client.get(f"/admin/renown/apitoken/{token.pk}/change/").content.decode()
    assert plaintext not in page
    assert token.digest not in page


def test_rotation_shows_each_new_secret_once_in_the_page(hr_admin_a: Any, org_a: Any) -> None:
    first, old_first = api_token_create(organization=org_a, name="ats", scope="read")
    second, old_second = api_token_create(organization=org_a, name="sync", scope="write")
    client = Client()
    client.force_login(hr_admin_a)
    response = client.post(
        "/admin/renown/apitoken/",
        {"action": "rotate", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 200
    body = response.content.decode()
    secrets = SECRET.findall(body)
    assert len(secrets) == len(set(secrets)) == 2
    assert {api_token_authenticate(secret) for secret in secrets} == {first, second}
    assert api_token_authenticate(old_first) is None
    assert api_token_authenticate(old_second) is None
    for secret in secrets:
        assert secret_leaks(client, response, secret, next_page=NEXT_PAGE) == []


def test_rotate_and_revoke_actions(hr_admin_a: Any, org_a: Any) -> None:
    token, plaintext = api_token_create(organization=org_a, name="ats", scope="read")
    client = Client()
    client.force_login(hr_admin_a)
    client.post("/admin/renown/apitoken/", {"action": "rotate", "_selected_action": [token.pk]})
    assert api_token_authenticate(plaintext) is None
    token.refresh_from_db()
    assert token.rotated_at is not None
    client.post("/admin/renown/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = client.post(
        "/admin/renown/apitoken/", {"action": "rotate", "_selected_action": [token.pk]}, follow=True
    )
    assert any("nothing rotated" in str(m) for m in get_messages(response.wsgi_request))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_other_organisation_tokens_are_hidden(hr_admin_a: Any, org_b: Any) -> None:
    token, _ = api_token_create(organization=org_b, name="theirs", scope="write")
    client = Client()
    client.force_login(hr_admin_a)
    assert client.get(f"/admin/renown/apitoken/{token.pk}/change/").status_code == 404
    assert "theirs" not in client.get("/admin/renown/apitoken/").content.decode()


def test_auditor_cannot_create_tokens(auditor_a: Any, org_a: Any) -> None:
    client = Client()
    client.force_login(auditor_a)
    response = client.post(
        "/admin/renown/apitoken/add/", {"organization": org_a.pk, "name": "x", "scope": "write"}
    )
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
