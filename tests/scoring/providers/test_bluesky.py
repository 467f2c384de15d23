"""Bluesky adapter against recorded AppView responses in the documented shapes."""

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
from scoring.providers.bluesky import Bluesky

FIXTURES = Path(__file__).parent / "fixtures" / "bluesky"
BASE = "https://appview.test"
PROFILE = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.actor\.getProfile\?.*$")
FEED = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.feed\.getAuthorFeed\?.*$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def fetch(handle: str = "alice.test") -> Any:
    async def run() -> Any:
        async with HttpClient() as client:
            return await Bluesky(base_url=BASE, client=client).fetch(handle)

    return asyncio.run(run())


def test_found_profile_maps_to_canonical_metrics() -> None:
    with aioresponses() as mocked:
        mocked.get(PROFILE, payload=fixture("get_profile.json"))
        mocked.get(FEED, payload=fixture("get_author_feed.json"))
        observation = fetch()
    assert observation.metrics == {
        "followers": 1520,
        "following": 301,
        "posts": 4,
        # the reposted item (with a "reason") is someone else's post and is left out
        "engagement": {
            "posts_sampled": 2,
            "likes_per_post": 1.5,
            "reposts_per_post": 0.5,
            "replies_per_post": 1.0,
        },
        "account_created": "2023-04-12T04:53:57.057000+00:00",
    }
    assert observation.observed_at.tzinfo is not None


def test_request_asks_for_the_actor_and_original_posts() -> None:
    with aioresponses() as mocked:
        mocked.get(PROFILE, payload=fixture("get_profile.json"))
        mocked.get(FEED, payload=fixture("get_author_feed.json"))
        fetch("alice.test")
        requested = [str(url) for (_, url) in mocked.requests]
    assert any("getProfile?actor=alice.test" in url for url in requested)
    feed_url = next(url for url in requested if "getAuthorFeed" in url)
    assert "filter=posts_no_replies" in feed_url
    assert "limit=30" in feed_url


def test_profile_not_found_is_http_400_invalid_request() -> None:
    with aioresponses() as mocked:
        mocked.get(PROFILE, status=400, payload=fixture("profile_not_found.json"))
        with pytest.raises(ProviderNotFound, match="Profile not found"):
            fetch("nobody.test")


def test_malformed_actor_is_permanent_not_missing() -> None:
    with aioresponses() as mocked:
        mocked.get(PROFILE, status=400, payload=fixture("invalid_actor.json"))
        with pytest.raises(ProviderPermanent):
            fetch("bad..handle")


def test_rate_limited_uses_ratelimit_reset_header() -> None:
    with aioresponses() as mocked:
        mocked.get(
            PROFILE,
            status=429,
            payload=fixture("rate_limited.json"),
            headers={
                "RateLimit-Limit": "3000",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": "4102444800",  # 2100-01-01, epoch seconds
                "RateLimit-Policy": "3000;w=300",
            },
        )
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after > 60 * 60 * 24 * 365


def test_rate_limited_prefers_retry_after_seconds() -> None:
    with aioresponses() as mocked:
        mocked.get(
            PROFILE, status=429, payload=fixture("rate_limited.json"), headers={"Retry-After": "17"}
        )
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 17


@pytest.mark.parametrize(
    ("status", "name"),
    [(500, "internal_error.json"), (502, "upstream_failure.json"), (503, "upstream_failure.json")],
)
def test_server_errors_are_transient(status: int, name: str) -> None:
    with aioresponses() as mocked:
        mocked.get(PROFILE, status=status, payload=fixture(name))
        with pytest.raises(ProviderTransient):
            fetch()


def test_timeout_is_transient() -> None:
    with aioresponses() as mocked:
        mocked.get(PROFILE, exception=TimeoutError())
        with pytest.raises(ProviderTransient, match="timed out"):
            fetch()


@pytest.mark.parametrize(
    "body",
    [
        "<html>Bad gateway</html>",
        json.dumps(["not", "an", "object"]),
        json.dumps({"did": "did:plc:x", "handle": "a.test", "followersCount": "many"}),
        json.dumps({"displayName": "no did or handle"}),
    ],
)
def test_malformed_profile_body_is_permanent(body: str) -> None:
    with aioresponses() as mocked:
        mocked.get(PROFILE, status=200, body=body, content_type="application/json")
        mocked.get(FEED, payload=fixture("get_author_feed.json"))
        with pytest.raises(ProviderPermanent):
            fetch()


def test_feed_without_feed_array_is_permanent() -> None:
    with aioresponses() as mocked:
        mocked.get(PROFILE, payload=fixture("get_profile.json"))
        mocked.get(FEED, payload={"cursor": "x"})
        with pytest.raises(ProviderPermanent, match="feed array"):
            fetch()


def test_empty_feed_gives_zero_engagement() -> None:
    with aioresponses() as mocked:
        mocked.get(PROFILE, payload=fixture("get_profile.json"))
        mocked.get(FEED, payload={"feed": []})
        observation = fetch()
    assert observation.metrics["engagement"] == {
        "posts_sampled": 0,
        "likes_per_post": 0.0,
        "reposts_per_post": 0.0,
        "replies_per_post": 0.0,
    }
