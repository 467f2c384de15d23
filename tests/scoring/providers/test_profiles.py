"""Public profile texts (for proof codes) from Mastodon, Bluesky and GitHub, against recorded
responses in the documented shapes, and their failures as the typed errors."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses
from yarl import URL

from renown.http import HttpClient
from scoring.fetching import profile_read
from scoring.providers.base import (
    ProfileText,
    ProviderNotFound,
    ProviderPermanent,
    ProviderRateLimited,
    PublicProfile,
)
from scoring.providers.bluesky import Bluesky
from scoring.providers.github import GitHub
from scoring.providers.mastodon import Mastodon

FIXTURES = Path(__file__).parent / "fixtures"
LOOKUP = re.compile(r"^https://mastodon\.example/api/v1/accounts/lookup\?acct=alice$")
PROFILE = re.compile(
    r"^https://appview\.test/xrpc/app\.bsky\.actor\.getProfile\?actor=alice\.test$"
)
USER = "https://api.github.test/users/octocat"


def fixture(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text())


def read(provider: type[Mastodon | Bluesky | GitHub], handle: str, base: str | None) -> Any:
    async def run() -> PublicProfile:
        async with HttpClient() as client:
            return await provider(base_url=base, client=client).public_profile(handle)

    return asyncio.run(run())


def test_mastodon_gives_the_bio_and_every_field_as_served() -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, payload=fixture("mastodon/lookup_with_proof.json"))
        profile = read(Mastodon, "alice@mastodon.example", None)
    assert profile.handle == "alice@mastodon.example"
    assert [(t.where, t.label, t.link_verified) for t in profile.texts] == [
        ("note", "the bio", False),
        ("field", "the profile field “Homepage”", True),
        ("field", "the profile field “Renown”", True),
    ]
    assert "RENOWN-K7QXM2VD4P" in profile.texts[0].text
    assert 'href="https://renown.example/proof/renown-k7qxm2vd4p/"' in profile.texts[2].text


def test_mastodon_profile_without_fields_gives_the_bio_only() -> None:
    body = {**fixture("mastodon/lookup.json"), "fields": []}
    with aioresponses() as mocked:
        mocked.get(LOOKUP, payload=body)
        profile = read(Mastodon, "alice@mastodon.example", None)
    assert profile.texts == (
        ProfileText("note", "the bio", "<p>Compilers, type systems and long walks.</p>"),
    )


def test_mastodon_field_without_a_text_value_is_malformed() -> None:
    body = {**fixture("mastodon/lookup.json"), "fields": [{"name": "x", "value": 3}]}
    with aioresponses() as mocked:
        mocked.get(LOOKUP, payload=body)
        with pytest.raises(ProviderPermanent):
            read(Mastodon, "alice@mastodon.example", None)


@pytest.mark.parametrize(
    ("status", "name", "error"),
    [
        (404, "mastodon/not_found.json", ProviderNotFound),
        (200, "mastodon/suspended.json", ProviderNotFound),
        (429, "mastodon/rate_limited.json", ProviderRateLimited),
    ],
    ids=["not-found", "suspended", "rate-limited"],
)
def test_mastodon_failures_are_typed(status: int, name: str, error: type[Exception]) -> None:
    with aioresponses() as mocked:
        mocked.get(LOOKUP, status=status, payload=fixture(name))
        with pytest.raises(error):
            read(Mastodon, "alice@mastodon.example", None)


def test_bluesky_gives_the_description() -> None:
    with aioresponses() as mocked:
        mocked.get(PROFILE, payload=fixture("bluesky/get_profile_with_proof.json"))
        profile = read(Bluesky, "alice.test", "https://appview.test")
    assert profile.handle == "alice.test"
    assert profile.texts == (
        ProfileText(
            "description", "the profile description", "its me! proof: renown-k7qxm2vd4p 👋"
        ),
    )


def test_bluesky_profile_without_description_has_no_text() -> None:
    body = fixture("bluesky/get_profile.json")
    del body["description"]
    with aioresponses() as mocked:
        mocked.get(PROFILE, payload=body)
        assert read(Bluesky, "alice.test", "https://appview.test").texts == ()


def test_bluesky_unknown_actor_is_not_found() -> None:
    with aioresponses() as mocked:
        mocked.get(PROFILE, status=400, payload=fixture("bluesky/profile_not_found.json"))
        with pytest.raises(ProviderNotFound):
            read(Bluesky, "alice.test", "https://appview.test")


@pytest.mark.parametrize(
    ("name", "texts"),
    [
        (
            "github/user_with_proof.json",
            (ProfileText("bio", "the bio", "There once was... (renown-k7qxm2vd4p)"),),
        ),
        ("github/user_without_bio.json", ()),
    ],
    ids=["bio", "null-bio"],
)
def test_github_gives_the_bio(name: str, texts: tuple[ProfileText, ...]) -> None:
    with aioresponses() as mocked:
        mocked.get(USER, payload=fixture(name))
        profile = read(GitHub, "octocat", "https://api.github.test")
    assert profile.handle == "octocat"
    assert profile.texts == texts


def test_github_rate_limit_is_typed() -> None:
    with aioresponses() as mocked:
        mocked.get(
            USER,
            status=403,
            payload=fixture("github/rate_limited.json"),
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "2000000000"},
        )
        with pytest.raises(ProviderRateLimited):
            read(GitHub, "octocat", "https://api.github.test")


def test_a_network_without_profile_texts_is_refused_before_any_request(settings: Any) -> None:
    with aioresponses() as mocked, pytest.raises(ProviderPermanent, match="reads no profile"):
        asyncio.run(profile_read("hackernews", "pg"))
    assert not mocked.requests


def test_profile_read_passes_the_provider_rate_limit(settings: Any) -> None:
    base = f"https://{uuid.uuid4().hex[:12]}.github.test"  # a window of its own
    settings.RENOWN_PROVIDER_URL_GITHUB = base
    settings.RENOWN_PROVIDER_RATE_GITHUB = "1/hour"
    with aioresponses() as mocked:
        mocked.get(
            f"{base}/users/octocat", payload=fixture("github/user_with_proof.json"), repeat=True
        )
        assert asyncio.run(profile_read("github", "octocat")).texts

        async def second() -> None:
            await asyncio.wait_for(profile_read("github", "octocat"), timeout=0.5)

        # The second request within the hour waits for the rate: it never leaves.
        with pytest.raises(TimeoutError):
            asyncio.run(second())
        assert len(mocked.requests[("GET", URL(f"{base}/users/octocat"))]) == 1
