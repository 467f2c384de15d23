"""Requests per second per provider, held across every worker (the ``limits`` library).

Every provider request passes ``ProviderRateLimiter.acquire`` (the fetcher hands each
provider an ``HttpClient`` gated by it, so redirects count too). A provider's rate is
``RENOWN_PROVIDER_RATE_<NETWORK>``, a ``limits`` rate string such as ``"12/second"`` or
``"300/5 minutes"`` ("" for none beyond the concurrency cap), counted per host of the
network (one host for most providers; each instance for Mastodon, whose limits are
per instance). The window is a moving one, so no period of the rate's length ever holds
more than its count of requests.

Where the counts live is ``RENOWN_RATE_LIMIT_STORAGE_URL``; "" means the Celery broker
when it is Redis (every worker shares the counts), otherwise ``memory://``: counts per
worker process, so N workers together may send N times the rate (``renown.W040`` says
so).

On a shared storage each permit is a Redis round trip, so requests of one limiter that
wait for a permit of the same window at the same moment take their permits together:
one ``hit`` of cost N while no other is under way for that window (the requests that
asked meanwhile go in the next). Only requests already waiting are counted, each at the
time of the ``hit`` that grants it, just before it is sent, as a single permit would be:
no permit is taken ahead for a request that has not asked, so the window still holds
the requests as sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass
from types import TracebackType

from django.conf import settings
from limits import RateLimitItem, parse_many
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter as AsyncMovingWindow
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from scoring import conf

KEY_PREFIX = "renown-rate"
MEMORY_URL = "memory://"
_REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")
_RATE_PREFIX = "RENOWN_PROVIDER_RATE_"


class RateSettingError(ValueError):
    """A rate setting that is not one ``limits`` rate string."""


def parse_rate(value: object) -> RateLimitItem | None:
    """One provider's rate setting as a ``limits`` item; None for "" (no rate limit).

    Accepts a string ``limits`` parses to exactly one rate of at least one request
    (``"12/second"``, ``"12 per second"``, ``"300/5 minutes"``, ``"10000/day"``);
    raises RateSettingError otherwise.
    """
    if not isinstance(value, str):
        raise RateSettingError(f"is {type(value).__name__}, not a rate string")
    if not value.strip():
        return None
    try:
        items = parse_many(value)
    except ValueError:
        raise RateSettingError(
            f"is not a rate such as '12/second' or '300/5 minutes' ({value!r})"
        ) from None
    if len(items) != 1:
        raise RateSettingError("names more than one rate; give one, such as '12/second'")
    item = items[0]
    if item.amount < 1:
        raise RateSettingError("allows no request at all; '' switches the rate limit off")
    return item


def rate_problem(value: object) -> str | None:
    """The settings check's validator for a rate setting (renown.E020)."""
    try:
        parse_rate(value)
    except RateSettingError as exc:
        return str(exc)
    return None


def rate_setting(network: str) -> str:
    """The name of ``network``'s rate setting."""
    return f"{_RATE_PREFIX}{network.upper()}"


def provider_rate(network: str) -> RateLimitItem | None:
    """``network``'s rate from its setting (default: the provider's published limit)."""
    name = rate_setting(network)
    value = getattr(settings, name, conf.DEFAULTS.get(name, ""))
    return parse_rate(value)


def storage_url() -> str:
    """Where the counts live: the setting, else the broker when it is Redis, else memory."""
    url: str = getattr(settings, "RENOWN_RATE_LIMIT_STORAGE_URL", "")
    if url:
        return url
    broker = getattr(settings, "CELERY_BROKER_URL", None) or ""
    if isinstance(broker, str) and broker.startswith(_REDIS_SCHEMES):
        return broker
    return MEMORY_URL


def is_shared(url: str) -> bool:
    """Whether counts at ``url`` are shared by every worker (not one process's memory)."""
    return not url.startswith(("memory://", "async+memory://"))


# One in-memory window per process, whatever event loop a fetch runs on (the process's
# fetch loop, or asyncio.run in a command or test): the loop-bound async memory storage
# would start each loop afresh. Its calls never block: dictionary work under a lock.
_memory = MovingWindowRateLimiter(MemoryStorage())


@dataclass
class _Backend:
    """The async strategy on a shared storage, or None for the process's memory."""

    strategy: AsyncMovingWindow | None = None
    storage: RedisStorage | None = None


class _PermitBatch:
    """The requests of one limiter waiting for permits of one window, granted together.

    One task (``_grant``) runs while any wait: it takes as many permits as there are
    requests waiting (at most the rate's count) in one ``hit``, wakes that many, and goes
    on while more wait; over the rate it sleeps until the window frees a slot. A request
    cancelled while it waited is skipped; one cancelled after its permit was counted
    leaves the permit unused (the window counts a request that was never sent: never one
    more than the rate). A storage error fails every request waiting then.
    """

    def __init__(
        self, item: RateLimitItem, identifiers: tuple[str, ...], strategy: AsyncMovingWindow
    ) -> None:
        self.item = item
        self.identifiers = identifiers
        self.strategy = strategy
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._granter: asyncio.Task[None] | None = None

    async def acquire(self) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        if self._granter is None or self._granter.done():
            self._granter = asyncio.create_task(self._grant())
        await future

    def _live(self) -> int:
        while self._waiting and self._waiting[0].done():
            self._waiting.popleft()  # cancelled while it waited
        return sum(1 for future in self._waiting if not future.done())

    async def _grant(self) -> None:
        try:
            while wanted := min(self._live(), self.item.amount):
                granted = await take(
                    self.item, *self.identifiers, strategy=self.strategy, cost=wanted
                )
                while granted and self._waiting:
                    future = self._waiting.popleft()
                    if not future.done():
                        future.set_result(None)
                    granted -= 1
        except BaseException as exc:
            failure = exc if isinstance(exc, Exception) else asyncio.CancelledError()
            while self._waiting:
                future = self._waiting.popleft()
                if not future.done():
                    future.set_exception(failure)
            if not isinstance(exc, Exception):
                raise

    async def close(self) -> None:
        if self._granter is not None and not self._granter.done():
            self._granter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._granter


class ProviderRateLimiter:
    """Waits, per network and host, until the provider's rate allows one more request.

    Use as ``async with ProviderRateLimiter() as limiter: await limiter.acquire(...)``
    inside one event loop (a shared storage's connections belong to that loop).
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = storage_url() if url is None else url
        self._rates: dict[str, RateLimitItem | None] = {}
        self._backend = _Backend()
        self._batches: dict[tuple[str, str], _PermitBatch] = {}

    async def __aenter__(self) -> ProviderRateLimiter:
        if is_shared(self.url):
            scheme_url = self.url if self.url.startswith("async+") else f"async+{self.url}"
            storage = RedisStorage(scheme_url, implementation="redispy", key_prefix=KEY_PREFIX)
            self._backend = _Backend(AsyncMovingWindow(storage), storage)
            # Connect now: ``limits`` stamps a request with the time ``hit`` is called,
            # so a first hit that waits for a connection would count as sent earlier.
            await storage.check()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        batches, self._batches = list(self._batches.values()), {}
        for batch in batches:
            await batch.close()
        storage = self._backend.storage
        if storage is not None:
            # The redis client belongs to this event loop: close it before the loop ends.
            await storage.bridge.storage.aclose()  # type: ignore[attr-defined]
        self._backend = _Backend()

    @property
    def strategy(self) -> AsyncMovingWindow | None:
        """The shared storage's strategy (None: this process's memory), for ``acquire``."""
        return self._backend.strategy

    def rate(self, network: str) -> RateLimitItem | None:
        if network not in self._rates:
            self._rates[network] = provider_rate(network)
        return self._rates[network]

    async def acquire(self, network: str, host: str = "") -> None:
        """Return once one more request to ``host`` of ``network`` is within its rate.

        Over the rate, sleeps until the moving window frees a slot (its reset time),
        then tries again: never a busy loop, never a dropped request. On a shared
        storage, requests waiting at the same moment take their permits in one round
        trip (``_PermitBatch``).
        """
        item = self.rate(network)
        if item is None:
            return
        strategy = self._backend.strategy
        if strategy is None:
            await acquire(item, network, host, strategy=None)
            return
        batch = self._batches.get((network, host))
        if batch is None or batch.item != item:
            batch = self._batches[network, host] = _PermitBatch(item, (network, host), strategy)
        await batch.acquire()


async def acquire(
    item: RateLimitItem,
    *identifiers: str,
    strategy: AsyncMovingWindow | None,
) -> None:
    """Take one slot of ``item`` for ``identifiers``, sleeping while the window is full."""
    while True:
        if strategy is None:
            if _memory.hit(item, *identifiers):
                return
            reset = _memory.get_window_stats(item, *identifiers).reset_time
        else:
            if await strategy.hit(item, *identifiers):
                return
            reset = (await strategy.get_window_stats(item, *identifiers)).reset_time
        # The oldest request in the window leaves it at ``reset`` (epoch seconds).
        await asyncio.sleep(max(reset - time.time(), 0.001))


async def take(
    item: RateLimitItem, *identifiers: str, strategy: AsyncMovingWindow, cost: int
) -> int:
    """Take up to ``cost`` slots of ``item`` at once (at least one); returns how many.

    All of them when the window has room for all, else as many as it has room for; while
    it has none, sleeps until the oldest request leaves it.
    """
    while True:
        if await strategy.hit(item, *identifiers, cost=cost):
            return cost
        stats = await strategy.get_window_stats(item, *identifiers)
        if stats.remaining > 0:
            cost = min(cost, stats.remaining)
            continue
        await asyncio.sleep(max(stats.reset_time - time.time(), 0.001))
