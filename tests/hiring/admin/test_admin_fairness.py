"""Fairness in the admin: the rule form's warnings, preview and alternatives; activation
blocked until serious warnings are acknowledged; the job's rule set, outcomes and live
bias audit (HTML, CSV, record, publish); the public summary page; small groups masked."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from hiring.models import BiasAudit, ScreeningRule
from hiring.services import screening_run_for_job
from renown.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db

KLOUT_FORM = {
    "metric": "vendor:klout",
    "operator": "gte",
    "threshold": "35",
    "aggregation": "latest",
    "window_days": "90",
    "max_data_age_days": "3650",
    "missing_data_policy": "review",
    "near_band": "0",
    "near_band_source": "fixed",
    "action": "screen_out",
    "go_live": "on",
}


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def job(org_a: Any) -> Any:
    """A job with 24 men (Klout 30..53) and 24 women (Klout 20..43), 3 Asian women among
    them (a group under 5), and self-identification for all."""
    job = factories.JobFactory(
        organization=org_a, influence_relevance="supporting", relevance_justification=""
    )
    for i in range(48):
        woman = i >= 24
        candidate = factories.CandidateFactory(organization=org_a, name=f"Person {i}")
        factories.ApplicationFactory(job=job, candidate=candidate)
        race = "asian" if woman and i >= 45 else "white"
        factories.SelfIdentificationFactory(
            candidate=candidate, sex="female" if woman else "male", race_ethnicity=race
        )
        factories.VendorScoreFactory(
            candidate=candidate, value=Decimal((20 + i - 24) if woman else (30 + i))
        )
    return job


def test_klout_35_is_blocked_until_the_serious_warnings_are_acknowledged(
    job: Any, hr_admin_a: Any
) -> None:
    client = login(hr_admin_a)
    response = client.post("/admin/renown_hiring/screeningrule/add/", {**KLOUT_FORM, "job": job.pk})
    assert response.status_code == 200  # re-shown, not saved
    body = response.content.decode()
    assert "must be acknowledged in words" in body
    assert "Klout closed on 25 May 2018" in body  # why, in plain words
    assert "no reason" in body  # the job gives no justification
    assert not ScreeningRule.objects.filter(job=job).exists()

    response = client.post(
        "/admin/renown_hiring/screeningrule/add/",
        {**KLOUT_FORM, "job": job.pk, "acknowledgement": "Legacy comparison only; reviewed."},
    )
    assert response.status_code == 302
    rule = ScreeningRule.objects.get(job=job)
    assert rule.status == "draft"  # screen-out: waits for a second HR admin
    assert AuditEvent.objects.filter(event_type="warning.acknowledged").count() == 1


def test_the_preview_button_shows_the_summary_and_saves_nothing(job: Any, hr_admin_a: Any) -> None:
    """Issue 18, part 4 without JavaScript: Preview re-shows the page with the summary,
    no error banner, and nothing saved."""
    response = login(hr_admin_a).post(
        "/admin/renown_hiring/screeningrule/add/", {**KLOUT_FORM, "job": job.pk, "_preview": "1"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "errornote" not in body
    assert "Please correct" not in body
    assert "Preview of the values below: nothing is saved until you press Save." in body
    assert "What vendor:klout ≥ 35 would do (these values, not saved)" in body
    assert "What it would do today" in body
    assert "All alternatives searched" in body
    assert "vendor:klout ≥ 34" in body  # a threshold step
    assert "OR offline reputation" in body
    assert "No rule" in body
    assert not ScreeningRule.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_preview_shows_field_errors_without_the_banner(job: Any, hr_admin_a: Any) -> None:
    response = login(hr_admin_a).post(
        "/admin/renown_hiring/screeningrule/add/",
        {**KLOUT_FORM, "job": job.pk, "threshold": "high", "_preview": "1"},
    )
    body = response.content.decode()
    assert "errornote" not in body
    assert "To see what these values would do, fix:" in body
    assert "Threshold: Enter a number." in body
    assert not ScreeningRule.objects.exists()


@pytest.mark.parametrize("threshold", ["35", "high"])
def test_the_live_preview_answers_the_two_regions_alone(
    job: Any, hr_admin_a: Any, threshold: str
) -> None:
    """What rule-preview.js asks as the fields change: the regions it replaces, no page."""
    response = login(hr_admin_a).post(
        "/admin/renown_hiring/screeningrule/add/",
        {**KLOUT_FORM, "job": job.pk, "threshold": threshold, "_preview": "1"},
        headers={"X-Renown-Preview": "panel"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('id="rule-preview-top"') == 1
    assert body.count('id="rule-preview-details"') == 1
    assert "<html" not in body
    assert "errornote" not in body
    assert ("Pass 28" in body.title()) is (threshold == "35")
    assert not ScreeningRule.objects.exists()


def test_the_page_reads_summary_then_warnings_then_the_acknowledgement_then_fields(
    job: Any, hr_admin_a: Any
) -> None:
    """Issue 18, part 1: Klout ≥ 35 passes 28 (19 of 24 men, 9 of 24 women) and, a
    screen-out draft nobody approved yet, sends 20 to review; women are at 0.473 of men;
    the 3 Asian women are too small to judge."""
    rule = factories.ScreeningRuleFactory(
        job=job, metric="vendor:klout", threshold=Decimal(35), max_data_age_days=3650
    )
    body = (
        login(hr_admin_a)
        .get(f"/admin/renown_hiring/screeningrule/{rule.pk}/change/")
        .content.decode()
    )
    order = [
        'id="summary-h"',
        'class="impact-chart"',
        'id="warnings-h"',
        'name="acknowledgement"',
        'name="metric"',
        'id="fairness-h"',
    ]
    positions = [body.index(marker) for marker in order]
    assert positions == sorted(positions), dict(zip(order, positions, strict=True))
    summary = body[body.index('id="summary-h"') : body.index('id="warnings-h"')]
    text = re.sub(r"<[^>]+>", "", summary)
    assert "Of the 48 people who applied" in text
    assert "pass 28, send 20 to review and suggest rejecting 0" in text
    assert "Female (0.473)" in text  # who it hurts
    assert "White Female (0.360)" in text
    assert "Everyone has a usable vendor:klout." in text
    # The too-small group is named apart, its count masked for an HR admin.
    assert "Asian Female (by sex × race/ethnicity): fewer than 5 people, ratio 1.263" in text
    assert "Asian (by race/ethnicity): fewer than 5 people, ratio 1.800, Fisher p 0.255" in text
    chart = summary[summary.index('class="impact-chart"') :]
    assert chart.count('class="bar-below"') == 2  # Female; White Female
    assert "Asian" not in chart[: chart.index("</table>")]
    assert 'width="47.4"' in chart  # 9/24 ÷ 19/24 = 0.4737
    for kind in ("kind-draft", "kind-no_rule", "kind-reputation_instead", "kind-or_reputation"):
        assert kind in summary


def test_an_auditor_sees_the_small_groups_counts_in_the_summary(job: Any, auditor_a: Any) -> None:
    rule = factories.ScreeningRuleFactory(
        job=job, metric="vendor:klout", threshold=Decimal(35), max_data_age_days=3650
    )
    body = (
        login(auditor_a)
        .get(f"/admin/renown_hiring/screeningrule/{rule.pk}/change/")
        .content.decode()
    )
    summary = re.sub(
        r"<[^>]+>", "", body[body.index('id="summary-h"') : body.index('id="warnings-h"')]
    )
    assert "Asian Female (by sex × race/ethnicity): 3 people, 3 selected" in summary


def test_the_panel_masks_groups_under_5_except_for_auditors(
    job: Any, hr_admin_a: Any, auditor_a: Any
) -> None:
    rule = factories.ScreeningRuleFactory(
        job=job, metric="vendor:klout", threshold=Decimal(35), max_data_age_days=3650
    )
    url = f"/admin/renown_hiring/screeningrule/{rule.pk}/change/"
    hr_body = login(hr_admin_a).get(url).content.decode()
    assert "Asian" in hr_body
    assert "fewer than 5" in hr_body
    auditor_page = login(auditor_a).get(url)
    assert auditor_page.status_code == 200
    auditor_body = auditor_page.content.decode()
    assert "Groups of fewer than 5 people show no counts" not in auditor_body


def test_the_warnings_are_one_entry_per_code_and_table_with_their_groups(
    job: Any, hr_admin_a: Any
) -> None:
    """Issue 18, part 2: Klout ≥ 35 selects 19 of 24 White men, 6 of 21 White women and
    the 3 Asian women (too small to judge): one four-fifths entry for sex, one for
    sex × race/ethnicity, none for race/ethnicity, where Asian is too small to be the
    reference; each lists its groups in a compact table."""
    rule = factories.ScreeningRuleFactory(
        job=job, metric="vendor:klout", threshold=Decimal(35), max_data_age_days=3650,
        action="screen_out", active=False,
    )  # fmt: skip
    body = login(hr_admin_a).get(f"/admin/renown_hiring/screeningrule/{rule.pk}/change/")
    page = body.content.decode()
    entries = re.findall(
        r'<li class="(\w+)[^"]*" data-code="([\w.]+)"(?: data-table="(\w+)")?', page
    )
    four_fifths = [table for _, code, table in entries if code == "adverse_impact.four_fifths"]
    assert four_fifths == ["sex", "intersectional"]
    assert len(set(entries)) == len(entries)  # one entry per code and table
    severities = [severity for severity, _, _ in entries]
    assert severities == sorted(severities, key=["serious", "warning", "info"].index)
    intersectional = page.split(
        'data-code="adverse_impact.four_fifths" data-table="intersectional"'
    )[1]
    groups = intersectional.split("</table>")[0]
    assert '<table class="warning-groups">' in groups
    assert "White Female" in groups
    assert "White Male" not in groups.split("</caption>")[1]
    assert "<td>0.360</td>" in groups  # (6/21) / (19/24) = 0.3609..., rounded down
    too_small = page.split('data-code="adverse_impact.too_small" data-table="intersectional"')[1]
    too_small = too_small.split("</li>")[0]
    assert "Asian Female <small>(too small to judge)</small>" in too_small
    assert "<td>fewer than 5</td>" in too_small  # an HR admin sees no count under 5

    approval = login(hr_admin_a).get(f"/admin/renown_hiring/screeningrule/{rule.pk}/approve/")
    approval_page = approval.content.decode()
    assert approval_page.count('data-code="adverse_impact.four_fifths"') == 2
    assert '<table class="warning-groups">' in approval_page


def test_people_at_the_line_are_listed_apart_from_the_group_table(
    job: Any, hr_admin_a: Any
) -> None:
    rule = factories.ScreeningRuleFactory(
        job=job, metric="vendor:klout", threshold=Decimal(35), max_data_age_days=3650
    )
    body = (
        login(hr_admin_a)
        .get(f"/admin/renown_hiring/screeningrule/{rule.pk}/change/")
        .content.decode()
    )
    near = body[body.index("People at the line") : body.index("Selection by group")]
    assert "Person 4" in near  # Klout 34: fails by a point
    assert "Female" not in near
    assert "Male" not in near
    assert "White" not in near
    groups = body[body.index("Selection by group") : body.index("All alternatives searched")]
    assert "Person " not in groups


def test_recruiters_cannot_reach_the_rule_form(job: Any, recruiter_a: Any) -> None:
    response = login(recruiter_a).get("/admin/renown_hiring/screeningrule/add/")
    assert response.status_code in {302, 403}
    response = login(recruiter_a).post(
        "/admin/renown_hiring/screeningrule/add/", {**KLOUT_FORM, "job": job.pk, "_preview": "1"}
    )
    assert response.status_code in {302, 403}
    assert not ScreeningRule.objects.exists()


def test_the_job_page_shows_its_rule_set_and_outcomes(job: Any, hr_admin_a: Any) -> None:
    factories.ScreeningRuleFactory(
        job=job, metric="vendor:klout", threshold=Decimal(35), max_data_age_days=3650,
        action="needs_review", active=True, status="live",
    )  # fmt: skip
    screening_run_for_job(job=job)
    body = login(hr_admin_a).get(f"/admin/renown_hiring/job/{job.pk}/change/").content.decode()
    assert "Live rule set" in body
    assert "vendor:klout ≥ 35" in body
    # Men 30..53 ≥ 35: 19; women 20..43 ≥ 35: 9 → 28 meet, 20 below.
    assert "Meets: 28" in body
    assert "Below: 20" in body
    assert f"/admin/renown_hiring/job/{job.pk}/bias-audit/" in body


@pytest.fixture
def screened(job: Any) -> Any:
    factories.ScreeningRuleFactory(
        job=job, metric="vendor:klout", threshold=Decimal(35), max_data_age_days=3650,
        action="needs_review", active=True, status="live",
    )  # fmt: skip
    screening_run_for_job(job=job)
    return job


def test_the_live_bias_audit_in_html_and_csv(screened: Any, hr_admin_a: Any) -> None:
    client = login(hr_admin_a)
    url = f"/admin/renown_hiring/job/{screened.pk}/bias-audit/"
    body = client.get(url).content.decode()
    # Selection rates 19/24 and 9/24: impact ratio 9/19 = 0.4736..., written 0.473 (down).
    assert "9/19" in body
    assert "0.473" in body
    assert "Near the line" in body
    # The warnings of the live rules, grouped, each with its groups' table.
    assert body.count('data-code="adverse_impact.four_fifths"') == 2  # sex, intersectional
    assert '<table class="warning-groups">' in body
    rows = list(csv.reader(io.StringIO(client.get(url + "?format=csv").content.decode())))
    header = rows[0]
    female = next(r for r in rows if r[:2] == ["sex", "Female"])
    assert female[header.index("count")] == "24"
    assert female[header.index("selected")] == "9"
    assert female[header.index("impact_ratio")] == "0.473"
    assert female[header.index("rate_below")] == "62.5%"
    asian_female = next(r for r in rows if r[:2] == ["intersectional", "Asian Female"])
    assert asian_female[header.index("count")] == "fewer than 5"  # an HR admin's export


def test_recording_a_bias_audit_and_publishing_it(
    screened: Any, hr_admin_a: Any, auditor_a: Any, org_a: Any
) -> None:
    url = f"/admin/renown_hiring/job/{screened.pk}/bias-audit/"
    form = {
        "audited_on": "2026-11-01",
        "auditor": "Fair Audits LLC",
        "auditor_independent": "on",
        "data_source": "Historical data of this job.",
        "distributed_on": "2026-01-15",
        "published": "on",
    }
    # Recording never excludes a category (the auditor's later step, on the recorded audit).
    response = login(auditor_a).post(url, {**form, "exclude": "Female", "reason-Female": "x"})
    assert response.status_code == 302
    audit = BiasAudit.objects.get()
    assert (audit.auditor, audit.published, audit.report["individuals"]) == (
        "Fair Audits LLC", True, 48,
    )  # fmt: skip
    assert AuditEvent.objects.filter(event_type="bias_audit.recorded").count() == 1
    assert audit.exclusions == []
    assert not any(r["excluded"] for t in audit.report["tables"].values() for r in t)

    public = Client().get(f"/audits/{org_a.slug}/")  # anyone, no login
    assert public.status_code == 200
    body = public.content.decode()
    assert "1 November 2026" in body
    assert "15 January 2026" in body
    assert "Historical data of this job." in body
    assert "0.473" in body
    # 6 RCNY 5-303: every category's numbers, Asian women (3 people) included.
    assert "fewer than 5" not in body
    assert re.search(r"Asian Female</td><td>3</td><td>\d+</td><td>[\d.]+%</td>", body)
    assert "Person 1" not in body


def test_the_public_page_shows_only_published_audits(screened: Any, org_a: Any) -> None:
    BiasAudit.objects.create(
        organization=org_a, job=screened, job_title="Secret job", audited_on=datetime.now(UTC).date(),
        auditor="Internal", data_source="x", report={}, published=False,
    )  # fmt: skip
    body = Client().get(f"/audits/{org_a.slug}/").content.decode()
    assert "Secret job" not in body
    assert "No bias audit summary has been published yet." in body
    assert Client().get("/audits/no-such-organisation/").status_code == 404


def test_an_older_audit_gives_way_to_the_latest(screened: Any, org_a: Any) -> None:
    for days, auditor in ((400, "Old Auditor"), (10, "New Auditor")):
        BiasAudit.objects.create(
            organization=org_a, job=screened, job_title=screened.title,
            audited_on=datetime.now(UTC).date() - timedelta(days=days), auditor=auditor,
            data_source="x", report={}, published=True,
        )  # fmt: skip
    body = Client().get(f"/audits/{org_a.slug}/").content.decode()
    assert "New Auditor" in body
    assert "Old Auditor" not in body
