"""The one HTTP client through which every provider call passes.

It sets timeouts, caps concurrency, refuses to connect to loopback, private,
link-local, unique-local and IPv4-mapped addresses unless
RENOWN_ALLOW_PRIVATE_HOSTS is on (a candidate-supplied host is otherwise an SSRF
hole), follows redirects itself so each hop is checked, and parses the
rate-limit headers that providers send.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from scoring import conf

MAX_REDIRECTS = 3
USER_AGENT = "Renown/0.1 (+https://renown.invalid; candidate screening with consent)"


class HttpError(Exception):
    """Base of the client's own errors (providers translate them)."""


class UnsafeHost(HttpError):
    """The host resolves to an address Renown refuses to contact."""


class TransportError(HttpError):
    """Timeout, refused connection, reset: worth retrying later."""


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address; IPv4-mapped IPv6 is judged as IPv4."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class GuardedResolver(AbstractResolver):
    """Resolves a name, then drops every address that is not public.

    aiohttp connects to the addresses this returns, so the address checked is
    the address used: a second DNS answer cannot swap in a private one.
    """

    def __init__(self, inner: AbstractResolver | None = None, *, allow_private: bool) -> None:
        self._inner = inner or DefaultResolver()
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if self._allow_private:
            return results
        safe = [r for r in results if is_public_address(r["host"])]
        if not safe:
            raise UnsafeHost(f"{host} resolves only to non-public addresses")
        return safe

    async def close(self) -> None:
        await self._inner.close()


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    def json(self) -> Any:
        """The body parsed as JSON; ValueError when it is not JSON."""
        return json.loads(self.body)


class HttpClient:
    """An aiohttp session with Renown's timeouts, concurrency cap and address guard.

    Use as ``async with HttpClient() as client: await client.get(url, params=...)``.
    ``resolver`` lets tests answer DNS themselves.
    """

    def __init__(
        self,
        *,
        concurrency: int | None = None,
        timeout: float | None = None,
        allow_private: bool | None = None,
        resolver: AbstractResolver | None = None,
    ) -> None:
        self._allow_private = (
            conf.get("RENOWN_ALLOW_PRIVATE_HOSTS") if allow_private is None else allow_private
        )
        self._timeout = aiohttp.ClientTimeout(
            total=timeout if timeout is not None else conf.get("RENOWN_HTTP_TIMEOUT_SECONDS"),
            connect=conf.get("RENOWN_HTTP_CONNECT_TIMEOUT_SECONDS"),
        )
        self._limit = concurrency or conf.get("RENOWN_PROVIDER_CONCURRENCY")
        self._resolver = resolver
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> HttpClient:
        connector = aiohttp.TCPConnector(
            limit=self._limit,
            resolver=GuardedResolver(self._resolver, allow_private=self._allow_private),
        )
        contact = conf.get("RENOWN_CONTACT_EMAIL")
        # Open Library and OpenAlex ask clients to name themselves and a contact.
        agent = f"{USER_AGENT} ({contact})" if contact else USER_AGENT
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            headers={"User-Agent": agent},
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    def _check_literal_host(self, url: URL) -> None:
        # The resolver never sees IP literals: aiohttp connects to them directly.
        host = url.host or ""
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return
        if not self._allow_private and not is_public_address(host.strip("[]")):
            raise UnsafeHost(f"{host} is not a public address")

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """GET ``url``; raises UnsafeHost or TransportError, never returns a redirect."""
        target = URL(url)
        if params:
            target = target.update_query(params)
        return await self._send("GET", target, headers=headers, data=None)

    async def post(
        self,
        url: str,
        *,
        data: bytes,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """POST ``data`` to ``url`` with the same guard; a redirect is returned, never followed.

        A webhook receiver that redirects is answered as it stands: re-sending a
        signed body to wherever a redirect points would be an SSRF hole of its own.
        """
        try:
            target = URL(url)
        except (ValueError, TypeError) as exc:
            raise UnsafeHost(f"not a valid address: {exc}") from exc
        return await self._send("POST", target, headers=headers, data=data, follow=False)

    async def _send(
        self,
        method: str,
        target: URL,
        *,
        headers: Mapping[str, str] | None,
        data: bytes | None,
        follow: bool = True,
    ) -> Response:
        if self._session is None:
            raise RuntimeError("HttpClient used outside 'async with'")
        for _ in range(MAX_REDIRECTS + 1):
            if target.scheme not in {"http", "https"}:
                raise UnsafeHost(f"scheme {target.scheme!r} is not allowed")
            self._check_literal_host(target)
            try:
                async with self._session.request(
                    method, target, headers=headers, data=data, allow_redirects=False
                ) as resp:
                    body = await resp.read()
                    redirect = resp.status in {301, 302, 303, 307, 308}
                    if follow and redirect and "Location" in resp.headers:
                        target = URL(urljoin(str(target), resp.headers["Location"]))
                        continue
                    return Response(
                        status=resp.status,
                        headers={k.lower(): v for k, v in resp.headers.items()},
                        body=body,
                        url=str(target),
                    )
            except UnsafeHost:
                raise
            except aiohttp.ClientConnectorError as exc:
                if isinstance(exc.__cause__, UnsafeHost) or isinstance(
                    getattr(exc, "os_error", None), UnsafeHost
                ):
                    raise UnsafeHost(str(exc)) from exc
                raise TransportError(f"connection failed: {exc}") from exc
            except TimeoutError as exc:
                raise TransportError("timed out") from exc
            except aiohttp.ClientError as exc:
                raise TransportError(f"{type(exc).__name__}: {exc}") from exc
            except ValueError as exc:  # a host name IDNA cannot encode, a bad port...
                raise UnsafeHost(f"not a valid address: {exc}") from exc
        raise TransportError(f"more than {MAX_REDIRECTS} redirects")


def check_public_url(url: str, *, allow_private: bool | None = None) -> None:
    """Refuse a URL Renown must not send requests to, before storing it (e.g. a webhook target).

    The scheme must be http or https and the host must resolve, and only to
    public addresses (the same rule as the connection-time guard, which still
    applies at each request: a name can resolve elsewhere later). With
    RENOWN_ALLOW_PRIVATE_HOSTS on (tests, local development) private addresses
    pass. Raises UnsafeHost with the reason.
    """
    allow = conf.get("RENOWN_ALLOW_PRIVATE_HOSTS") if allow_private is None else allow_private
    target = URL(url)
    if target.scheme not in {"http", "https"}:
        raise UnsafeHost(f"scheme {target.scheme!r} is not allowed")
    host = (target.host or "").strip("[]")
    if not host:
        raise UnsafeHost("the URL has no host")
    if target.user or target.password:
        raise UnsafeHost("credentials in the URL are not allowed")
    try:
        host.encode("idna")
        target.port  # noqa: B018 - raises for a port out of range
    except (UnicodeError, ValueError) as exc:
        raise UnsafeHost(f"{host} is not a valid host name") from exc
    if allow:
        return
    try:
        literal = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        literal = None
    if literal is not None:
        if not is_public_address(host):
            raise UnsafeHost(f"{host} is not a public address")
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, target.port or 443)}
    except (OSError, UnicodeError) as exc:
        raise UnsafeHost(f"{host} does not resolve") from exc
    if not addresses or not all(is_public_address(str(a)) for a in addresses):
        raise UnsafeHost(f"{host} resolves to a non-public address")


def retry_after_seconds(
    headers: Mapping[str, str], *, now: datetime | None = None, default: float = 60.0
) -> float:
    """How long to wait before asking again, from the provider's own headers.

    Reads ``Retry-After`` (seconds or an HTTP date), then ``RateLimit-Reset`` /
    ``X-RateLimit-Reset`` given as epoch seconds, seconds from now, or an ISO 8601
    time (Mastodon). Falls back to ``default``; never negative.
    """
    now = now or datetime.now(tz=UTC)
    lowered = {k.lower(): v.strip() for k, v in headers.items()}
    raw = lowered.get("retry-after")
    if raw:
        if raw.isdigit():
            return float(raw)
        try:
            return max(0.0, (parsedate_to_datetime(raw) - now).total_seconds())
        except (TypeError, ValueError):
            pass
    for name in ("ratelimit-reset", "x-ratelimit-reset"):
        raw = lowered.get(name)
        if not raw:
            continue
        try:
            number = float(raw)
        except ValueError:
            try:
                when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                continue
            return max(0.0, (when - now).total_seconds())
        # Epoch seconds are large; small numbers are a delay (IETF RateLimit draft).
        if number > 1_000_000_000:
            return max(0.0, number - now.timestamp())
        return max(0.0, number)
    return default
