"""The review queue as a recruiter works it (issue 19, parts 1 and 6): filter, assign to
me, advance three with one reason, next and previous from a candidate's page; at 1,400
and 375 px, axe-core finding no violation of any impact."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from hiring import selectors
from hiring.models import Decision, Job
from renown.models import AuditEvent
from tests.browser.axe import describe, violations

pytestmark = pytest.mark.browser


def _clean(page: Any, where: str) -> None:
    found = violations(page)
    assert not found, describe(where, found)
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{where}: the page is {scroll} px wide on a {client} px screen"


def _busiest_job(demo: Any) -> Job:
    jobs = Job.objects.filter(organization=demo.organization)
    return max(jobs, key=lambda job: selectors.review_queue(job=job).count())


@pytest.mark.parametrize("width", [1400, 375])
def test_a_recruiter_works_the_queue(
    page: Any,
    demo: Any,
    log_in_as: Callable[[Any], None],
    screenshot: Callable[[Any, str], str],
    width: int,
) -> None:
    job = _busiest_job(demo)
    waiting = list(selectors.review_queue(job=job))
    assert len(waiting) >= 4, "the demo has people waiting for a person"
    recruiter = get_user_model().objects.get(username="recruiter")
    log_in_as(recruiter)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/jobs/{job.pk}/review/")
    rows = page.locator("table.queue tbody tr")
    expect(rows.first).to_contain_text(waiting[0].candidate.name)  # the queue's own order
    screenshot(page, f"queue-{width}")
    _clean(page, f"the queue at {width} px")

    # Filter by state: only that state's rows remain, and the filter stays in the links.
    state = waiting[0].outcome
    page.get_by_label("State", exact=True).select_option(state)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"\?state={state}&"))
    shown = rows.count()
    assert shown == sum(1 for s in waiting if s.outcome == state)
    _clean(page, f"the filtered queue at {width} px")

    # Assign the first two to me: "my queue" holds them.
    page.goto(f"/jobs/{job.pk}/review/")
    for screening in waiting[:2]:
        page.locator(f"#sel-{screening.pk}").check()
    page.get_by_label("Action", exact=True).select_option("assign")
    page.get_by_role("button", name="Apply to the selected").click()
    expect(page.locator(".messages, .messagelist, [role=status]").first).to_contain_text(
        "2 assigned to you"
    )
    page.get_by_label("Assigned", exact=True).select_option("me")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)

    # Advance three with one reason: three decisions, three audit events, under my name.
    page.goto(f"/jobs/{job.pk}/review/")
    chosen = waiting[1:4]
    for screening in chosen:
        page.locator(f"#sel-{screening.pk}").check()
    page.get_by_label("Action", exact=True).select_option("advance")
    reason = "Panel reviewed the portfolios: all three go to interview."
    page.get_by_label("Reason (for advance or hold)").fill(reason)
    page.get_by_role("button", name="Apply to the selected").click()
    expect(page.locator("body")).to_contain_text("3 candidates advanced")
    decided = Decision.objects.filter(screening__in=chosen, kind="advance", reason=reason)
    assert decided.count() == 3
    events = AuditEvent.objects.filter(
        event_type="decision.recorded", subject_id__in=[str(d.pk) for d in decided]
    )
    assert events.count() == 3
    for screening in chosen:
        expect(page.locator("table.queue")).not_to_contain_text(screening.candidate.name)
    _clean(page, f"the queue after a bulk advance at {width} px")

    # From a candidate's page, next and previous walk the queue.
    first = waiting[0]
    page.goto(f"/jobs/{job.pk}/candidates/{first.candidate.public_id}/")
    nav = page.get_by_role("navigation", name="The review queue")
    expect(nav).to_contain_text("1 of")
    nav.get_by_role("link", name="Next:").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(waiting[4].candidate.name)
    nav.get_by_role("link", name="Previous:").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first.candidate.name)
    screenshot(page, f"queue-candidate-{width}")
    _clean(page, f"a candidate's review page at {width} px")
