"""The API takes a rejection outside Renown as the page does: the same service, the same
attestation; a recruiter only."""

from __future__ import annotations

from typing import Any

import pytest

from hiring.models import AdverseAction, Decision
from hiring.review.decisions import OUTSIDE_RENOWN_ATTESTATION
from renown.models import AuditEvent
from tests import factories
from tests.api.conftest import token_client
from tests.api.world import build_world

pytestmark = pytest.mark.django_db

BODY = {"kind": "reject", "reason": "Failed the reference check.", "outside_renown": True}


def _url(world: Any) -> str:
    return f"/api/v1/screenings/{world.screening.pk}/decisions/"


def test_an_attested_rejection_outside_renown(
    recruiter_a: Any, org_a: Any, user_client: Any
) -> None:
    world = build_world(org_a, author=factories.UserFactory(username="hr-two"))
    client = user_client(recruiter_a)
    response = client.post(_url(world), {**BODY, "attested": True}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["outside_renown"]) == ("reject", True)
    assert body["attestation"] == OUTSIDE_RENOWN_ATTESTATION
    assert body["follows_machine"] is None
    assert not AdverseAction.objects.exists()
    event = AuditEvent.objects.get(event_type="decision.recorded")
    assert event.after["attestation"] == OUTSIDE_RENOWN_ATTESTATION
    assert event.actor_id == recruiter_a.pk
    [listed] = client.get(_url(world)).json()["results"]
    assert listed["outside_renown"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (BODY, "attested"),
        ({**BODY, "attested": False}, "attested"),
        ({**BODY, "attested": True, "kind": "hold"}, "outside_renown"),
        ({"kind": "hold", "reason": "x", "attested": True}, "attested"),
    ],
)
def test_refusals_name_the_field(
    recruiter_a: Any, org_a: Any, user_client: Any, body: dict[str, Any], field: str
) -> None:
    world = build_world(org_a, author=factories.UserFactory(username="hr-two"))
    response = user_client(recruiter_a).post(_url(world), body, format="json")
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Decision.objects.exists()


def test_only_a_recruiter_attests(
    hr_admin_a: Any, auditor_a: Any, org_a: Any, user_client: Any, write_token_a: str
) -> None:
    world = build_world(org_a, author=factories.UserFactory(username="hr-two"))
    body = {**BODY, "attested": True}
    for client in (user_client(hr_admin_a), user_client(auditor_a), token_client(write_token_a)):
        assert client.post(_url(world), body, format="json").status_code == 403
    assert not Decision.objects.exists()


def test_another_organisations_screening_is_404(org_a: Any, org_b: Any, user_client: Any) -> None:
    theirs = build_world(org_b, author=factories.UserFactory(username="hr-b"), marker="b")
    recruiter_a = factories.UserFactory(username="rita-a")
    factories.MembershipFactory(user=recruiter_a, organization=org_a, role="recruiter")
    response = user_client(recruiter_a).post(
        _url(theirs), {**BODY, "attested": True}, format="json"
    )
    assert response.status_code == 404
    assert not Decision.objects.exists()
