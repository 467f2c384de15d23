"""The main pages, on the demo population: axe-core finds nothing serious, and screenshots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

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
        "admin-rule-form": "/admin/hiring/screeningrule/add/",
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
