"""Greenhouse webhooks in: signed deliveries upsert candidates, jobs and accounts; others 401."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from candidates.models import Candidate, SocialAccount
from hiring.ats import services as ats_services
from hiring.ats.greenhouse import signature as greenhouse_signature
from hiring.ats.models import CandidateLink, InboundDelivery
from hiring.models import Application, Job
from renown.models import AuditEvent
from renown.trail import audit_trail_verify

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures" / "greenhouse"
URL = "/api/v1/ats/greenhouse/{slug}/"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def secret(org_a: Any) -> str:
    return ats_services.ats_secret_set(organization=org_a, ats="greenhouse")


def post(client: Any, body: bytes, signature: str | None, *, slug: str = "acme", event: str = "") -> Any:  # fmt: skip
    headers = {}
    if signature is not None:
        headers["HTTP_SIGNATURE"] = signature
    if event:
        headers["HTTP_GREENHOUSE_EVENT_ID"] = event
    return client.post(URL.format(slug=slug), data=body, content_type="application/json", **headers)


def test_a_signed_application_creates_the_candidate_job_and_accounts(
    client: Any, org_a: Any, secret: str
) -> None:
    body = fixture("new_candidate_application.json")
    response = post(client, body, greenhouse_signature(secret, body), event="ev-1")
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["status"], result["created"]) == ("processed", True)
    candidate = Candidate.objects.get(organization=org_a, ats_source="greenhouse")
    assert candidate.external_id == "60304777"
    assert candidate.name == "Renée Okafor"
    assert candidate.email == "renee.okafor@example.com"
    assert result["candidate"] == str(candidate.public_id)
    accounts = set(
        SocialAccount.objects.filter(candidate=candidate).values_list(
            "network", "handle", "verification"
        )
    )
    assert accounts == {
        ("bluesky", "renee.bsky.social", "claimed"),
        ("mastodon", "reneeokafor@mastodon.social", "claimed"),
        ("github", "renee-okafor", "claimed"),
    }
    links = set(CandidateLink.objects.filter(candidate=candidate).values_list("kind", "url"))
    assert links == {
        ("social", "https://twitter.com/renee_okafor"),
        ("social", "linkedin.com/in/renee-okafor"),
        ("website", "renee-okafor.example"),
    }
    job = Job.objects.get(organization=org_a)
    assert (job.external_id, job.title) == ("REQ-2026-014", "Developer Advocate")
    application = Application.objects.get(job=job, candidate=candidate)
    assert application.external_id == "71980901"
    assert result["rejected"] == []


def test_an_unsigned_or_badly_signed_delivery_is_401_and_stores_nothing(
    client: Any, org_a: Any, secret: str
) -> None:
    body = fixture("new_candidate_application.json")
    for signature in (None, "", "sha256 " + "0" * 64, greenhouse_signature("wrong", body)):
        response = post(client, body, signature)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 401
    tampered = body.replace(b"Okafor", b"Mallory")
    assert post(client, tampered, greenhouse_signature(secret, body)).status_code == 401
    assert not Candidate.objects.exists()
    assert not InboundDelivery.objects.exists()


def test_another_organisations_secret_does_not_open_this_endpoint(
    client: Any, org_a: Any, org_b: Any, secret: str
) -> None:
    other = ats_services.ats_secret_set(organization=org_b, ats="greenhouse")
    body = fixture("new_candidate_application.json")
    assert post(client, body, greenhouse_signature(other, body), slug="acme").status_code == 401
    assert post(client, body, greenhouse_signature(secret, body), slug="nope").status_code == 401
    assert not Candidate.objects.exists()


def test_a_replayed_delivery_changes_nothing(client: Any, org_a: Any, secret: str) -> None:
    body = fixture("new_candidate_application.json")
    signature = greenhouse_signature(secret, body)
    assert post(client, body, signature, event="ev-1").json()["status"] == "processed"
    candidate = Candidate.objects.get()
    candidate.name = "Renée O. (edited in Renown)"
    candidate.save()
    SocialAccount.objects.filter(network="github").delete()
    for event in ("ev-1", "ev-2", ""):  # same body; same or other event id
        response = post(client, body, signature, event=event)
        assert response.status_code == 200
        assert response.json()["status"] == "duplicate"
    candidate.refresh_from_db()
    assert candidate.name == "Renée O. (edited in Renown)"
    assert not SocialAccount.objects.filter(network="github").exists()
    assert InboundDelivery.objects.count() == 1


def test_a_later_event_updates_the_same_candidate(client: Any, org_a: Any, secret: str) -> None:
    first = fixture("new_candidate_application.json")
    post(client, first, greenhouse_signature(secret, first))
    later = first.replace(b'"new_candidate_application"', b'"application_updated"').replace(
        b"renee.okafor@example.com", b"renee@new.example"
    )
    result = post(client, later, greenhouse_signature(secret, later)).json()
    assert (result["status"], result["created"]) == ("processed", False)
    candidate = Candidate.objects.get()
    assert candidate.email == "renee@new.example"
    assert Job.objects.count() == 1
    assert SocialAccount.objects.count() == 3


def test_a_stage_change_without_requisition_id_keys_the_job_by_greenhouse_id(
    client: Any, org_a: Any, secret: str
) -> None:
    body = fixture("candidate_stage_change.json")
    result = post(client, body, greenhouse_signature(secret, body)).json()
    assert result["jobs"] == ["greenhouse-job-3485"]
    assert set(SocialAccount.objects.values_list("network", "handle")) == {
        ("stackexchange", "stackoverflow:22656"),
        ("hackernews", "twrobel"),
    }


def test_ping_answers_200(client: Any, org_a: Any, secret: str) -> None:
    body = fixture("ping.json")
    response = post(client, body, greenhouse_signature(secret, body))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "action": "ping"}
    assert post(client, body, None).status_code == 401


def test_an_event_without_a_candidate_is_ignored_and_says_so(
    client: Any, org_a: Any, secret: str
) -> None:
    body = fixture("delete_candidate.json")
    result = post(client, body, greenhouse_signature(secret, body)).json()
    assert result["status"] == "ignored"
    assert "no candidate" in result["reason"]


def test_bad_fields_are_reported_by_field_and_the_rest_is_kept(
    client: Any, org_a: Any, secret: str
) -> None:
    document = json.loads(fixture("new_candidate_application.json"))
    person = document["payload"]["application"]["candidate"]
    person["email_addresses"] = [{"value": "not-an-email"}, {"value": 42}]
    person["social_media_addresses"].append({"value": "https://bsky.app/profile/bad handle"})
    person["website_addresses"].append({"nope": True})
    body = json.dumps(document).encode()
    result = post(client, body, greenhouse_signature(secret, body)).json()
    assert result["status"] == "processed"
    fields = {entry["field"] for entry in result["rejected"]}
    assert fields == {
        "payload.application.candidate.email_addresses[0].value",
        "payload.application.candidate.email_addresses[1].value",
        "payload.application.candidate.social_media_addresses[4].value",
        "payload.application.candidate.website_addresses[2].value",
    }
    assert Candidate.objects.get().email == ""


def test_a_name_part_with_a_bidi_override_or_nothing_visible_is_reported_and_left_out(
    client: Any, org_a: Any, secret: str
) -> None:
    document = json.loads(fixture("new_candidate_application.json"))
    person = document["payload"]["application"]["candidate"]
    person["first_name"] = "Ada\u202eregnaL"
    person["last_name"] = "Lovelace"
    body = json.dumps(document).encode()
    result = post(client, body, greenhouse_signature(secret, body)).json()
    assert result["status"] == "processed"
    assert result["rejected"] == [
        {
            "field": "payload.application.candidate.first_name",
            "message": "A name cannot contain U+202E RIGHT-TO-LEFT OVERRIDE (character 4): "
            "it changes the order in which the text around it is shown.",
        }
    ]
    assert Candidate.objects.get().name == "Lovelace"
    # A later event whose name is only zero-width characters: the id names the person.
    person["first_name"], person["last_name"] = "\u200b\u200d", "\ufeff"
    body = json.dumps(document).encode()
    result = post(client, body, greenhouse_signature(secret, body)).json()
    assert {e["field"] for e in result["rejected"]} == {
        "payload.application.candidate.first_name",
        "payload.application.candidate.last_name",
    }
    assert Candidate.objects.get().name == f"Greenhouse candidate {person['id']}"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"[]", "body"),
        (b'{"action": "new_candidate_application", "payload": 3}', "payload"),
        (
            b'{"action": "x", "payload": {"application": {"candidate": {"id": null}}}}',
            "payload.application.candidate.id",
        ),
    ],
)
def test_a_signed_body_that_is_not_a_greenhouse_payload_is_400_by_field(
    client: Any, org_a: Any, secret: str, body: bytes, field: str
) -> None:
    response = post(client, body, greenhouse_signature(secret, body))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not Candidate.objects.exists()


def test_ats_secret_command_sets_a_new_secret_and_prints_it_last(
    client: Any, org_a: Any, capsys: Any
) -> None:
    call_command("ats_secret", "--org", "acme", "--ats", "greenhouse")
    first = capsys.readouterr().out.strip().splitlines()[-1]
    call_command("ats_secret", "--org", "acme", "--ats", "greenhouse")
    second = capsys.readouterr().out.strip().splitlines()[-1]
    assert first != second
    body = fixture("ping.json")
    assert post(client, body, greenhouse_signature(first, body)).status_code == 401
    assert post(client, body, greenhouse_signature(second, body)).status_code == 200


def test_setting_the_secret_is_on_the_trail_and_the_secret_is_not(org_a: Any, capsys: Any) -> None:
    call_command("ats_secret", "--org", "acme", "--ats", "greenhouse")
    first = capsys.readouterr().out.strip().splitlines()[-1]
    call_command("ats_secret", "--org", "acme", "--ats", "greenhouse")
    second = capsys.readouterr().out.strip().splitlines()[-1]
    events = list(
        AuditEvent.objects.filter(organization=org_a, event_type="ats_secret.set").order_by(
            "sequence"
        )
    )
    assert [(e.actor_label, e.after) for e in events] == [
        ("command:ats_secret", {"ats": "greenhouse", "label": "", "replaced": False}),
        ("command:ats_secret", {"ats": "greenhouse", "label": "", "replaced": True}),
    ]
    exported = json.dumps([e.hash_payload() for e in events])
    assert first not in exported
    assert second not in exported
    assert all(status.intact for status in audit_trail_verify(organization=org_a))
