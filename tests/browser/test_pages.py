"""The main pages, on the demo population: axe-core finds nothing serious, and screenshots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from candidates.models import Candidate
from hiring import selectors as hiring_selectors
from hiring.models import Job
from scoring.models import Score
from tests.browser.axe import blocking_violations, describe

pytestmark = pytest.mark.browser


def test_main_pages_have_no_serious_accessibility_violation(
    page: Any,
    demo: Any,
    log_in_as: Callable[[Any], None],
    screenshot: Callable[[Any, str], str],
) -> None:
    users = get_user_model().objects
    advocate = Job.objects.get(organization=demo.organization, title="Developer Advocate")
    waiting = hiring_selectors.review_queue(job=advocate).first()
    assert waiting is not None, "the demo has someone waiting for review"
    # The candidate with the longest score history: the trend, its dips and spikes.
    scored = (
        Score.objects.filter(candidate__organization=demo.organization, scorer="influence")
        .values_list("candidate__public_id", flat=True)
        .order_by("candidate__name")
        .first()
    )
    recruiter_pages = {
        "candidate-list": "/",
        "candidate-detail": f"/candidates/{scored}/",
        "job-board": "/jobs/",
        "review-queue": f"/jobs/{advocate.pk}/review/",
        "candidate-review": f"/jobs/{advocate.pk}/candidates/{waiting.candidate.public_id}/",
        "refresh": "/refresh/",
    }
    auditor_pages = {"bias-audit": "/audit/"}
    admin_pages = {
        "admin-rule-form": "/admin/renown_hiring/screeningrule/add/",
    }
    found: dict[str, list[dict[str, Any]]] = {}

    def visit(name: str, path: str) -> None:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        screenshot(page, name)
        found[name] = blocking_violations(page)

    visit("login", "/accounts/login/")
    visit("password-reset", "/accounts/password_reset/")
    log_in_as(users.get(username="recruiter"))
    for name, path in recruiter_pages.items():
        visit(name, path)
    log_in_as(users.get(username="auditor"))
    for name, path in auditor_pages.items():
        visit(name, path)
    log_in_as(users.get(username="hr-admin"))
    for name, path in admin_pages.items():
        visit(name, path)

    failing = {name: v for name, v in found.items() if v}
    assert not failing, "\n".join(describe(name, v) for name, v in failing.items())


def test_recruiter_pages_fit_a_phone(
    page: Any,
    demo: Any,
    log_in_as: Callable[[Any], None],
    screenshot: Callable[[Any, str], str],
) -> None:
    """At 375 px wide no page scrolls sideways (wide tables scroll inside a focusable
    region) and axe-core still finds nothing serious."""
    advocate = Job.objects.get(organization=demo.organization, title="Developer Advocate")
    waiting = hiring_selectors.review_queue(job=advocate).first()
    assert waiting is not None
    # Someone with evidence and accounts: the widest tables of the candidate page.
    person = (
        Candidate.objects.filter(organization=demo.organization, evidence__isnull=False)
        .filter(accounts__isnull=False)
        .order_by("name")
        .first()
    )
    assert person is not None
    page.set_viewport_size({"width": 375, "height": 812})
    log_in_as(get_user_model().objects.get(username="recruiter"))
    problems: list[str] = []
    for name, path in {
        "candidate-list": "/?sort=-influence",
        "candidate-detail": f"/candidates/{person.public_id}/",
        "job-board": "/jobs/",
        "review-queue": f"/jobs/{advocate.pk}/review/",
        "candidate-review": f"/jobs/{advocate.pk}/candidates/{waiting.candidate.public_id}/",
    }.items():
        page.goto(path)
        screenshot(page, f"phone-{name}")
        scroll, client = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > client:
            problems.append(f"{name}: the page is {scroll} px wide on a {client} px screen")
        if found := blocking_violations(page):
            problems.append(describe(f"{name} at 375 px", found))
    assert not problems, "\n".join(problems)
