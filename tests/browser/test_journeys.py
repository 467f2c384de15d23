"""What a recruiter and an HR admin do in a real browser, on the demo population of `make run`."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from candidates.models import Candidate, ReputationEvidence
from hiring import selectors as hiring_selectors
from hiring import services as hiring_services
from hiring.models import Decision, Job, Outcome, Screening, ScreeningRule
from renown.models import AuditEvent
from scoring import selectors as scoring_selectors
from tests import factories
from tests.browser import SCREENSHOT_DIR
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
    expect(page.get_by_role("complementary", name="Demo")).to_contain_text("synthetic")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.goto("/jobs/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/jobs/$"))


def test_a_recruiter_filters_and_sorts_the_candidate_list(
    page: Any, demo: Any, log_in_as: Callable[[Any], None]
) -> None:
    people = Candidate.objects.filter(organization=demo.organization)
    job = Job.objects.get(organization=demo.organization, title="Developer Advocate")
    # The outcome most of the job's candidates share, so the filter keeps some, drops others.
    outcomes = Screening.objects.filter(job=job).values_list("outcome", flat=True)
    outcome = max(set(outcomes), key=list(outcomes).count)
    label = Outcome(outcome).label
    # Names as a multiset: the demo's generated names can repeat (namesakes).
    expected = Counter(
        Screening.objects.filter(job=job, outcome=outcome).values_list("candidate__name", flat=True)
    )
    assert 1 < expected.total() < people.count()

    log_in_as(user("recruiter"))
    page.goto("/")
    rows = page.get_by_role("row").filter(has=page.get_by_role("link"))
    expect(rows).to_have_count(min(people.count(), 50))

    search = page.get_by_role("search", name="Search and filter candidates")
    search.get_by_label("Job").select_option(label="Developer Advocate")
    search.get_by_label("Screening outcome").select_option(label=label)
    search.get_by_label("Sort by").select_option(label="Influence: highest first")
    search.get_by_role("button", name="Show candidates").click()
    expect(page).to_have_url(re.compile(rf"[?&]outcome={outcome}"))
    expect(rows).to_have_count(expected.total())
    names = rows.locator("td:first-child a").all_inner_texts()
    assert Counter(names) == expected
    # Highest influence first; "no data" (not a low score) comes last.
    cells = rows.locator("td:nth-child(2)").all_inner_texts()
    values = [float(c) for c in cells if c != "no data"]
    assert len(values) > 1
    assert values == sorted(values, reverse=True)
    assert cells[len(values) :] == ["no data"] * (len(cells) - len(values))
    expect(rows.first).to_contain_text(label)
    expect(page.get_by_text(f"{expected.total()} candidates")).to_be_visible()

    # Search within the filter: a name from the list, and one that matches nobody.
    first_name = names[0]
    search.get_by_label("Search name, email or handle").fill(first_name)
    search.get_by_label("Search name, email or handle").press("Enter")
    expect(page.get_by_role("link", name=first_name, exact=True).first).to_be_visible()
    assert set(rows.locator("td:first-child a").all_inner_texts()) <= set(expected)
    search.get_by_label("Search name, email or handle").fill("nobody-by-this-name")
    search.get_by_label("Search name, email or handle").press("Enter")
    expect(page.get_by_text("No candidates match")).to_be_visible()
    # The flag filter: "Any flag" keeps exactly the people with a flag.
    page.get_by_role("link", name="Clear").click()
    flagged = Counter(people.filter(flags__isnull=False).distinct().values_list("name", flat=True))
    assert 0 < flagged.total() < people.count()
    search.get_by_label("Flags").select_option(label="Any flag")
    search.get_by_role("button", name="Show candidates").click()
    expect(rows).to_have_count(flagged.total())
    assert Counter(rows.locator("td:first-child a").all_inner_texts()) == flagged


def test_a_recruiter_opens_a_candidate_and_sees_the_trajectory(
    page: Any, demo: Any, log_in_as: Callable[[Any], None]
) -> None:
    now = timezone.now()
    # Someone whose history has a dip: the chart must mark it and the page explain it.
    person, trend = next(
        (c, t)
        for c in Candidate.objects.filter(organization=demo.organization).order_by("name")
        if (t := scoring_selectors.score_trend(candidate_id=c.pk, now=now, days=180))
        and any(e.kind == "dip" for e in t.episodes)
    )
    dips = [e for e in trend.episodes if e.kind == "dip"]

    log_in_as(user("recruiter"))
    page.goto("/")
    page.get_by_label("Search name, email or handle").fill(person.email)
    page.get_by_label("Search name, email or handle").press("Enter")
    page.get_by_role("link", name=person.name).click()
    expect(page).to_have_url(re.compile(rf"/candidates/{person.public_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(person.name)

    trajectory = page.get_by_role("region", name="Influence over the last 180 days")
    chart = trajectory.get_by_role("img", name=f"Influence score of {person.name}, last 180 days")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 100
    # One line through the daily scores, one marked band per dip, all inline: no request.
    assert len(chart.locator("path.line").get_attribute("d") or "") > 100
    expect(chart.locator("rect.band.dip")).to_have_count(len(dips))
    expect(trajectory).to_contain_text(f"({trend.trend.points} daily scores)")
    explained = trajectory.locator("ol.episodes")
    expect(explained).to_contain_text(f"Dip {dips[0].start:%Y-%m-%d}")
    if dips[0].explanation:
        expect(explained).to_contain_text(dips[0].explanation)
    # The chart's data as a table, for those who cannot see the chart.
    trajectory.get_by_text("The chart's data as a table").click()
    expect(trajectory.get_by_role("table").locator("tbody tr")).to_have_count(trend.trend.points)

    # "Why 34?": the parts of the influence score, in words and numbers.
    influence = page.get_by_role("region", name="Influence", exact=True)
    expect(influence.get_by_role("table")).to_contain_text("Because")
    assert_accessible(page, "candidate detail with a dip")


def test_a_recruiter_verifies_a_piece_of_evidence(
    page: Any, demo: Any, log_in_as: Callable[[Any], None]
) -> None:
    item = (
        ReputationEvidence.objects.filter(
            candidate__organization=demo.organization, verification="unverified"
        )
        .select_related("candidate")
        .order_by("candidate__name", "pk")
        .first()
    )
    assert item is not None, "the demo has unverified evidence"
    person = item.candidate

    log_in_as(user("recruiter"))
    page.goto(f"/candidates/{person.public_id}/")
    evidence = page.get_by_role("region", name="Offline evidence", exact=True)
    row = evidence.get_by_role("row").filter(has_text=item.title)
    expect(row).to_contain_text("Unverified")
    reputation = page.get_by_role("region", name="Offline reputation", exact=True)
    reputation_before = reputation.locator(".score").inner_text()

    row.get_by_role("button", name=f"Verify {item.title}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Evidence verified: “{item.title}”.")
    row = page.get_by_role("region", name="Offline evidence", exact=True).get_by_role("row")
    row = row.filter(has_text=item.title)
    expect(row).to_contain_text("Verified by recruiter")
    expect(row.get_by_role("button", name=f"Verify {item.title}")).to_have_count(0)
    item.refresh_from_db()
    assert (item.verification, item.verified_by) == ("verified", user("recruiter"))
    assert AuditEvent.objects.filter(
        event_type="evidence.verified", subject_id=str(item.pk), actor=user("recruiter")
    ).exists()
    page_score = page.get_by_role("region", name="Offline reputation", exact=True).locator(".score")
    # A verified item counts in full: the offline reputation does not go down.
    assert float(page_score.inner_text()) >= float(reputation_before)
    assert_accessible(page, "candidate detail after verifying evidence")


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
    to_queue = page.get_by_role("link", name=re.compile(r"^Review queue of Developer Advocate"))
    expect(to_queue).to_have_text(str(len(queue)))
    to_queue.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue: Developer Advocate")
    waiting = page.get_by_role("region", name="Waiting for a decision", exact=True)
    expect(waiting).to_contain_text(f"{len(queue)} candidate")

    waiting.get_by_role("link", name=first, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first)
    expect(page.get_by_role("region", name="What the rules found", exact=True)).to_contain_text(
        "Outcome"
    )

    decide = page.get_by_role("region", name="Decision", exact=True)
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
    expect(page.get_by_role("region", name="Waiting for a decision", exact=True)).to_contain_text(
        f"{len(queue) - 1} candidate"
    )


def test_an_hr_admin_sees_fairness_warnings_block_klout_35_until_acknowledged(
    page: Any,
    demo: Any,
    log_in_as: Callable[[Any], None],
    screenshot: Callable[[Any, str], str],
) -> None:
    # A job where influence is irrelevant and unjustified, and a vendor that closed in 2018.
    job = Job.objects.get(organization=demo.organization, title="Data Engineer")
    assert (job.influence_relevance, job.relevance_justification) == ("none", "")
    klout = ScreeningRule.objects.filter(job=job, metric="vendor:klout")
    log_in_as(user("hr-admin"))
    # From the job: the metric list then offers the organisation's vendors.
    page.goto(f"/admin/renown_hiring/screeningrule/add/?job={job.pk}")

    def fill_rule() -> None:
        page.get_by_label("Metric:").select_option("vendor:klout")
        page.get_by_label("Operator:").select_option(label="≥")
        page.get_by_label("Threshold:").fill("35")
        page.get_by_label("Action:").select_option(value="needs_review")
        page.get_by_label("Change note:").fill("Klout as a tie-breaker.")

    # The preview shows the warnings while the admin edits, and saves nothing.
    fill_rule()
    # The page previews as the fields change; the button does the same without JavaScript.
    expect(page.locator("#rule-preview-status")).to_contain_text("Preview updated")
    expect(page.locator("#rule-preview-top")).to_contain_text("What vendor:klout ≥ 35 would do")
    page.get_by_role("button", name="Preview (saves nothing)").first.click()
    warnings = page.get_by_role("region", name="Warnings")
    expect(warnings).to_contain_text("the rule cannot go live until you acknowledge")
    serious = warnings.locator("details.warnings-serious li")
    expect(serious.first).to_be_visible()  # the serious ones are open, not folded away
    codes = set(serious.evaluate_all("items => items.map(li => li.dataset.code)"))
    assert codes, "Klout ≥ 35 on a job with no stated relevance has serious warnings"
    expect(warnings.locator("details.warnings-serious")).to_contain_text("Klout")
    expect(page.locator(".errornote")).to_have_count(0)  # a preview is not an error
    assert_accessible(page, "admin rule form with its fairness preview")
    assert not klout.exists()

    # Save without a word: refused, and the reason is on the acknowledgement field.
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".errornote")).to_be_visible()
    refusal = page.locator(".field-acknowledgement .errorlist")
    expect(refusal).to_contain_text("serious fairness warning")
    expect(refusal).to_contain_text("must be acknowledged in words before this rule can go live")
    screenshot(page, "admin-rule-blocked")
    assert not klout.exists()

    # With a written justification the rule goes live, and the words are on the record.
    justification = (
        "Tie-breaker only, for a developer-relations opening of this team: "
        "reviewed with legal on 2026-11-20; candidates without Klout go to review."
    )
    page.get_by_label("Acknowledgement of serious warnings").fill(justification)
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    rule = klout.get()
    assert (rule.threshold, rule.status, rule.created_by) == (35, "live", user("hr-admin"))
    acknowledged = AuditEvent.objects.get(
        event_type="warning.acknowledged", subject_id=str(rule.pk)
    )
    assert acknowledged.note == justification
    assert acknowledged.actor == user("hr-admin")
    assert {w["code"] for w in acknowledged.after["warnings"]} == codes


def viewport(page: Any, name: str) -> None:
    """A screenshot of what is on the screen now (a full page of the rule form is too tall
    to read)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"))


def test_hr_admin_acknowledges_the_demo_klout_draft_and_hr_admin_2_approves_it(
    page: Any, demo: Any, screenshot: Callable[[Any], str]
) -> None:
    """The README's journey on the demo: acknowledged in words by its author, approved by
    a second HR admin, live."""
    job = Job.objects.get(organization=demo.organization, title="Community Manager")
    klout = ScreeningRule.objects.get(job=job, metric="vendor:klout")
    assert (klout.status, klout.action, klout.created_by) == (
        "draft",
        "screen_out",
        user("hr-admin"),
    )

    def go(target: Any) -> None:
        # Let the page finish loading its scripts first: leaving it earlier aborts them,
        # which the browser guard rightly counts as a broken page.
        page.wait_for_load_state("load")
        target.click()
        page.wait_for_load_state("load")

    def log_in(username: str) -> None:
        page.goto("/admin/")
        page.get_by_label("Username:").fill(username)
        page.get_by_label("Password:").fill(demo.password)
        go(page.get_by_role("button", name="Log in"))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Screening, candidates and scores"
        )

    def open_the_klout_draft() -> None:
        go(page.get_by_role("link", name="Screening rules").first)
        go(page.get_by_role("link", name="Draft (not live", exact=False))  # status filter
        go(page.get_by_role("link", name=str(klout)))
        expect(page.get_by_role("heading", level=2, name=str(klout), exact=True)).to_be_visible()

    # hr-admin opens the draft: its page says the serious warnings block it.
    log_in("hr-admin")
    open_the_klout_draft()
    fairness = page.get_by_role("region", name="Warnings")
    expect(fairness).to_contain_text("the rule cannot go live until you acknowledge")
    serious = fairness.locator("details.warnings-serious li")
    codes = set(serious.evaluate_all("items => items.map(li => li.dataset.code)"))
    assert "metric.discontinued" in codes
    words = (
        "Pilot for four weeks on this opening only, reviewed with legal on 2026-11-20: "
        "every screen-out is looked at by a recruiter, and candidates without Klout go to review."
    )
    page.get_by_label("Acknowledgement of serious warnings").fill(words)
    go(page.get_by_role("button", name="Save", exact=True).first)
    messages = page.locator(".messagelist")
    expect(messages).to_contain_text("Your acknowledgement is recorded (no new version)")
    expect(messages).to_contain_text("waits for a second HR admin")
    expect(fairness).to_contain_text("all acknowledged in words")
    expect(fairness).to_contain_text(words)
    screenshot(page, "klout-acknowledged-by-hr-admin")
    viewport(page, "klout-acknowledged-by-hr-admin-top")
    page.locator("#fairness-h").evaluate("heading => heading.scrollIntoView()")
    viewport(page, "klout-acknowledged-by-hr-admin-fairness")
    assert ScreeningRule.objects.filter(lineage=klout.lineage).count() == 1
    klout.refresh_from_db()
    assert klout.status == "draft"
    go(page.get_by_role("button", name="Log out"))

    # hr-admin-2 finds it, reads the warnings and the author's words, and approves it.
    log_in("hr-admin-2")
    open_the_klout_draft()
    go(page.get_by_role("link", name="Approve (a second HR admin)"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Approve {klout}")
    expect(page.get_by_role("region", name="Acknowledgements in words")).to_contain_text(words)
    serious_here = page.get_by_role("region", name=re.compile(r"^Serious fairness warnings"))
    expect(serious_here).to_contain_text("Klout closed")
    assert_accessible(page, "admin approval page of a screen-out draft")
    # An approval is always the approver's own statement (saved with the version).
    page.get_by_label(re.compile(r"Your statement")).fill("Seen: accepted for the four-week pilot.")
    screenshot(page, "klout-approval-page-hr-admin-2")
    viewport(page, "klout-approval-page-hr-admin-2-top")
    go(page.get_by_role("button", name="Approve and make live"))
    expect(page.locator(".messagelist")).to_contain_text("Approved by you and live")
    viewport(page, "klout-live-after-approval")

    klout.refresh_from_db()
    assert (klout.status, klout.active, klout.approved_by) == ("live", True, user("hr-admin-2"))
    assert hiring_selectors.rule_list_active(job=job).filter(pk=klout.pk).exists()
    # The job's page lists it in its live rule set.
    page.goto(f"/admin/renown_hiring/job/{job.pk}/change/")
    expect(page.locator(".field-rule_set")).to_contain_text(str(klout))
    page.locator(".field-rule_set").evaluate("field => field.scrollIntoView()")
    viewport(page, "klout-live-on-the-job-page")


def test_the_approver_answers_in_words_a_serious_warning_that_appeared_since(
    page: Any,
    demo: Any,
    log_in_as: Callable[[Any], None],
    screenshot: Callable[[Any, str], str],
) -> None:
    job = Job.objects.get(organization=demo.organization, title="Community Manager")
    klout = ScreeningRule.objects.get(job=job, metric="vendor:klout")
    hiring_services.rule_acknowledge(
        rule=klout, actor=user("hr-admin"), statement="Pilot for four weeks."
    )
    # Since then the job was re-assessed: influence is not relevant to it after all.
    Job.objects.filter(pk=job.pk).update(influence_relevance="none")
    log_in_as(user("hr-admin-2"))
    page.goto(f"/admin/renown_hiring/screeningrule/{klout.pk}/approve/")
    serious = page.get_by_role("region", name=re.compile(r"^Serious fairness warnings"))
    expect(serious).to_contain_text("not acknowledged yet")
    expect(serious.locator("li:not(.acknowledged)").first).to_contain_text("Not acknowledged")
    assert_accessible(page, "admin approval page asking for the approver's words")
    page.wait_for_load_state("load")  # leaving earlier aborts the page's scripts
    page.get_by_role("button", name="Approve and make live").click()  # without words
    expect(page.locator(".field-statement .errorlist")).to_contain_text("a statement is required")
    klout.refresh_from_db()
    assert klout.status == "draft"
    words = "Relevance is being re-assessed with the hiring manager; the pilot stands meanwhile."
    page.get_by_label(re.compile(r"Your statement")).fill(words)
    page.locator("#ack-h").evaluate("heading => heading.scrollIntoView()")
    viewport(page, "klout-approver-words")
    page.wait_for_load_state("load")  # leaving earlier aborts the page's scripts
    page.get_by_role("button", name="Approve and make live").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved by you and live")
    klout.refresh_from_db()
    assert (klout.status, klout.approved_by) == ("live", user("hr-admin-2"))
    answered = AuditEvent.objects.filter(
        event_type="warning.acknowledged", subject_id=str(klout.pk)
    )
    assert answered.order_by("sequence").last().note == words


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
    expect(
        page.get_by_role("region", name="Social accounts and what each network says")
    ).to_contain_text("<script>window.__pwned='handle'</script>")
    expect(page.get_by_role("region", name="Offline evidence", exact=True)).to_contain_text(
        "<img src=x onerror="
    )
    page.goto("/?q=Eve")
    expect(page.get_by_role("link", name=person.name)).to_be_visible()
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.locator("img[src=x], svg[onload]").count() == 0
