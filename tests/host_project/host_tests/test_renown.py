"""Renown's pages and API answer under the host's /renown/ include, with Renown's own rules."""

from __future__ import annotations

import html
import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import hiring
import pytest
import renown
from django.test import Client
from django.urls import reverse


def test_renown_comes_from_the_installed_wheel():
    for module in (renown, hiring):
        path = Path(module.__file__ or "")
        assert "site-packages" in path.parts, path
        assert Path(sys.prefix) in path.parents, path


@pytest.mark.django_db
def test_api_token_from_the_command_lists_candidates(client: Client, api_token: str):
    response = client.get("/renown/api/v1/candidates/", HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_api_without_a_token_asks_for_renowns_bearer_token(client: Client):
    response = client.get("/renown/api/v1/candidates/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_api_errors_are_renowns_problem_details(client: Client, api_token: str):
    response = client.get(
        f"/renown/api/v1/candidates/{uuid.uuid4()}/", HTTP_AUTHORIZATION=f"Bearer {api_token}"
    )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert json.loads(response.content)["status"] == 404


@pytest.mark.django_db
def test_api_schema_answers_with_renowns_paths_only(client: Client):
    response = client.get("/renown/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert "/renown/api/v1/candidates/" in paths
    assert [path for path in paths if not path.startswith("/renown/api/")] == []


@pytest.mark.django_db
def test_api_docs_answer_and_load_the_prefixed_schema(client: Client):
    response = client.get("/renown/api/docs/")
    assert response.status_code == 200
    # The page names the schema's URL itself or in a script it loads from Renown's own URLs.
    page = response.content.decode()
    scripts = re.findall(r'<script[^>]* src="(/renown/[^"]*)"', page)
    texts = [page, *(client.get(html.unescape(src)).content.decode() for src in scripts)]
    assert any("/renown/api/schema/" in text for text in texts)


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("renown:api-schema", "/renown/api/schema/"),
        ("renown:api-docs", "/renown/api/docs/"),
        ("renown:api:candidate-list", "/renown/api/v1/candidates/"),
    ],
)
def test_renown_url_names_are_namespaced_under_the_include(name: str, path: str):
    assert reverse(name) == path


@pytest.mark.django_db
def test_recruiter_page_answers_for_a_member(client: Client, recruiter: Any):
    client.force_login(recruiter)
    response = client.get("/renown/")
    assert response.status_code == 200
    names = [template.name for template in response.templates]
    assert any(name.startswith("renown/") for name in names), names
    assert "base.html" not in names, "a Renown page rendered the host's base.html"


@pytest.mark.django_db
def test_recruiter_pages_set_their_own_content_security_policy(client: Client, recruiter: Any):
    client.force_login(recruiter)
    response = client.get("/renown/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


@pytest.mark.django_db
def test_recruiter_page_sends_a_visitor_to_the_hosts_login(client: Client):
    response = client.get("/renown/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/renown/"
