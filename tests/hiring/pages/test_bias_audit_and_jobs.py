"""The auditors' bias audit page, and the job board's candidates by outcome."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from hiring.models import Screening, ScreeningRun
from tests import factories

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def screened(job: Any, outcome: str, sex: str = "", race: str = "", n: int = 1) -> None:
    now = datetime.now(tz=UTC)
    run = ScreeningRun.objects.filter(job=job).first() or ScreeningRun.objects.create(
        job=job, started_at=now, evaluated_at=now, reason="test", actor_label="test"
    )
    for _ in range(n):
        candidate = factories.CandidateFactory(organization=job.organization)
        if sex or race:
            factories.SelfIdentificationFactory(candidate=candidate, sex=sex, race_ethnicity=race)
        Screening.objects.create(
            candidate=candidate, job=job, outcome=outcome, suggestion="review", reasons=[],
            rule_versions={}, evaluated_at=now, run=run,
        )  # fmt: skip


def test_auditors_see_impact_ratios_from_aggregates(auditor_a: Any, org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a, title="Advocate")
    screened(job, "meets", "male", "white", n=8)
    screened(job, "below", "male", "white", n=2)
    screened(job, "meets", "female", "white", n=4)
    screened(job, "below", "female", "white", n=6)
    screened(job, "meets", n=3)  # no answer: unknown, never guessed
    response = login(auditor_a).get("/audit/", {"job": job.pk})
    assert response.status_code == 200
    sex = response.context["tables"][0]
    rows = {row["category"]: row for row in sex["rows"]}
    assert (rows["Male"]["count"], rows["Male"]["selected"], rows["Male"]["rate"]) == (
        10, 8, "80.0%",
    )  # fmt: skip
    assert rows["Male"]["reference"]
    assert rows["Female"]["impact_ratio"] == "0.500"
    assert rows["Female"]["below_four_fifths"]
    assert rows["Female"]["classes"][0] == "40.0%"  # meets; every outcome class has its rate
    assert sex["unknown"] == 3
    body = response.content.decode()
    assert "below four-fifths" in body
    assert "3 with an unknown sex or race/ethnicity" in body


def test_small_categories_are_marked(auditor_a: Any, org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    screened(job, "meets", "female", "asian", n=2)
    screened(job, "meets", "male", "white", n=10)
    body = login(auditor_a).get("/audit/").content.decode()
    assert "fewer than 5 people: read with care" in body


@pytest.mark.parametrize("persona", ["recruiter_a", "hr_admin_a"])
def test_only_auditors_read_the_bias_audit(persona: str, request: Any, org_a: Any) -> None:
    factories.JobFactory(organization=org_a)
    client = login(request.getfixturevalue(persona))
    assert client.get("/audit/").status_code == 403
    assert 'href="/audit/"' not in client.get("/").content.decode()


def test_another_organisations_job_is_404_on_the_audit_page(
    auditor_a: Any, org_a: Any, org_b: Any
) -> None:
    factories.JobFactory(organization=org_a)
    theirs = factories.JobFactory(organization=org_b)
    assert login(auditor_a).get("/audit/", {"job": theirs.pk}).status_code == 404


def test_job_board_counts_candidates_by_outcome_and_links_the_queue(
    recruiter_a: Any, org_a: Any
) -> None:
    job = factories.JobFactory(organization=org_a, title="Advocate")
    screened(job, "meets", n=3)
    screened(job, "near_threshold", n=2)
    response = login(recruiter_a).get("/jobs/")
    body = response.content.decode()
    assert f'href="/?job={job.pk}&amp;outcome=near_threshold"' in body
    assert 'aria-label="2 near threshold for Advocate"' in body
    assert 'aria-label="3 meets for Advocate"' in body
    assert f'href="/jobs/{job.pk}/review/"' in body
    assert "Review queue of Advocate: 5 waiting" in body  # every one suggests review


def test_the_audit_page_opens_on_the_first_job_with_screenings(auditor_a: Any, org_a: Any) -> None:
    factories.JobFactory(organization=org_a, title="Analyst")  # first by title, never screened
    later = factories.JobFactory(organization=org_a, title="Zoologist")
    screened(later, "meets", "male", "white", n=2)
    response = login(auditor_a).get("/audit/")
    assert response.context["job"] == later
    assert response.context["audit"].total == 2
    body = response.content.decode()
    assert "Analyst (not screened yet)</option>" in body
    assert f'<option value="{later.pk}" selected>Zoologist</option>' in body
    # Asked for, the job with nothing to audit still opens.
    analyst = response.context["jobs"][0]
    assert login(auditor_a).get("/audit/", {"job": analyst.pk}).context["job"] == analyst


def test_the_audit_page_opens_on_the_first_job_while_none_is_screened(
    auditor_a: Any, org_a: Any
) -> None:
    first = factories.JobFactory(organization=org_a, title="Analyst")
    factories.JobFactory(organization=org_a, title="Zoologist")
    response = login(auditor_a).get("/audit/")
    assert response.context["job"] == first
    assert response.context["audit"].total == 0
