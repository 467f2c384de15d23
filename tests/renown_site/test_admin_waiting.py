"""The standalone site's admin home shows what waits for the signed-in person in Renown."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hiring.models import BiasAudit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_admin(org_a: Any) -> Any:
    user = factories.UserFactory(username="hanna-hr", is_staff=True)
    factories.MembershipFactory(user=user, organization=org_a, role="hr_admin")
    return user


def admin_home(user: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_hr_admin_is_sent_to_the_approval_page(
    org_a: Any, hr_admin_a: Any, second_admin: Any
) -> None:
    job = factories.JobFactory(organization=org_a, title="Developer Advocate")
    rule = factories.ScreeningRuleFactory(
        job=job, action="screen_out", active=False, created_by=second_admin, threshold=Decimal(30)
    )
    body = admin_home(hr_admin_a)
    assert "Waiting for you" in body
    assert f'href="/admin/renown_hiring/screeningrule/{rule.pk}/approve/"' in body
    assert "Developer Advocate, Acme Hiring: a screen-out draft by hanna-hr" in body
    assert "Waiting for you" not in admin_home(second_admin)  # their own draft
    assert "Providers and their terms" in body  # the site's own index keeps its link


def test_an_auditor_is_sent_to_the_jobs_bias_audit(org_a: Any, auditor_a: Any) -> None:
    job = factories.JobFactory(organization=org_a, title="Ops", jurisdictions=["US-NY-NYC"])
    factories.ScreeningRuleFactory(job=job)
    BiasAudit.objects.create(
        organization=org_a, job=job, job_title=job.title, report={}, auditor="Independent Ltd",
        audited_on=timezone.localdate() - timedelta(days=366), data_source="ours",
    )  # fmt: skip
    body = admin_home(auditor_a)
    assert f'href="/admin/renown_hiring/job/{job.pk}/bias-audit/">Bias audit due: Ops</a>' in body
    assert "lapsed on" in body


def test_nothing_waiting_shows_nothing(org_a: Any, hr_admin_a: Any) -> None:
    assert "Waiting for you" not in admin_home(hr_admin_a)
