"""Stack Exchange adapter against recorded API 2.3 responses in the documented shapes."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aioresponses import aioresponses

from renown.http import HttpClient
from scoring.providers.base import (
    ProviderNotFound,
    ProviderPermanent,
    ProviderRateLimited,
    ProviderTransient,
)
from scoring.providers.stackexchange import QUOTA_SPENT_PAUSE_SECONDS, StackExchange
from tests.scoring.providers.replay import load_replay, replay_server

FIXTURES = Path(__file__).parent / "fixtures" / "stackexchange"
BASE = "https://api.stackexchange.test"
USERS = re.compile(r"^https://api\.stackexchange\.test/2\.3/users/\d+\?.*$")
HANDLE = "stackoverflow:4815162"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def fetch(handle: str = HANDLE, base: str = BASE) -> Any:
    async def run() -> Any:
        async with HttpClient() as client:
            return await StackExchange(base_url=base, client=client).fetch(handle)

    return asyncio.run(run())


def test_found_user_maps_to_canonical_metrics() -> None:
    with aioresponses() as mocked:
        mocked.get(USERS, payload=fixture("users.json"))
        observation = fetch()
    # badge_counts has no canonical name; answer/question counts are not in the default filter
    assert observation.metrics == {
        "reputation": 48213,
        "account_created": "2012-01-01T12:34:56+00:00",
    }
    assert observation.backoff_seconds is None
    assert observation.observed_at.tzinfo is not None


def test_request_names_the_user_and_site_and_no_key_by_default() -> None:
    with aioresponses() as mocked:
        mocked.get(USERS, payload=fixture("users.json"))
        fetch("superuser:1234")
        (url,) = [str(url) for (_, url) in mocked.requests]
    assert url.startswith(f"{BASE}/2.3/users/1234?")
    assert "site=superuser" in url
    assert "key=" not in url
    assert "filter=" not in url


def test_app_key_is_sent_when_set(settings: Any) -> None:
    settings.RENOWN_STACKEXCHANGE_KEY = "U4DMV*8nvpm3EOpvf69Rxw(("
    with aioresponses() as mocked:
        mocked.get(USERS, payload=fixture("users.json"))
        fetch()
        (url,) = [str(url) for (_, url) in mocked.requests]
    assert "key=U4DMV" in url


def test_unknown_user_is_http_200_with_empty_items() -> None:
    with aioresponses() as mocked:
        mocked.get(USERS, payload=fixture("users_empty.json"))
        with pytest.raises(ProviderNotFound, match="no user 999999999 on stackoverflow"):
            fetch("stackoverflow:999999999")


def test_user_type_does_not_exist_is_not_found() -> None:
    body = fixture("users.json")
    body["items"][0]["user_type"] = "does_not_exist"
    with aioresponses() as mocked:
        mocked.get(USERS, payload=body)
        with pytest.raises(ProviderNotFound):
            fetch()


def test_throttle_violation_waits_the_seconds_in_the_message() -> None:
    with aioresponses() as mocked:
        mocked.get(USERS, status=400, payload=fixture("throttle_violation.json"))
        with pytest.raises(ProviderRateLimited, match="throttle_violation") as caught:
            fetch()
    assert caught.value.retry_after == 82979


def test_throttle_violation_without_seconds_uses_the_default() -> None:
    with aioresponses() as mocked:
        mocked.get(USERS, status=400, payload=fixture("throttle_violation_no_delay.json"))
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 300


def test_backoff_in_a_successful_body_is_returned_with_the_observation() -> None:
    with aioresponses() as mocked:
        mocked.get(USERS, payload=fixture("users_backoff.json"))
        observation = fetch()
    assert observation.metrics["reputation"] == 48213
    assert observation.backoff_seconds == 10


def test_spent_quota_asks_for_a_pause_before_the_next_call() -> None:
    with aioresponses() as mocked:
        mocked.get(USERS, payload=fixture("users_quota_spent.json"))
        observation = fetch()
    assert observation.metrics["reputation"] == 48213
    assert observation.backoff_seconds == QUOTA_SPENT_PAUSE_SECONDS == 3600


@pytest.mark.parametrize("name", ["internal_error.json", "temporarily_unavailable.json"])
def test_internal_and_unavailable_errors_are_transient(name: str) -> None:
    with aioresponses() as mocked:
        mocked.get(USERS, status=400, payload=fixture(name))
        with pytest.raises(ProviderTransient):
            fetch()


@pytest.mark.parametrize("name", ["bad_parameter.json", "no_method.json"])
def test_other_api_errors_are_permanent(name: str) -> None:
    with aioresponses() as mocked:
        mocked.get(USERS, status=400, payload=fixture(name))
        with pytest.raises(ProviderPermanent, match=fixture(name)["error_name"]):
            fetch("nosuchsite:1")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_http_server_errors_without_an_api_body_are_transient(status: int) -> None:
    with aioresponses() as mocked:
        mocked.get(USERS, status=status, body="<html>Service Unavailable</html>")
        with pytest.raises(ProviderTransient):
            fetch()


def test_timeout_is_transient() -> None:
    with aioresponses() as mocked:
        mocked.get(USERS, exception=TimeoutError())
        with pytest.raises(ProviderTransient, match="timed out"):
            fetch()


@pytest.mark.parametrize(
    "body",
    [
        "<html>Bad gateway</html>",
        json.dumps(["not", "an", "object"]),
        json.dumps({"has_more": False, "quota_max": 300, "quota_remaining": 1}),
        json.dumps({"items": {"user_id": 1}}),
        json.dumps({"items": ["not an object"]}),
        json.dumps({"items": [{"user_id": 1, "reputation": "lots"}]}),
        json.dumps({"items": [{"user_id": 1}]}),
    ],
)
def test_malformed_body_is_permanent(body: str) -> None:
    with aioresponses() as mocked:
        mocked.get(USERS, status=200, body=body, content_type="application/json")
        with pytest.raises(ProviderPermanent):
            fetch()


@pytest.mark.parametrize("handle", ["stackoverflow", "stackoverflow:abc", ":22656"])
def test_malformed_handle_is_permanent_without_a_request(handle: str) -> None:
    with aioresponses() as mocked:
        with pytest.raises(ProviderPermanent, match="site:user_id"):
            fetch(handle)
        assert not mocked.requests


def test_gzip_compressed_answer_is_decompressed() -> None:
    """The real API always compresses; replay it from a loopback server with gzip."""
    payload = gzip.compress((FIXTURES / "users.json").read_bytes())

    async def users(request: web.Request) -> web.Response:
        assert request.query["site"] == "stackoverflow"
        return web.Response(
            body=payload,
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    async def run() -> Any:
        app = web.Application()
        app.router.add_get("/2.3/users/4815162", users)
        async with (
            TestServer(app, host="127.0.0.1") as server,
            HttpClient(allow_private=True) as client,
        ):
            base = f"http://127.0.0.1:{server.port}"
            return await StackExchange(base_url=base, client=client).fetch(HANDLE)

    observation = asyncio.run(run())
    assert observation.metrics["reputation"] == 48213


def test_replay_routes_answer_the_found_and_missing_handles() -> None:
    replay = load_replay("stackexchange")
    with replay_server("stackexchange") as base:
        assert fetch(replay["found_handle"], base=base).metrics == replay["expected_metrics"]
        with pytest.raises(ProviderNotFound):
            fetch(replay["missing_handle"], base=base)
