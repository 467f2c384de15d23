"""Issue 21, proving an account in headless Chromium: the candidate adds a Mastodon account
on their page, sees its proof code, and "Check now" reads a loopback stand-in of the
instance: verified by proof once the profile carries the code. Axe-clean, fits a phone."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from candidates.models import Candidate, SocialAccount
from hiring.portal.links import portal_link_create
from hiring.portal.models import AccountProof
from tests.browser.axe import blocking_violations, describe
from tests.scoring.providers.replay import FIXTURES, replay_server

pytestmark = pytest.mark.browser

HANDLE = "proof.tester@mastodon.example"


def _instance(note: str) -> Any:
    account = json.loads((FIXTURES / "mastodon" / "lookup.json").read_text())
    account.update({"username": "proof.tester", "acct": "proof.tester", "note": note})
    routes = [
        {
            "path": "/api/v1/accounts/lookup",
            "params": {"acct": "proof.tester"},
            "body": json.dumps(account),
        }
    ]
    return replay_server("mastodon", routes)


def test_a_candidate_proves_a_mastodon_account_on_their_page(
    page: Any, demo: Any, settings: Any, screenshot: Callable[[Any, str], str]
) -> None:
    person = Candidate.objects.filter(organization=demo.organization).order_by("name").first()
    assert person is not None
    _, token = portal_link_create(candidate=person, actor="test")
    path = reverse("renown:portal", kwargs={"token": token})
    page.context.clear_cookies()
    page.goto(path)
    page.get_by_text("Add an account of yours").click()
    page.get_by_label("Network", exact=True).select_option("mastodon")
    page.get_by_label("Your account", exact=True).fill(f"@{HANDLE}")
    page.get_by_role("button", name="Add account").click()
    page.wait_for_url("**#proofs-h")
    account = SocialAccount.objects.get(candidate=person, handle=HANDLE)
    code = AccountProof.objects.get(account=account).code
    item = page.locator("li.proof", has_text=HANDLE)
    assert code in item.inner_text()
    screenshot(page, "portal-proof-code")
    violations = blocking_violations(page)
    assert not violations, describe("portal-proofs", violations)

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(path + "#proofs-h")
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"the portal is {scroll} px wide on a {client} px screen"
    screenshot(page, "phone-portal-proof-code")

    check = f"Check now Mastodon: {HANDLE}"
    with _instance("<p>No code here.</p>") as base:
        settings.RENOWN_PROVIDER_URL_MASTODON = base
        page.get_by_role("button", name=check).click()
        page.wait_for_load_state()
        assert "Not found: Renown read the bio" in page.locator("main").inner_text()
    account.refresh_from_db()
    assert account.verification == "claimed"

    with _instance(f"<p>Proof: {code}</p>") as base:
        settings.RENOWN_PROVIDER_URL_MASTODON = base
        page.get_by_role("button", name=check).click()
        page.wait_for_load_state()
        assert "is now verified by proof" in page.locator("main").inner_text()
    account.refresh_from_db()
    assert account.verification == "verified"
    screenshot(page, "phone-portal-proved")
    violations = blocking_violations(page)
    assert not violations, describe("portal-proved", violations)
