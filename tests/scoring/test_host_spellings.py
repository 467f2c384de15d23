"""Host spellings that must never reach loopback: refused before any lookup or socket.

Every spelling in LOOPBACK_SPELLINGS lands on the local host if it is let through:
libc reads ``2130706433``, ``0177.0.0.1``, ``127.1`` or ``0x7f.1`` as 127.0.0.1,
aiohttp hands numeric hosts straight to the socket (skipping the resolver guard),
and IDNA folds ``ｌｏｃａｌｈｏｓｔ`` into ``localhost``. A real listener on
127.0.0.1 counts the connections it accepts: it must see none, for a first hop and
for a redirect, through the client, ``fetch_profile``, a refresh and a webhook
delivery, whether private hosts are allowed (as in tests and the demo: loopback
itself is fine there, a disguised spelling of it never is) or not.

Private ranges other than loopback are checked with a resolver stub and a socket
recorder: nothing here ever sends traffic beyond loopback.
"""

from __future__ import annotations

import _socket
import asyncio
import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from aioresponses import aioresponses
from django.core.management import call_command
from django.test import override_settings

from renown.http import (
    GuardedResolver,
    HttpClient,
    UnsafeHost,
    check_public_url,
    checked_url,
    is_public_address,
    parse_host,
)
from tests import factories
from tests.conftest import NetworkBlocked

# Each is 127.0.0.1, 0.0.0.0 or ::, or the local host's name, in a spelling that is
# not a canonical IP address nor a DNS host name.
LOOPBACK_SPELLINGS = [
    "2130706433",  # decimal
    "017700000001",  # octal, one number
    "0x7f000001",  # hexadecimal, one number
    "0X7F000001",
    "0177.0.0.1",  # octal first part
    "0177.0000.0000.0001",
    "0x7f.0.0.1",  # hexadecimal first part
    "0x7f.0x0.0x0.0x1",
    "0x7f.1",  # short form, hexadecimal
    "127.1",  # short forms
    "127.0.1",
    "127.000.000.001",  # zero-padded
    "127.0.0.01",
    "0",  # 0.0.0.0, which Linux connects to the local host
    "00",
    "0x0",
    "0.0.0.0",  # noqa: S104 - a host under test, not a bind
    "127.0.0.1.",  # trailing dot
    "localhost.",
    "LOCALHOST.",
    "ｌｏｃａｌｈｏｓｔ",  # full-width letters: IDNA maps them to "localhost"
    "ＬＯＣＡＬＨＯＳＴ",
    "１２７.0.0.1",  # full-width digits: IDNA maps them to 127.0.0.1
    "１２７．０．０．１",
    "127。0。0。1",  # ideographic full stops
    "lo\u00adcalhost",  # a soft hyphen IDNA drops
    "%31%32%37.0.0.1",  # percent-encoded
    "loc%61lhost",
    "[::ffff:127.0.0.1]",  # IPv4-mapped
    "[::ffff:7f00:1]",
    "[0:0:0:0:0:ffff:7f00:1]",
    "[::127.0.0.1]",  # IPv4-compatible
    "[::ffff:0:127.0.0.1]",  # IPv4-translated (SIIT)
    "[::ffff:0.0.0.0]",
    "[::]",  # unspecified
    "[::1%25lo]",  # a zone id
    "[fe80::1%25lo]",
]


def url_for(host: str, port: int, path: str = "/users/alice") -> str:
    return f"http://{host}:{port}{path}"


# --- a loopback listener that counts what it accepts ---------------------------------


class Listener(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 that counts accepted connections; may answer a redirect."""

    def __init__(self, redirect_to: str | None = None) -> None:
        self.accepted = 0
        self.redirect_to = redirect_to
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                if server.redirect_to:
                    self.send_response(302)
                    # Raw UTF-8, as a server would send a Unicode host (send_header is Latin-1).
                    self._headers_buffer.append(  # type: ignore[attr-defined]
                        b"Location: " + server.redirect_to.encode() + b"\r\n"
                    )
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                return

        super().__init__(("127.0.0.1", 0), Handler)
        self.port = int(self.server_address[1])
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self.accepted += 1
        return True

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture
def victim() -> Iterator[Listener]:
    listener = Listener()
    try:
        yield listener
    finally:
        listener.stop()


@pytest.fixture
def front() -> Iterator[Listener]:
    """A canonical loopback server whose every answer is a redirect (set ``redirect_to``)."""
    listener = Listener(redirect_to="http://unset.invalid/")
    try:
        yield listener
    finally:
        listener.stop()


def _lands_locally(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


@pytest.fixture
def local_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Let a spelling reach the local host as libc would read it; refuse everything else.

    The suite's guard refuses to resolve ``2130706433`` or connect to 0.0.0.0, which
    would hide the bug: here numeric hosts are parsed (AI_NUMERICHOST, so no DNS
    query can leave), names of the local host answer 127.0.0.1, and connections to
    an address that lands on the local host go through. Returns the connect log.
    """
    connects: list[Any] = []

    def getaddrinfo(
        host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.rstrip(".").lower() == "localhost":
            name = "127.0.0.1"
        try:
            found = _socket.getaddrinfo(
                name, port, family, type, proto, flags | socket.AI_NUMERICHOST
            )
        except OSError:
            raise NetworkBlocked(f"test tried to resolve {host!r}") from None
        if not all(_lands_locally(sa[0]) for *_, sa in found):
            raise NetworkBlocked(f"{host!r} is not local")
        return [
            (socket.AddressFamily(af), socket.SocketKind(kind), pr, canon, sa)
            for af, kind, pr, canon, sa in found
        ]

    def connect(sock: socket.socket, address: Any) -> Any:
        connects.append(address)
        if sock.family != socket.AF_UNIX and not _lands_locally(address[0]):
            raise NetworkBlocked(f"test tried to reach {address!r}")
        return _socket.socket.connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return connects


class AnswerAll(AbstractResolver):
    """A resolver stub that answers one address for any name, recording what it was asked."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        self.address = address
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        return [
            ResolveResult(
                hostname=host,
                host=self.address,
                port=port,
                family=socket.AF_INET6 if ":" in self.address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        return None


def get(url: str, *, allow_private: bool, resolver: AbstractResolver | None = None) -> Any:
    async def run() -> Any:
        async with HttpClient(allow_private=allow_private, resolver=resolver) as client:
            return await client.get(url)

    return asyncio.run(run())


# --- the client: first hop and redirect ------------------------------------------------


@pytest.mark.parametrize("allow_private", [True, False], ids=["private-allowed", "public-only"])
@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_first_hop_spelling_is_refused_before_any_lookup_or_socket(
    host: str, allow_private: bool, victim: Listener, local_network: list[Any]
) -> None:
    resolver = AnswerAll()
    with pytest.raises(UnsafeHost):
        get(url_for(host, victim.port), allow_private=allow_private, resolver=resolver)
    assert victim.accepted == 0
    assert resolver.asked == []
    assert local_network == []


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_redirect_to_spelling_is_refused_with_private_hosts_allowed(
    host: str, front: Listener, victim: Listener, local_network: list[Any]
) -> None:
    front.redirect_to = url_for(host, victim.port)
    resolver = AnswerAll()
    with pytest.raises(UnsafeHost):
        get(url_for("127.0.0.1", front.port), allow_private=True, resolver=resolver)
    assert front.accepted == 1  # the first hop was fine: a canonical loopback address
    assert victim.accepted == 0
    assert resolver.asked == []


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_redirect_to_spelling_is_refused_with_private_hosts_refused(
    host: str, local_network: list[Any]
) -> None:
    resolver = AnswerAll("93.184.215.14")  # a public answer for public.test, never used
    with aioresponses() as mocked:
        mocked.get(
            "https://public.test/profile",
            status=302,
            headers={"Location": url_for(host, 8080)},
        )
        with pytest.raises(UnsafeHost):
            get("https://public.test/profile", allow_private=False, resolver=resolver)
        assert len(mocked.requests) == 1  # only the first hop was sent
    assert local_network == []


def test_the_listener_does_see_a_canonical_loopback_address_when_private_hosts_are_allowed(
    victim: Listener, local_network: list[Any]
) -> None:
    # The control: without it, zero connections above could mean a deaf listener.
    assert get(url_for("127.0.0.1", victim.port), allow_private=True).status == 200
    assert get(url_for("localhost", victim.port), allow_private=True).status == 200
    assert victim.accepted == 2


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_canonical_loopback_is_refused_when_private_hosts_are_not_allowed(
    host: str, victim: Listener, local_network: list[Any]
) -> None:
    with pytest.raises(UnsafeHost):
        get(url_for(host, victim.port), allow_private=False, resolver=AnswerAll())
    assert victim.accepted == 0


# --- private ranges beyond loopback: stubs only ----------------------------------------

PRIVATE_LITERALS = [
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",  # shared address space (CGNAT)
    "169.254.169.254",  # cloud metadata
    "[fd00::1]",  # unique local
    "[fe80::1]",  # link-local
    "[fec0::1]",  # site-local (deprecated, still routed by some)
    "[64:ff9b::a9fe:a9fe]",  # NAT64 of 169.254.169.254
    "[64:ff9b::a00:1]",  # NAT64 of 10.0.0.1
    "[64:ff9b:1::a9fe:a9fe]",  # local-use NAT64
    "[2002:a9fe:a9fe::]",  # 6to4 of 169.254.169.254
    "[2002:a00:1::1]",  # 6to4 of 10.0.0.1
    "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",  # Teredo
    "[ff02::1]",  # multicast
    "224.0.0.1",
    "255.255.255.255",
]


@pytest.fixture
def no_connect(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    attempts: list[Any] = []

    def connect(sock: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise NetworkBlocked(f"test tried to reach {address!r}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


@pytest.mark.parametrize("host", PRIVATE_LITERALS)
def test_private_literals_are_refused_before_a_socket(host: str, no_connect: list[Any]) -> None:
    with pytest.raises(UnsafeHost):
        get(url_for(host, 80), allow_private=False, resolver=AnswerAll())
    assert no_connect == []


RESOLVED_PRIVATE = [
    "169.254.169.254",
    "10.0.0.1",
    "0.0.0.0",  # noqa: S104 - an answer under test, not a bind
    "::ffff:169.254.169.254",
    "::ffff:0:a9fe:a9fe",
    "::a9fe:a9fe",
    "64:ff9b::a9fe:a9fe",
    "2002:a9fe:a9fe::1",
    "fec0::1",
    "fd12:3456::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
]


@pytest.mark.parametrize("address", RESOLVED_PRIVATE)
def test_a_name_resolving_to_a_private_address_is_refused(
    address: str, no_connect: list[Any]
) -> None:
    with pytest.raises(UnsafeHost):
        get("http://metadata.example/latest/", allow_private=False, resolver=AnswerAll(address))
    assert no_connect == []


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "::ffff:0.0.0.0", "224.0.0.1"])  # noqa: S104
def test_unspecified_and_multicast_answers_are_refused_even_with_private_hosts_allowed(
    address: str,
) -> None:
    guard = GuardedResolver(AnswerAll(address), allow_private=True)
    with pytest.raises(UnsafeHost):
        asyncio.run(guard.resolve("zero.example", 80))


def test_the_resolver_refuses_a_malformed_name_before_asking() -> None:
    inner = AnswerAll()
    guard = GuardedResolver(inner, allow_private=True)
    with pytest.raises(UnsafeHost):
        asyncio.run(guard.resolve("0x7f.1", 80))
    assert inner.asked == []


# --- the classification itself ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("127.0.0.1", ipaddress.IPv4Address("127.0.0.1")),
        ("93.184.215.14", ipaddress.IPv4Address("93.184.215.14")),
        ("[::1]", ipaddress.IPv6Address("::1")),
        ("[2606:4700::1111]", ipaddress.IPv6Address("2606:4700::1111")),
        ("localhost", "localhost"),
        ("API.GitHub.com", "api.github.com"),
        ("127.0.0.1.nip.io", "127.0.0.1.nip.io"),  # a real name: the resolver judges it
        ("bücher.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("пример.рф", "xn--e1afmkfd.xn--p1ai"),
    ],
)
def test_canonical_hosts_are_classified(text: str, parsed: object) -> None:
    assert parse_host(text) == parsed


MALFORMED = [
    "1.0x7f",
    "127.0.0.256",
    "a..b",
    "-a.example",
    "a_b.example",
    "a" * 64 + ".example",
    "[v1.x]",
    "[127.0.0.1]",
    "::1",
    "",
]


@pytest.mark.parametrize(
    "text",
    [h for h in LOOPBACK_SPELLINGS if h not in {"0.0.0.0", "[::]"}] + MALFORMED,  # noqa: S104
)
def test_malformed_spellings_are_refused_by_the_classifier_itself(text: str) -> None:
    with pytest.raises(UnsafeHost):
        parse_host(text)


@pytest.mark.parametrize("text", LOOPBACK_SPELLINGS + MALFORMED)
def test_every_spelling_is_refused_by_the_url_check_with_private_hosts_allowed(text: str) -> None:
    with pytest.raises(UnsafeHost):
        checked_url(f"http://{text}/", allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:0/",
        "http://[::1]:0/",
        "http://example.com:65536/",
        "http://example.com:８０/",
        "http://example.com:/",
        "http://user@example.com/",
        "http://example.com@127.0.0.1/",
        "gopher://example.com/",
    ],
)
def test_ports_credentials_and_schemes_are_checked_too(url: str) -> None:
    with pytest.raises(UnsafeHost):
        checked_url(url, allow_private=True)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("64:ff9b::808:808", True),  # NAT64 of a public address
        ("2002:808:808::1", True),  # 6to4 of a public address
        ("::ffff:0:a9fe:a9fe", False),
        ("::a9fe:a9fe", False),
        ("64:ff9b::a9fe:a9fe", False),
        ("2002:a9fe:a9fe::", False),
        ("fec0::1", False),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),
        ("240.0.0.1", False),
    ],
)
def test_embedded_ipv4_is_judged_as_ipv4(address: str, public: bool) -> None:
    assert is_public_address(address) is public


# --- the webhook guard -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://[::127.0.0.1]/hook",
        "http://[64:ff9b::a9fe:a9fe]/hook",
        "http://[2002:a9fe:a9fe::]/hook",
        "http://[::ffff:0:a9fe:a9fe]/hook",
        "http://[fec0::1]/hook",
        "http://[fe80::1%25eth0]/hook",
        "https://ats.example:0/hook",
        "http://2130706433/hook",
    ],
)
def test_the_webhook_url_guard_refuses_embedded_ipv4_site_local_and_port_zero(url: str) -> None:
    with pytest.raises(UnsafeHost):
        check_public_url(url, allow_private=False)


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_the_webhook_url_guard_refuses_every_spelling_even_with_private_hosts_allowed(
    host: str,
) -> None:
    with pytest.raises(UnsafeHost):
        check_public_url(url_for(host, 8080, "/hook"), allow_private=True)


# --- through fetch_profile, a refresh and a webhook delivery -------------------------------


def fetch_profile(network: str, handle: str) -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("fetch_profile", network, handle, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), err.getvalue()
    return 0, err.getvalue()


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_fetch_profile_exits_6_for_a_spelling_as_base_url_or_redirect(
    host: str, settings: Any, front: Listener, victim: Listener, local_network: list[Any]
) -> None:
    settings.RENOWN_ALLOW_PRIVATE_HOSTS = True
    settings.RENOWN_PROVIDER_URL_GITHUB = f"http://{host}:{victim.port}"
    code, err = fetch_profile("github", "alice")
    assert code == 6, err
    assert "Refused" in err
    front.redirect_to = url_for(host, victim.port)
    settings.RENOWN_PROVIDER_URL_GITHUB = f"http://127.0.0.1:{front.port}"
    code, err = fetch_profile("github", "alice")
    assert code == 6, err
    assert front.accepted == 1
    assert victim.accepted == 0


@pytest.mark.parametrize("handle", ["alice@2130706433", "alice@127.1", "@alice@0x7f.1"])
def test_fetch_profile_exits_6_for_a_mastodon_handle_naming_an_address(
    handle: str, local_network: list[Any]
) -> None:
    code, err = fetch_profile("mastodon", handle)
    assert code == 6, err
    assert "DNS name" in err
    assert local_network == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f.1", "ｌｏｃａｌｈｏｓｔ", "[::ffff:127.0.0.1]"]
)
def test_a_refresh_records_the_refusal_and_never_connects(
    host: str, settings: Any, front: Listener, victim: Listener, local_network: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    from scoring.models import FetchStatus, MetricSnapshot
    from scoring.services import refresh_enqueue, refresh_start

    settings.RENOWN_ALLOW_PRIVATE_HOSTS = True
    # The provider rate limiter's counts stay in memory: the connect log then holds only
    # what the fetch itself reached (with a Redis broker the limiter would connect there).
    settings.RENOWN_RATE_LIMIT_STORAGE_URL = "memory://"
    front.redirect_to = url_for(host, victim.port)
    settings.RENOWN_PROVIDER_URL_GITHUB = f"http://127.0.0.1:{front.port}"
    account = factories.SocialAccountFactory(network="github", handle="alice")
    # A Mastodon account saved before handles were checked everywhere: its host is the spelling.
    stored = factories.SocialAccountFactory(network="mastodon", handle="alice@2130706433")
    with django_capture_on_commit_callbacks(execute=True):
        for row in (account, stored):
            cycle, batches = refresh_start(account_ids=[row.pk])
            refresh_enqueue(cycle=cycle, batches=batches)
    for row in (account, stored):
        snapshot = MetricSnapshot.objects.get(account=row)
        assert snapshot.status == FetchStatus.PERMANENT_ERROR
        assert "refused host" in snapshot.error
    assert victim.accepted == 0
    assert all(address[1] == front.port for address in local_network)


@pytest.mark.django_db
@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_a_webhook_delivery_to_a_spelling_is_refused_and_recorded(
    host: str, victim: Listener, local_network: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    from renown.models import WebhookSubscription
    from renown.webhooks import services

    org = factories.OrganizationFactory()
    # Stored before the guard knew these spellings: the send must still refuse it.
    WebhookSubscription.objects.create(
        organization=org,
        name="ATS",
        url=url_for(host, victim.port, "/hook"),
        events=["score.updated"],
        secret="whsec_test",
    )
    with (
        override_settings(RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS=[]),  # one attempt
        django_capture_on_commit_callbacks(execute=True),
    ):
        (delivery,) = services.event_emit(org, "score.updated", {})
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "UnsafeHost" in delivery.last_error
    assert victim.accepted == 0
    assert local_network == []
