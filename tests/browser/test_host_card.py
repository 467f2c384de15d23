"""Renown's card on the host's own applicant page: styled, accessible, no refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from candidates.models import Candidate
from tests.browser.axe import assert_accessible
from tests.browser.conftest import BrowserWatch
from tests.hostapp.models import Applicant
from tests.hostlink.test_profile_card import scored  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.hostapp.urls")]


def test_the_card_on_the_host_page_is_styled_accessible_and_links_to_renown(
    transactional_db: None,
    scored: tuple[Applicant, Candidate],  # noqa: F811
    recruiter_a: Any,
    page: Any,
    log_in_as: Callable[[Any], None],
    browser_watch: BrowserWatch,
    screenshot: Callable[[Any, str], str],
) -> None:
    applicant, candidate = scored
    log_in_as(recruiter_a)
    response = page.goto(f"/applicants/{applicant.pk}/")
    assert response is not None
    assert response.status == 200
    card = page.locator(".renown-card")
    expect(card).to_be_visible()
    expect(card).to_contain_text("62.50")
    expect(card).to_contain_text("audience")
    # The namespaced stylesheet applied to the card, and to nothing of the host's.
    assert card.evaluate("e => getComputedStyle(e).borderStyle") == "solid"
    assert page.locator("h1").evaluate("e => getComputedStyle(e).borderStyle") == "none"
    assert_accessible(page, "host applicant page with the Renown card")
    screenshot(page, "host-applicant-renown-card")
    page.get_by_role("link", name="Full Renown profile").click()
    expect(page.locator("h1")).to_contain_text(candidate.name)
    assert browser_watch.problems() == []
