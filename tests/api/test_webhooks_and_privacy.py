"""The webhook, export and erasure endpoints on the API base (tokens, problem details)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import override_settings

from candidates.models import Candidate
from hiring.api.schema import openapi_schema
from hiring.privacy.models import RetentionHold
from renown.models import WebhookDelivery, WebhookSubscription
from renown.trail import audit_trail_verify
from tests import factories

pytestmark = pytest.mark.django_db
SUBS = "/api/v1/webhook-subscriptions/"
BODY = {"name": "ATS", "url": "https://ats.example/hook", "events": ["score.updated"]}


def test_the_secret_is_shown_on_creation_only(write_client: Any) -> None:
    created = write_client.post(SUBS, BODY, format="json")
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    assert created.json()["integration"] == "ats-write"
    shown = write_client.get(f"{SUBS}{created.json()['id']}/").json()
    assert "secret" not in shown
    assert secret not in json.dumps(write_client.get(SUBS).json())
    rotated = write_client.post(f"{SUBS}{created.json()['id']}/rotate-secret/").json()["secret"]
    assert rotated != secret
    assert WebhookSubscription.objects.get().secret == rotated


def test_new_subscriptions_sign_the_standard_webhooks_way(write_client: Any) -> None:
    created = write_client.post(SUBS, BODY, format="json").json()
    assert created["signature_scheme"] == "standard"
    assert write_client.get(f"{SUBS}{created['id']}/").json()["signature_scheme"] == "standard"
    # Nothing in the creation chooses the legacy scheme.
    other = write_client.post(
        SUBS, {**BODY, "name": "B", "signature_scheme": "renown-v1"}, format="json"
    ).json()
    assert other["signature_scheme"] == "standard"


def test_one_call_switches_a_legacy_subscription_and_rotates_its_secret(
    write_client: Any,
) -> None:
    from renown.models import AuditEvent

    created = write_client.post(SUBS, BODY, format="json").json()
    WebhookSubscription.objects.filter(pk=created["id"]).update(signature_scheme="renown-v1")
    assert write_client.get(f"{SUBS}{created['id']}/").json()["signature_scheme"] == "renown-v1"
    url = f"{SUBS}{created['id']}/switch-scheme/"
    response = write_client.post(url, {"signature_scheme": "standard"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["signature_scheme"] == "standard"
    assert body["secret"].startswith("whsec_")
    assert body["secret"] != created["secret"]
    stored = WebhookSubscription.objects.get(pk=created["id"])
    assert (stored.signature_scheme, stored.secret) == ("standard", body["secret"])
    event = AuditEvent.objects.get(event_type="webhook_subscription.secret_rotated")
    assert event.after == {"signature_scheme": "standard"}
    # Again: it already signs that way; nothing changes (rotate-secret gives a new secret).
    again = write_client.post(url, {"signature_scheme": "standard"}, format="json")
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert "already signs" in again.json()["detail"]
    assert WebhookSubscription.objects.get(pk=created["id"]).secret == body["secret"]


@pytest.mark.parametrize(
    "body", [{}, {"signature_scheme": "renown-v1"}, {"signature_scheme": "v2"},
             {"signature_scheme": ["standard"]}, {"signature_scheme": None}],
)  # fmt: skip
def test_switching_takes_only_the_standard_scheme(write_client: Any, body: Any) -> None:
    created = write_client.post(SUBS, BODY, format="json").json()
    WebhookSubscription.objects.filter(pk=created["id"]).update(signature_scheme="renown-v1")
    response = write_client.post(f"{SUBS}{created['id']}/switch-scheme/", body, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["signature_scheme"]
    stored = WebhookSubscription.objects.get(pk=created["id"])
    assert (stored.signature_scheme, stored.secret) == ("renown-v1", created["secret"])


def test_a_private_url_is_refused_by_field(write_client: Any) -> None:
    with override_settings(RENOWN_ALLOW_PRIVATE_HOSTS=False):
        response = write_client.post(
            SUBS, {**BODY, "url": "http://169.254.169.254/latest/"}, format="json"
        )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["url"]
    assert not WebhookSubscription.objects.exists()


def test_bad_event_types_are_refused_by_field(write_client: Any) -> None:
    response = write_client.post(SUBS, {**BODY, "events": ["score.updated", "x"]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith("events")


def test_a_token_sees_only_its_own_integrations_subscriptions(
    write_client: Any, org_a: Any, hr_admin_a: Any, user_client: Any
) -> None:
    from renown.api.tokens import api_token_create
    from tests.api.conftest import token_client

    write_client.post(SUBS, BODY, format="json")
    other = token_client(api_token_create(organization=org_a, name="other", scope="write")[1])
    other.post(SUBS, {**BODY, "name": "Other ATS"}, format="json")
    assert [s["name"] for s in write_client.get(SUBS).json()["results"]] == ["ATS"]
    mine = WebhookSubscription.objects.get(name="ATS")
    assert other.get(f"{SUBS}{mine.pk}/").status_code == 404
    everyone = user_client(hr_admin_a).get(SUBS).json()["results"]
    assert sorted(s["name"] for s in everyone) == ["ATS", "Other ATS"]


def test_the_delivery_log_and_redelivery(
    write_client: Any, org_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from renown.webhooks import services

    subscription_id = write_client.post(SUBS, BODY, format="json").json()["id"]
    (delivery,) = services.event_emit(org_a, "score.updated", {"x": 1})
    log = write_client.get(f"{SUBS}{subscription_id}/deliveries/?status=pending").json()
    assert [d["id"] for d in log["results"]] == [delivery.pk]
    url = f"{SUBS}{subscription_id}/deliveries/{delivery.pk}/redeliver/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = write_client.post(url)
    assert response.status_code == 202
    assert response.json()["manual_redeliveries"] == 1
    assert len(callbacks) == 1  # queued once committed
    write_client.patch(f"{SUBS}{subscription_id}/", {"active": False}, format="json")
    refused = write_client.post(url)
    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"


def test_export_returns_the_data_and_withholds_self_identification(
    write_client: Any, org_a: Any
) -> None:
    person = factories.CandidateFactory(organization=org_a, name="Ada Quill")
    factories.SocialAccountFactory(candidate=person)
    factories.SelfIdentificationFactory(candidate=person, sex="female")
    response = write_client.get(f"/api/v1/candidates/{person.public_id}/export/")
    assert response.status_code == 200
    export = response.json()
    assert export["candidate"]["name"] == "Ada Quill"
    assert len(export["accounts"]) == 1
    assert export["self_identification"]["withheld"] is True
    assert export["self_identification"]["records"] == 1
    assert "female" not in response.content.decode()


def test_delete_erases_keeps_what_the_law_requires_and_emits_candidate_erased(
    write_client: Any, org_a: Any, recruiter_a: Any
) -> None:
    from tests.privacy.test_erasure import person_with_everything

    write_client.post(SUBS, {**BODY, "events": ["candidate.erased"]}, format="json")
    person = person_with_everything(org_a, recruiter_a)
    url = f"/api/v1/candidates/{person.public_id}/"
    assert write_client.delete(url).status_code == 204
    assert RetentionHold.objects.filter(candidate=person).exists()
    assert Candidate.objects.get(pk=person.pk).erased_at is not None
    assert write_client.get(url).status_code == 404
    assert write_client.delete(url).status_code == 404
    assert write_client.get(f"{url}export/").status_code == 404
    (event,) = WebhookDelivery.objects.filter(event_type="candidate.erased")
    assert json.loads(event.body)["data"]["candidate"]["external_id"] == "gh-77"
    assert all(chain.intact for chain in audit_trail_verify())
    listed = write_client.get("/api/v1/candidates/").json()["results"]
    assert str(person.public_id) not in {c["id"] for c in listed}


def test_the_ats_endpoint_is_signature_authenticated_in_the_schema(client: Any) -> None:
    schema = openapi_schema()
    operation = schema["paths"]["/api/v1/ats/{ats}/{org_slug}/"]["post"]
    assert operation["security"] == [{"atsSignature": []}]
    scheme = schema["components"]["securitySchemes"]["atsSignature"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Signature")
    [ats] = [p for p in operation["parameters"] if p["name"] == "ats"]
    assert sorted(ats["schema"]["enum"]) == ["ashby", "greenhouse", "lever", "workable"]
