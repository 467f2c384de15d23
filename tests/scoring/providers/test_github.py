"""GitHub adapter against recorded REST API responses in the documented shapes."""

from __future__ import annotations

import asyncio
import json
import re
import time
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
from scoring.providers.github import MAX_PAGES, GitHub

FIXTURES = Path(__file__).parent / "fixtures" / "github"
BASE = "https://api.github.test"
USER = re.compile(r"^https://api\.github\.test/users/octocat$")
REPOS = re.compile(r"^https://api\.github\.test/users/octocat/repos\?.*$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def fetch(handle: str = "octocat") -> Any:
    async def run() -> Any:
        async with HttpClient() as client:
            return await GitHub(base_url=BASE, client=client).fetch(handle)

    return asyncio.run(run())


def full_page(stars: int) -> list[dict[str, Any]]:
    """A page of 100 own repositories, each a copy of the recorded Hello-World."""
    template = fixture("repos.json")[0]
    return [{**template, "id": 5_000_000 + i, "stargazers_count": stars} for i in range(100)]


def test_found_user_maps_to_canonical_metrics() -> None:
    with aioresponses() as mocked:
        mocked.get(USER, payload=fixture("user.json"))
        mocked.get(REPOS, payload=fixture("repos.json"))
        observation = fetch()
    assert observation.metrics == {
        "followers": 20,
        "following": 0,
        "public_repos": 3,
        # Hello-World 2650 + Spoon-Knife 12800; the fork "linguist" (190) is left out
        "stars": 15450,
        "account_created": "2011-01-25T18:44:36+00:00",
    }
    assert observation.observed_at.tzinfo is not None


def test_requests_send_api_version_and_ask_for_owned_repos() -> None:
    with aioresponses() as mocked:
        mocked.get(USER, payload=fixture("user.json"))
        mocked.get(REPOS, payload=fixture("repos.json"))
        fetch()
        calls = {str(url): call for (_, url), [call] in mocked.requests.items()}
    user_url, repos_url = list(calls)
    assert user_url == f"{BASE}/users/octocat"
    assert "type=owner" in repos_url
    assert "per_page=100" in repos_url
    assert "page=1" in repos_url
    for call in calls.values():
        headers = call.kwargs["headers"]
        assert headers["Accept"] == "application/vnd.github+json"
        assert headers["X-GitHub-Api-Version"] == "2022-11-28"
        assert "Authorization" not in headers


def test_token_is_sent_only_when_set(settings: Any) -> None:
    settings.RENOWN_GITHUB_TOKEN = "github_pat_11AAAAAAA0test"
    with aioresponses() as mocked:
        mocked.get(USER, payload=fixture("user.json"))
        mocked.get(REPOS, payload=fixture("repos.json"))
        fetch()
        calls = [call for [call] in mocked.requests.values()]
    assert all(
        call.kwargs["headers"]["Authorization"] == "Bearer github_pat_11AAAAAAA0test"
        for call in calls
    )


def test_organisation_account_is_still_fetched() -> None:
    with aioresponses() as mocked:
        mocked.get(
            re.compile(r"^https://api\.github\.test/users/octokit-fixture-org$"),
            payload=fixture("organization.json"),
        )
        mocked.get(
            re.compile(r"^https://api\.github\.test/users/octokit-fixture-org/repos\?.*$"),
            payload=fixture("org_repos.json"),
        )
        observation = fetch("octokit-fixture-org")
    assert observation.metrics == {
        "followers": 7,
        "following": 0,
        "public_repos": 1,
        "stars": 42,
        "account_created": "2017-10-10T16:00:00+00:00",
    }


def test_pagination_stops_at_a_short_page() -> None:
    with aioresponses() as mocked:
        mocked.get(USER, payload=fixture("user.json"))
        mocked.get(REPOS, payload=full_page(stars=1))
        mocked.get(REPOS, payload=fixture("repos.json"))
        observation = fetch()
        pages = [str(url) for (_, url) in mocked.requests if "/repos" in str(url)]
    assert observation.metrics["stars"] == 100 + 15450
    assert len(pages) == 2
    assert "page=2" in pages[1]


def test_pagination_is_bounded() -> None:
    with aioresponses() as mocked:
        mocked.get(USER, payload=fixture("user.json"))
        mocked.get(REPOS, payload=full_page(stars=2), repeat=True)
        observation = fetch()
        pages = [url for (_, url) in mocked.requests if "/repos" in str(url)]
    assert len(pages) == MAX_PAGES == 5
    assert observation.metrics["stars"] == 5 * 100 * 2


def test_unknown_user_is_404() -> None:
    with aioresponses() as mocked:
        mocked.get(
            re.compile(r"^https://api\.github\.test/users/no-such-user-7f3a9c$"),
            status=404,
            payload=fixture("not_found.json"),
        )
        with pytest.raises(ProviderNotFound):
            fetch("no-such-user-7f3a9c")


@pytest.mark.parametrize("status", [403, 429])
def test_primary_rate_limit_waits_until_reset(status: int) -> None:
    reset = int(time.time()) + 300
    with aioresponses() as mocked:
        mocked.get(
            USER,
            status=status,
            payload=fixture("rate_limited.json"),
            headers={
                "x-ratelimit-limit": "60",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-used": "60",
                "x-ratelimit-reset": str(reset),
                "x-ratelimit-resource": "core",
            },
        )
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert 295 < caught.value.retry_after <= 300


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limit_uses_retry_after(status: int) -> None:
    with aioresponses() as mocked:
        mocked.get(
            USER,
            status=status,
            payload=fixture("secondary_rate_limited.json"),
            headers={"retry-after": "17", "x-ratelimit-remaining": "4980"},
        )
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 17


def test_secondary_rate_limit_without_headers_waits_a_minute() -> None:
    with aioresponses() as mocked:
        mocked.get(USER, status=403, payload=fixture("secondary_rate_limited.json"))
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 60


def test_rate_limited_on_a_repos_page_too() -> None:
    reset = int(time.time()) + 120
    with aioresponses() as mocked:
        mocked.get(USER, payload=fixture("user.json"))
        mocked.get(
            REPOS,
            status=403,
            payload=fixture("rate_limited.json"),
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
        )
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert 115 < caught.value.retry_after <= 120


def test_other_403_is_permanent() -> None:
    with aioresponses() as mocked:
        mocked.get(
            USER,
            status=403,
            payload=fixture("forbidden.json"),
            headers={"x-ratelimit-remaining": "4999", "x-ratelimit-reset": "4102444800"},
        )
        with pytest.raises(ProviderPermanent) as caught:
            fetch()
    assert not isinstance(caught.value, ProviderRateLimited)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(status: int) -> None:
    with aioresponses() as mocked:
        mocked.get(USER, status=status, payload=fixture("server_error.json"))
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
        "<html><body>Unicorn! This page is taking too long to load.</body></html>",
        json.dumps(["not", "a", "user"]),
        json.dumps({"id": 583231, "followers": 20}),  # no login
        json.dumps({"login": "octocat", "followers": "twenty"}),
        json.dumps({"login": "octocat", "public_repos": -1}),
    ],
)
def test_malformed_user_body_is_permanent(body: str) -> None:
    with aioresponses() as mocked:
        mocked.get(USER, status=200, body=body, content_type="application/json")
        mocked.get(REPOS, payload=fixture("repos.json"))
        with pytest.raises(ProviderPermanent):
            fetch()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps(fixture("not_found.json")),  # an object where an array belongs
        json.dumps(["octocat/Hello-World"]),  # an array of something else
        json.dumps([{"name": "Hello-World", "fork": False, "stargazers_count": "many"}]),
        json.dumps([{"name": "Hello-World", "fork": False, "stargazers_count": -3}]),
    ],
)
def test_malformed_repos_body_is_permanent(body: str) -> None:
    with aioresponses() as mocked:
        mocked.get(USER, payload=fixture("user.json"))
        mocked.get(REPOS, status=200, body=body, content_type="application/json")
        with pytest.raises(ProviderPermanent):
            fetch()


def test_no_repositories_gives_zero_stars() -> None:
    with aioresponses() as mocked:
        mocked.get(USER, payload=fixture("user.json"))
        mocked.get(REPOS, payload=[])
        observation = fetch()
    assert observation.metrics["stars"] == 0


def test_replay_file_matches_the_fixtures() -> None:
    replay = fixture("replay.json")
    by_path = {r["path"]: r for r in replay["routes"]}
    handle = replay["found_handle"]
    with aioresponses() as mocked:
        mocked.get(USER, payload=fixture(by_path[f"/users/{handle}"]["file"]))
        mocked.get(REPOS, payload=fixture(by_path[f"/users/{handle}/repos"]["file"]))
        observation = fetch(handle)
    assert observation.metrics == replay["expected_metrics"]
