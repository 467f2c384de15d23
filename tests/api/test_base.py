"""Tokens, authentication, the error format, idempotency, throttling, the body limit."""

from __future__ import annotations

import hashlib
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from rest_framework.test import APIClient

from candidates.models import Candidate
from renown.api.tokens import api_token_create, api_token_revoke, api_token_rotate
from renown.csp import POLICY
from renown.models import ApiToken, IdempotencyKey
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    return body


def test_token_is_stored_as_a_digest_only(org_a: Any) -> None:
    token, plaintext = api_token_create(organization=org_a, name="ats", scope="read")
    assert plaintext.startswith(f"rnw_{token.prefix}_")
    assert token.digest == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in {getattr(token, f.attname) for f in ApiToken._meta.concrete_fields}


def test_command_prints_the_token_on_its_last_line(org_a: Any) -> None:
    out = StringIO()
    call_command(
        "create_api_token", "--org", "acme", "--name", "greenhouse", "--scope", "write",
        stdout=out, stderr=StringIO(),
    )  # fmt: skip
    plaintext = out.getvalue().strip().splitlines()[-1]
    response = token_client(plaintext).get("/api/v1/candidates/")
    assert response.status_code == 200
    token = ApiToken.objects.get(name="greenhouse")
    assert token.scope == "write"
    assert token.last_used_at is not None


def test_anonymous_is_401_with_bearer_challenge(org_a: Any) -> None:
    response = APIClient().get("/api/v1/candidates/")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_bad_revoked_and_rotated_tokens_are_401(org_a: Any) -> None:
    assert_problem(token_client("rnw_000000000000_nope").get("/api/v1/candidates/"), 401)
    token, plaintext = api_token_create(organization=org_a, name="a", scope="read")
    new = api_token_rotate(token=token)
    assert_problem(token_client(plaintext).get("/api/v1/candidates/"), 401)
    assert token_client(new).get("/api/v1/candidates/").status_code == 200
    api_token_revoke(token=token)
    assert_problem(token_client(new).get("/api/v1/candidates/"), 401)


def test_read_token_cannot_write(read_client: Any) -> None:
    body = assert_problem(
        read_client.post("/api/v1/candidates/", {"name": "X"}, format="json"), 403
    )
    assert "read token" in body["detail"]
    assert not Candidate.objects.exists()


def test_unknown_url_and_method_are_problems(write_client: Any) -> None:
    assert_problem(write_client.get("/api/v1/nothing-here/"), 404)
    assert_problem(write_client.get("/api/elsewhere"), 404)
    response = write_client.put("/api/v1/candidates/", {}, format="json")
    assert_problem(response, 405)
    assert "GET" in response["Allow"]


def test_parse_error_and_media_type_are_problems(write_client: Any) -> None:
    assert_problem(
        write_client.post("/api/v1/candidates/", "{bad", content_type="application/json"), 400
    )
    assert_problem(
        write_client.post("/api/v1/candidates/", "name=x", content_type="text/plain"), 415
    )


@override_settings(RENOWN_API_MAX_BODY_BYTES=1000)
def test_body_over_the_limit_is_413(write_client: Any) -> None:
    response = write_client.post("/api/v1/candidates/", {"name": "x" * 2000}, format="json")
    assert_problem(response, 413)
    assert not Candidate.objects.exists()


@override_settings(RENOWN_API_THROTTLE_RATE="3/min")
def test_throttled_per_token_with_retry_after(write_client: Any, read_client: Any) -> None:
    for _ in range(3):
        assert write_client.get("/api/v1/candidates/").status_code == 200
    response = write_client.get("/api/v1/candidates/")
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0
    # Another token has its own budget.
    assert read_client.get("/api/v1/candidates/").status_code == 200


def test_idempotency_key_replays_and_refuses_another_body(write_client: Any) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": "key-1"}
    first = write_client.post("/api/v1/candidates/", {"name": "Once"}, format="json", **headers)
    again = write_client.post("/api/v1/candidates/", {"name": "Once"}, format="json", **headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Candidate.objects.count() == 1
    other = write_client.post("/api/v1/candidates/", {"name": "Other"}, format="json", **headers)
    assert_problem(other, 422)
    assert Candidate.objects.count() == 1


def test_idempotency_keys_are_per_token(write_client: Any, org_a: Any) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": "shared"}
    write_client.post("/api/v1/candidates/", {"name": "A"}, format="json", **headers)
    other = token_client(api_token_create(organization=org_a, name="b", scope="write")[1])
    response = other.post("/api/v1/candidates/", {"name": "B"}, format="json", **headers)
    assert response.status_code == 201
    assert Candidate.objects.count() == 2
    assert IdempotencyKey.objects.count() == 2


def test_validation_errors_replay_too(write_client: Any) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": "bad-1"}
    first = write_client.post("/api/v1/candidates/", {"name": ""}, format="json", **headers)
    again = write_client.post("/api/v1/candidates/", {"name": ""}, format="json", **headers)
    assert first.status_code == again.status_code == 400
    assert first.json() == again.json()


def test_session_user_works_in_their_organisation(recruiter_a: Any, user_client: Any) -> None:
    client = user_client(recruiter_a)
    response = client.get("/api/v1/candidates/")
    assert response.status_code == 200


def test_schema_and_docs_need_no_network() -> None:
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_docs_page_has_no_inline_script_or_style_and_keeps_the_site_policy() -> None:
    """The site's policy refuses inline script and style: the page carries none of either."""
    docs = Client().get("/api/docs/")
    html = docs.content.decode()
    assert docs["Content-Security-Policy"] == POLICY
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<style" not in html
    assert re.search(r"\sstyle=", html) is None
    assert re.search(r"\son[a-z]+=", html) is None
    assert '<script src="/api/docs/?script="></script>' in html
    # The admin keeps Django's own pages and no policy of ours; the schema keeps ours.
    assert "Content-Security-Policy" not in Client().get("/admin/login/").headers
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/candidates/" in schema.json()["paths"]
