"""The recruiter's review UI: jobs, the queue, one candidate's screening, the decision form."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from hiring import services
from hiring.models import Decision, Screening
from tests import factories

pytestmark = pytest.mark.django_db


def login(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def job(org_a: Any) -> Any:
    job = factories.JobFactory(organization=org_a, title="Developer Advocate")
    factories.ScreeningRuleFactory(job=job, threshold=Decimal(35), action="screen_out")
    return job


def applicant(job: Any, value: str | None, name: str) -> Any:
    person = factories.CandidateFactory(organization=job.organization, name=name)
    factories.ApplicationFactory(job=job, candidate=person)
    if value is not None:
        factories.ScoreFactory(candidate=person, value=Decimal(value))
    return person


def review_url(job: Any, person: Any, step: str = "") -> str:
    return f"/jobs/{job.pk}/candidates/{person.public_id}/{step}"


def test_the_queue_holds_who_waits_for_a_person(job: Any, recruiter_a: Any) -> None:
    below = applicant(job, "20", "Bo Below")
    unknown = applicant(job, None, "Una Unknown")
    meets = applicant(job, "80", "Meg Meets")
    services.screening_run_for_job(job=job)
    jobs = login(recruiter_a).get("/jobs/").content.decode()
    assert "Developer Advocate" in jobs
    queue = login(recruiter_a).get(f"/jobs/{job.pk}/review/").content.decode()
    assert below.name in queue
    assert unknown.name in queue
    assert meets.name not in queue  # meets every rule: nobody needs to look
    # Missing data needs a person more than a suggested rejection (issue 19's order).
    assert queue.index(unknown.name) < queue.index(below.name)


def test_held_candidates_stay_in_the_queue_decided_ones_leave(job: Any, recruiter_a: Any) -> None:
    held, advanced = applicant(job, None, "Hal Held"), applicant(job, None, "Ava Advanced")
    services.screening_run_for_job(job=job)
    for person, kind in ((held, "hold"), (advanced, "advance")):
        services.decision_record(
            screening=Screening.objects.get(candidate=person),
            reviewer=recruiter_a,
            kind=kind,
            reason="looked",
        )
    queue = login(recruiter_a).get(f"/jobs/{job.pk}/review/").content.decode()
    assert held.name in queue
    assert advanced.name not in queue


def test_a_decision_through_the_page_is_timed(job: Any, recruiter_a: Any) -> None:
    person = applicant(job, "20", "Bo Below")
    services.screening_run_for_job(job=job)
    client = login(recruiter_a)
    page = client.get(review_url(job, person)).content.decode()
    assert "influence ≥ 35.00" in page
    token = re.search(r'name="review_token" value="([^"]+)"', page)
    assert token is not None
    with time_machine.travel(timezone.now() + timedelta(seconds=75), tick=False):
        response = client.post(
            review_url(job, person, "decision/"),
            {"kind": "reject", "reason": "Below.", "review_token": token.group(1)},
            follow=True,
        )
    assert "pre-adverse notice" in response.content.decode()
    decision = Decision.objects.get()
    assert decision.review_seconds == pytest.approx(75, abs=1)


def test_a_forged_or_foreign_token_is_not_a_timing(job: Any, recruiter_a: Any) -> None:
    person = applicant(job, "20", "Bo Below")
    services.screening_run_for_job(job=job)
    login(recruiter_a).post(
        review_url(job, person, "decision/"),
        {"kind": "hold", "reason": "x", "review_token": "forged"},
    )
    assert Decision.objects.get().review_seconds is None


def test_a_refused_rejection_says_why_and_records_nothing(job: Any, recruiter_a: Any) -> None:
    person = applicant(job, None, "Una Unknown")
    services.screening_run_for_job(job=job)
    response = login(recruiter_a).post(
        review_url(job, person, "decision/"), {"kind": "reject", "reason": "no"}, follow=True
    )
    assert (
        "only when the candidate is below an approved screen-out rule" in response.content.decode()
    )
    assert not Decision.objects.exists()


def test_auditors_and_hr_admins_read_but_do_not_decide(
    job: Any, auditor_a: Any, hr_admin_a: Any
) -> None:
    person = applicant(job, "20", "Bo Below")
    services.screening_run_for_job(job=job)
    for user in (auditor_a, hr_admin_a):
        client = login(user)
        page = client.get(review_url(job, person)).content.decode()
        assert "Recruiters of" in page
        assert 'name="kind"' not in page
        response = client.post(
            review_url(job, person, "decision/"), {"kind": "hold", "reason": "x"}
        )
        assert response.status_code == 403
    assert not Decision.objects.exists()


def test_forms_need_the_csrf_token(job: Any, recruiter_a: Any) -> None:
    person = applicant(job, "20", "Bo Below")
    services.screening_run_for_job(job=job)
    client = login(recruiter_a, enforce_csrf_checks=True)
    response = client.post(review_url(job, person, "decision/"), {"kind": "hold", "reason": "x"})
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_steps_answer_only_to_post(job: Any, recruiter_a: Any) -> None:
    person = applicant(job, "20", "Bo Below")
    services.screening_run_for_job(job=job)
    for step in (
        "decision/",
        "pre-adverse-notice/",
        "dispute/",
        "dispute/resolve/",
        "final-notice/",
    ):
        assert login(recruiter_a).get(review_url(job, person, step)).status_code == 405


def test_names_and_reasons_are_escaped(job: Any, recruiter_a: Any) -> None:
    person = applicant(job, None, "<script>alert(1)</script>")
    services.screening_run_for_job(job=job)
    services.decision_record(
        screening=Screening.objects.get(candidate=person),
        reviewer=recruiter_a,
        kind="hold",
        reason="<img src=x onerror=alert(2)>",
    )
    for url in (f"/jobs/{job.pk}/review/", review_url(job, person)):
        body = login(recruiter_a).get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "<img src=x" not in body
    assert "&lt;script&gt;" in body


def test_other_organisations_jobs_and_unscreened_candidates_are_404(
    job: Any, recruiter_a: Any, org_b: Any
) -> None:
    theirs = factories.JobFactory(organization=org_b)
    client = login(recruiter_a)
    assert client.get(f"/jobs/{theirs.pk}/review/").status_code == 404
    stranger = applicant(job, "20", "Not Screened Yet")
    assert client.get(review_url(job, stranger)).status_code == 404


def test_rubber_stamping_is_shown_on_the_queue_and_to_the_reviewer(
    job: Any, recruiter_a: Any
) -> None:
    people = [applicant(job, "80", f"Person {i}") for i in range(21)]
    services.screening_run_for_job(job=job)
    now = timezone.now()
    for person in people[:20]:
        services.decision_record(
            screening=Screening.objects.get(candidate=person),
            reviewer=recruiter_a,
            kind="advance",
            reason="ok",
            review_started_at=now - timedelta(seconds=3),
            now=now,
        )
    queue = login(recruiter_a).get(f"/jobs/{job.pk}/review/").content.decode()
    assert "Possible automation bias: 20 of 20 decisions (100%)" in queue
    page = login(recruiter_a).get(review_url(job, people[20])).content.decode()
    assert "Possible automation bias" in page


def test_posting_to_another_organisations_screening_is_404(
    recruiter_a: Any, org_b: Any, hr_admin_b: Any
) -> None:
    theirs = factories.JobFactory(organization=org_b)
    factories.ScreeningRuleFactory(job=theirs, threshold=Decimal(35), action="screen_out")
    person = applicant(theirs, "20", "Theo Theirs")
    services.screening_run_for_job(job=theirs)
    client = login(recruiter_a)
    for step in (
        "decision/",
        "pre-adverse-notice/",
        "dispute/",
        "dispute/resolve/",
        "final-notice/",
    ):
        response = client.post(review_url(theirs, person, step), {"kind": "reject", "reason": "x"})
        assert response.status_code == 404
    assert not Decision.objects.exists()
