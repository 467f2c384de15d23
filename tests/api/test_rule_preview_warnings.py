"""The API's rule preview answers its warnings grouped (issue 18, part 2): one per code and
table, each exactly ``{code, severity, table, message, source, groups}``, serious first,
and groups too small to judge are never a reference (part 5)."""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from hiring.api.schema import openapi_schema
from hiring.fairness.bias_audit import too_small_to_judge
from hiring.fairness.preview import rule_preview, rules_with_draft
from hiring.models import Job, ScreeningRule
from renown.models import Organization
from tests import factories

pytestmark = pytest.mark.django_db

WARNING_KEYS = {"code", "severity", "table", "message", "source", "groups"}
GROUP_KEYS = {"label", "n", "selected", "rate", "ratio", "fisher_p", "too_small"}
TABLES = {"sex", "race_ethnicity", "intersectional"}
SEVERITY_RANK = {"serious": 0, "warning": 1, "info": 2}


def check_shape(warnings: list[dict[str, Any]]) -> None:
    """Every warning in the contract's shape, serious first, one per code and table."""
    for w in warnings:
        assert set(w) == WARNING_KEYS, w
        assert w["severity"] in SEVERITY_RANK
        assert isinstance(w["message"], str)
        assert w["message"]
        assert isinstance(w["source"], str)
        assert w["source"]
        assert (w["table"] == "") == (w["groups"] == []), w
        assert w["table"] in TABLES | {""}
        for group in w["groups"]:
            assert set(group) == GROUP_KEYS, group
            assert isinstance(group["label"], str)
            assert group["label"]
            assert isinstance(group["too_small"], bool)
            if group["n"] is None:  # masked: fewer than 5 people, and no rate either
                assert (group["selected"], group["rate"]) == (None, None)
            else:
                assert group["n"] >= 5
                assert 0 <= group["selected"] <= group["n"]
    ranks = [SEVERITY_RANK[w["severity"]] for w in warnings]
    assert ranks == sorted(ranks)
    per = Counter((w["code"], w["table"]) for w in warnings if w["table"])
    assert all(count == 1 for count in per.values()), per


def person(job: Any, sex: str, race: str, klout: int) -> None:
    candidate = factories.CandidateFactory(organization=job.organization)
    factories.ApplicationFactory(job=job, candidate=candidate)
    factories.SelfIdentificationFactory(candidate=candidate, sex=sex, race_ethnicity=race)
    factories.VendorScoreFactory(candidate=candidate, value=Decimal(klout))


def test_the_preview_answers_each_warning_grouped(
    hr_admin_a: Any, org_a: Any, user_client: Any
) -> None:
    job = factories.JobFactory(organization=org_a, jurisdictions=["US-CA"])
    for index in range(10):  # White men: 8 of 10 pass; White women: 2 of 10
        person(job, "male", "white", 50 if index < 8 else 10)
        person(job, "female", "white", 50 if index < 2 else 10)
    person(job, "male", "asian", 90)  # 1 of 1: the best rate, too small to judge
    response = user_client(hr_admin_a).post(
        f"/api/v1/jobs/{job.pk}/rules/preview/",
        # Klout's scores are from 2017 (it closed in 2018): read them up to 10 years back.
        {"metric": "vendor:klout", "threshold": "40", "action": "screen_out",
         "max_data_age_days": 3650},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    warnings = response.json()["warnings"]
    check_shape(warnings)
    failing = {w["table"]: w for w in warnings if w["code"] == "adverse_impact.four_fifths"}
    assert set(failing) == {"sex", "intersectional"}
    [female] = failing["sex"]["groups"]
    assert female == {
        "label": "Female", "n": 10, "selected": 2, "rate": 0.2,
        "ratio": pytest.approx(0.2 / (9 / 11)), "fisher_p": female["fisher_p"],
        "too_small": False,
    }  # fmt: skip
    assert 0 < female["fisher_p"] < 0.05
    assert failing["sex"]["severity"] == "serious"
    # Asian Male (1 of 1) is not the reference: White Male is, and White Female is judged
    # against it; Asian Male is listed once per table as too small to judge.
    assert [g["label"] for g in failing["intersectional"]["groups"]] == ["White Female"]
    assert "White Male" in failing["intersectional"]["message"]
    apart = {w["table"]: w for w in warnings if w["code"] == "adverse_impact.too_small"}
    assert set(apart) == {"race_ethnicity", "intersectional"}
    [asian] = apart["intersectional"]["groups"]
    assert asian["label"] == "Asian Male"
    assert (asian["n"], asian["selected"], asian["rate"], asian["too_small"]) == (
        None, None, None, True,
    )  # fmt: skip
    assert asian["ratio"] == pytest.approx(1 / 0.8)  # 100 % against White Male's 80 %
    assert asian["fisher_p"] is not None
    assert not any(w["code"] == "adverse_impact.four_fifths" for w in apart.values())
    # A warning not about groups keeps table "" and groups [].
    assert any(w["table"] == "" and w["groups"] == [] for w in warnings)


def test_the_schema_documents_the_grouped_shape() -> None:
    schemas = openapi_schema()["components"]["schemas"]
    assert set(schemas["FairnessWarning"]["properties"]) == WARNING_KEYS
    groups = schemas["FairnessWarning"]["properties"]["groups"]
    assert groups["items"]["$ref"].endswith("/WarningGroup")
    group = schemas["WarningGroup"]["properties"]
    assert set(group) == GROUP_KEYS
    assert {k for k, v in group.items() if v.get("nullable")} == {
        "n", "selected", "rate", "ratio", "fisher_p",
    }  # fmt: skip
    assert set(schemas["FairnessWarning"]["required"]) == WARNING_KEYS
    assert set(schemas["WarningGroup"]["required"]) == GROUP_KEYS


def test_the_demo_klout_draft_through_the_api() -> None:
    """Issue 18's acceptance: the API preview of the demo's Klout draft has at most one
    adverse_impact.four_fifths warning per table, and no group under 5 people or under
    2 % is ever the reference group of a preview."""
    call_command("demo", stdout=io.StringIO())  # the demo `make run` serves (500 people)
    organization = Organization.objects.get(slug="demo")
    klout = ScreeningRule.objects.get(job__organization=organization, metric="vendor:klout")
    client = APIClient()
    client.force_login(get_user_model().objects.get(username="hr-admin"))
    fields = (
        "metric", "operator", "threshold", "aggregation", "window_days", "max_data_age_days",
        "missing_data_policy", "near_band", "near_band_source", "action",
    )  # fmt: skip
    body = {name: str(getattr(klout, name)) for name in fields}
    response = client.post(
        f"/api/v1/jobs/{klout.job_id}/rules/preview/", {**body, "replaces": klout.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    warnings = response.json()["warnings"]
    check_shape(warnings)
    four_fifths = Counter(w["table"] for w in warnings if w["code"] == "adverse_impact.four_fifths")
    assert four_fifths, "the demo's Klout scores of women run lower"
    assert set(four_fifths) <= TABLES
    assert max(four_fifths.values()) == 1
    for w in warnings:
        if w["code"] == "adverse_impact.four_fifths":
            assert not any(g["too_small"] for g in w["groups"])

    # Every preview of the demo: each job's live rules, and the Klout draft beside them.
    previews = [(job, rules_with_draft(job, None)) for job in Job.objects.filter(
        organization=organization
    )] + [(klout.job, rules_with_draft(klout.job, klout))]  # fmt: skip
    references = 0
    for job, rules in previews:
        if not rules:
            continue
        audit = rule_preview(job, rules).audit
        for table in audit.tables:
            if table.reference is None:
                assert all(row.too_small for row in table.rows)
                continue
            references += 1
            assert table.reference.count >= 5
            assert not too_small_to_judge(table.reference.count, table.total)
            assert not table.reference.too_small
    assert references >= 6
