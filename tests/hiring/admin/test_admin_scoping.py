"""The admin by role and organisation: HR admins change, auditors read, others stay out."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from candidates.models import Candidate
from tests import factories

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_hr_admin_sees_only_own_organisation_in_every_changelist(
    hr_admin_a: Any, org_a: Any, org_b: Any
) -> None:
    factories.CandidateFactory(organization=org_a, name="Ours Olga")
    factories.CandidateFactory(organization=org_b, name="Theirs Theo")
    body = login(hr_admin_a).get("/admin/renown_candidates/candidate/").content.decode()
    assert "Ours Olga" in body
    assert "Theirs Theo" not in body


def test_hr_admin_can_edit_own_candidate(hr_admin_a: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a, name="Before")
    response = login(hr_admin_a).post(
        f"/admin/renown_candidates/candidate/{candidate.pk}/change/",
        {
            "organization": org_a.pk,
            "name": "After",
            "email": "",
            "ats_source": "",
            "external_id": "",
            "country": "US",
            "region": "US-CA",
            "accounts-TOTAL_FORMS": "0",
            "accounts-INITIAL_FORMS": "0",
            "notices-TOTAL_FORMS": "0",
            "notices-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    candidate.refresh_from_db()
    assert candidate.name == "After"


def test_hr_admin_cannot_create_a_candidate_in_another_organisation(
    hr_admin_a: Any, org_b: Any
) -> None:
    response = login(hr_admin_a).post(
        "/admin/renown_candidates/candidate/add/",
        {
            "organization": org_b.pk,
            "name": "Smuggled",
            "country": "US",
            "accounts-TOTAL_FORMS": "0",
            "accounts-INITIAL_FORMS": "0",
            "notices-TOTAL_FORMS": "0",
            "notices-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form comes back with an error
    assert "Select a valid choice" in response.content.decode()
    assert not Candidate.objects.filter(name="Smuggled").exists()


def test_auditor_reads_but_cannot_change(auditor_a: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    client = login(auditor_a)
    assert client.get("/admin/renown_candidates/candidate/").status_code == 200
    assert (
        client.get(f"/admin/renown_candidates/candidate/{candidate.pk}/change/").status_code == 200
    )  # read-only view
    assert client.get("/admin/renown_candidates/candidate/add/").status_code == 403
    response = client.post(
        f"/admin/renown_candidates/candidate/{candidate.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert Candidate.objects.filter(pk=candidate.pk).exists()


def test_recruiter_has_no_admin(recruiter_a: Any) -> None:
    response = login(recruiter_a).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_membership_sees_no_renown_models(db: None) -> None:
    stray = factories.UserFactory(username="stray", is_staff=True)
    response = login(stray).get("/admin/")
    assert response.status_code == 200
    assert "Candidates" not in response.content.decode()
    assert login(stray).get("/admin/renown_candidates/candidate/").status_code == 403


def test_scores_and_screenings_cannot_be_typed_in(hr_admin_a: Any) -> None:
    client = login(hr_admin_a)
    assert client.get("/admin/renown_scoring/score/add/").status_code == 403
    assert client.get("/admin/renown_scoring/metricsnapshot/add/").status_code == 403
    assert client.get("/admin/renown_hiring/screening/add/").status_code == 403


def test_rule_creation_records_its_author(hr_admin_a: Any, org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    # Klout is on offer: the organisation has a candidate with a Klout score.
    factories.VendorScoreFactory(candidate=factories.CandidateFactory(organization=org_a))
    response = login(hr_admin_a).post(
        "/admin/renown_hiring/screeningrule/add/",
        {
            "job": job.pk,
            "metric": "vendor:klout",
            "operator": "gte",
            "threshold": "35",
            "aggregation": "latest",
            "window_days": "90",
            "max_data_age_days": "30",
            "missing_data_policy": "review",
            "near_band": "0",
            "near_band_source": "fixed",
            "action": "screen_out",
            "go_live": "on",
            "acknowledgement": "Kept for a comparison with the old process; people review all.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = job.rules.get()
    assert rule.created_by == hr_admin_a
    assert rule.active is False  # a screen-out rule waits for a second HR admin
    assert rule.status == "draft"
