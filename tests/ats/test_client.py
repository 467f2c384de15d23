"""The ATS API client: retried where a retry can help, guarded, held to the ATS's rate."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pytest
from aioresponses import aioresponses
from django.test import override_settings
from yarl import URL

from hiring.ats.base import FetchFailed
from hiring.ats.client import AtsApi
from hiring.ats.greenhouse import Greenhouse

ROOT = "https://harvest.example.com/v3"
CANDIDATE = re.compile(r"^https://harvest\.example\.com/v3/candidates/7.*$")


@pytest.fixture(autouse=True)
def _quick(settings: Any) -> None:
    settings.RENOWN_ATS_API_MAX_WAIT_SECONDS = 2.0
    settings.RENOWN_ATS_RATE_GREENHOUSE = ""
    settings.RENOWN_RATE_LIMIT_STORAGE_URL = "memory://"


def get(path: str, *, root: str = ROOT) -> Any:
    async def go() -> Any:
        async with AtsApi(connector=Greenhouse(), credentials={}, base_url=root) as api:
            return await api.request("GET", path)

    return asyncio.run(go())


def test_a_5xx_then_an_answer_is_tried_again() -> None:
    with aioresponses() as mocked:
        mocked.get(CANDIDATE, status=502)
        mocked.get(CANDIDATE, status=503)
        mocked.get(CANDIDATE, payload={"id": 7})
        assert get("/candidates/7") == {"id": 7}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([500, 500, 500], "HTTP 500 (after 3 attempts)"),
        ([404], "HTTP 404"),  # the request is wrong: once only
        ([401], "HTTP 401"),
        ([200], "not JSON"),
    ],
)
def test_what_cannot_be_had_is_fetch_failed(answers: list[int], message: str) -> None:
    with aioresponses() as mocked:
        for status in answers:
            mocked.get(CANDIDATE, status=status, body="<html>")
        with pytest.raises(FetchFailed, match=re.escape(message)):
            get("/candidates/7")
        assert sum(len(calls) for calls in mocked.requests.values()) == len(answers)


def test_a_429_asking_longer_than_the_budget_fails_at_once_with_its_wait() -> None:
    with aioresponses() as mocked:
        mocked.get(CANDIDATE, status=429, headers={"Retry-After": "120"})
        with pytest.raises(FetchFailed) as failed:
            get("/candidates/7")
    assert failed.value.retry_after == 120


def test_a_429_within_the_budget_is_waited_for() -> None:
    with aioresponses() as mocked:
        mocked.get(CANDIDATE, status=429, headers={"Retry-After": "0.2"})
        mocked.get(CANDIDATE, payload={"id": 7})
        started = time.monotonic()
        assert get("/candidates/7") == {"id": 7}
        assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize(
    "root",
    [
        "http://127.0.0.1:9/v3",
        "http://2130706433/v3",  # loopback in one number
        "http://[::1]/v3",
        "http://169.254.169.254/latest",
        "http://user:pw@harvest.example.com/v3",
    ],
)
def test_a_private_or_odd_api_root_is_refused_without_a_retry(root: str) -> None:
    with (
        override_settings(RENOWN_ALLOW_PRIVATE_HOSTS=False),
        aioresponses() as mocked,
        pytest.raises(FetchFailed, match="will not send requests"),
    ):
        get("/candidates/7", root=root)
    assert not mocked.requests


def test_requests_wait_for_the_ats_rate(settings: Any) -> None:
    settings.RENOWN_ATS_RATE_GREENHOUSE = "2/second"
    with aioresponses() as mocked:
        mocked.get(CANDIDATE, payload={"id": 7}, repeat=True)

        async def three() -> float:
            async with AtsApi(connector=Greenhouse(), credentials={}, base_url=ROOT) as api:
                started = time.monotonic()
                for _ in range(3):
                    await api.request("GET", "/candidates/7")
                return time.monotonic() - started

        assert asyncio.run(three()) >= 0.9  # the third waits for the window to free a slot


@pytest.mark.parametrize("status", [404, 410])
def test_what_the_ats_no_longer_has_is_fetch_gone_at_once(status: int) -> None:
    from hiring.ats.base import FetchGone

    with aioresponses() as mocked:
        mocked.get(CANDIDATE, status=status)
        with pytest.raises(FetchGone):
            get("/candidates/7")
        assert sum(len(calls) for calls in mocked.requests.values()) == 1


def test_a_429_with_only_the_reset_time_waits_until_then() -> None:
    from hiring.ats.client import retry_after
    from renown.http import Response

    answer = Response(status=429, headers={"x-rate-limit-reset": "1000.5"}, body=b"", url="")
    assert retry_after(answer, now=1000.0) == 0.5
    assert retry_after(answer, now=2000.0) == 0.0
    assert retry_after(Response(status=429, headers={}, body=b"", url="")) is None


def test_greenhouse_trades_its_oauth_client_credentials_for_a_bearer_token() -> None:
    """Harvest v3: client credentials at the token endpoint (v1/v2 keys were retired)."""
    token_url = "https://auth.greenhouse.io/token"

    async def authorize() -> dict[str, str]:
        credentials = {"client_id": "gh-client", "client_secret": "gh-secret"}
        async with AtsApi(connector=Greenhouse(), credentials=credentials, base_url=ROOT) as api:
            return await Greenhouse().authorize(api)

    with aioresponses() as mocked:
        mocked.post(token_url, payload={"access_token": "tok-123", "expires_in": 3600})
        assert asyncio.run(authorize()) == {"Authorization": "Bearer tok-123"}
        [call] = mocked.requests[("POST", URL(token_url))]
    assert call.kwargs["data"] == b"grant_type=client_credentials"
    assert call.kwargs["headers"]["Authorization"] == "Basic Z2gtY2xpZW50OmdoLXNlY3JldA=="
    with aioresponses() as mocked:
        mocked.post(token_url, payload={"error": "invalid_client"})
        with pytest.raises(FetchFailed, match="no access_token"):
            asyncio.run(authorize())


def test_a_connector_without_its_three_steps_cannot_be_made() -> None:
    from hiring.ats.base import Connector

    class Incomplete(Connector):
        name = "incomplete"

        def action(self, document: Any) -> str:
            return ""

    with pytest.raises(TypeError, match="parse"):
        Incomplete()  # type: ignore[abstract]
