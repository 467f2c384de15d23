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

``profile_read_in_process`` reads one account's public profile texts (for a proof code)
the same way: the same client, guard, rate limit and concurrency cap.

``fetch_in_process`` runs ``fetch_many`` on one event loop per worker process (a
thread of its own) with the concurrency caps shared by every batch in the process:
a worker running tasks in threads (``celery worker --pool=threads``) fetches one
batch while another writes its snapshots or scores, and still has at most
RENOWN_PROVIDER_CONCURRENCY requests open per provider.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from yarl import URL

from renown.http import Gate, HttpClient
from scoring import conf, providers
from scoring.providers.base import (
    Observation,
    ProfileReader,
    Provider,
    ProviderError,
    ProviderPermanent,
    ProviderRateLimited,
    PublicProfile,
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


def rate_gate(limiter: ProviderRateLimiter, network: str) -> Gate:
    """The gate that holds a client's requests to ``network``'s rate (see HttpClient.gated)."""

    async def gate(url: URL) -> None:
        await limiter.acquire(network, url.host or "")

    return gate


async def fetch_many(
    jobs: Sequence[FetchJob],
    *,
    max_wait: float | None = None,
    caps: Mapping[str, asyncio.Semaphore] | None = None,
) -> dict[int, FetchOutcome]:
    """Fetch every job; returns each account's Observation or the typed error it ended in.

    ``caps`` are concurrency caps shared with other calls on the same loop (by network);
    a network without one gets its own, of its configured size.
    """
    wait = conf.get("RENOWN_FETCH_MAX_WAIT_SECONDS") if max_wait is None else max_wait
    networks = sorted({job.network for job in jobs})
    limits = {
        network: (caps or {}).get(network) or asyncio.Semaphore(_concurrency(network))
        for network in networks
    }
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
                gated = client.gated(rate_gate(limiter, network))
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


class _ProcessLoop:
    """One event loop per process, in a daemon thread, and its shared concurrency caps."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._caps: dict[tuple[str, int], asyncio.Semaphore] = {}

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            # A forked child inherits the object but not the thread: start its own.
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="renown-fetch-loop", daemon=True
                ).start()
                self._loop, self._pid, self._caps = loop, os.getpid(), {}
            return self._loop

    def caps(self, networks: Sequence[str]) -> dict[str, asyncio.Semaphore]:
        """The process's cap of each network (a new one when its setting changed)."""
        with self._lock:
            found = {}
            for network in networks:
                key = (network, _concurrency(network))
                if key not in self._caps:
                    self._caps[key] = asyncio.Semaphore(key[1])
                found[network] = self._caps[key]
            return found


_process = _ProcessLoop()


def fetch_in_process(jobs: Sequence[FetchJob]) -> dict[int, FetchOutcome]:
    """``fetch_many`` on the process's fetch loop, its caps shared by concurrent callers.

    Blocks the calling thread (which keeps the database work) until every job is done.
    """
    if not jobs:
        return {}
    loop = _process.loop()
    caps = _process.caps(sorted({job.network for job in jobs}))
    future = asyncio.run_coroutine_threadsafe(fetch_many(jobs, caps=caps), loop)
    try:
        return future.result()
    except BaseException:
        future.cancel()  # a task's time limit: stop its requests too
        raise


async def profile_read(
    network: str, handle: str, *, cap: asyncio.Semaphore | None = None
) -> PublicProfile:
    """One account's public profile texts through its provider (ProviderError when not).

    The request passes the same HTTP client (timeouts, SSRF guard) and the same rate
    limit as every fetch; a network whose provider reads no profile, or is switched
    off, is ProviderPermanent.
    """
    async with (
        cap or asyncio.Semaphore(_concurrency(network)),
        HttpClient() as client,
        ProviderRateLimiter() as limiter,
    ):
        try:
            provider = providers.get_provider(
                network, client=client.gated(rate_gate(limiter, network))
            )
        except providers.ProviderDisabled as exc:
            raise ProviderPermanent(str(exc)) from None
        if not isinstance(provider, ProfileReader):
            raise ProviderPermanent(f"{network}: its provider reads no profile texts")
        return await provider.public_profile(handle)


def profile_read_in_process(network: str, handle: str) -> PublicProfile:
    """``profile_read`` on the process's fetch loop, under the network's shared cap.

    Blocks the calling thread (a page's request) until the answer or the provider's error.
    """
    loop = _process.loop()
    cap = _process.caps([network])[network]
    future = asyncio.run_coroutine_threadsafe(profile_read(network, handle, cap=cap), loop)
    try:
        return future.result()
    except BaseException:
        future.cancel()
        raise
