"""Provider rates (scoring.rate_limit): settings, checks, the window, and two workers."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from typing import Any

import pytest
from aioresponses import aioresponses
from django.conf import settings as django_settings
from django.core.checks import Error
from limits.util import WindowStats
from yarl import URL

from renown.checks import check_settings
from renown.http import HttpClient
from scoring import conf, rate_limit
from scoring.checks import check_rate_limit_storage
from scoring.fetching import FetchJob, fetch_many
from scoring.rate_limit import ProviderRateLimiter, RateSettingError, parse_rate

LIMIT = 5  # requests per second in the window tests


@pytest.mark.parametrize(
    ("value", "amount", "seconds"),
    [
        ("12/second", 12, 1),
        ("12 per second", 12, 1),
        ("30/minute", 30, 60),
        ("300/5 minutes", 300, 300),
        ("5000/hour", 5000, 3600),
        ("10000/day", 10000, 86400),
    ],
)
def test_a_rate_setting_is_one_limits_rate(value: str, amount: int, seconds: int) -> None:
    item = parse_rate(value)
    assert item is not None
    assert (item.amount, item.get_expiry()) == (amount, seconds)


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_rate_setting_means_no_rate_limit(value: str) -> None:
    assert parse_rate(value) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("fast", "not a rate such as"),
        ("3/s", "not a rate such as"),
        ("1.5/second", "not a rate such as"),
        ("12/fortnight", "not a rate such as"),
        ("0/second", "allows no request"),
        ("12/second;40/minute", "more than one rate"),
        (12, "is int, not a rate string"),
        (None, "is NoneType, not a rate string"),
    ],
)
def test_an_unparseable_rate_setting_is_refused(value: object, says: str) -> None:
    with pytest.raises(RateSettingError, match=says):
        parse_rate(value)


def _errors(name: str) -> list[Error]:
    return [m for m in check_settings() if m.id == "renown.E020" and name in m.msg]


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("RENOWN_PROVIDER_RATE_ORCID", "12/second", False),
        ("RENOWN_PROVIDER_RATE_ORCID", "twelve a second", True),
        ("RENOWN_PROVIDER_RATE_ORCID", 12, True),
        ("RENOWN_PROVIDER_RATE_ORCID", "", False),
        # A network a host adds: the family of rate settings is checked the same way.
        ("RENOWN_PROVIDER_RATE_MYNETWORK", "2/second", False),
        ("RENOWN_PROVIDER_RATE_MYNETWORK", "2/sec/ond", True),
        ("RENOWN_RATE_LIMIT_STORAGE_URL", "redis://127.0.0.1:6379/3", False),
        ("RENOWN_RATE_LIMIT_STORAGE_URL", "memory://", False),
        ("RENOWN_RATE_LIMIT_STORAGE_URL", "http://127.0.0.1:6379", True),
    ],
)
def test_the_settings_check_reports_a_bad_rate_setting(
    settings: Any, name: str, value: object, error: bool
) -> None:
    setattr(settings, name, value)
    assert bool(_errors(name)) is error


def test_the_rate_error_says_what_is_wrong(settings: Any) -> None:
    settings.RENOWN_PROVIDER_RATE_OPENLIBRARY = "3/second;1/minute"
    (message,) = _errors("RENOWN_PROVIDER_RATE_OPENLIBRARY")
    assert "more than one rate" in message.msg
    assert "'3/second'" in (message.hint or "")


@pytest.mark.parametrize(
    ("storage", "broker", "url", "warned"),
    [
        ("", "", "memory://", True),
        ("", "amqp://guest@127.0.0.1//", "memory://", True),
        ("", "redis://127.0.0.1:6379/2", "redis://127.0.0.1:6379/2", False),
        ("", "rediss://cache.example:6380/0", "rediss://cache.example:6380/0", False),
        ("memory://", "redis://127.0.0.1:6379/2", "memory://", True),
        ("redis://127.0.0.1:6379/7", "amqp://guest@127.0.0.1//", "redis://127.0.0.1:6379/7", False),
    ],
)
def test_the_storage_defaults_to_a_redis_broker_and_warns_when_per_process(
    settings: Any, storage: str, broker: str, url: str, warned: bool
) -> None:
    settings.RENOWN_RATE_LIMIT_STORAGE_URL = storage
    settings.CELERY_BROKER_URL = broker
    assert rate_limit.storage_url() == url
    messages = check_rate_limit_storage()
    assert [m.id for m in messages] == (["renown.W040"] if warned else [])
    if warned:
        assert "holds per worker" in messages[0].msg
        assert "RENOWN_RATE_LIMIT_STORAGE_URL" in (messages[0].hint or "")


def test_every_built_in_provider_has_a_valid_published_rate() -> None:
    for network in conf.get("RENOWN_PROVIDERS"):
        item = rate_limit.provider_rate(network)
        assert item is not None, network
    orcid, openlibrary = rate_limit.provider_rate("orcid"), rate_limit.provider_rate("openlibrary")
    assert orcid is not None
    assert (orcid.amount, orcid.get_expiry()) == (12, 1)
    assert openlibrary is not None
    assert (openlibrary.amount, openlibrary.get_expiry()) == (3, 1)


def most_in_any_window(stamps: list[float], *, width: float) -> int:
    """The most timestamps any window [t, t + width) holds, t being one of them."""
    ordered = sorted(stamps)
    return max(
        sum(1 for other in ordered[i:] if other < start + width) for i, start in enumerate(ordered)
    )


class FakeClock:
    """time.time for the limiter and its storage; asyncio sleeps advance it, instantly."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.slept = 0.0

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(time, "time", fake.time)
    monkeypatch.setattr(rate_limit.asyncio, "sleep", fake.sleep)
    return fake


def _network() -> str:
    return f"test{uuid.uuid4().hex[:10]}"  # a fresh window for each test


def test_requests_through_the_limiter_never_exceed_the_rate(
    settings: Any, clock: FakeClock
) -> None:
    network = _network()
    setattr(settings, rate_limit.rate_setting(network), f"{LIMIT}/second")
    granted: list[float] = []

    async def run() -> None:
        async with ProviderRateLimiter("memory://") as limiter:
            for _ in range(40):
                await limiter.acquire(network, "api.example")
                granted.append(clock.now)

    asyncio.run(run())
    assert len(granted) == 40  # every request went, none dropped
    assert most_in_any_window(granted, width=1.0) == LIMIT
    # It waited for the window (asleep, not spinning): 40 requests at 5/s need 7 s more.
    assert clock.slept >= 40 / LIMIT - 1
    assert clock.now - granted[0] >= 40 / LIMIT - 1


def test_hosts_of_one_network_have_windows_of_their_own(settings: Any, clock: FakeClock) -> None:
    network = _network()
    setattr(settings, rate_limit.rate_setting(network), f"{LIMIT}/second")

    async def run() -> None:
        async with ProviderRateLimiter("memory://") as limiter:
            for host in ("one.example", "two.example"):
                for _ in range(LIMIT):
                    await limiter.acquire(network, host)

    asyncio.run(run())
    assert clock.slept == 0  # two Mastodon instances: neither waits for the other


def test_no_rate_means_no_wait(settings: Any, clock: FakeClock) -> None:
    network = _network()
    setattr(settings, rate_limit.rate_setting(network), "")

    async def run() -> None:
        async with ProviderRateLimiter("memory://") as limiter:
            for _ in range(100):
                await limiter.acquire(network, "api.example")

    asyncio.run(run())
    assert clock.slept == 0


def test_two_limiters_in_one_process_share_the_memory_window(
    settings: Any, clock: FakeClock
) -> None:
    """In memory, the count is the process's: two limiters (two batches) share it."""
    network = _network()
    setattr(settings, rate_limit.rate_setting(network), f"{LIMIT}/second")
    granted: list[float] = []

    async def worker(limiter: ProviderRateLimiter) -> None:
        for _ in range(15):
            await limiter.acquire(network, "api.example")
            granted.append(clock.now)

    async def run() -> None:
        async with ProviderRateLimiter("memory://") as one, ProviderRateLimiter("memory://") as two:
            await asyncio.gather(worker(one), worker(two))

    asyncio.run(run())
    assert len(granted) == 30
    assert most_in_any_window(granted, width=1.0) == LIMIT


def test_every_request_and_redirect_hop_passes_the_gate() -> None:
    seen: list[URL] = []

    async def gate(url: URL) -> None:
        seen.append(url)

    async def run() -> int:
        async with HttpClient(allow_private=True) as client:
            response = await client.gated(gate).get("https://api.example/a")
            await client.get("https://api.example/ungated")
            return response.status

    with aioresponses() as mocked:
        mocked.get(
            "https://api.example/a", status=302, headers={"Location": "https://api.example/b"}
        )
        mocked.get("https://api.example/b", payload={})
        mocked.get("https://api.example/ungated", payload={})
        assert asyncio.run(run()) == 200
    assert [str(url) for url in seen] == ["https://api.example/a", "https://api.example/b"]


def test_the_fetcher_sends_every_provider_request_through_the_limiter(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.RENOWN_RATE_LIMIT_STORAGE_URL = "memory://"
    calls: list[tuple[str, str]] = []

    async def acquire(self: ProviderRateLimiter, network: str, host: str = "") -> None:
        calls.append((network, host))

    monkeypatch.setattr(ProviderRateLimiter, "acquire", acquire)
    base = "https://hacker-news.firebaseio.com/v0/user"
    jobs = [FetchJob(account_id=i, network="hackernews", handle=f"user{i}") for i in range(3)]
    with aioresponses() as mocked:
        for job in jobs:
            mocked.get(
                f"{base}/{job.handle}.json",
                payload={"id": job.handle, "created": 1_500_000_000, "karma": 10},
            )
        results = asyncio.run(fetch_many(jobs))
    assert len(results) == 3
    assert calls == [("hackernews", "hacker-news.firebaseio.com")] * 3


# --- permits taken together on a shared storage --------------------------------------


class CountingWindow:
    """A stand-in for the shared storage's moving window: ``room`` slots per second.

    Records the cost of each ``hit``; a slot frees when the fake clock has moved a second
    past it. ``fail`` makes every call raise, as a lost Redis connection does; ``gate``,
    while not set, holds every ``hit`` as a slow round trip would.
    """

    def __init__(self, clock: FakeClock, room: int) -> None:
        self.clock = clock
        self.room = room
        self.used: list[float] = []
        self.hits: list[int] = []
        self.fail: Exception | None = None
        self.gate: asyncio.Event | None = None

    def _in_window(self) -> list[float]:
        return [t for t in self.used if t > self.clock.now - 1.0]

    async def hit(self, item: Any, *identifiers: str, cost: int = 1) -> bool:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        self.hits.append(cost)
        if len(self._in_window()) + cost > self.room:
            return False
        self.used.extend([self.clock.now] * cost)
        return True

    async def get_window_stats(self, item: Any, *identifiers: str) -> WindowStats:
        window = self._in_window()
        reset = (min(window) if window else self.clock.now) + 1.0
        return WindowStats(reset, self.room - len(window))


def _limiter_on(window: CountingWindow) -> ProviderRateLimiter:
    limiter = ProviderRateLimiter("memory://")
    limiter._backend = rate_limit._Backend(strategy=window)  # type: ignore[arg-type]
    return limiter


async def _let_others_run(times: int = 5) -> None:
    # asyncio.sleep is the fake clock's here, which does not yield to other tasks.
    loop = asyncio.get_running_loop()
    for _ in range(times):
        step: asyncio.Future[None] = loop.create_future()
        loop.call_soon(step.set_result, None)
        await step


def test_requests_waiting_together_take_their_permits_in_one_hit(
    settings: Any, clock: FakeClock
) -> None:
    network = _network()
    setattr(settings, rate_limit.rate_setting(network), "100/second")
    window = CountingWindow(clock, room=100)
    limiter = _limiter_on(window)

    async def run() -> None:
        await asyncio.gather(*(limiter.acquire(network, "api.example") for _ in range(12)))
        await limiter.acquire(network, "api.example")  # alone: a hit of its own

    asyncio.run(run())
    assert window.hits == [12, 1]
    assert len(window.used) == 13


def test_permits_taken_together_never_exceed_the_rate(settings: Any, clock: FakeClock) -> None:
    network = _network()
    setattr(settings, rate_limit.rate_setting(network), f"{LIMIT}/second")
    window = CountingWindow(clock, room=LIMIT)
    window.used = [clock.now - 0.5] * 2  # another worker's requests, half a second ago
    limiter = _limiter_on(window)
    granted: list[float] = []

    async def one() -> None:
        await limiter.acquire(network, "api.example")
        granted.append(clock.now)

    async def run() -> None:
        await asyncio.gather(*(one() for _ in range(4 * LIMIT)))

    asyncio.run(run())
    assert len(granted) == 4 * LIMIT  # every request went, none dropped
    assert window.hits[:2] == [LIMIT, LIMIT - 2]  # all it asked for, then the room left
    assert most_in_any_window(window.used, width=1.0) == LIMIT


def test_a_request_cancelled_while_waiting_takes_no_permit(settings: Any, clock: FakeClock) -> None:
    network = _network()
    setattr(settings, rate_limit.rate_setting(network), f"{LIMIT}/second")
    window = CountingWindow(clock, room=LIMIT)
    limiter = _limiter_on(window)

    async def run() -> None:
        window.gate = asyncio.Event()  # the first hit is under way ...
        ahead = asyncio.create_task(limiter.acquire(network, "api.example"))
        await _let_others_run()
        cancelled = asyncio.create_task(limiter.acquire(network, "api.example"))
        kept = asyncio.create_task(limiter.acquire(network, "api.example"))
        await _let_others_run()  # ... while two more wait; one of them gives up
        cancelled.cancel()
        await _let_others_run()
        window.gate.set()
        await asyncio.gather(ahead, kept)
        assert cancelled.cancelled()

    asyncio.run(run())
    assert window.hits == [1, 1]
    assert len(window.used) == 2


def test_a_storage_error_fails_every_waiting_request(settings: Any, clock: FakeClock) -> None:
    network = _network()
    setattr(settings, rate_limit.rate_setting(network), f"{LIMIT}/second")
    window = CountingWindow(clock, room=LIMIT)
    window.fail = ConnectionError("Redis went away")
    limiter = _limiter_on(window)

    async def run() -> list[object]:
        return await asyncio.gather(
            *(limiter.acquire(network, "api.example") for _ in range(3)), return_exceptions=True
        )

    assert [type(outcome) for outcome in asyncio.run(run())] == [ConnectionError] * 3
    window.fail = None  # the next request asks the storage again
    asyncio.run(limiter.acquire(network, "api.example"))
    assert window.used == [clock.now]


# --- two workers, two processes, one Redis --------------------------------------------


def _redis_url() -> str | None:
    broker = getattr(django_settings, "CELERY_BROKER_URL", "") or ""
    return broker if broker.startswith(("redis://", "rediss://")) else None


def _worker(url: str, network: str, count: int, start_at: float, together: bool, out: Any) -> None:
    """One worker process: its own limiter and connection to the same Redis.

    ``together``: its requests all wait at once (they take their permits together).
    """

    async def run() -> list[float]:
        stamps = []

        async def one() -> None:
            await limiter.acquire(network, "api.example")
            stamps.append(time.time())

        async with ProviderRateLimiter(url) as limiter:
            await asyncio.sleep(max(0.0, start_at - time.time()))
            if together:
                await asyncio.gather(*(one() for _ in range(count)))
            else:
                for _ in range(count):
                    await one()
        return stamps

    out.put(asyncio.run(run()))


@pytest.mark.skipif(
    _redis_url() is None,
    reason="no Redis configured: CELERY_BROKER_URL is not redis:// (the PostgreSQL/Redis "
    "CI leg runs it; the in-memory windows are tested above)",
)
@pytest.mark.parametrize("together", [False, True], ids=["one-by-one", "waiting-together"])
def test_two_worker_processes_together_stay_within_the_rate(settings: Any, together: bool) -> None:
    url = _redis_url()
    assert url is not None
    network = _network()
    setattr(settings, rate_limit.rate_setting(network), f"{LIMIT}/second")
    context = multiprocessing.get_context("fork")  # the workers inherit the settings
    out = context.Queue()
    start_at = time.time() + 0.5  # both start together
    per_worker = 2 * LIMIT
    workers = [
        context.Process(target=_worker, args=(url, network, per_worker, start_at, together, out))
        for _ in range(2)
    ]
    for process in workers:
        process.start()
    stamps = [out.get(timeout=60) for _ in workers]
    for process in workers:
        process.join(timeout=30)
        assert process.exitcode == 0
    granted = [t for one in stamps for t in one]
    assert len(granted) == 2 * per_worker
    # Each worker alone would have granted LIMIT at once: together they got LIMIT.
    # Timestamps are taken in the workers after each grant, a Redis round trip after the
    # time the limiter counted; a window 50 ms short of 1 s absorbs that jitter.
    assert most_in_any_window(granted, width=0.95) <= LIMIT
    assert max(granted) - min(granted) >= (2 * per_worker) / LIMIT - 1 - 0.05


# --- the process's fetch loop -------------------------------------------------------


def test_batches_in_one_process_share_one_concurrency_cap(settings: Any) -> None:
    from scoring import fetching

    settings.RENOWN_PROVIDER_CONCURRENCY = 7
    first = fetching._process.caps(["hackernews"])["hackernews"]
    assert fetching._process.caps(["hackernews"])["hackernews"] is first
    settings.RENOWN_PROVIDER_CONCURRENCY = 9
    second = fetching._process.caps(["hackernews"])["hackernews"]
    assert second is not first  # a changed setting is a new cap, of its size
    assert second._value == 9


def test_two_threads_fetch_on_the_process_loop(settings: Any) -> None:
    import threading

    from scoring.fetching import fetch_in_process

    settings.RENOWN_RATE_LIMIT_STORAGE_URL = "memory://"
    settings.RENOWN_PROVIDER_RATE_HACKERNEWS = ""
    base = "https://hacker-news.firebaseio.com/v0/user"
    jobs = [FetchJob(account_id=i, network="hackernews", handle=f"user{i}") for i in range(20)]
    results: list[dict[int, Any]] = []
    with aioresponses() as mocked:
        for job in jobs:
            mocked.get(
                f"{base}/{job.handle}.json",
                payload={"id": job.handle, "created": 1_500_000_000, "karma": job.account_id},
            )
        threads = [
            threading.Thread(target=lambda part=part: results.append(fetch_in_process(part)))
            for part in (jobs[:10], jobs[10:])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    merged = {k: v for one in results for k, v in one.items()}
    assert sorted(merged) == list(range(20))
    assert all(merged[i].metrics["karma"] == i for i in merged)
