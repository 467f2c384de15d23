"""Influence styles are descriptive only: no rule can read one, whichever way it is written
(the service, the API, the rule preview, the admin), and the refusal says why (6 RCNY 5-301)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from hiring import services
from hiring.models import ScreeningRule
from hiring.screening.metrics import metric_source, metric_vendor_choices
from tests import factories

pytestmark = pytest.mark.django_db

STYLE_METRICS = ["influence_style", "style", "metric:broadcaster", "style.networker"]
WHY = "Styles are descriptive only and never used to screen"


@pytest.mark.parametrize("metric", STYLE_METRICS)
def test_the_one_metric_gate_refuses_a_style(metric: str) -> None:
    with pytest.raises(ValueError, match="6 RCNY 5-301"):
        metric_source(metric)


@pytest.mark.parametrize("metric", STYLE_METRICS)
def test_the_service_refuses_a_rule_on_a_style(job: Any, hr_admin_a: Any, metric: str) -> None:
    with pytest.raises(ValidationError, match=WHY):
        services.rule_create(job=job, actor=hr_admin_a, metric=metric, threshold=Decimal(1))
    assert not ScreeningRule.objects.exists()


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["rules/", "rules/preview/"])
def test_the_api_refuses_a_rule_on_a_style_with_a_clear_message(
    job: Any, hr_admin_a: Any, path: str
) -> None:
    response = api(hr_admin_a).post(
        f"/api/v1/jobs/{job.pk}/{path}",
        {"metric": "influence_style", "threshold": "1"},
        format="json",
    )
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["metric"]
    assert WHY in errors[0]["message"]
    assert "6 RCNY 5-301" in errors[0]["message"]
    assert not ScreeningRule.objects.exists()


def test_a_new_version_cannot_move_a_rule_onto_a_style(job: Any, hr_admin_a: Any) -> None:
    rule = services.rule_create(job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(1))
    response = api(hr_admin_a).patch(
        f"/api/v1/rules/{rule.pk}/", {"metric": "metric:conversationalist"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert WHY in response.json()["errors"][0]["message"]
    assert list(ScreeningRule.objects.values_list("metric", flat=True)) == ["influence"]


def test_the_admin_never_offers_nor_takes_a_style(job: Any, hr_admin_a: Any) -> None:
    # A custom vendor named like a style is not offered either.
    candidate = factories.CandidateFactory(organization=job.organization)
    factories.VendorScoreFactory(
        candidate=candidate, vendor="custom", vendor_name="influence_style", scale_min=0,
        scale_max=10, value=7,
    )  # fmt: skip
    assert metric_vendor_choices(organization_id=job.organization_id) == []
    client = Client()
    client.force_login(hr_admin_a)
    refused = client.post(
        "/admin/renown_hiring/screeningrule/add/",
        {
            "job": job.pk, "metric": "influence_style", "operator": "gte", "threshold": "1",
            "aggregation": "latest", "window_days": "90", "max_data_age_days": "30",
            "missing_data_policy": "review", "near_band": "0", "near_band_source": "fixed",
            "action": "needs_review", "go_live": "on",
        },
    )  # fmt: skip
    assert refused.status_code == 200
    assert "influence_style is not a metric this job can use" in refused.content.decode()
    assert not ScreeningRule.objects.exists()
