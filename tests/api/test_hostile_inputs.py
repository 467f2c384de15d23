"""Hostile input answers 400 problem+json, never 500, on every operation the schema lists.

The operations, their path parameters and their query filters are read from the
OpenAPI schema the API serves, so a new endpoint or filter is covered without a
line here: deeply nested JSON bodies (api/parsers.py, also the signed Greenhouse
body), integers no database column holds (api/filters.py), crafted cursors
(api/pagination.py).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from hiring.api.schema import openapi_schema
from hiring.ats import services as ats_services
from hiring.ats.greenhouse import signature as greenhouse_signature
from renown.api.parsers import MAX_JSON_DEPTH, JsonTooDeep, json_depth, json_loads
from renown.api.problems import PROBLEM_CONTENT_TYPE
from tests import factories
from tests.api.conftest import token_client
from tests.api.world import World, build_world

DEEP_ARRAYS = b"[" * 1000 + b"]" * 1000  # 2 KB: a RecursionError (500) before the limit


def nested(depth: int, open_: str = "[", close: str = "]") -> bytes:
    return (open_ * depth + "1" + close * depth).encode()


def nested_objects(depth: int) -> bytes:
    return ('{"a":' * depth + "1" + "}" * depth).encode()


# --- the parser ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"1", 0),
        (b'"[[[[[[["', 0),  # brackets in a string nest nothing
        (b'["\\"[[[", [1]]', 2),  # an escaped quote does not end the string
        (b'{"a": [{"b": []}]}', 4),
        (nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH),
        (DEEP_ARRAYS, 1000),
        (nested_objects(500), 500),
    ],
)
def test_depth_is_measured_on_the_text(body: bytes, depth: int) -> None:
    assert json_depth(body) == depth


def test_a_document_at_the_limit_parses() -> None:
    assert json_loads(nested(MAX_JSON_DEPTH)) is not None


@pytest.mark.parametrize(
    "body",
    [
        DEEP_ARRAYS,
        nested(MAX_JSON_DEPTH + 1),
        nested_objects(5000),
        b'{"items": [' + nested(200) + b"]}",
        b"[" * 100_000,  # unbalanced: refused before the parser recurses
        ('["' + "x" * 10 + '", ' + "[" * 100 + "]" * 100 + "]").encode(),
    ],
)
def test_deeper_documents_are_refused_before_parsing(body: bytes) -> None:
    with pytest.raises(JsonTooDeep):
        json_loads(body)


# --- every JSON operation ----------------------------------------------------------------


def _schema() -> dict[str, Any]:
    return openapi_schema()


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def _fill(path: str, world: World, org_slug: str) -> str:
    ids = {
        "candidate_id": world.candidate.public_id,
        "job_id": world.job.pk,
        "screening_id": world.screening.pk,
        "subscription_id": world.subscription.pk,
        "delivery_id": world.delivery.pk,
        "rule_id": world.draft_rule.pk,
        "account_id": world.account.pk,
        "evidence_id": world.evidence.pk,
        "notice_id": world.notice.pk,
        "score_id": world.score.pk,
        "cycle_id": world.cycle.pk,
        "org_slug": org_slug,
        "source": "greenhouse",
        "external_id": "g-1",
    }
    filled = re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), path)
    return filled


@pytest.fixture
def world(org_a: Any, write_token_a: str) -> World:
    author = factories.UserFactory(username="second-hr")
    factories.MembershipFactory(user=author, organization=org_a, role="hr_admin")
    return build_world(org_a, author=author)


@pytest.fixture
def clients(
    org_a: Any,
    hr_admin_a: Any,
    write_token_a: str,
    user_client: Callable[[Any], APIClient],
) -> list[APIClient]:
    """A client for each kind of writer: one of them may call any write operation."""
    recruiter = factories.UserFactory(username="rita-recruiter")
    factories.MembershipFactory(user=recruiter, organization=org_a, role="recruiter")
    return [user_client(hr_admin_a), user_client(recruiter), token_client(write_token_a)]


def _is_problem(response: Any, status: int) -> bool:
    return response.status_code == status and response["Content-Type"].startswith(
        PROBLEM_CONTENT_TYPE
    )


@pytest.mark.django_db
def test_deep_json_is_a_400_on_every_operation_that_takes_json(
    world: World, clients: list[APIClient], org_a: Any
) -> None:
    schema = _schema()
    checked = []
    for path, method, operation in _operations(schema):
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" not in content or path.startswith("/api/v1/ats/"):
            continue
        url = _fill(path, world, org_a.slug)
        answers = []
        for client in clients:
            response = getattr(client, method)(url, DEEP_ARRAYS, content_type="application/json")
            assert response.status_code != 500, (method, url)
            answers.append(response)
        refused = [r for r in answers if _is_problem(r, 400)]
        assert refused, (method, url, [r.status_code for r in answers])
        assert "nested more than" in refused[0].json()["detail"], (method, url)
        checked.append(f"{method} {path}")
    assert len(checked) >= 20, checked  # the schema's JSON operations, not a few


@pytest.mark.django_db
def test_a_signed_deep_greenhouse_body_is_a_400(client: Any, org_a: Any) -> None:
    secret = ats_services.ats_secret_set(organization=org_a, ats="greenhouse")
    for body in (DEEP_ARRAYS, b'{"action": "x", "payload": ' + nested_objects(900) + b"}"):
        response = client.post(
            f"/api/v1/ats/greenhouse/{org_a.slug}/",
            body,
            content_type="application/json",
            HTTP_SIGNATURE=greenhouse_signature(secret, body),
        )
        assert _is_problem(response, 400), response.content[:300]
        assert "nested more than" in response.json()["errors"][0]["message"]


# --- integers out of range -----------------------------------------------------------

HOSTILE_NUMBERS = [
    "9223372036854775808",  # 2**63: one past the widest integer column
    "-9223372036854775809",
    "99999999999999999999999999999",
    "1e400",
    "1.5",
    "NaN",
    "Infinity",
    "0x10",
    "abc",
]


def _list_operations(schema: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for path, method, operation in _operations(schema):
        if method == "get":
            query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            if query:
                yield path, query


@pytest.mark.django_db
def test_every_numeric_or_yes_no_filter_refuses_what_no_column_holds(
    world: World, write_token_a: str, org_a: Any
) -> None:
    client = token_client(write_token_a)
    schema = _schema()
    strict = 0
    for path, parameters in _list_operations(schema):
        url = _fill(path, world, org_a.slug)
        for parameter in parameters:
            name = parameter["name"]
            kind = parameter.get("schema", {}).get("type")
            for value in HOSTILE_NUMBERS:
                response = client.get(url, {name: value})
                assert response.status_code != 500, (url, name, value)
                if kind in {"integer", "number", "boolean"} and name != "page_size":
                    assert _is_problem(response, 400), (url, name, value, response.status_code)
                    assert response.json()["errors"][0]["field"] == name
            strict += kind in {"integer", "number", "boolean"} and name != "page_size"
    assert strict >= 2, "the screenings' job filter and the subscriptions' active filter"


@pytest.mark.django_db
def test_in_range_integer_filters_still_filter(world: World, write_token_a: str) -> None:
    client = token_client(write_token_a)
    found = client.get("/api/v1/screenings/", {"job": world.job.pk}).json()["results"]
    assert {row["job"] for row in found} == {world.job.pk}
    assert client.get("/api/v1/screenings/", {"job": 2**63 - 1}).json()["results"] == []
    assert client.get("/api/v1/screenings/", {"job": f"{world.job.pk}.0"}).status_code == 200
    active = client.get("/api/v1/webhook-subscriptions/", {"active": "false"}).json()
    assert active["results"] == []


@pytest.mark.django_db
def test_out_of_range_ids_in_the_path_are_not_found(
    world: World, write_token_a: str, org_a: Any
) -> None:
    client = token_client(write_token_a)
    for path, method, _ in _operations(_schema()):
        if method != "get" or "_id}" not in path or "{candidate_id}" in path:
            continue
        for huge in ("9223372036854775808", "99999999999999999999999999999"):
            url = re.sub(r"{(\w+_id)}", huge, path)
            response = client.get(url)
            # 403 where the token may not read it at all (the bias audit: auditors only)
            assert _is_problem(response, 404) or _is_problem(response, 403), (url, response)


def _cursor(position: str) -> str:
    return base64.b64encode(f"o=0&r=0&p={position}".encode()).decode()


@pytest.mark.django_db
@pytest.mark.parametrize("position", ["abc", "9223372036854775808", "1e400", "", "[]"])
def test_a_crafted_cursor_is_a_404_not_a_500(
    world: World, write_token_a: str, position: str
) -> None:
    client = token_client(write_token_a)
    for url in ("/api/v1/candidates/", "/api/v1/screenings/", "/api/v1/jobs/"):
        response = client.get(url, {"cursor": _cursor(position)})
        assert response.status_code in {200, 404}, (url, position, response.content[:300])
        if response.status_code == 404:
            assert _is_problem(response, 404)
    assert json.loads(client.get("/api/v1/jobs/").content)["results"]
