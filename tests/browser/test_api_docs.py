"""Swagger UI at /api/docs/ renders the operations under the site's strict policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserWatch

pytestmark = pytest.mark.browser


def test_api_docs_render_the_operations_with_no_policy_refusal(
    page: Any,
    browser_watch: BrowserWatch,
    screenshot: Callable[[Any, str], str],
) -> None:
    csp_reports: list[str] = []

    def on_console(message: Any) -> None:
        # Every console message, not only errors (the conftest watches those): a
        # report-only refusal comes as a warning; none may appear.
        if "Content Security Policy" in message.text:
            csp_reports.append(message.text)

    page.on("console", on_console)
    response = page.goto("/api/docs/")
    assert response is not None
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy

    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    candidates_list = page.locator(".opblock-get", has_text="/api/v1/candidates/").first
    expect(candidates_list).to_be_visible()
    assert operations.count() >= 20, f"only {operations.count()} operations rendered"
    for path in ("/api/v1/jobs/", "/api/v1/screenings/", "/api/v1/webhook-subscriptions/"):
        expect(page.locator(".opblock", has_text=path).first).to_be_visible()
    # Swagger UI's own stylesheet applied (it would render unstyled if refused).
    assert candidates_list.evaluate("e => getComputedStyle(e).borderStyle") == "solid"

    screenshot(page, "api-docs")
    # Open one operation: the expanding panel is drawn by script too.
    candidates_list.locator(".opblock-summary").click()
    expect(candidates_list.locator(".opblock-body")).to_be_visible()
    # And the Authorize dialog, where a token is entered to try the operations.
    page.get_by_role("button", name="Authorize").first.click()
    expect(page.locator(".dialog-ux .modal-ux")).to_be_visible()
    expect(page.locator(".dialog-ux")).to_contain_text("Bearer")
    assert csp_reports == []
    assert browser_watch.problems() == []
