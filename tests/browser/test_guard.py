"""The browser's own guard: a request that would leave loopback is aborted and recorded."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.axe import blocking_violations, describe
from tests.browser.conftest import BrowserWatch, is_loopback_url

OFFSITE = "http://renown-offsite.invalid"


def test_loopback_urls_are_told_apart_from_the_rest() -> None:
    assert is_loopback_url("http://127.0.0.1:8081/accounts/login/")
    assert is_loopback_url("http://localhost:8081/static/renown/renown.css")
    assert is_loopback_url("data:image/png;base64,AAAA")
    assert not is_loopback_url("https://cdn.example.com/htmx.min.js")
    assert not is_loopback_url("http://127.0.0.1.example.com/")
    assert not is_loopback_url("http://192.0.2.10/")


@pytest.mark.browser
def test_a_request_off_loopback_is_aborted_and_recorded(
    page: Any, browser_watch: BrowserWatch
) -> None:
    # The admin's login: a loopback page without the recruiter pages' Content-Security-
    # Policy, which would refuse these requests itself before the guard saw them.
    page.goto("/admin/login/")
    outcome = page.evaluate(
        """async (url) => {
             try { await fetch(url); return "fetched"; } catch (e) { return "blocked"; }
           }""",
        f"{OFFSITE}/api",
    )
    page.set_content(f'<img alt="" src="{OFFSITE}/pixel.png">')
    page.wait_for_load_state("load")
    assert outcome == "blocked"
    assert browser_watch.offsite == [f"{OFFSITE}/api", f"{OFFSITE}/pixel.png"]
    # Seen and proven: clear the record so that the teardown check passes.
    browser_watch.offsite.clear()


@pytest.mark.browser
def test_axe_finds_what_a_person_would_trip_over(page: Any) -> None:
    """The accessibility check can fail: a page with an unlabelled field and grey on grey."""
    page.goto("/admin/login/")
    page.set_content(
        """<!doctype html><html lang="en"><head><title>Bad</title></head><body><main>
           <h1>Bad page</h1>
           <p style="color:#aaa;background:#bbb">Hard to read</p>
           <input type="text" name="unlabelled">
           </main></body></html>"""
    )
    found = {v["id"]: v for v in blocking_violations(page)}
    assert {"color-contrast", "label"} <= set(found)
    report = describe("bad page", list(found.values()))
    assert "[serious] color-contrast" in report
    assert "at input" in report


@pytest.mark.browser
def test_what_the_content_security_policy_refuses_is_recorded(
    page: Any, browser_watch: BrowserWatch
) -> None:
    """An inline script on a recruiter page is refused by the policy, and the test hears it."""
    page.goto("/accounts/login/")
    page.set_content('<p id="x">before</p><script>document.title = "ran"</script>')
    expect(page.locator("#x")).to_have_text("before")
    assert page.title() != "ran"
    assert any("Content Security Policy" in e for e in browser_watch.page_errors)
    # Seen and proven: clear the record so that the teardown check passes.
    browser_watch.page_errors.clear()
