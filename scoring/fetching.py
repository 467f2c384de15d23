"""Fetch many accounts concurrently (no database: the caller loads and stores).

Within one batch, requests run concurrently on one HTTP client, at most
RENOWN_PROVIDER_CONCURRENCY at a time per provider (open connections, per worker
process). Every request waits first for the provider's rate
(RENOWN_PROVIDER_RATE_<NETWORK>, ``scoring.rate_limit``), counted across all
workers when the counts are on Redis. Each provider also has a
rate budget that follows its own signals: a 429's Retry-After / reset header,
or a "backoff" hint on a successful answer, pauses every further request to
that provider until the time it named. A pause longer than the batch may wait
is not slept through: the affected accounts come back rate-limited for the
caller to retry later.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from yarl import URL

from renown.http import Gate, HttpClient
from scoring import conf, providers
from scoring.providers.base import (
    Observation,
    Provider,
    ProviderError,
    ProviderPermanent,
    ProviderRateLimited,
)
from scoring.rate_limit import ProviderRateLimiter


@dataclass(frozen=True)
class FetchJob:
    account_id: int
    network: str
    handle: str


FetchOutcome = Observation | ProviderError


class RateBudget:
    """One provider's pause: set from its rate-limit signals, honoured by every request."""

    def __init__(self, *, max_wait: float) -> None:
        self.max_wait = max_wait
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + max(0.0, seconds))

    async def wait(self, network: str) -> None:
        """Sleep out a short pause; raise ProviderRateLimited for one too long to wait here."""
        remaining = self._paused_until - time.monotonic()
        if remaining <= 0:
            return
        if remaining > self.max_wait:
            raise ProviderRateLimited(f"{network}: paused by its rate limit", retry_after=remaining)
        await asyncio.sleep(remaining)


def _concurrency(network: str) -> int:
    limits: Mapping[str, int] = conf.get("RENOWN_PROVIDER_CONCURRENCY_PER_NETWORK")
    return int(limits.get(network, conf.get("RENOWN_PROVIDER_CONCURRENCY")))


def _rate_gate(limiter: ProviderRateLimiter, network: str) -> Gate:
    async def gate(url: URL) -> None:
        await limiter.acquire(network, url.host or "")

    return gate


async def fetch_many(
    jobs: Sequence[FetchJob], *, max_wait: float | None = None
) -> dict[int, FetchOutcome]:
    """Fetch every job; returns each account's Observation or the typed error it ended in."""
    wait = conf.get("RENOWN_FETCH_MAX_WAIT_SECONDS") if max_wait is None else max_wait
    networks = sorted({job.network for job in jobs})
    limits = {network: asyncio.Semaphore(_concurrency(network)) for network in networks}
    budgets = {network: RateBudget(max_wait=wait) for network in networks}
    total_limit = sum(_concurrency(network) for network in networks) or 1
    results: dict[int, FetchOutcome] = {}
    async with (
        HttpClient(concurrency=total_limit) as client,
        ProviderRateLimiter() as limiter,
    ):
        instances: dict[str, Provider | ProviderError] = {}
        for network in networks:
            try:
                gated = client.gated(_rate_gate(limiter, network))
                instances[network] = providers.get_provider(network, client=gated)
            except providers.ProviderDisabled as exc:
                instances[network] = ProviderPermanent(str(exc))

        async def one(job: FetchJob) -> None:
            provider = instances[job.network]
            if isinstance(provider, ProviderError):
                results[job.account_id] = provider
                return
            budget = budgets[job.network]
            async with limits[job.network]:
                try:
                    await budget.wait(job.network)
                    observation = await provider.fetch(job.handle)
                except ProviderRateLimited as exc:
                    budget.pause(exc.retry_after)
                    results[job.account_id] = exc
                    return
                except ProviderError as exc:
                    results[job.account_id] = exc
                    return
            if observation.backoff_seconds:
                budget.pause(observation.backoff_seconds)
            results[job.account_id] = observation

        await asyncio.gather(*(one(job) for job in jobs))
    return results
