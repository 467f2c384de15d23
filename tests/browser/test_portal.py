"""Issue 21's acceptance in headless Chromium: a link from the API opens the candidate's
page without a login; one altered character, or a revocation, shows no data; evidence
added there reaches the recruiter as unverified, supplied by the candidate. The page is
axe-clean and fits a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from candidates.models import Candidate, ReputationEvidence
from renown.api.tokens import api_token_create
from renown.models import AuditEvent
from tests.browser.axe import blocking_violations, describe

pytestmark = pytest.mark.browser


def _api(page: Any, live_server: Any, token: str, method: str, path: str) -> Any:
    """An API call over HTTP, as an ATS makes it (Playwright's request client)."""
    return page.request.fetch(
        live_server.url + path, method=method, headers={"Authorization": f"Bearer {token}"}
    )


def _altered(path: str) -> str:
    token = path.rstrip("/").rsplit("/", 1)[1]
    middle = len(token) // 2
    swap = "B" if token[middle] != "B" else "C"
    return path.replace(token, token[:middle] + swap + token[middle + 1 :])


def test_a_link_from_the_api_opens_the_page_and_nothing_else_does(
    page: Any, demo: Any, live_server: Any, screenshot: Callable[[Any, str], str]
) -> None:
    person = (
        Candidate.objects.filter(organization=demo.organization, evidence__isnull=False)
        .filter(accounts__isnull=False, scores__isnull=False)
        .distinct()
        .order_by("name")
        .first()
    )
    assert person is not None
    _, token = api_token_create(organization=demo.organization, name="ats", scope="write")
    answer = _api(
        page, live_server, token, "POST", f"/api/v1/candidates/{person.public_id}/portal-link/"
    )
    assert answer.status == 201
    body = answer.json()
    assert set(body) == {"url", "expires_at"}
    path = urlsplit(body["url"]).path
    page.context.clear_cookies()  # nobody is logged in

    response = page.goto(path)
    assert response is not None
    assert response.status == 200
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == f"What Renown holds on you, {person.name}"
    )
    screenshot(page, "portal")
    violations = blocking_violations(page)
    assert not violations, describe("portal", violations)

    # On a phone: nothing scrolls sideways, and still nothing serious for axe.
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(path)
    screenshot(page, "phone-portal")
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"the portal is {scroll} px wide on a {client} px screen"
    violations = blocking_violations(page)
    assert not violations, describe("phone-portal", violations)
    page.set_viewport_size({"width": 1280, "height": 900})

    # One character altered: a plain page, no data.
    response = page.goto(_altered(path))
    assert response is not None
    assert response.status == 404
    text = page.locator("main").inner_text()
    assert "does not open a page" in text
    assert person.name not in page.content()
    screenshot(page, "portal-altered")
    assert not blocking_violations(page)

    # Revoked through the API: no data.
    answer = _api(
        page, live_server, token, "DELETE", f"/api/v1/candidates/{person.public_id}/portal-link/"
    )
    assert answer.status == 204
    response = page.goto(path)
    assert response is not None
    assert response.status == 410
    assert "was withdrawn" in page.locator("main").inner_text()
    assert person.name not in page.content()


def test_evidence_added_on_the_page_reaches_the_recruiter_unverified(
    page: Any,
    demo: Any,
    live_server: Any,
    log_in_as: Callable[[Any], None],
    screenshot: Callable[[Any, str], str],
) -> None:
    person = Candidate.objects.filter(organization=demo.organization).order_by("name").first()
    assert person is not None
    _, token = api_token_create(organization=demo.organization, name="ats", scope="write")
    body = _api(
        page, live_server, token, "POST", f"/api/v1/candidates/{person.public_id}/portal-link/"
    ).json()
    page.context.clear_cookies()
    page.goto(urlsplit(body["url"]).path)
    page.get_by_text("Add something no network measures").click()
    page.get_by_label("Kind").select_option("teaching")
    page.get_by_label("Title").fill("Evening course: Python for journalists")
    page.get_by_label("Venue or organisation").fill("City Adult College")
    page.get_by_label("Reference").fill("Course PY-101")
    page.get_by_role("button", name="Add evidence").click()
    page.wait_for_url("**#evidence-h")
    assert "Added: “Evening course: Python for journalists”" in page.locator("main").inner_text()
    screenshot(page, "portal-evidence-added")
    evidence = ReputationEvidence.objects.get(title="Evening course: Python for journalists")
    assert (evidence.verification, evidence.source) == ("unverified", "candidate")
    assert AuditEvent.objects.filter(
        event_type="evidence.added",
        subject_id=str(evidence.pk),
        actor_label__startswith="candidate",
    ).exists()

    log_in_as(get_user_model().objects.get(username="recruiter"))
    page.goto(f"/candidates/{person.public_id}/")
    row = page.locator("tr", has_text="Evening course: Python for journalists")
    assert "Unverified, supplied by the candidate" in row.inner_text()
    assert (
        "Added teaching: “Evening course: Python for journalists”"
        in page.locator(
            "#portal-h + p + form + h3 + ul, section[aria-labelledby=portal-h]"
        ).first.inner_text()
    )
    screenshot(page, "recruiter-sees-portal-evidence")


def test_the_candidate_disputes_disowns_and_confirms_an_erasure_from_their_email(
    page: Any, demo: Any, live_server: Any, screenshot: Callable[[Any, str], str]
) -> None:
    import re

    from django.core import mail

    person = (
        Candidate.objects.filter(organization=demo.organization, accounts__isnull=False)
        .exclude(email="")
        .distinct()
        .order_by("name")
        .first()
    )
    assert person is not None
    _, token = api_token_create(organization=demo.organization, name="ats", scope="write")
    body = _api(
        page, live_server, token, "POST", f"/api/v1/candidates/{person.public_id}/portal-link/"
    ).json()
    path = urlsplit(body["url"]).path
    page.context.clear_cookies()
    page.goto(path)
    # A dispute, in their words.
    page.get_by_label("What do you dispute?").select_option(label="My influence score")
    page.get_by_label("What is wrong or missing").fill("My conference talks are not counted.")
    page.get_by_role("button", name="Send the dispute").click()
    page.wait_for_url("**#disputes-h")
    assert "a recruiter will answer here" in page.locator("main").inner_text()
    # A namesake's account.
    first = person.accounts.order_by("network", "handle").first()
    page.get_by_role("button", name=re.compile(rf"^Not mine.*{re.escape(first.handle)}$")).click()
    page.wait_for_url("**#accounts-h")
    assert "no longer counts" in page.locator("main").inner_text()
    screenshot(page, "portal-after-actions")
    violations = blocking_violations(page)
    assert not violations, describe("portal-after-actions", violations)
    # Erasure: asked on the page, confirmed from the e-mail.
    page.get_by_role("button", name="Ask for erasure").click()
    page.wait_for_url("**#data-h")
    assert "We sent a link to" in page.locator("main").inner_text()
    assert Candidate.objects.get(pk=person.pk).erased_at is None
    (message,) = [m for m in mail.outbox if m.to == [person.email]]
    link = re.search(r"https?://[^/\s]+(/portal/confirm/[^/\s]+/)", message.body)
    assert link is not None
    page.goto(link.group(1))
    assert "This cannot be undone." in page.locator("main").inner_text()
    screenshot(page, "portal-confirm-erasure")
    violations = blocking_violations(page)
    assert not violations, describe("portal-confirm-erasure", violations)
    page.get_by_role("button", name="Erase my data").click()
    assert "Your data were erased" in page.locator("h1").inner_text()
    screenshot(page, "portal-erased")
    assert Candidate.objects.filter(pk=person.pk, erased_at__isnull=True).count() == 0
    response = page.goto(path)
    assert response is not None
    assert response.status == 404
