"""Mastodon adapter against recorded instance responses in the documented shapes."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
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
from scoring.providers.mastodon import Mastodon

FIXTURES = Path(__file__).parent / "fixtures" / "mastodon"
ACCOUNT_ID = "109302447239475211"
LOOKUP = re.compile(r"^https://mastodon\.example/api/v1/accounts/lookup\?.*$")
STATUSES = re.compile(rf"^https://mastodon\.example/api/v1/accounts/{ACCOUNT_ID}/statuses\?.*$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def fetch(handle: str = "alice@mastodon.example", base_url: str | None = None) -> Any:
    async def run() -> Any:
        async with HttpClient() as client:
            return await Mastodon(base_url=base_url, client=client).fetch(handle)

    return asyncio.run(run())


def test_found_account_maps_to_canonical_metrics() -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, payload=fixture("lookup.json"))
        mocked.get(STATUSES, payload=fixture("statuses.json"))
        observation = fetch()
    assert observation.metrics == {
        "followers": 2417,
        "following": 388,
        "posts": 5120,
        # a self-reply (a thread) is the author's own post and stays in the sample
        "engagement": {
            "posts_sampled": 3,
            "likes_per_post": 5.33,
            "reposts_per_post": 2.33,
            "replies_per_post": 2.0,
        },
        "account_created": "2022-11-07T00:00:00+00:00",
    }
    assert observation.observed_at.tzinfo is not None


def test_requests_go_to_the_handles_own_instance() -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, payload=fixture("lookup.json"))
        mocked.get(STATUSES, payload=fixture("statuses.json"))
        fetch("alice@mastodon.example")
        requested = [str(url) for (_, url) in mocked.requests]
    assert requested[0] == "https://mastodon.example/api/v1/accounts/lookup?acct=alice"
    statuses_url = requested[1]
    assert statuses_url.startswith(
        f"https://mastodon.example/api/v1/accounts/{ACCOUNT_ID}/statuses?"
    )
    assert "exclude_replies=true" in statuses_url
    assert "exclude_reblogs=true" in statuses_url
    assert "limit=40" in statuses_url


def test_configured_base_url_replaces_the_instance() -> None:
    base = "http://127.0.0.1:8765"
    with aioresponses() as mocked:
        mocked.get(
            re.compile(r"^http://127\.0\.0\.1:8765/api/v1/accounts/lookup\?acct=alice$"),
            payload=fixture("lookup.json"),
        )
        mocked.get(
            re.compile(rf"^http://127\.0\.0\.1:8765/api/v1/accounts/{ACCOUNT_ID}/statuses\?.*$"),
            payload=fixture("statuses.json"),
        )
        observation = fetch("alice@mastodon.example", base_url=base)
        hosts = {url.host for (_, url) in mocked.requests}
    assert hosts == {"127.0.0.1"}
    assert observation.metrics["followers"] == 2417


def test_unknown_account_is_404_record_not_found() -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, status=404, payload=fixture("not_found.json"))
        with pytest.raises(ProviderNotFound):
            fetch("nobody@mastodon.example")


def test_suspended_account_410_gone_is_not_found() -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, status=410, body="")
        with pytest.raises(ProviderNotFound, match="suspended"):
            fetch()


def test_suspended_account_flag_is_not_found_without_fetching_statuses() -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, payload=fixture("suspended.json"))
        with pytest.raises(ProviderNotFound, match="suspended"):
            fetch("mallory@mastodon.example")
        assert len(mocked.requests) == 1


def test_account_gone_between_lookup_and_statuses_is_not_found() -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, payload=fixture("lookup.json"))
        mocked.get(STATUSES, status=404, payload=fixture("not_found.json"))
        with pytest.raises(ProviderNotFound):
            fetch()


def test_rate_limited_waits_until_the_iso_reset_time() -> None:
    # Mastodon's rack-attack responder sends the reset as iso8601(6) in UTC.
    reset = (datetime.now(tz=UTC) + timedelta(seconds=150)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with aioresponses() as mocked:
        mocked.get(
            LOOKUP,
            status=429,
            payload=fixture("rate_limited.json"),
            headers={
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset,
            },
        )
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert 145 < caught.value.retry_after <= 150


def test_rate_limited_on_statuses_too() -> None:
    reset = (datetime.now(tz=UTC) + timedelta(seconds=90)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with aioresponses() as mocked:
        mocked.get(LOOKUP, payload=fixture("lookup.json"))
        mocked.get(
            STATUSES,
            status=429,
            payload=fixture("rate_limited.json"),
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
        )
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert 85 < caught.value.retry_after <= 90


def test_instance_requiring_authentication_is_permanent() -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, status=401, payload=fixture("unauthenticated.json"))
        with pytest.raises(ProviderPermanent):
            fetch()


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (500, "temporary_problem.json"),
        (502, "remote_fetch_failed.json"),
        (503, "temporary_problem.json"),
    ],
)
def test_server_errors_are_transient(status: int, name: str) -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, status=status, payload=fixture(name))
        with pytest.raises(ProviderTransient):
            fetch()


def test_timeout_is_transient() -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, exception=TimeoutError())
        with pytest.raises(ProviderTransient, match="timed out"):
            fetch()


@pytest.mark.parametrize(
    "body",
    [
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        json.dumps(["not", "an", "account"]),
        json.dumps({"username": "alice", "followers_count": 1}),  # no id
        json.dumps({"id": "../../admin", "username": "alice"}),  # not an id: never in a path
        json.dumps({"id": ACCOUNT_ID, "username": "alice", "followers_count": "many"}),
        json.dumps({"id": ACCOUNT_ID, "username": "alice", "statuses_count": -1}),
    ],
)
def test_malformed_account_body_is_permanent(body: str) -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, status=200, body=body, content_type="application/json")
        mocked.get(STATUSES, payload=fixture("statuses.json"))
        with pytest.raises(ProviderPermanent):
            fetch()


@pytest.mark.parametrize(
    "body",
    [
        "not json at all",
        json.dumps(fixture("not_found.json")),  # an object where an array belongs
        json.dumps([{"id": "1", "reblog": None, "favourites_count": "lots"}]),
        json.dumps([{"id": "1", "reblog": None, "replies_count": -4}]),
    ],
)
def test_malformed_statuses_body_is_permanent(body: str) -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, payload=fixture("lookup.json"))
        mocked.get(STATUSES, status=200, body=body, content_type="application/json")
        with pytest.raises(ProviderPermanent):
            fetch()


def test_handle_without_instance_is_permanent() -> None:
    with aioresponses(), pytest.raises(ProviderPermanent):
        fetch("alice")


def test_boosts_are_left_out_even_if_the_server_returns_them() -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, payload=fixture("lookup.json"))
        mocked.get(STATUSES, payload=fixture("statuses_with_boost.json"))
        observation = fetch()
    assert observation.metrics["engagement"] == {
        "posts_sampled": 1,
        "likes_per_post": 10.0,
        "reposts_per_post": 2.0,
        "replies_per_post": 4.0,
    }


def test_no_statuses_gives_zero_engagement() -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, payload=fixture("lookup.json"))
        mocked.get(STATUSES, payload=[])
        observation = fetch()
    assert observation.metrics["engagement"] == {
        "posts_sampled": 0,
        "likes_per_post": 0.0,
        "reposts_per_post": 0.0,
        "replies_per_post": 0.0,
    }


def test_replay_file_matches_the_fixtures() -> None:
    replay = fixture("replay.json")
    found = next(
        r for r in replay["routes"] if r["path"].endswith("/lookup") and r["status"] == 200
    )
    statuses = next(r for r in replay["routes"] if r["path"].endswith("/statuses"))
    with aioresponses() as mocked:
        mocked.get(LOOKUP, payload=fixture(found["file"]))
        mocked.get(STATUSES, payload=fixture(statuses["file"]))
        observation = fetch(replay["found_handle"])
    assert observation.metrics == replay["expected_metrics"]
