"""Hacker News adapter against recorded Firebase responses in the documented shapes."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses

from renown.http import HttpClient
from scoring.providers.base import (
    ProviderNotFound,
    ProviderPermanent,
    ProviderRateLimited,
    ProviderTransient,
)
from scoring.providers.hackernews import HackerNews
from tests.scoring.providers.replay import load_replay, replay_server

FIXTURES = Path(__file__).parent / "fixtures" / "hackernews"
BASE = "https://hn.firebase.test"
USER = re.compile(r"^https://hn\.firebase\.test/v0/user/[^/]+\.json$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def fetch(handle: str = "jl", base: str = BASE) -> Any:
    async def run() -> Any:
        async with HttpClient() as client:
            return await HackerNews(base_url=base, client=client).fetch(handle)

    return asyncio.run(run())


def test_found_user_maps_to_canonical_metrics() -> None:
    with aioresponses() as mocked:
        mocked.get(USER, payload=fixture("user.json"))
        observation = fetch()
    assert observation.metrics == {
        "karma": 2937,
        "posts": 256,  # len(submitted): stories, polls and comments
        "account_created": "2007-03-15T01:50:46+00:00",
    }
    assert observation.observed_at.tzinfo is not None


def test_request_keeps_the_case_sensitive_id() -> None:
    with aioresponses() as mocked:
        mocked.get(USER, payload={**fixture("user.json"), "id": "PaulGraham_"})
        fetch("PaulGraham_")
        (url,) = [str(url) for (_, url) in mocked.requests]
    assert url == f"{BASE}/v0/user/PaulGraham_.json"


def test_user_who_never_submitted_has_zero_posts() -> None:
    body = {"id": "quiet-reader", "created": 1700000000, "karma": 1}
    with aioresponses() as mocked:
        mocked.get(USER, payload=body)
        observation = fetch("quiet-reader")
    assert observation.metrics == {
        "karma": 1,
        "posts": 0,
        "account_created": "2023-11-14T22:13:20+00:00",
    }


def test_negative_karma_is_kept() -> None:
    with aioresponses() as mocked:
        mocked.get(USER, payload={"id": "troll", "created": 1700000000, "karma": -4})
        assert fetch("troll").metrics["karma"] == -4


def test_unknown_user_is_http_200_with_null_body() -> None:
    with aioresponses() as mocked:
        mocked.get(USER, status=200, body=(FIXTURES / "user_not_found.json").read_text())
        with pytest.raises(ProviderNotFound, match="no-such-user-x"):
            fetch("no-such-user-x")


def test_permission_denied_is_permanent() -> None:
    with aioresponses() as mocked:
        mocked.get(USER, status=401, payload=fixture("permission_denied.json"))
        with pytest.raises(ProviderPermanent):
            fetch()


def test_http_429_is_rate_limited_with_the_header_delay() -> None:
    # No rate limit is documented; should one appear, Retry-After is honoured.
    with aioresponses() as mocked:
        mocked.get(USER, status=429, body="", headers={"Retry-After": "30"})
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 30


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient(status: int) -> None:
    with aioresponses() as mocked:
        mocked.get(USER, status=status, body="<html><title>Error</title></html>")
        with pytest.raises(ProviderTransient):
            fetch()


def test_timeout_is_transient() -> None:
    with aioresponses() as mocked:
        mocked.get(USER, exception=TimeoutError())
        with pytest.raises(ProviderTransient, match="timed out"):
            fetch()


@pytest.mark.parametrize(
    "body",
    [
        "<html>Bad gateway</html>",
        json.dumps([1, 2, 3]),
        json.dumps("jl"),
        json.dumps({"created": 1173923446, "karma": 2937}),
        json.dumps({"id": "jl", "created": 1173923446, "karma": "2937"}),
        json.dumps({"id": "jl", "created": 1173923446}),
        json.dumps({"id": "jl", "created": 1173923446, "karma": 1, "submitted": 12}),
    ],
)
def test_malformed_body_is_permanent(body: str) -> None:
    with aioresponses() as mocked:
        mocked.get(USER, status=200, body=body, content_type="application/json")
        with pytest.raises(ProviderPermanent):
            fetch()


def test_replay_routes_answer_the_found_and_missing_handles() -> None:
    replay = load_replay("hackernews")
    with replay_server("hackernews") as base:
        assert fetch(replay["found_handle"], base=base).metrics == replay["expected_metrics"]
        with pytest.raises(ProviderNotFound):
            fetch(replay["missing_handle"], base=base)
