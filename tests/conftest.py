"""Shared fixtures: personas in two organisations, the no-network guard, marker gating."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from tests import factories

# --- markers that need services -----------------------------------------------

_deselected: dict[str, tuple[int, str]] = {}


def _is_postgres() -> bool:
    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


def _browser_missing() -> str:
    """Why the browser tests cannot run here ('' when they can, or when CI requires them).

    CI (``.ci/run``) sets RENOWN_BROWSER_TESTS=required after installing Chromium: there a
    missing piece must fail the tests loudly, never deselect them.
    """
    if os.environ.get("RENOWN_BROWSER_TESTS") == "required":
        return ""
    from tests.browser import AXE_PATH, CHROMIUM_PATH

    if not os.access(CHROMIUM_PATH, os.X_OK):
        return f"{CHROMIUM_PATH} is missing (apt-get install chromium)"
    if not AXE_PATH.is_file():
        return f"{AXE_PATH.relative_to(settings.BASE_DIR)} is missing (make browser-deps)"
    return ""


_SHARES_SERVICES_MODULES = ("test_rate_limit.py", "test_queue.py", "test_healthz.py")


def _shares_services(item: pytest.Item) -> bool:
    return (
        item.get_closest_marker("celery_worker") is not None
        or item.get_closest_marker("broker") is not None
        or item.path.name in _SHARES_SERVICES_MODULES
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_missing = _browser_missing()
    reasons = {
        "browser": (bool(browser_missing), browser_missing),
        "postgres": (not _is_postgres(), "DATABASE_URL is not PostgreSQL"),
        "broker": (not os.environ.get("CELERY_BROKER_URL"), "CELERY_BROKER_URL is not set"),
        "celery_worker": (
            not (_is_postgres() and os.environ.get("CELERY_BROKER_URL")),
            "a real worker needs PostgreSQL and CELERY_BROKER_URL",
        ),
    }
    keep, drop = [], []
    for item in items:
        if _shares_services(item):
            # One xdist worker runs every test that uses the broker or Redis: a real
            # worker started by one test must not take another test's tasks, nor two
            # tests share one Redis rate window (make test's --dist loadgroup).
            item.add_marker(pytest.mark.xdist_group("broker"))
        for marker, (skip, why) in reasons.items():
            if skip and item.get_closest_marker(marker):
                count, _ = _deselected.get(marker, (0, why))
                _deselected[marker] = (count + 1, why)
                drop.append(item)
                break
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for marker, (count, why) in _deselected.items():
        terminalreporter.write_line(
            f"deselected {count} test(s) marked '{marker}': {why}", yellow=True
        )


# --- no network ----------------------------------------------------------------


class NetworkBlocked(RuntimeError):
    pass


def _loopback(host: object) -> bool:
    if host is None:
        return True
    text = str(host)
    if text in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(text.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test that tries to reach beyond loopback (Zulip's guard)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family == socket.AF_UNIX:
            return
        host = address[0] if isinstance(address, tuple) else address
        if not _loopback(host):
            raise NetworkBlocked(f"test tried to reach {address!r}: tests never touch the internet")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _loopback(host):
            raise NetworkBlocked(f"test tried to resolve {host!r}: tests never touch the internet")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return


# --- personas --------------------------------------------------------------------


@pytest.fixture
def org_a(db: None) -> Any:
    return factories.OrganizationFactory(name="Acme Hiring", slug="acme")


@pytest.fixture
def org_b(db: None) -> Any:
    return factories.OrganizationFactory(name="Globex Talent", slug="globex")


def _member(org: Any, role: str, *, staff: bool, username: str) -> Any:
    user = factories.UserFactory(username=username, is_staff=staff)
    factories.MembershipFactory(user=user, organization=org, role=role)
    return user


@pytest.fixture
def hr_admin_a(org_a: Any) -> Any:
    return _member(org_a, "hr_admin", staff=True, username="alice-hr")


@pytest.fixture
def recruiter_a(org_a: Any) -> Any:
    return _member(org_a, "recruiter", staff=False, username="rita-recruiter")


@pytest.fixture
def auditor_a(org_a: Any) -> Any:
    return _member(org_a, "auditor", staff=True, username="otto-auditor")


@pytest.fixture
def hr_admin_b(org_b: Any) -> Any:
    return _member(org_b, "hr_admin", staff=True, username="bob-hr")
