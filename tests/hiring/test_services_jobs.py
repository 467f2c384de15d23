"""Jobs change only through hiring.services.job_create / job_update: one audit event per
write from the API, Greenhouse and the admin; a change of where a job hires or how much
influence matters puts live rules that it gives a new serious warning on hold."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from hiring import services
from hiring.ats import services as ats_services
from hiring.ats.greenhouse import signature as greenhouse_signature
from hiring.models import Job, ScreeningRule
from renown.api.tokens import api_token_create
from renown.exceptions import NotPermitted, StatementRequired
from renown.models import AuditEvent
from renown.trail import audit_trail_verify
from tests import factories

pytestmark = pytest.mark.django_db

GREENHOUSE = Path(__file__).parents[1] / "webhooks" / "fixtures" / "greenhouse"


def events(org: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(organization=org).order_by("sequence"))


def token_client(org: Any, scope: str = "write") -> tuple[APIClient, Any]:
    token, plaintext = api_token_create(organization=org, name="ats-write", scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client, token


def session_client(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def assert_one_event(org: Any, before: int, event_type: str) -> AuditEvent:
    new = events(org)[before:]
    assert [e.event_type for e in new] == [event_type]
    assert all(chain.intact for chain in audit_trail_verify(organization=org))
    return new[0]


# --- every way a job is written records one event ------------------------------------


@pytest.mark.parametrize("by", ["token", "hr_admin"])
def test_an_api_job_create_records_one_job_created(by: str, org_a: Any, hr_admin_a: Any) -> None:
    client, token = token_client(org_a) if by == "token" else (session_client(hr_admin_a), None)
    before = len(events(org_a))
    response = client.post(
        "/api/v1/jobs/",
        {"title": "Developer Advocate", "external_id": "REQ-9", "jurisdictions": ["us-ca"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    event = assert_one_event(org_a, before, "job.created")
    job = Job.objects.get(pk=response.json()["id"])
    assert (event.subject_type, event.subject_id) == ("renown_hiring.job", str(job.pk))
    assert event.after["title"] == "Developer Advocate"
    assert event.after["jurisdictions"] == ["US-CA"]
    if token is not None:
        assert (event.actor_id, event.actor_label) == (None, f"API token ats-write (#{token.pk})")
    else:
        assert event.actor_id == hr_admin_a.pk


def test_an_invalid_api_job_create_writes_nothing(org_a: Any) -> None:
    client, _ = token_client(org_a)
    factories.JobFactory(organization=org_a, external_id="REQ-1")
    before = len(events(org_a))
    response = client.post(
        "/api/v1/jobs/",
        {"title": "Twice", "external_id": "REQ-1", "jurisdictions": ["US-CA"]},
        format="json",
    )
    assert response.status_code == 400
    assert len(events(org_a)) == before
    assert Job.objects.filter(organization=org_a).count() == 1


@pytest.mark.parametrize(
    ("patch", "before_after"),
    [
        ({"title": "Staff Writer"}, {"title": ("Writer", "Staff Writer")}),
        ({"jurisdictions": ["de"]}, {"jurisdictions": (["US-CA"], ["DE"])}),
        (
            {"title": "Writer", "influence_relevance": "core"},  # the title is unchanged
            {"influence_relevance": ("supporting", "core")},
        ),
    ],
)
def test_an_api_job_patch_records_one_job_changed_with_what_changed(
    patch: dict[str, Any], before_after: dict[str, tuple[Any, Any]], org_a: Any
) -> None:
    job = factories.JobFactory(organization=org_a, title="Writer")
    client, token = token_client(org_a)
    before = len(events(org_a))
    response = client.patch(f"/api/v1/jobs/{job.pk}/", patch, format="json")
    assert response.status_code == 200, response.content
    event = assert_one_event(org_a, before, "job.changed")
    assert event.before == {field: old for field, (old, _) in before_after.items()}
    assert event.after == {field: new for field, (_, new) in before_after.items()}
    assert event.actor_label == f"API token ats-write (#{token.pk})"


def test_an_api_job_patch_that_changes_nothing_records_nothing(org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a, title="Writer")
    client, _ = token_client(org_a)
    before = len(events(org_a))
    response = client.patch(f"/api/v1/jobs/{job.pk}/", {"title": "Writer"}, format="json")
    assert response.status_code == 200
    assert len(events(org_a)) == before


def test_a_greenhouse_delivery_creates_its_job_with_one_event(client: Any, org_a: Any) -> None:
    secret = ats_services.ats_secret_set(organization=org_a, ats="greenhouse")
    body = (GREENHOUSE / "new_candidate_application.json").read_bytes()
    before = len(events(org_a))
    response = client.post(
        "/api/v1/ats/greenhouse/acme/",
        data=body,
        content_type="application/json",
        HTTP_SIGNATURE=greenhouse_signature(secret, body),
        HTTP_GREENHOUSE_EVENT_ID="ev-job",
    )
    assert response.status_code == 200, response.content
    Job.objects.get(organization=org_a)
    # The delivery is one event; the job's creation is counted in it.
    (delivery,) = events(org_a)[before:]
    assert (delivery.event_type, delivery.actor_label) == ("ats.delivery_applied", "ats:greenhouse")
    assert delivery.after["counts"]["job.created"] == 1
    assert all(chain.intact for chain in audit_trail_verify(organization=org_a))
    # The job exists now: a second delivery naming it creates no job; as it changes
    # nothing else Renown holds either, it leaves no event.
    count = len(events(org_a))
    again = body.replace(b'"Developer Advocate"', b'"Developer Advocate (EMEA)"')
    response = client.post(
        "/api/v1/ats/greenhouse/acme/",
        data=again,
        content_type="application/json",
        HTTP_SIGNATURE=greenhouse_signature(secret, again),
        HTTP_GREENHOUSE_EVENT_ID="ev-job-2",
    )
    assert response.json()["status"] == "processed"
    assert Job.objects.filter(organization=org_a).count() == 1
    assert len(events(org_a)) == count


ADMIN_MANAGEMENT = {"rules-TOTAL_FORMS": "0", "rules-INITIAL_FORMS": "0"}


def test_the_admin_creates_and_changes_a_job_with_one_event_each(
    org_a: Any, hr_admin_a: Any
) -> None:
    client = Client()
    client.force_login(hr_admin_a)
    form = {
        "organization": org_a.pk,
        "title": "Community Lead",
        "external_id": "",
        "jurisdictions": ["US-CA"],
        "influence_relevance": "core",
        "relevance_justification": "Talks to the community in public.",
        "ll144_notice_posted_on": "",
        **ADMIN_MANAGEMENT,
    }
    before = len(events(org_a))
    response = client.post("/admin/renown_hiring/job/add/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    job = Job.objects.get(organization=org_a, title="Community Lead")
    event = assert_one_event(org_a, before, "job.created")
    assert (event.subject_id, event.actor_id) == (str(job.pk), hr_admin_a.pk)
    before = len(events(org_a))
    changed = {**form, "title": "Community Lead (US)"}
    del changed["organization"]  # read-only once the job exists
    response = client.post(f"/admin/renown_hiring/job/{job.pk}/change/", changed)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = assert_one_event(org_a, before, "job.changed")
    assert (event.before, event.after) == (
        {"title": "Community Lead"},
        {"title": "Community Lead (US)"},
    )


JOB_FORM = {
    "title": "Community Lead",
    "external_id": "",
    "influence_relevance": "core",
    "relevance_justification": "Talks to the community in public.",
    "ll144_notice_posted_on": "",
    **ADMIN_MANAGEMENT,
}


def test_the_admin_picks_jurisdictions_from_a_searchable_list(org_a: Any, hr_admin_a: Any) -> None:
    client = Client()
    client.force_login(hr_admin_a)
    page = client.get("/admin/renown_hiring/job/add/")
    body = page.content.decode()
    # Django's filter_horizontal widget: a select multiple its admin script makes searchable.
    assert re.search(r'<select name="jurisdictions"[^>]*class="selectfilter"', body)
    assert re.search(r'<select name="jurisdictions"[^>]*multiple', body)
    assert "/static/admin/js/SelectFilter2.js" in body
    assert '<option value="US-NY-NYC">US-NY-NYC — New York City</option>' in body
    assert '<option value="DE">DE — Germany</option>' in body
    response = client.post(
        "/admin/renown_hiring/job/add/",
        {**JOB_FORM, "organization": org_a.pk, "jurisdictions": ["US-NY-NYC", "DE"]},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Job.objects.get(title="Community Lead").jurisdictions == ["DE", "US-NY-NYC"]


@pytest.mark.parametrize("code", ["XX", "DE-BE", '["US-CA"]'])
def test_the_admin_refuses_a_jurisdiction_not_on_the_list(
    org_a: Any, hr_admin_a: Any, code: str
) -> None:
    client = Client()
    client.force_login(hr_admin_a)
    response = client.post(
        "/admin/renown_hiring/job/add/",
        {**JOB_FORM, "organization": org_a.pk, "jurisdictions": ["US-CA", code]},
    )
    assert response.status_code == 200
    assert f"{code} is not a jurisdiction Renown knows" in html.unescape(response.content.decode())
    assert not Job.objects.filter(organization=org_a).exists()


def test_the_admin_keeps_a_jurisdiction_given_before_the_list(org_a: Any, hr_admin_a: Any) -> None:
    job = services.job_create(
        organization=org_a, actor="test", title="Berlin Lead", jurisdictions=["DE-BE", "US-CA"],
        influence_relevance="core", relevance_justification="Talks to the community in public.",
    )  # fmt: skip
    client = Client()
    client.force_login(hr_admin_a)
    url = f"/admin/renown_hiring/job/{job.pk}/change/"
    body = client.get(url).content.decode()
    assert '<option value="DE-BE" selected>DE-BE (kept from the job)</option>' in body
    assert '<option value="US-CA" selected>' in body
    before = len(events(org_a))
    response = client.post(
        url, {**JOB_FORM, "title": "Berlin Lead (EU)", "jurisdictions": ["US-CA", "DE-BE"]}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    job.refresh_from_db()
    assert job.jurisdictions == ["DE-BE", "US-CA"]
    event = assert_one_event(org_a, before, "job.changed")
    assert event.after == {"title": "Berlin Lead (EU)"}  # the same places: no change


def test_the_service_validates_before_it_writes(org_a: Any) -> None:
    with pytest.raises(ValidationError):
        services.job_create(
            organization=org_a, actor="test", title="Nowhere", jurisdictions=["XX-??"]
        )
    job = factories.JobFactory(organization=org_a)
    with pytest.raises(ValueError, match="not job fields"):
        services.job_update(job=job, actor="test", changes={"organization": None})
    assert not AuditEvent.objects.filter(organization=org_a).exists()


# --- a change of the job puts live rules with a new serious warning on hold ------------

NOW = datetime.now(tz=UTC)


@pytest.fixture
def screened(org_a: Any, hr_admin_a: Any, second_admin: Any) -> tuple[Job, ScreeningRule, Any]:
    """A California job with a live screen-out rule (influence ≥ 35, four eyes) that
    screens out one applicant (influence 10)."""
    job = factories.JobFactory(organization=org_a, jurisdictions=["US-CA"])
    low = factories.CandidateFactory(organization=org_a)
    services.application_add(job=job, candidate=low)
    factories.ScoreFactory(candidate=low, value=Decimal(10), as_of=NOW - timedelta(hours=1))
    rule = services.rule_create(
        job=job, actor=hr_admin_a, metric="influence", threshold=Decimal(35), action="screen_out"
    )
    rule = services.rule_approve(rule=rule, approver=second_admin, statement="Reviewed.")
    assert rule.status == "live"
    return job, rule, low


def suggestion(job: Job, candidate: Any) -> str:
    services.screening_run_for_job(job=job)
    return str(job.screenings.get(candidate=candidate).suggestion)


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        # New York City: no LL144 notice and no bias audit recorded: both serious.
        (
            {"jurisdictions": ["US-CA", "US-NY-NYC"]},
            {"ll144.notice_missing", "ll144.audit_missing"},
        ),
        # Influence "not relevant" to the job, yet a rule screens on it.
        ({"influence_relevance": "none"}, {"job_relatedness.not_relevant"}),
        ({"title": "Renamed"}, set()),  # nothing the warnings read
        ({"jurisdictions": ["US-CA", "US-TX"]}, set()),  # no new serious warning
    ],
)
def test_which_job_changes_put_a_live_rule_on_hold(
    changes: dict[str, Any], codes: set[str], screened: Any, org_a: Any
) -> None:
    job, rule, low = screened
    assert suggestion(job, low) == "reject"
    before = len(events(org_a))
    services.job_update(job=job, actor="token:1 ats-write", changes=changes)
    event = assert_one_event(org_a, before, "job.changed")
    rule.refresh_from_db()
    assert {w["code"] for w in rule.acknowledgement_pending} == codes
    waiting = event.after.get("rules_awaiting_acknowledgement", [])
    assert [(w["rule"], {x["code"] for x in w["warnings"]}) for w in waiting] == (
        [(rule.pk, codes)] if codes else []
    )
    assert suggestion(job, low) == ("review" if codes else "reject")


def test_a_token_patch_to_new_york_holds_the_screen_out_rule_until_an_hr_admin_acknowledges(
    screened: Any, org_a: Any, hr_admin_a: Any, recruiter_a: Any
) -> None:
    job, rule, low = screened
    client, _ = token_client(org_a)
    response = client.patch(
        f"/api/v1/jobs/{job.pk}/", {"jurisdictions": ["US-CA", "US-NY-NYC"]}, format="json"
    )
    assert response.status_code == 200, response.content
    rule.refresh_from_db()
    assert rule.acknowledgement_pending
    assert rule.acting_action == "needs_review"
    assert suggestion(job, low) == "review"  # the screen-out rule only suggests review
    # Only an HR admin acknowledges, in words.
    with pytest.raises(NotPermitted):
        services.rule_acknowledge(rule=rule, actor=recruiter_a, statement="Fine.")
    with pytest.raises(StatementRequired) as blank:
        services.rule_acknowledge(rule=rule, actor=hr_admin_a, statement="  ")
    assert {w["code"] for w in blank.value.warnings} == {
        "ll144.notice_missing",
        "ll144.audit_missing",
    }
    assert suggestion(job, low) == "review"
    shown = client.get(f"/api/v1/rules/{rule.pk}/").json()
    assert {w["code"] for w in shown["acknowledgement_pending"]} == {
        "ll144.notice_missing",
        "ll144.audit_missing",
    }
    # A token cannot acknowledge; the HR admin does, through the API.
    refused = client.post(f"/api/v1/rules/{rule.pk}/acknowledge/", {"acknowledgement": "ok"})
    assert refused.status_code == 403
    before = len(events(org_a))
    response = session_client(hr_admin_a).post(
        f"/api/v1/rules/{rule.pk}/acknowledge/",
        {"acknowledgement": "Notice posted today; audit booked."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["acknowledgement_pending"] == []
    event = assert_one_event(org_a, before, "warning.acknowledged")
    assert {"ll144.notice_missing", "ll144.audit_missing"} <= {
        w["code"] for w in event.after["warnings"]
    }
    rule.refresh_from_db()
    assert (rule.status, rule.acknowledgement_pending, rule.version) == ("live", [], 1)
    assert suggestion(job, low) == "reject"  # screens out again
    # The same change again gives nothing new to acknowledge.
    services.job_update(job=job, actor="test", changes={"jurisdictions": ["US-NY-NYC"]})
    rule.refresh_from_db()
    assert rule.acknowledgement_pending == []


def test_the_rule_and_job_pages_say_the_rule_awaits_acknowledgement(
    screened: Any, hr_admin_a: Any
) -> None:
    job, rule, _ = screened
    pages = (
        f"/admin/renown_hiring/screeningrule/{rule.pk}/change/",
        f"/admin/renown_hiring/job/{job.pk}/change/",
        f"/jobs/{job.pk}/review/",  # the job's review queue lists its live rules
    )
    client = Client()
    client.force_login(hr_admin_a)
    for url in pages:
        assert "a change of" not in client.get(url).content.decode().lower(), url
    services.job_update(job=job, actor="test", changes={"influence_relevance": "none"})
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "a change of" in response.content.decode().lower(), url


def test_the_admin_rule_page_acknowledges_a_rule_on_hold(
    screened: Any, hr_admin_a: Any, org_a: Any
) -> None:
    job, rule, low = screened
    services.job_update(job=job, actor="test", changes={"influence_relevance": "none"})
    client = Client()
    client.force_login(hr_admin_a)
    form = {
        "metric": "influence",
        "operator": "gte",
        "threshold": "35.00",
        "aggregation": "latest",
        "window_days": "90",
        "max_data_age_days": "30",
        "missing_data_policy": "review",
        "near_band": "0.00",
        "near_band_source": "fixed",
        "action": "screen_out",
        "go_live": "on",
        "acknowledgement": "Influence matters after all; the job text is being fixed.",
    }
    before = len(events(org_a))
    response = client.post(f"/admin/renown_hiring/screeningrule/{rule.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert_one_event(org_a, before, "warning.acknowledged")
    rule.refresh_from_db()
    assert (rule.status, rule.version, rule.acknowledgement_pending) == ("live", 1, [])
    assert suggestion(job, low) == "reject"
