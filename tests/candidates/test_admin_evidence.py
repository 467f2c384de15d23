"""The admin's verdict on evidence goes through the service that records who and when."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def _form(evidence: Any, verification: str) -> dict[str, Any]:
    return {
        "candidate": evidence.candidate.pk,
        "kind": evidence.kind,
        "title": evidence.title,
        "venue": "",
        "date": "",
        "url": "",
        "verification": verification,
        "source": evidence.source,
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("verdict", ["verified", "rejected"])
def test_an_admin_verdict_records_who_and_when(hr_admin_a: Any, org_a: Any, verdict: str) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    evidence = factories.ReputationEvidenceFactory(candidate=candidate)
    response = _client(hr_admin_a).post(
        f"/admin/renown_candidates/reputationevidence/{evidence.pk}/change/",
        _form(evidence, verdict),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    evidence.refresh_from_db()
    assert evidence.verification == verdict
    assert evidence.verified_at is not None
    assert evidence.verified_by == hr_admin_a


def test_evidence_added_as_verified_in_the_admin_is_decided_by_its_author(
    hr_admin_a: Any, org_a: Any
) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    form = _form(factories.ReputationEvidenceFactory.build(candidate=candidate), "verified")
    response = _client(hr_admin_a).post("/admin/renown_candidates/reputationevidence/add/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    evidence = candidate.evidence.get()
    assert (evidence.verification, evidence.verified_by) == ("verified", hr_admin_a)
    assert evidence.verified_at is not None


def test_a_verdict_is_not_taken_back_to_unverified(hr_admin_a: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    evidence = factories.ReputationEvidenceFactory(candidate=candidate)
    client = _client(hr_admin_a)
    url = f"/admin/renown_candidates/reputationevidence/{evidence.pk}/change/"
    assert client.post(url, _form(evidence, "verified")).status_code == 302
    response = client.post(url, _form(evidence, "unverified"))
    assert response.status_code == 200  # the form again, with the error
    assert "not taken back" in response.content.decode()
    evidence.refresh_from_db()
    assert evidence.verification == "verified"
