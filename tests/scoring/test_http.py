"""The one HTTP client: address guard (SSRF), redirects, rate-limit header parsing."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from aioresponses import aioresponses

from renown.http import (
    GuardedResolver,
    HttpClient,
    UnsafeHost,
    is_public_address,
    retry_after_seconds,
)


class FakeResolver(AbstractResolver):
    """Answers DNS from a dict, so tests never depend on real DNS."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.table[host]
        ]

    async def close(self) -> None:
        return None


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("fd00::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address under test, not a bind
        ("224.0.0.1", False),
    ],
)
def test_public_address_classification(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def resolve(table: dict[str, list[str]], host: str, *, allow_private: bool) -> list[ResolveResult]:
    guard = GuardedResolver(FakeResolver(table), allow_private=allow_private)
    return asyncio.run(guard.resolve(host, 443))


def test_resolver_refuses_a_name_that_points_at_loopback() -> None:
    with pytest.raises(UnsafeHost):
        resolve({"evil.test": ["127.0.0.1"]}, "evil.test", allow_private=False)


def test_resolver_refuses_ipv4_mapped_loopback_and_metadata_address() -> None:
    with pytest.raises(UnsafeHost):
        resolve(
            {"evil.test": ["::ffff:127.0.0.1", "169.254.169.254"]}, "evil.test", allow_private=False
        )


def test_resolver_keeps_only_public_addresses_of_a_mixed_answer() -> None:
    results = resolve(
        {"mixed.test": ["10.0.0.1", "93.184.215.14"]}, "mixed.test", allow_private=False
    )
    assert [r["host"] for r in results] == ["93.184.215.14"]


def test_resolver_allows_private_addresses_when_the_setting_says_so() -> None:
    results = resolve({"local.test": ["127.0.0.1"]}, "local.test", allow_private=True)
    assert [r["host"] for r in results] == ["127.0.0.1"]


def get(url: str, *, allow_private: bool = False, resolver: AbstractResolver | None = None) -> Any:
    async def run() -> Any:
        async with HttpClient(allow_private=allow_private, resolver=resolver) as client:
            return await client.get(url)

    return asyncio.run(run())


def test_client_refuses_to_connect_to_a_name_resolving_to_loopback() -> None:
    with pytest.raises(UnsafeHost):
        get("http://evil.test:9/", resolver=FakeResolver({"evil.test": ["127.0.0.1"]}))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://[::1]:9/",
        "http://[::ffff:127.0.0.1]:9/",
        "http://169.254.169.254/",
    ],
)
def test_client_refuses_private_ip_literals(url: str) -> None:
    with pytest.raises(UnsafeHost):
        get(url)


def test_client_refuses_a_redirect_to_a_private_address() -> None:
    with aioresponses() as mocked:
        mocked.get(
            "https://public.test/profile",
            status=302,
            headers={"Location": "http://169.254.169.254/latest/meta-data/"},
        )
        with pytest.raises(UnsafeHost):
            get("https://public.test/profile")


def test_client_refuses_non_http_schemes() -> None:
    with pytest.raises(UnsafeHost):
        get("file:///etc/passwd")


NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"Retry-After": "Thu, 01 Jan 2026 00:02:00 GMT"}, 120.0),
        ({"RateLimit-Reset": str(int(NOW.timestamp()) + 90)}, 90.0),  # epoch seconds (Bluesky)
        ({"x-ratelimit-reset": str(int(NOW.timestamp()) + 45)}, 45.0),  # epoch seconds (GitHub)
        ({"X-RateLimit-Reset": "2026-01-01T00:05:00.000Z"}, 300.0),  # ISO time (Mastodon)
        ({"RateLimit-Reset": "12"}, 12.0),  # delay in seconds (IETF draft)
        ({"Retry-After": "Thu, 01 Jan 2025 00:00:00 GMT"}, 0.0),  # in the past: now
        ({}, 60.0),
        ({"Retry-After": "soon"}, 60.0),
    ],
)
def test_retry_after_reads_every_documented_header_form(
    headers: dict[str, str], expected: float
) -> None:
    assert retry_after_seconds(headers, now=NOW) == pytest.approx(expected)


def test_no_network_guard_blocks_non_loopback_connections() -> None:
    from tests.conftest import NetworkBlocked

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NetworkBlocked):
            sock.connect(("192.0.2.1", 80))
        with pytest.raises(NetworkBlocked):
            socket.getaddrinfo("example.com", 443)
    finally:
        sock.close()


def test_client_names_renown_and_the_contact_in_the_user_agent(settings: Any) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from renown.http import USER_AGENT

    seen: list[str] = []

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers["User-Agent"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    settings.RENOWN_CONTACT_EMAIL = "ops@renown.example"
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert (
            get(f"http://127.0.0.1:{server.server_address[1]}/", allow_private=True).status == 204
        )
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [f"{USER_AGENT} (ops@renown.example)"]
