"""Under a host's prefix (``/renown/``) the API keeps its limits, its errors and its schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from candidates.models import Candidate
from hiring.api.schema import openapi_schema
from tests.api.test_base import assert_problem

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.mounted_urls")]

API = "/renown/api/v1"


def test_the_api_answers_under_the_prefix(write_client: APIClient) -> None:
    response = write_client.get(f"{API}/candidates/?page_size=1")
    assert response.status_code == 200
    assert response.json()["results"] == []


@override_settings(RENOWN_API_MAX_BODY_BYTES=1000)
@pytest.mark.parametrize(
    ("body", "extra", "status"),
    [
        ({"name": "x" * 2000}, {}, 413),
        ({"name": "x" * 200, "external_id": "y" * 100, "ats_source": "z" * 50}, {}, 201),
        ({"name": "x"}, {"CONTENT_LENGTH": "many"}, 400),
        ({"name": "x"}, {"CONTENT_LENGTH": "4000"}, 413),  # declared: refused before reading
    ],
    ids=["over", "within", "not a number", "declared over"],
)
def test_the_body_limit_holds_under_the_prefix(
    write_client: APIClient, body: dict[str, str], extra: dict[str, str], status: int
) -> None:
    response = write_client.post(f"{API}/candidates/", body, format="json", **extra)
    if status == 201:
        assert response.status_code == 201, response.content
        return
    problem = assert_problem(response, status)
    assert problem["instance"] == f"{API}/candidates/"
    assert not Candidate.objects.exists()


def test_the_greenhouse_receiver_keeps_the_body_limit(org_a: Any) -> None:
    with override_settings(RENOWN_API_MAX_BODY_BYTES=100):
        response = Client().post(
            f"{API}/ats/greenhouse/{org_a.slug}/", "[" + "0," * 100 + "0]",
            content_type="application/json", HTTP_SIGNATURE="sha256 00",
        )  # fmt: skip
    assert_problem(response, 413)


def test_a_crash_is_a_500_problem_without_its_traceback(
    write_client: APIClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from hiring.api.views import candidates as views

    def crash(**kwargs: Any) -> Any:
        raise RuntimeError("secret internals at 0xdeadbeef")

    monkeypatch.setattr(views, "candidate_create", crash)
    write_client.raise_request_exception = False
    response = write_client.post(f"{API}/candidates/", {"name": "Crash"}, format="json")
    problem = assert_problem(response, 500)
    assert "0xdeadbeef" not in response.content.decode()
    assert problem["instance"] == f"{API}/candidates/"
    # The server's log has it, with its traceback (Django's "django.request" logger).
    (record,) = [r for r in caplog.records if r.name == "django.request" and r.levelname == "ERROR"]
    assert record.exc_info is not None
    assert "0xdeadbeef" in str(record.exc_info[1])


def test_a_crash_is_signalled_as_django_signals_its_own() -> None:
    from django.core.signals import got_request_exception

    seen: list[Any] = []

    def listener(sender: Any, request: Any, **kwargs: Any) -> None:
        seen.append(request.path)

    got_request_exception.connect(listener)
    try:
        client = APIClient(raise_request_exception=False)
        with pytest.MonkeyPatch.context() as patch:
            from renown.api import access

            def crash(request: Any) -> Any:
                raise RuntimeError("boom")

            patch.setattr(access, "resolve_principal", crash)
            response = client.get(f"{API}/jobs/")
    finally:
        got_request_exception.disconnect(listener)
    assert_problem(response, 500)
    assert seen == [f"{API}/jobs/"]


@pytest.mark.parametrize("path", ["/renown/api/elsewhere", f"{API}/nothing-here/", f"{API}/jobs"])
def test_unknown_api_urls_are_problems_under_the_prefix(write_client: APIClient, path: str) -> None:
    assert_problem(write_client.get(path), 404)


def test_the_schema_lists_the_api_at_the_prefix() -> None:
    served = Client().get("/renown/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert served.status_code == 200
    schema = served.json()
    assert schema["paths"]
    assert all(path.startswith(f"{API}/") for path in schema["paths"])
    # The same document as at the root, operation ids and tags included: only the paths move.
    with override_settings(ROOT_URLCONF="renown_site.urls"):
        at_root = openapi_schema()
    moved = {path.removeprefix("/renown"): item for path, item in schema["paths"].items()}
    assert moved == at_root["paths"]
    assert schema["components"] == at_root["components"]


def test_the_docs_load_the_schema_at_the_prefix() -> None:
    client = Client()
    docs = client.get("/renown/api/docs/")
    assert docs.status_code == 200
    assert '<script src="/renown/api/docs/?script="></script>' in docs.content.decode()
    script = client.get("/renown/api/docs/?script=").content.decode()
    assert '"/renown/api/schema/"' in script
