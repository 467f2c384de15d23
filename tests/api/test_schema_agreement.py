"""What the API returns fits the schema it serves: verified accounts, jobs an ATS created."""

from __future__ import annotations

from typing import Any

import pytest

from candidates.models import AccountVerification
from hiring.api.schema import openapi_schema
from hiring.ats import services as ats_services
from hiring.ats.base import Delivery
from hiring.ats.greenhouse import signature as greenhouse_signature
from tests import factories
from tests.api.conftest import token_client
from tests.webhooks.test_greenhouse import fixture

pytestmark = pytest.mark.django_db


def _components() -> dict[str, Any]:
    schema = openapi_schema()
    components: dict[str, Any] = schema["components"]["schemas"]
    return components


def _enum(components: dict[str, Any], prop: dict[str, Any]) -> list[str]:
    ref = prop.get("$ref") or prop["allOf"][0]["$ref"]
    values: list[str] = components[ref.rsplit("/", 1)[1]]["enum"]
    return values


def test_a_verified_account_is_in_the_schema_but_cannot_be_sent(
    org_a: Any, write_token_a: str
) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    factories.SocialAccountFactory(candidate=candidate, verification=AccountVerification.VERIFIED)
    components = _components()
    shown = _enum(components, components["SocialAccount"]["properties"]["verification"])
    sent = _enum(components, components["SocialAccountRequest"]["properties"]["verification"])
    client = token_client(write_token_a)
    url = f"/api/v1/candidates/{candidate.public_id}/accounts/"
    [account] = client.get(url).json()["results"]
    assert account["verification"] == "verified"
    assert account["verification"] in shown
    assert "verified" not in sent
    body = {"network": "github", "handle": "octo", "verification": "verified"}
    assert client.post(url, body, format="json").status_code == 400


def test_a_job_greenhouse_created_has_no_jurisdictions_and_the_schema_allows_it(
    org_a: Any, write_token_a: str
) -> None:
    secret = ats_services.ats_secret_set(organization=org_a, ats="greenhouse")
    body = fixture("new_candidate_application.json")
    ats_services.ats_receive(
        ats="greenhouse",
        org_slug=org_a.slug,
        delivery=Delivery(body, {"Signature": greenhouse_signature(secret, body)}),
    )
    components = _components()
    shown = components["Job"]["properties"]["jurisdictions"]
    assert shown.get("minItems", 0) == 0
    assert components["JobRequest"]["properties"]["jurisdictions"]["minItems"] == 1
    client = token_client(write_token_a)
    [job] = client.get("/api/v1/jobs/").json()["results"]
    assert job["jurisdictions"] == []
    # A title change does not have to say where the job hires; clearing it is refused.
    renamed = client.patch(f"/api/v1/jobs/{job['id']}/", {"title": "Renamed"}, format="json")
    assert renamed.status_code == 200, renamed.content
    cleared = client.patch(f"/api/v1/jobs/{job['id']}/", {"jurisdictions": []}, format="json")
    assert cleared.status_code == 400
    assert cleared.json()["errors"][0]["field"] == "jurisdictions"
