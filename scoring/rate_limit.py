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
"""

from __future__ import annotations

import asyncio
import time
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


class ProviderRateLimiter:
    """Waits, per network and host, until the provider's rate allows one more request.

    Use as ``async with ProviderRateLimiter() as limiter: await limiter.acquire(...)``
    inside one event loop (a shared storage's connections belong to that loop).
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = storage_url() if url is None else url
        self._rates: dict[str, RateLimitItem | None] = {}
        self._backend = _Backend()

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
        then tries again: never a busy loop, never a dropped request.
        """
        item = self.rate(network)
        if item is None:
            return
        await acquire(item, network, host, strategy=self._backend.strategy)


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
