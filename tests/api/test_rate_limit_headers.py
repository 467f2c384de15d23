"""RateLimit-* (draft-ietf-httpapi-ratelimit-headers-06) on every answer the throttle counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
import time_machine
from django.test import override_settings
from rest_framework.test import APIClient

from tests import factories
from tests.api.test_base import assert_problem

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NAMES = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy")


def limits(response: Any) -> dict[str, str]:
    return {name: response[name] for name in NAMES if name in response}


@override_settings(RENOWN_API_THROTTLE_RATE="3/min")
def test_every_counted_answer_says_where_the_caller_stands(write_client: Any, org_a: Any) -> None:
    with time_machine.travel(START, tick=False) as clock:
        ok = write_client.get("/api/v1/candidates/")
        assert ok.status_code == 200
        assert limits(ok) == {
            "RateLimit-Limit": "3",
            "RateLimit-Remaining": "2",
            "RateLimit-Reset": "60",  # the one request counted leaves the window in a minute
            "RateLimit-Policy": "3;w=60",
        }
        clock.shift(timedelta(seconds=10))
        missing = write_client.get(f"/api/v1/candidates/{uuid4()}/")
        assert_problem(missing, 404)
        assert limits(missing)["RateLimit-Remaining"] == "1"
        assert limits(missing)["RateLimit-Reset"] == "50"  # still the first one's window
        clock.shift(timedelta(seconds=10))
        invalid = write_client.post("/api/v1/candidates/", {"name": ""}, format="json")
        assert_problem(invalid, 400)
        assert limits(invalid)["RateLimit-Remaining"] == "0"
        clock.shift(timedelta(seconds=5))
        refused = write_client.get("/api/v1/candidates/")
        assert_problem(refused, 429)
        assert limits(refused) == {
            "RateLimit-Limit": "3",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": "35",
            "RateLimit-Policy": "3;w=60",
        }
        assert refused["Retry-After"] == refused["RateLimit-Reset"]
        # When the first request leaves the window, one more is allowed.
        clock.shift(timedelta(seconds=35))
        again = write_client.get("/api/v1/candidates/")
        assert again.status_code == 200
        assert limits(again)["RateLimit-Remaining"] == "0"
        assert limits(again)["RateLimit-Reset"] == "10"  # the 404 (at 10 s) leaves next


@override_settings(RENOWN_API_THROTTLE_RATE="3/min")
def test_a_request_refused_before_throttling_reports_the_count_without_adding_to_it(
    read_client: Any, org_a: Any
) -> None:
    with time_machine.travel(START, tick=False):
        assert limits(read_client.get("/api/v1/candidates/"))["RateLimit-Remaining"] == "2"
        for _ in range(3):  # a read token may not write: 403, before the throttle
            forbidden = read_client.post("/api/v1/candidates/", {"name": "X"}, format="json")
            assert_problem(forbidden, 403)
            assert limits(forbidden)["RateLimit-Remaining"] == "2"
            assert limits(forbidden)["RateLimit-Reset"] == "60"
        assert limits(read_client.get("/api/v1/candidates/"))["RateLimit-Remaining"] == "1"


def test_a_body_over_the_limit_is_413_with_the_count(write_client: Any, settings: Any) -> None:
    settings.RENOWN_API_MAX_BODY_BYTES = 10
    response = write_client.post("/api/v1/candidates/", {"name": "A long name"}, format="json")
    assert_problem(response, 413)
    # Refused before the caller was known: nothing was read of them, so nothing is said.
    assert limits(response) == {}
    assert limits(write_client.get("/api/v1/candidates/"))["RateLimit-Remaining"] == "1199"


@pytest.mark.parametrize(
    "authorization", [None, "Bearer rnw_nope_nope", "Bearer", "Basic dXNlcjpwYXNz"]
)
def test_unauthenticated_answers_carry_no_rate_limit(org_a: Any, authorization: str | None) -> None:
    client = APIClient()
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    response = client.get("/api/v1/candidates/")
    assert_problem(response, 401)
    assert limits(response) == {}  # nobody is counted before they are known


def test_each_token_has_its_own_count(write_client: Any, read_client: Any, org_a: Any) -> None:
    for _ in range(3):
        write_client.get("/api/v1/candidates/")
    assert limits(write_client.get("/api/v1/jobs/"))["RateLimit-Remaining"] == "1196"
    assert limits(read_client.get("/api/v1/jobs/"))["RateLimit-Remaining"] == "1199"


def test_a_signed_in_user_is_counted_too(user_client: Any, recruiter_a: Any) -> None:
    client = user_client(recruiter_a)
    first, second = client.get("/api/v1/candidates/"), client.get("/api/v1/candidates/")
    assert first.status_code == 200
    assert limits(first)["RateLimit-Remaining"] == "1199"
    assert limits(second)["RateLimit-Remaining"] == "1198"


def test_an_idempotent_replay_tells_the_count_now(write_client: Any, org_a: Any) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": "key-1"}
    first = write_client.post("/api/v1/candidates/", {"name": "Ada"}, format="json", **headers)
    replay = write_client.post("/api/v1/candidates/", {"name": "Ada"}, format="json", **headers)
    assert replay["Idempotent-Replayed"] == "true"
    assert limits(first)["RateLimit-Remaining"] == "1199"
    assert limits(replay)["RateLimit-Remaining"] == "1198"


def test_the_schema_and_docs_are_not_counted(client: Any) -> None:
    assert limits(client.get("/api/schema/")) == {}


def test_a_second_page_link_carries_the_count_too(write_client: Any, org_a: Any) -> None:
    for _ in range(3):
        factories.CandidateFactory(organization=org_a)
    first = write_client.get("/api/v1/candidates/?page_size=2")
    assert first["Link"] == f'<{first.json()["next"]}>; rel="next"'
    second = write_client.get(first.json()["next"])
    assert "Link" not in second
    assert second.json()["next"] is None
    assert limits(second)["RateLimit-Remaining"] == "1198"
