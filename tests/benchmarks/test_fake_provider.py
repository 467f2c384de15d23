"""The stand-in provider answers every adapter in its API's shape, faults included."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.fake_provider import Faults, serve_in_thread
from renown.http import HttpClient
from scoring import providers
from scoring.providers.base import (
    Observation,
    ProviderNotFound,
    ProviderPermanent,
    ProviderRateLimited,
    ProviderTransient,
)

HANDLES = {
    "bluesky": ("ada.demo.invalid", "missing.demo.invalid"),
    "mastodon": ("ada@social.example", "missing@social.example"),
    "github": ("demo-ada", "demo-missing"),
    "stackexchange": ("stackoverflow:4242", None),
    "hackernews": ("demo_ada", "demo_missing"),
    "youtube": ("@demo-ada", "@demo-missing"),
    "openalex": ("A5000000001", None),
    "openlibrary": ("OL1000001A", None),
    "orcid": ("0000-0002-1825-0097", None),
}


@pytest.fixture
def stand_in(settings: Any) -> Iterator[str]:
    with serve_in_thread() as url:
        settings.RENOWN_ALLOW_PRIVATE_HOSTS = True
        settings.RENOWN_YOUTUBE_API_KEY = "stand-in"
        for network in HANDLES:
            setattr(settings, f"RENOWN_PROVIDER_URL_{network.upper()}", url)
        yield url


def fetch(network: str, handle: str) -> Observation:
    async def run() -> Observation:
        async with HttpClient() as client:
            return await providers.get_provider(network, client=client).fetch(handle)

    return asyncio.run(run())


@pytest.mark.parametrize("network", sorted(HANDLES))
def test_every_adapter_reads_the_stand_in(network: str, stand_in: str) -> None:
    found, _ = HANDLES[network]
    first = fetch(network, found)
    assert first.metrics
    assert first.metrics == fetch(network, found).metrics  # the same person every time


@pytest.mark.parametrize("network", ["bluesky", "mastodon", "github", "hackernews", "youtube"])
def test_missing_people_are_not_found_the_apis_own_way(network: str, stand_in: str) -> None:
    _, missing = HANDLES[network]
    with pytest.raises(ProviderNotFound):
        fetch(network, missing)


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        (Faults(error_rate=1.0), ProviderTransient),
        (Faults(rate_limit_rate=1.0, retry_after=7), ProviderRateLimited),
        (Faults(malformed_rate=1.0), ProviderPermanent),
        (Faults(timeout_rate=1.0, timeout_seconds=2.0), ProviderTransient),
    ],
)
def test_faults_map_to_the_typed_errors(
    faults: Faults, error: type[Exception], settings: Any
) -> None:
    settings.RENOWN_ALLOW_PRIVATE_HOSTS = True
    settings.RENOWN_HTTP_TIMEOUT_SECONDS = 0.5
    with serve_in_thread(faults) as url:
        settings.RENOWN_PROVIDER_URL_BLUESKY = url
        with pytest.raises(error) as caught:
            fetch("bluesky", "ada.demo.invalid")
    if isinstance(caught.value, ProviderRateLimited):
        assert caught.value.retry_after == 7
