"""The one HTTP client through which every provider call and webhook delivery passes.

It sets timeouts, caps concurrency, refuses to connect to loopback, private,
link-local, unique-local and site-local addresses (and IPv6 addresses that carry
one of those as embedded IPv4) unless RENOWN_ALLOW_PRIVATE_HOSTS is on (a
candidate-supplied host is otherwise an SSRF hole), follows redirects itself so
each hop is checked, and parses the rate-limit headers that providers send.

Every URL, first hop and redirect alike, passes ``checked_url``: its host must be
a dotted-quad IPv4 address, a bracketed IPv6 literal or a DNS host name, written
canonically; anything else (``2130706433``, ``0177.0.0.1``, ``127.1``, ``0x7f.1``,
``localhost.``, a full-width ``１２７.0.0.1``...) is refused before any lookup or
socket, whatever the settings, because libc and aiohttp read such spellings as
addresses the guard never saw. Names are resolved by ``GuardedResolver`` and the
connection goes only to the addresses it checked; IP literals, which aiohttp
never hands to a resolver, are checked by ``check_address`` here.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from renown import conf
from renown.json_types import JSONValue

MAX_REDIRECTS = 3
USER_AGENT = "Renown/0.1 (+https://renown.invalid; candidate screening with consent)"


class HttpError(Exception):
    """Base of the client's own errors (providers translate them)."""


class UnsafeHost(HttpError):
    """The host resolves to an address Renown refuses to contact."""


class TransportError(HttpError):
    """Timeout, refused connection, reset: worth retrying later."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Host = IPAddress | str

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# A top-level label starts with a letter (every real TLD, "xn--" ones included), so an
# all-numeric or "0x..." host is never taken for a name: libc would read it as an address.
_TOP_LABEL = re.compile(r"^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_DOTTED_QUAD = re.compile(r"^(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}$")
_IPV4_IN_IPV6 = (
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated)
    ipaddress.IPv6Network("::ffff:0:0/96"),  # IPv4-mapped
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (SIIT)
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")
_RESERVED_V4 = ipaddress.IPv4Network("240.0.0.0/4")  # and 255.255.255.255, broadcast


def _unsafe(text: str, why: str) -> UnsafeHost:
    return UnsafeHost(f"{text!r} is not a valid host name: {why}")


def _idna_name(text: str) -> str:
    """The ASCII form of a Unicode host name, refusing Unicode spellings of ASCII ones.

    ``ｌｏｃａｌｈｏｓｔ`` and ``１２７.0.0.1`` IDNA-map to ``localhost`` and ``127.0.0.1``:
    a label written in Unicode must stay an ``xn--`` label, or it is a disguise.
    """
    try:
        encoded = (URL.build(scheme="http", host=text).raw_host or "").lower()
    except (UnicodeError, ValueError) as exc:
        raise _unsafe(text, f"IDNA cannot encode it ({exc})") from exc
    labels, ascii_labels = text.split("."), encoded.split(".")
    if len(labels) != len(ascii_labels):
        raise _unsafe(text, "only '.' separates its labels")
    for label, ascii_label in zip(labels, ascii_labels, strict=True):
        if label.isascii() and ascii_label != label.lower():
            raise _unsafe(text, f"IDNA changes its label {label!r}")
        if not label.isascii() and not ascii_label.startswith("xn--"):
            raise _unsafe(text, f"{label!r} is a Unicode spelling of {ascii_label!r}")
    return encoded


def parse_host(text: str) -> Host:
    """Classify a URL's host as written: a canonical IP address or a DNS host name.

    Returns an IPv4Address for a dotted quad (four decimal numbers 0-255, no
    leading zeros), an IPv6Address for a bracketed IPv6 literal, or the
    lower-case ASCII form of a host name (LDH labels of 1-63 characters, at
    most 253 in all, no trailing dot, a last label that starts with a letter;
    Unicode labels must encode to ``xn--`` labels). Raises UnsafeHost for
    anything else, whatever RENOWN_ALLOW_PRIVATE_HOSTS says: decimal, octal,
    hexadecimal and short IPv4 forms, IPv6 zone ids, IPv4 written as IPv6
    (``[::ffff:127.0.0.1]``, ``[::127.0.0.1]``), empty labels, underscores.
    The one test of host spelling for provider calls and webhook targets.
    """
    if not text:
        raise UnsafeHost("the URL has no host")
    if text.startswith("["):
        inner = text[1:-1] if text.endswith("]") else ""
        if "%" in inner:
            raise _unsafe(text, "IPv6 zone ids are not allowed")
        try:
            ip = ipaddress.IPv6Address(inner)
        except ValueError:
            raise _unsafe(text, "not an IPv6 address") from None
        if int(ip) > 1 and any(ip in net for net in _IPV4_IN_IPV6):
            raise _unsafe(text, "an IPv4 address must be written as a dotted quad")
        return ip
    if ":" in text:
        raise _unsafe(text, "an IPv6 address must be in brackets")
    name = text.lower() if text.isascii() else _idna_name(text)
    if name.endswith("."):
        raise _unsafe(text, "a trailing dot is not allowed")
    if _DOTTED_QUAD.match(name):
        try:
            return ipaddress.IPv4Address(name)
        except ValueError:
            raise _unsafe(text, "a number in the address is above 255") from None
    labels = name.split(".")
    if (
        len(name) > 253
        or not all(_LABEL.match(label) for label in labels)
        or not _TOP_LABEL.match(labels[-1])
    ):
        raise _unsafe(
            text,
            "a host is a dotted-quad IPv4 address, a bracketed IPv6 address, or a DNS name "
            "of letters, digits and hyphens whose last label starts with a letter",
        )
    return name


def _host_text(host: Host) -> str:
    return str(host)  # IPv6Address prints compressed, as yarl keeps it (without brackets)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, SIIT, NAT64, 6to4, Teredo)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if (int(ip) > 1 and any(ip in net for net in _IPV4_IN_IPV6)) or ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def _as_ip(address: str | IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return address
    return ipaddress.ip_address(address.split("%", 1)[0])


def is_public_address(address: str | IPAddress) -> bool:
    """True for a globally routable unicast address.

    An IPv6 address that carries an IPv4 address (IPv4-mapped or -compatible,
    SIIT, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``) is judged by that IPv4
    address; Teredo, local-use NAT64 and site-local ``fec0::/10`` are never public.
    """
    ip = _as_ip(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.teredo is not None or ip.is_site_local or ip in _NAT64_LOCAL:
            return False
        inner = embedded_ipv4(ip)
        if inner is not None:
            return is_public_address(inner)
    return ip.is_global and not ip.is_multicast and not _unconnectable(ip)


def _unconnectable(ip: IPAddress) -> bool:
    # Never a destination, whatever the settings: Linux takes a connection to 0.0.0.0/8
    # or :: as one to the local host; multicast, 240/4 and broadcast are no servers.
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            return _unconnectable(inner)
        return ip.is_unspecified or ip.is_multicast
    return ip in _THIS_NETWORK or ip.is_multicast or ip in _RESERVED_V4


def check_address(address: str | IPAddress, *, allow_private: bool) -> None:
    """Refuse an address Renown must not connect to (UnsafeHost, with the reason).

    Unspecified (``0.0.0.0/8``, ``::``), multicast and reserved addresses are
    always refused; others must be public unless ``allow_private``.
    """
    ip = _as_ip(address)
    if _unconnectable(ip):
        raise UnsafeHost(f"{ip} is not an address Renown connects to")
    if not allow_private and not is_public_address(ip):
        raise UnsafeHost(f"{ip} is not a public address")


def _split_netloc(netloc: str) -> tuple[str, int | None]:
    if "@" in netloc:
        raise UnsafeHost("credentials in the URL are not allowed")
    if netloc.startswith("["):
        end = netloc.find("]") + 1
        if not end:
            raise UnsafeHost(f"{netloc!r} opens '[' and never closes it")
        host, rest = netloc[:end], netloc[end:]
    else:
        host, colon, port_text = netloc.partition(":")
        rest = colon + port_text
    if not rest:
        return host, None
    digits = rest[1:]
    if not rest.startswith(":") or not digits.isascii() or not digits.isdigit():
        raise UnsafeHost(f"{netloc!r} has no valid port")
    port = int(digits)
    if not 1 <= port <= 65535:
        raise UnsafeHost(f"port {port} is not allowed (1-65535)")
    return host, port


def checked_url(url: str, *, allow_private: bool) -> URL:
    """The URL as aiohttp will use it, once its scheme, port and host have passed the guard.

    The host is classified by ``parse_host`` as written (before any IDNA or
    numeric normalisation); an IP literal must pass ``check_address``; a name is
    left to ``GuardedResolver``. The URL must mean the same host and port to
    yarl as to this check (two parsers that disagree are how guards are
    bypassed). Raises UnsafeHost; performs no lookup.
    """
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise UnsafeHost(f"not a valid address: {exc}") from exc
    if parts.scheme.lower() not in {"http", "https"}:
        raise UnsafeHost(f"scheme {parts.scheme!r} is not allowed")
    host_text, port = _split_netloc(parts.netloc)
    host = parse_host(host_text)
    try:
        target = URL(url)
        same = target.raw_host == _host_text(host) and target.explicit_port == port
    except (TypeError, ValueError) as exc:
        raise UnsafeHost(f"not a valid address: {exc}") from exc
    if not same:
        raise UnsafeHost(f"{host_text!r} is read differently by the HTTP library")
    if not isinstance(host, str):
        check_address(host, allow_private=allow_private)
    return target


class GuardedResolver(AbstractResolver):
    """Resolves a name, then drops every address Renown will not connect to.

    aiohttp connects to the addresses this returns, so the address checked is
    the address used: a second DNS answer cannot swap in a private one. The
    name itself must pass ``parse_host`` (aiohttp hands IP literals straight
    to the socket, so only names come here).
    """

    def __init__(self, inner: AbstractResolver | None = None, *, allow_private: bool) -> None:
        self._inner = inner or DefaultResolver()
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        parsed = parse_host(host)
        if not isinstance(parsed, str):
            check_address(parsed, allow_private=self._allow_private)
        results = await self._inner.resolve(host, port, family)
        safe = []
        for result in results:
            try:
                check_address(result["host"], allow_private=self._allow_private)
            except (UnsafeHost, ValueError):
                continue
            safe.append(result)
        if not safe:
            raise UnsafeHost(f"{host} resolves only to addresses Renown will not contact")
        return safe

    async def close(self) -> None:
        await self._inner.close()


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    def json(self) -> JSONValue:
        """The body parsed as JSON; ValueError when it is not JSON."""
        parsed: JSONValue = json.loads(self.body)
        return parsed


# Awaited with each request's URL (every redirect hop too) before it is sent.
Gate = Callable[[URL], Awaitable[None]]


class HttpClient:
    """An aiohttp session with Renown's timeouts, concurrency cap and address guard.

    Use as ``async with HttpClient() as client: await client.get(url, params=...)``.
    ``resolver`` lets tests answer DNS themselves; ``gated`` gives a view of the client
    that waits for a gate (a rate limiter) before each request.
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
        self._gate: Gate | None = None

    def gated(self, gate: Gate) -> HttpClient:
        """This client (the same session, connections and guard) awaiting ``gate`` first.

        ``gate`` is awaited with the URL of each request, redirect hops included, just
        before it is sent; the view is used inside the original's ``async with``.
        """
        view = copy.copy(self)
        view._gate = gate
        return view

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

    def _checked(self, url: str) -> URL:
        return checked_url(url, allow_private=self._allow_private)

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """GET ``url``; raises UnsafeHost or TransportError, never returns a redirect.

        The URL and every redirect target pass ``checked_url`` before any lookup.
        """
        target = self._checked(url)
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
        target = self._checked(url)
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
            if self._gate is not None:
                await self._gate(target)
            try:
                async with self._session.request(
                    method, target, headers=headers, data=data, allow_redirects=False
                ) as resp:
                    body = await resp.read()
                    redirect = resp.status in {301, 302, 303, 307, 308}
                    if follow and redirect and "Location" in resp.headers:
                        target = self._checked(urljoin(str(target), resp.headers["Location"]))
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

    The URL must pass ``checked_url`` (http or https, no credentials, a port of
    1-65535, a canonically written host; an IP literal must be public) and a
    host name must resolve, and only to public addresses (the same rule as the
    connection-time guard, which still applies at each request: a name can
    resolve elsewhere later). With RENOWN_ALLOW_PRIVATE_HOSTS on (tests, local
    development) private addresses pass and names are not looked up, but a
    malformed host is still refused. Raises UnsafeHost with the reason.
    """
    allow = conf.get("RENOWN_ALLOW_PRIVATE_HOSTS") if allow_private is None else allow_private
    target = checked_url(url, allow_private=allow)
    host = target.raw_host or ""
    if allow or not isinstance(parse_host(host), str):
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, target.port or 443)}
    except (OSError, UnicodeError) as exc:
        raise UnsafeHost(f"{host} does not resolve") from exc
    if not addresses:
        raise UnsafeHost(f"{host} does not resolve")
    for address in addresses:
        try:
            check_address(str(address), allow_private=False)
        except UnsafeHost:
            raise UnsafeHost(f"{host} resolves to a non-public address ({address})") from None


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
