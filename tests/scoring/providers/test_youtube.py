"""YouTube adapter against recorded Data API v3 responses in the documented shapes."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aioresponses import aioresponses

from renown.http import HttpClient
from scoring.providers.base import (
    ProviderNotFound,
    ProviderPermanent,
    ProviderRateLimited,
    ProviderTransient,
)
from scoring.providers.youtube import YouTube, seconds_until_quota_reset
from tests.scoring.providers.replay import load_replay, replay_server

FIXTURES = Path(__file__).parent / "fixtures" / "youtube"
BASE = "https://googleapis.test"
CHANNELS = re.compile(r"^https://googleapis\.test/youtube/v3/channels\?.*$")
CHANNEL_ID = "UC_x5XG1OV2P6uZZ5FSM9Ttw"
API_KEY = "AIzaSyD-test-key-not-real-0123456789ab"


@pytest.fixture(autouse=True)
def _api_key(settings: Any) -> None:
    settings.RENOWN_YOUTUBE_API_KEY = API_KEY


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def fetch(handle: str = CHANNEL_ID, base: str = BASE) -> Any:
    async def run() -> Any:
        async with HttpClient() as client:
            return await YouTube(base_url=base, client=client).fetch(handle)

    return asyncio.run(run())


def test_found_channel_maps_to_canonical_metrics() -> None:
    with aioresponses() as mocked:
        mocked.get(CHANNELS, payload=fixture("channels.json"))
        observation = fetch()
    assert observation.metrics == {
        "subscribers": 2390000,
        "views": 260357913,
        "videos": 6147,
        "account_created": "2007-08-23T00:34:43+00:00",
    }
    assert observation.observed_at.tzinfo is not None


def test_request_by_channel_id_sends_key_and_parts() -> None:
    with aioresponses() as mocked:
        mocked.get(CHANNELS, payload=fixture("channels.json"))
        fetch(CHANNEL_ID)
        (url,) = [str(url) for (_, url) in mocked.requests]
    assert f"id={CHANNEL_ID}" in url
    assert "forHandle" not in url
    assert "part=snippet,statistics" in url
    assert f"key={API_KEY}" in url


def test_request_by_handle_uses_for_handle() -> None:
    with aioresponses() as mocked:
        mocked.get(CHANNELS, payload=fixture("channels.json"))
        fetch("@googledevelopers")
        (url,) = [str(url) for (_, url) in mocked.requests]
    assert "forHandle=@googledevelopers" in url
    assert "&id=" not in url
    assert "?id=" not in url


def test_hidden_subscriber_count_is_omitted() -> None:
    with aioresponses() as mocked:
        mocked.get(CHANNELS, payload=fixture("channels_hidden_subscribers.json"))
        observation = fetch("UCZr7aK3dPq0xLw9mTn2bYcF")
    assert observation.metrics == {
        "views": 23695712,
        "videos": 139,
        "account_created": "2014-05-06T17:21:40.508000+00:00",
    }


def test_unset_api_key_is_permanent_before_any_request(settings: Any) -> None:
    settings.RENOWN_YOUTUBE_API_KEY = ""
    with aioresponses() as mocked:
        with pytest.raises(ProviderPermanent, match="RENOWN_YOUTUBE_API_KEY is not set"):
            fetch()
        assert not mocked.requests


def test_unknown_channel_is_http_200_with_no_items() -> None:
    with aioresponses() as mocked:
        mocked.get(CHANNELS, payload=fixture("channels_empty.json"))
        with pytest.raises(ProviderNotFound, match="UCzzzzzzzzzzzzzzzzzzzzzz"):
            fetch("UCzzzzzzzzzzzzzzzzzzzzzz")


def test_unknown_channel_with_empty_items_list_is_not_found() -> None:
    with aioresponses() as mocked:
        mocked.get(CHANNELS, payload={**fixture("channels_empty.json"), "items": []})
        with pytest.raises(ProviderNotFound):
            fetch("@nobody-here")


def test_channel_not_found_error_is_not_found() -> None:
    with aioresponses() as mocked:
        mocked.get(CHANNELS, status=403, payload=fixture("channel_not_found.json"))
        with pytest.raises(ProviderNotFound, match="channelNotFound"):
            fetch()


@time_machine.travel(datetime(2025, 1, 15, 20, 0, tzinfo=UTC), tick=False)
def test_quota_exceeded_waits_until_midnight_pacific() -> None:
    # 20:00 UTC is 12:00 PST; the quota resets at 00:00 PST = 08:00 UTC next day.
    with aioresponses() as mocked:
        mocked.get(CHANNELS, status=403, payload=fixture("quota_exceeded.json"))
        with pytest.raises(ProviderRateLimited, match="quota") as caught:
            fetch()
    assert caught.value.retry_after == 12 * 3600


@time_machine.travel(datetime(2025, 7, 1, 6, 30, tzinfo=UTC), tick=False)
def test_rate_limit_exceeded_also_waits_until_midnight_pacific() -> None:
    body = fixture("quota_exceeded.json")
    body["error"]["errors"][0]["reason"] = "rateLimitExceeded"
    with aioresponses() as mocked:
        mocked.get(CHANNELS, status=403, payload=body)
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    # 06:30 UTC is 23:30 PDT: half an hour to midnight.
    assert caught.value.retry_after == 1800


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2025, 3, 9, 7, 59, tzinfo=UTC), 60.0),  # 23:59 PST
        (datetime(2025, 3, 9, 8, 30, tzinfo=UTC), 22.5 * 3600),  # spring forward: 23 h day
        (datetime(2025, 11, 2, 7, 0, tzinfo=UTC), 25 * 3600),  # fall back: 25 h day
        (datetime(2025, 6, 1, 7, 0, tzinfo=UTC), 24 * 3600),  # 00:00 PDT exactly
    ],
)
def test_seconds_until_quota_reset_follows_pacific_daylight_time(
    now: datetime, expected: float
) -> None:
    assert seconds_until_quota_reset(now) == expected


@pytest.mark.parametrize(
    ("status", "name"),
    [(400, "key_invalid.json"), (400, "api_key_not_valid.json"), (403, "forbidden.json")],
)
def test_bad_key_and_other_refusals_are_permanent(status: int, name: str) -> None:
    with aioresponses() as mocked:
        mocked.get(CHANNELS, status=status, payload=fixture(name))
        with pytest.raises(ProviderPermanent, match=f"HTTP {status}"):
            fetch()


def test_plain_http_429_uses_the_header_delay() -> None:
    with aioresponses() as mocked:
        mocked.get(CHANNELS, status=429, body="", headers={"Retry-After": "45"})
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 45


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_transient(status: int) -> None:
    body = fixture("backend_error.json")
    body["error"]["code"] = status
    with aioresponses() as mocked:
        mocked.get(CHANNELS, status=status, payload=body)
        with pytest.raises(ProviderTransient):
            fetch()


def test_timeout_is_transient() -> None:
    with aioresponses() as mocked:
        mocked.get(CHANNELS, exception=TimeoutError())
        with pytest.raises(ProviderTransient, match="timed out"):
            fetch()


def _channel(**statistics: Any) -> str:
    return json.dumps(
        {"kind": "youtube#channelListResponse", "items": [{"id": CHANNEL_ID, **statistics}]}
    )


@pytest.mark.parametrize(
    "body",
    [
        "<html>Bad gateway</html>",
        json.dumps(["not", "an", "object"]),
        json.dumps({"items": {"id": CHANNEL_ID}}),
        json.dumps({"items": ["not an object"]}),
        _channel(),
        _channel(statistics="none"),
        _channel(statistics={"viewCount": "12", "videoCount": "3"}),
        _channel(statistics={"viewCount": "many", "subscriberCount": "1", "videoCount": "3"}),
        _channel(statistics={"viewCount": "-5", "subscriberCount": "1", "videoCount": "3"}),
        _channel(statistics={"subscriberCount": "1", "videoCount": "3"}),
    ],
)
def test_malformed_body_is_permanent(body: str) -> None:
    with aioresponses() as mocked:
        mocked.get(CHANNELS, status=200, body=body, content_type="application/json")
        with pytest.raises(ProviderPermanent):
            fetch()


def test_terms_forbid_blending() -> None:
    assert YouTube.terms.may_blend is False


def test_replay_routes_answer_the_found_and_missing_handles() -> None:
    replay = load_replay("youtube")
    with replay_server("youtube") as base:
        assert fetch(replay["found_handle"], base=base).metrics == replay["expected_metrics"]
        with pytest.raises(ProviderNotFound):
            fetch(replay["missing_handle"], base=base)
