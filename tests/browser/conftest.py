"""Fixtures for the browser tests: one fresh Chromium profile per test, nothing off loopback.

Every test gets a new, empty user-data-dir (a persistent context in tmp_path), Debian's
Chromium with the flags that keep it from calling home, and a route on every request
of the context that aborts and records anything whose host is not 127.0.0.1 or
localhost. The recorded list must be empty when the test ends; so must the list of
uncaught page errors (Content-Security-Policy refusals included) and of local assets
that failed to load.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import Client

from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH, SCREENSHOT_DIR

LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}
# Subresources whose failure means a page is broken (a missing stylesheet, script or chart).
ASSET_TYPES = {"stylesheet", "script", "image", "font", "fetch", "xhr"}

_screenshots: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _screenshots:
        terminalreporter.write_line(
            f"browser screenshots: {len(_screenshots)} saved in {SCREENSHOT_DIR}"
        )


@dataclass
class BrowserWatch:
    """What the browser tried that a test must never see: off-loopback requests, JS errors."""

    offsite: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return (
            [f"request left loopback (aborted): {url}" for url in self.offsite]
            + [f"uncaught error in the page: {text}" for text in self.page_errors]
            + [f"local asset failed to load: {text}" for text in self.failed_assets]
        )


def is_loopback_url(url: str) -> bool:
    """True for URLs the browser may load: loopback hosts, or no host at all (data:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "about", "blob"}:
        return True
    return parts.hostname in LOOPBACK_HOSTS


@pytest.fixture
def browser_watch() -> BrowserWatch:
    return BrowserWatch()


@pytest.fixture
def browser_context(
    live_server: Any,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    browser_watch: BrowserWatch,
) -> Iterator[Any]:
    """A Chromium context on the live server, with the loopback guard on every request."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make between browser steps are still synchronous, one at a time.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server shares this process's cache: start with no login throttling left
    # over from another test's failed logins (all of them come from 127.0.0.1).
    cache.clear()
    from playwright.sync_api import (
        ConsoleMessage,
        Page,
        Request,
        Response,
        Route,
        WebSocketRoute,
        sync_playwright,
    )

    def guard(route: Route) -> None:
        url = route.request.url
        if is_loopback_url(url):
            route.continue_()
        else:
            browser_watch.offsite.append(url)
            route.abort("blockedbyclient")

    def guard_websocket(ws: WebSocketRoute) -> None:
        if is_loopback_url(ws.url):
            ws.connect_to_server()
        else:
            browser_watch.offsite.append(ws.url)
            ws.close()

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type in ASSET_TYPES:
            browser_watch.failed_assets.append(f"{response.status} {response.url}")

    def on_request_failed(request: Request) -> None:
        if is_loopback_url(request.url) and request.resource_type in ASSET_TYPES:
            browser_watch.failed_assets.append(f"{request.failure} {request.url}")

    def on_console(message: ConsoleMessage) -> None:
        # What the Content-Security-Policy refused (an inline style or script of the
        # page's own) is broken page, not an attack: Chromium reports it on the console.
        if message.type == "error" and "Content Security Policy" in message.text:
            browser_watch.page_errors.append(message.text)

    def watch(page: Page) -> None:
        page.on("pageerror", lambda error: browser_watch.page_errors.append(str(error)))
        page.on("console", on_console)

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a new, empty user-data-dir
            executable_path=CHROMIUM_PATH,
            args=CHROMIUM_ARGS,
            headless=True,
            base_url=live_server.url,
            viewport={"width": 1280, "height": 900},
            locale="en-GB",
            timezone_id="UTC",
            service_workers="block",
        )
        context.set_default_timeout(10_000)
        context.route("**/*", guard)
        context.route_web_socket("**/*", guard_websocket)
        context.on("response", on_response)
        context.on("requestfailed", on_request_failed)
        for page in context.pages:
            watch(page)
        context.on("page", watch)
        try:
            yield context
        finally:
            context.close()
            # While Playwright's loop runs, Django keeps this thread's database connections
            # apart (asgiref's Local in "async" mode): close them here, or they outlive the
            # test and PostgreSQL refuses to drop the test database.
            connections.close_all()
    problems = browser_watch.problems()
    assert not problems, "the browser test saw:\n  " + "\n  ".join(problems)


@pytest.fixture
def page(browser_context: Any) -> Any:
    """The context's first tab."""
    return browser_context.pages[0] if browser_context.pages else browser_context.new_page()


@pytest.fixture
def log_in_as(browser_context: Any, live_server: Any) -> Callable[[Any], None]:
    """Give the browser a logged-in session for ``user`` (the login page has its own test)."""

    def log_in(user: Any) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        browser_context.clear_cookies()
        browser_context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )

    return log_in


@pytest.fixture
def screenshot() -> Callable[[Any, str], str]:
    """Save a full-page screenshot under the artifacts folder; prints and returns its path."""

    def take(page: Any, name: str) -> str:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        _screenshots.append(str(path))
        print(f"screenshot: {path}")
        return str(path)

    return take


@pytest.fixture
def demo(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The demo organisation `make run` shows, small: the population a new user meets."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from renown_site.demo import demo_build

    return demo_build(candidates=int(os.environ.get("RENOWN_BROWSER_DEMO_SIZE", "30")))
