"""What a recruiter and an HR admin do in a real browser, on the demo population of `make run`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from candidates.models import Candidate
from hiring import selectors as hiring_selectors
from hiring.models import Decision, Job, ScreeningRule
from scoring import selectors as scoring_selectors
from tests import factories
from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


def user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def test_a_recruiter_logs_in_and_out(page: Any, demo: Any) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("Username").fill("recruiter")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")

    # Then with the keyboard alone: the form answers to Tab and Enter.
    page.get_by_label("Username").fill("")
    page.get_by_label("Username").focus()
    page.keyboard.type("recruiter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(demo.password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidates")
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("recruiter")
    expect(page.get_by_role("note")).to_contain_text("synthetic")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.goto("/jobs/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/jobs/$"))


def test_a_recruiter_filters_the_candidate_list(
    page: Any, demo: Any, log_in_as: Callable[[Any], None]
) -> None:
    people = Candidate.objects.filter(organization=demo.organization)
    # A surname several people share, so the filter has something to keep and to drop.
    surnames = sorted({c.name.split()[-1] for c in people})
    surname = max(surnames, key=lambda s: people.filter(name__icontains=s).count())
    expected = sorted(people.filter(name__icontains=surname).values_list("name", flat=True))
    assert 1 < len(expected) < people.count()

    log_in_as(user("recruiter"))
    page.goto("/")
    rows = page.get_by_role("row").filter(has=page.get_by_role("link"))
    expect(rows).to_have_count(min(people.count(), 50))

    page.get_by_label("Search by name or email").fill(surname)
    page.get_by_label("Search by name or email").press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]q={surname}"))
    expect(rows).to_have_count(len(expected))
    assert sorted(rows.get_by_role("link").all_inner_texts()) == expected
    expect(page.get_by_text(f"{len(expected)} candidates")).to_be_visible()

    page.get_by_label("Search by name or email").fill("nobody-by-this-name")
    page.get_by_label("Search by name or email").press("Enter")
    expect(page.get_by_text("No candidates match")).to_be_visible()


def test_a_recruiter_opens_a_candidate_and_sees_the_trajectory(
    page: Any, demo: Any, log_in_as: Callable[[Any], None]
) -> None:
    now = timezone.now()
    # Someone whose history has a dip: the page must mark it and explain it.
    person, trend = next(
        (c, t)
        for c in Candidate.objects.filter(organization=demo.organization).order_by("name")
        if (t := scoring_selectors.score_trend(candidate_id=c.pk, now=now))
        and any(e.kind == "dip" for e in t.episodes)
    )
    dip = next(e for e in trend.episodes if e.kind == "dip")

    log_in_as(user("recruiter"))
    page.goto("/")
    page.get_by_label("Search by name or email").fill(person.email)
    page.get_by_label("Search by name or email").press("Enter")
    page.get_by_role("link", name=person.name).click()
    expect(page).to_have_url(re.compile(rf"/candidates/{person.public_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(person.name)

    trajectory = page.get_by_role("region", name=re.compile(r"^Influence over the last"))
    expect(trajectory).to_be_visible()
    expect(trajectory).to_contain_text(f"({trend.trend.points} daily scores)")
    expect(trajectory).to_contain_text(f"Dip {dip.start:%Y-%m-%d}")
    if dip.explanation:
        expect(trajectory).to_contain_text(dip.explanation)

    # "Why 34?": the parts of the influence score, in words and numbers.
    influence = page.get_by_role("region", name="Influence", exact=True)
    expect(influence.get_by_role("table")).to_contain_text("Because")
    assert_accessible(page, "candidate detail with a dip")


def test_a_recruiter_decides_a_review(
    page: Any, demo: Any, log_in_as: Callable[[Any], None]
) -> None:
    job = Job.objects.get(organization=demo.organization, title="Developer Advocate")
    queue = list(hiring_selectors.review_queue(job=job).values_list("candidate__name", flat=True))
    assert queue, "the demo has people waiting for a person"
    first = queue[0]

    log_in_as(user("recruiter"))
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Jobs and review").click()
    page.get_by_role("link", name="Developer Advocate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue: Developer Advocate")
    waiting = page.get_by_role("region", name="Waiting for a decision")
    expect(waiting).to_contain_text(f"{len(queue)} candidate")

    waiting.get_by_role("link", name=first, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first)
    expect(page.get_by_role("region", name="What the rules found")).to_contain_text("Outcome")

    decide = page.get_by_role("region", name="Decision")
    decide.get_by_label("Advance").check()
    decide.get_by_label("Reason").fill("Two talks and a book: the offline record carries it.")
    decide.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded: advance.")
    expect(decide.get_by_role("table")).to_contain_text("the offline record carries it")
    assert_accessible(page, "candidate review after a decision")

    decision = Decision.objects.get(screening__job=job, screening__candidate__name=first)
    assert (decision.kind, decision.reviewer, decision.review_seconds is not None) == (
        "advance",
        user("recruiter"),
        True,
    )
    page.get_by_role("link", name=re.compile(r"Review queue: Developer Advocate")).click()
    expect(page.get_by_role("region", name="Waiting for a decision")).to_contain_text(
        f"{len(queue) - 1} candidate"
    )


def test_an_hr_admin_creates_klout_35_on_a_job(
    page: Any, demo: Any, log_in_as: Callable[[Any], None]
) -> None:
    job = Job.objects.get(organization=demo.organization, title="Data Engineer")
    log_in_as(user("hr-admin"))
    page.goto("/admin/hiring/screeningrule/add/")
    page.get_by_label("Job:").select_option(label=str(job))
    page.get_by_label("Metric:").fill("vendor:klout")
    page.get_by_label("Operator:").select_option(label="≥")
    page.get_by_label("Threshold:").fill("35")
    page.get_by_label("Action:").select_option(value="needs_review")
    page.get_by_label("Change note:").fill("Klout as a tie-breaker.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    rule = ScreeningRule.objects.get(job=job, metric="vendor:klout")
    assert (rule.threshold, rule.status, rule.created_by) == (35, "live", user("hr-admin"))


def test_script_payloads_in_a_candidates_data_stay_text(
    page: Any, demo: Any, log_in_as: Callable[[Any], None]
) -> None:
    """Handles, names and evidence come from candidates and ATSs: nothing in them runs."""
    person = factories.CandidateFactory(
        organization=demo.organization,
        name="Eve <img src=x onerror=\"window.__pwned='name'\">",
        email="eve@demo.example",
    )
    factories.SocialAccountFactory(
        candidate=person, handle="<script>window.__pwned='handle'</script>"
    )
    factories.ReputationEvidenceFactory(
        candidate=person,
        title="<img src=x onerror=\"window.__pwned='evidence'\">",
        venue="<svg onload=\"window.__pwned='venue'\"></svg>",
    )
    log_in_as(user("recruiter"))
    page.goto(f"/candidates/{person.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(person.name)
    expect(page.get_by_role("region", name="Social accounts")).to_contain_text(
        "<script>window.__pwned='handle'</script>"
    )
    expect(page.get_by_role("region", name="Offline evidence")).to_contain_text(
        "<img src=x onerror="
    )
    page.goto("/?q=Eve")
    expect(page.get_by_role("link", name=person.name)).to_be_visible()
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.locator("img[src=x], svg[onload]").count() == 0
