"""The rule page as an HR admin decides from it (issue 18, parts 1, 4 and 6): the demo's
Klout draft and a new rule, at 1,400 and 375 px; the summary and its chart in the first
screen; the preview recomputed as the fields change, without a reload; axe-core finds no
violation of any impact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hiring.models import ScreeningRule
from tests.browser.axe import describe, violations

pytestmark = pytest.mark.browser

WIDE = {"width": 1400, "height": 1000}
PHONE = {"width": 375, "height": 812}


def _no_violation(page: Any, where: str) -> None:
    found = violations(page)
    assert not found, describe(where, found)


def _fits(page: Any, where: str) -> None:
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{where}: the page is {scroll} px wide on a {client} px screen"


def _live_update(page: Any, field: str, value: str) -> None:
    """Change a field as a person does and wait for the preview it sends, with no reload."""
    page.evaluate("() => { window.__sameDocument = true; }")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.fill(f"#id_{field}", value)
    assert answer.value.status == 200
    page.wait_for_function(
        "() => document.getElementById('rule-preview-status').textContent"
        ".startsWith('Preview updated')"
    )
    assert page.evaluate("() => window.__sameDocument === true"), "the page was reloaded"


def test_the_demo_klout_draft_decides_from_the_first_screen(
    page: Any, demo: Any, log_in_as: Callable[[Any], None], screenshot: Callable[[Any, str], str]
) -> None:
    klout = ScreeningRule.objects.get(job__organization=demo.organization, metric="vendor:klout")
    log_in_as(get_user_model().objects.get(username="hr-admin"))
    page.set_viewport_size(WIDE)
    page.goto(f"/admin/renown_hiring/screeningrule/{klout.pk}/change/")
    # The summary and the whole chart sit in the first 1,400 × 1,000 screen.
    for selector in ("#summary-h", ".summary-outcome", ".impact-chart"):
        box = page.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["y"] + box["height"] <= WIDE["height"], f"{selector} ends at {box}"
    screenshot(page, "rule-page-klout")
    page.screenshot(path=screenshot(page, "rule-page-klout-top"), full_page=False)
    # Then the warnings, the acknowledgement beside them, then the fields.
    tops = [
        page.locator(s).first.bounding_box()["y"]  # type: ignore[index]
        for s in ("#summary-h", "#warnings-h", "#id_acknowledgement", "#id_threshold")
    ]
    assert tops == sorted(tops)
    _no_violation(page, "the Klout draft at 1,400 px")

    assert "vendor:klout ≥ 35.00" in page.locator("#summary-h").inner_text()
    _live_update(page, "threshold", "20")
    assert page.locator("#summary-h").inner_text() == (
        "What vendor:klout ≥ 20 would do (these values, not saved)"
    )
    assert not page.locator(".errornote").count()
    _no_violation(page, "the Klout draft after a live update")
    klout.refresh_from_db()
    assert klout.threshold == 35  # nothing saved

    page.set_viewport_size(PHONE)
    page.goto(f"/admin/renown_hiring/screeningrule/{klout.pk}/change/")
    screenshot(page, "phone-rule-page-klout")
    _fits(page, "the Klout draft at 375 px")
    _no_violation(page, "the Klout draft at 375 px")

    # The second HR admin approves beside the warnings: the box passes axe too.
    log_in_as(get_user_model().objects.get(username="hr-admin-2"))
    page.set_viewport_size(WIDE)
    page.goto(f"/admin/renown_hiring/screeningrule/{klout.pk}/change/")
    assert page.locator("#id_statement").is_visible()
    _no_violation(page, "the Klout draft for the second HR admin")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1400", "375"])
def test_a_new_rule_previews_as_it_is_written(
    page: Any,
    demo: Any,
    log_in_as: Callable[[Any], None],
    screenshot: Callable[[Any, str], str],
    viewport: dict[str, int],
) -> None:
    job = ScreeningRule.objects.get(job__organization=demo.organization, metric="vendor:klout").job
    log_in_as(get_user_model().objects.get(username="hr-admin"))
    page.set_viewport_size(viewport)
    page.goto(f"/admin/renown_hiring/screeningrule/add/?job={job.pk}")
    assert "as you type" in page.locator("#rule-preview-top").inner_text()
    _no_violation(page, f"a new rule at {viewport['width']} px, empty")
    page.select_option("#id_metric", "reputation")
    page.select_option("#id_operator", "gte")
    page.fill("#id_max_data_age_days", "365")
    _live_update(page, "threshold", "30")
    summary = page.locator("#rule-preview-top").inner_text()
    assert "What reputation ≥ 30 would do (these values, not saved)" in summary
    assert "Impact ratio by group" in summary
    screenshot(page, f"rule-page-new-{viewport['width']}")
    _fits(page, f"a new rule at {viewport['width']} px")
    _no_violation(page, f"a new rule at {viewport['width']} px, previewed")
    assert not ScreeningRule.objects.filter(job=job, metric="reputation").exists()
