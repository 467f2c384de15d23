"""Candidates through the API: CRUD, upsert by ATS key, bulk upsert."""

from __future__ import annotations

from typing import Any

import pytest

from candidates.models import Candidate
from tests import factories

pytestmark = pytest.mark.django_db


def test_create_list_retrieve_update_delete(write_client: Any, org_a: Any) -> None:
    created = write_client.post(
        "/api/v1/candidates/",
        {"name": "Ada Lovelace", "email": "ada@example.test", "country": "gb", "region": "gb-lnd"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["country"] == "GB"
    assert body["region"] == "GB-LND"
    assert body["latest_scores"] == {"influence": None, "reputation": None}
    assert body["latest_screening"] is None
    listed = write_client.get("/api/v1/candidates/").json()
    assert [c["id"] for c in listed["results"]] == [body["id"]]
    url = f"/api/v1/candidates/{body['id']}/"
    assert write_client.get(url).json()["name"] == "Ada Lovelace"
    patched = write_client.patch(url, {"name": "Ada King"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["name"] == "Ada King"
    assert write_client.delete(url).status_code == 204
    assert not Candidate.objects.filter(public_id=body["id"]).exists()


def test_validation_errors_are_problems_with_fields(write_client: Any, org_a: Any) -> None:
    response = write_client.post(
        "/api/v1/candidates/",
        {"name": "", "email": "not-an-email", "country": "USA", "region": "DE-BE"},
        format="json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert problem["instance"] == "/api/v1/candidates/"
    assert {e["field"] for e in problem["errors"]} >= {"name", "email", "country"}


def test_region_must_lie_in_country(write_client: Any, org_a: Any) -> None:
    response = write_client.post(
        "/api/v1/candidates/", {"name": "X", "country": "US", "region": "DE-BE"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "region", "message": "DE-BE is not in US."}]


def test_upsert_by_external_id_creates_then_updates(write_client: Any, org_a: Any) -> None:
    url = "/api/v1/candidates/by-external-id/greenhouse/12345/"
    first = write_client.put(url, {"name": "Grace Hopper"}, format="json")
    assert first.status_code == 201, first.content
    second = write_client.put(url, {"name": "Grace B. Hopper", "country": "US"}, format="json")
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    candidate = Candidate.objects.get(public_id=first.json()["id"])
    assert (candidate.name, candidate.ats_source, candidate.external_id) == (
        "Grace B. Hopper",
        "greenhouse",
        "12345",
    )


def test_bulk_reports_each_item_and_keeps_good_neighbours(write_client: Any, org_a: Any) -> None:
    existing = factories.CandidateFactory(
        organization=org_a, ats_source="lever", external_id="L-1", name="Old"
    )
    items = [
        {"name": "New One", "ats_source": "lever", "external_id": "L-2"},
        {"name": "", "email": "bad"},
        {"name": "Updated", "ats_source": "lever", "external_id": "L-1"},
        "not an object",
        {"name": "Twice", "ats_source": "lever", "external_id": "L-2"},
        {"name": "No key"},
    ]
    response = write_client.post("/api/v1/candidates/bulk/", {"items": items}, format="json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(6))
    assert [r["status"] for r in results] == [
        "created", "error", "updated", "error", "error", "created",
    ]  # fmt: skip
    assert {e["field"] for e in results[1]["errors"]} == {"name", "email"}
    assert results[2]["id"] == str(existing.public_id)
    assert results[4]["errors"][0]["field"] == "external_id"
    existing.refresh_from_db()
    assert existing.name == "Updated"
    assert Candidate.objects.filter(organization=org_a).count() == 3


def test_bulk_refuses_more_than_1000_items(write_client: Any, org_a: Any) -> None:
    items = [{"name": f"C{i}"} for i in range(1001)]
    response = write_client.post("/api/v1/candidates/bulk/", {"items": items}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "items"
    assert not Candidate.objects.exists()


def test_other_organisation_candidate_is_404(write_client: Any, org_b: Any) -> None:
    other = factories.CandidateFactory(organization=org_b)
    response = write_client.get(f"/api/v1/candidates/{other.public_id}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert write_client.delete(f"/api/v1/candidates/{other.public_id}/").status_code == 404
    assert Candidate.objects.filter(pk=other.pk).exists()


def test_fast_representation_equals_drf_rendering(write_client: Any, org_a: Any) -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    from hiring.api.selectors import candidate_list_with_latest
    from hiring.api.serializers import CandidateSerializer
    from hiring.models import Screening

    scored = factories.CandidateFactory(organization=org_a, ats_source="gh", external_id="1")
    factories.ScoreFactory(candidate=scored, value=Decimal("12.5"))
    Screening.objects.create(
        candidate=scored,
        job=factories.JobFactory(organization=org_a),
        outcome="near_threshold",
        suggestion="review",
        evaluated_at=datetime.now(tz=UTC),
    )
    factories.CandidateFactory(organization=org_a, email="")
    rows = list(candidate_list_with_latest(org_a))
    assert len(rows) == 2
    serializer = CandidateSerializer()
    for row in rows:
        assert serializer.to_representation(row) == serializer.generic_representation(row)


def test_page_representation_equals_drf_rendering_in_another_time_zone(
    write_client: Any, org_a: Any
) -> None:
    from datetime import UTC, datetime

    from django.utils import timezone

    from hiring.api.selectors import candidate_list_with_latest
    from hiring.api.serializers import CandidateSerializer
    from hiring.models import Screening

    scored = factories.CandidateFactory(organization=org_a)
    Screening.objects.create(
        candidate=scored,
        job=factories.JobFactory(organization=org_a),
        outcome="meets",
        suggestion="advance",
        evaluated_at=datetime(2024, 7, 1, 22, 30, tzinfo=UTC),
    )
    factories.CandidateFactory(organization=org_a)
    rows = list(candidate_list_with_latest(org_a))
    reference = CandidateSerializer()
    for zone in ("Europe/Paris", "UTC"):
        with timezone.override(zone):
            page = CandidateSerializer(rows, many=True).data
            assert page == [reference.generic_representation(row) for row in rows]
    with timezone.override("Europe/Paris"):
        shown = CandidateSerializer(rows, many=True).data
    screenings = [r["latest_screening"] for r in shown if r["latest_screening"]]
    assert [s["evaluated_at"] for s in screenings] == ["2024-07-02T00:30:00+02:00"]
