"""What waits for whom, in a real browser on the demo: the second HR admin finds the Klout
draft to approve, an auditor the bias audit due; axe-core finds nothing serious."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from hiring.models import Job, ScreeningRule
from tests import factories
from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


def user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def test_the_second_hr_admin_lands_on_the_draft_waiting_for_them(
    page: Any, demo: Any, log_in_as: Callable[[Any], None], screenshot: Callable[[Any, str], str]
) -> None:
    klout = ScreeningRule.objects.get(job__organization=demo.organization, metric="vendor:klout")
    log_in_as(user("hr-admin-2"))
    page.goto("/")
    waiting = page.get_by_role("region", name="Waiting for you", exact=True)
    expect(waiting).to_contain_text("Screen-out rules to approve (1)")
    expect(waiting).to_contain_text("for Community Manager, written by hr-admin")
    expect(waiting).to_contain_text("No acknowledgement yet")
    screenshot(page, "waiting-hr-admin")
    assert_accessible(page, "candidate list with what waits for an HR admin")
    page.wait_for_load_state("load")
    waiting.get_by_role("link", name=str(klout)).click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Approve {klout}")
    # Its author is not asked to approve their own draft.
    log_in_as(user("hr-admin"))
    page.goto("/jobs/")
    expect(page.get_by_role("region", name="Waiting for you")).to_have_count(0)


def test_an_auditor_lands_on_the_audit_due(
    page: Any, demo: Any, log_in_as: Callable[[Any], None], screenshot: Callable[[Any, str], str]
) -> None:
    job = Job.objects.get(organization=demo.organization, title="Community Manager")
    assert job.jurisdictions == ["US-NY-NYC"]
    factories.ScreeningRuleFactory(job=job, action="advisory")  # live in New York City
    log_in_as(user("auditor"))
    page.goto("/jobs/")
    waiting = page.get_by_role("region", name="Waiting for you", exact=True)
    expect(waiting).to_contain_text("Bias audits due (1)")
    expect(waiting).to_contain_text("Community Manager: no bias audit recorded")
    screenshot(page, "waiting-auditor")
    assert_accessible(page, "job board with the audits due")
    page.wait_for_load_state("load")
    waiting.get_by_role("link", name="Community Manager", exact=True).click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bias audit")
    expect(page.get_by_label("Job", exact=True)).to_have_value(str(job.pk))
