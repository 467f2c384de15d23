"""`manage.py demo`: a synthetic population, the same on every run."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Max, Min

from candidates.models import Candidate, Organization, SocialAccount
from hiring.demo import demo_counts
from hiring.models import AuditEvent, Job, ScreeningRule
from scoring.models import MetricSnapshot, Score

pytestmark = pytest.mark.django_db


def run_demo(n: int = 40) -> str:
    out = StringIO()
    call_command("demo", candidates=n, stdout=out)
    return out.getvalue()


def test_demo_twice_changes_no_row_count() -> None:
    first_output = run_demo()
    org = Organization.objects.get(slug="demo")
    first = demo_counts(org)
    second_output = run_demo()
    assert demo_counts(org) == first
    assert "Built demo organisation" in first_output
    assert "Kept the existing" in second_output
    call_command("demo", candidates=40, rebuild=True, stdout=StringIO())
    assert demo_counts(org) == first


def test_demo_is_labelled_and_never_points_at_real_people() -> None:
    run_demo()
    org = Organization.objects.get(slug="demo")
    assert org.is_demo
    for account in SocialAccount.objects.filter(network__in=["bluesky", "mastodon"]):
        assert account.handle.endswith((".invalid", ".example")), account.handle
    assert all(c.email.endswith("@demo.example") for c in Candidate.objects.all())


def test_demo_data_passes_the_models_validation() -> None:
    """The demo writes with bulk_create, which skips full_clean: check every row here."""
    run_demo()
    for candidate in Candidate.objects.all():
        candidate.full_clean()
    for job in Job.objects.all():
        job.full_clean()


def test_demo_has_history_breaks_and_people_without_footprint() -> None:
    run_demo(60)
    span = MetricSnapshot.objects.aggregate(first=Min("observed_at"), last=Max("observed_at"))
    assert span["last"] - span["first"] == timedelta(days=179)
    without = Candidate.objects.filter(accounts__isnull=True).count()
    assert 0 < without < 60
    assert Score.objects.exists()
    assert Job.objects.count() == 3
    draft = ScreeningRule.objects.get(metric="vendor:klout")
    assert (draft.threshold, draft.active, draft.operator) == (35, False, "gte")


def test_demo_prints_logins_that_work(client: object) -> None:
    output = run_demo()
    password = output.split("hr-admin", 1)[1].split()[0]
    user = get_user_model().objects.get(username="hr-admin")
    assert user.check_password(password)
    assert user.is_staff
    assert {"hr-admin", "recruiter", "auditor"} <= set(
        get_user_model().objects.values_list("username", flat=True)
    )


def test_demo_rules_fit_the_review_model() -> None:
    output = run_demo()
    assert "hr-admin-2" in output
    org = Organization.objects.get(slug="demo")
    second = get_user_model().objects.get(username="hr-admin-2")
    assert second.memberships.get(organization=org).role == "hr_admin"
    advocate = Job.objects.get(organization=org, title="Developer Advocate")
    live = list(advocate.rules.filter(active=True).select_related("group"))
    assert {r.metric for r in live} == {"influence", "reputation"}
    assert {r.group.combinator for r in live} == {"any"}  # reach OR record
    assert advocate.screenings.count() == advocate.applications.count() == 40
    draft = ScreeningRule.objects.get(metric="vendor:klout")
    assert (draft.status, draft.action, draft.created_by.username) == (
        "draft",
        "screen_out",
        "hr-admin",
    )
    events = set(AuditEvent.objects.filter(organization=org).values_list("event_type", flat=True))
    assert {"rule.created", "rule.activated", "screening.run"} <= events
