"""Standard Webhooks out: receivers verify with the ``standardwebhooks`` library.

The scheme is the Standard Webhooks specification 1.0.0
(https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md);
the library is the reference implementation receivers use (``pip install standardwebhooks``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from renown.exceptions import InvalidTransition
from renown.models import AuditEvent, SignatureScheme, WebhookSubscription
from renown.trail import audit_trail_verify
from renown.webhooks import services, signing
from tests.webhooks.conftest import Receiver

BODY = b'{"id":"0b6f9c9e-7d6f-4c55-a0a4-6d1f6b3b2f8e","type":"score.updated"}'
MSG_ID = "0b6f9c9e-7d6f-4c55-a0a4-6d1f6b3b2f8e"


def test_the_schemes_signing_knows_are_the_models_choices() -> None:
    assert {signing.STANDARD, signing.LEGACY} == set(SignatureScheme.values)


def test_a_secret_is_whsec_and_base64_of_32_random_bytes() -> None:
    first, second = signing.new_secret(), signing.new_secret()
    assert first != second
    for secret in (first, second):
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
        assert signing.standard_key(secret) == base64.b64decode(secret[6:])


def test_the_signature_is_v1_base64_hmac_of_id_dot_timestamp_dot_body() -> None:
    secret = signing.new_secret()
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{MSG_ID}.1700000000.".encode() + BODY
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    assert signing.standard_sign(secret, MSG_ID, 1_700_000_000, BODY) == f"v1,{expected}"
    headers = signing.signature_headers(
        "standard", secret, msg_id=MSG_ID, body=BODY, timestamp=1_700_000_000
    )
    assert headers == {
        "webhook-id": MSG_ID,
        "webhook-timestamp": "1700000000",
        "webhook-signature": f"v1,{expected}",
    }


def test_the_library_signs_what_renown_signs() -> None:
    from datetime import UTC, datetime

    secret = signing.new_secret()
    library = Webhook(secret).sign(
        MSG_ID, datetime.fromtimestamp(1_700_000_000, tz=UTC), BODY.decode()
    )
    assert signing.standard_sign(secret, MSG_ID, 1_700_000_000, BODY) == library


def _signed(secret: str, *, timestamp: int | None = None) -> dict[str, str]:
    return signing.signature_headers(
        "standard", secret, msg_id=MSG_ID, body=BODY, timestamp=timestamp or int(time.time())
    )


def test_a_fresh_signature_verifies_with_the_library() -> None:
    secret = signing.new_secret()
    assert Webhook(secret).verify(BODY, _signed(secret)) == json.loads(BODY)


OTHER_SECRET = "whsec_" + base64.b64encode(b"x" * 32).decode()


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ("body", "No matching signature"),  # one byte more
        ("body_reencoded", "No matching signature"),  # parsed and dumped again
        ("id", "No matching signature"),  # another event's id
        ("timestamp_moved", "No matching signature"),  # within tolerance, but not the signed one
        ("timestamp_old", "too old"),  # a replay six minutes later
        ("timestamp_ahead", "too new"),
        ("secret", "No matching signature"),
        ("scheme_v1a", "No matching signature"),  # an asymmetric tag is not ours
        ("no_signature", "Missing required headers"),
        ("no_id", "Missing required headers"),
    ],
)
def test_tampered_deliveries_fail_verification(change: str, why: str) -> None:
    secret = signing.new_secret()
    now = int(time.time())
    headers = _signed(secret, timestamp=now)
    body, verifier = BODY, Webhook(secret)
    if change == "body":
        body = BODY + b" "
    elif change == "body_reencoded":
        body = json.dumps(json.loads(BODY)).encode()
    elif change == "id":
        headers["webhook-id"] = MSG_ID.replace("0b6f", "1b6f")
    elif change == "timestamp_moved":
        headers["webhook-timestamp"] = str(now - 60)
    elif change == "timestamp_old":
        headers = _signed(secret, timestamp=now - 360)
    elif change == "timestamp_ahead":
        headers = _signed(secret, timestamp=now + 360)
    elif change == "secret":
        verifier = Webhook(OTHER_SECRET)
    elif change == "scheme_v1a":
        headers["webhook-signature"] = headers["webhook-signature"].replace("v1,", "v1a,")
    elif change == "no_signature":
        del headers["webhook-signature"]
    elif change == "no_id":
        del headers["webhook-id"]
    with pytest.raises(WebhookVerificationError, match=why):
        verifier.verify(body, headers)


@pytest.mark.parametrize("secret", ["whsec_", "whsec_a", "whsec_abcde"])
def test_a_secret_that_is_not_base64_cannot_sign(secret: str) -> None:
    with pytest.raises(signing.SignatureError):
        signing.standard_sign(secret, MSG_ID, 1_700_000_000, BODY)


def test_a_message_id_with_a_dot_is_refused() -> None:
    with pytest.raises(signing.SignatureError, match=r"'\.'"):
        signing.standard_sign(signing.new_secret(), "a.b", 1_700_000_000, BODY)


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(signing.SignatureError, match="unknown"):
        signing.signature_headers("v2", signing.new_secret(), msg_id=MSG_ID, body=BODY)


# --- through the delivery path ------------------------------------------------------------


@pytest.mark.django_db
def test_a_delivery_from_a_new_subscription_verifies_with_the_library(
    org_a: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    """Issue 20's acceptance: a real delivery, through delivery_attempt, to a loopback receiver."""
    subscription, secret = services.subscription_create(
        organization=org_a, name="ATS", url=receiver.url, events=["decision.recorded"]
    )
    assert subscription.signature_scheme == "standard"
    (delivery,) = services.event_emit(org_a, "decision.recorded", {"decision": {"id": 7}})
    outcome = services.delivery_attempt(delivery_id=delivery.pk)
    assert outcome is not None
    assert outcome.status == "succeeded"
    (request,) = receiver.received
    payload = Webhook(secret).verify(request["body"], request["headers"])
    assert payload["data"] == {"decision": {"id": 7}}
    assert request["headers"]["webhook-id"] == str(delivery.event_id)
    assert abs(int(request["headers"]["webhook-timestamp"]) - time.time()) < 60
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(request["body"], request["headers"])


@pytest.mark.django_db
def test_an_unusable_stored_secret_is_a_recorded_failure(
    org_a: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscription, _ = services.subscription_create(
        organization=org_a, name="ATS", url=receiver.url, events=["score.updated"]
    )
    WebhookSubscription.objects.filter(pk=subscription.pk).update(secret="whsec_abcde")
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = services.event_emit(org_a, "score.updated", {})
    delivery.refresh_from_db()
    assert delivery.status == "retrying"
    assert "cannot sign" in delivery.last_error
    assert receiver.received == []


# --- switching a legacy subscription -------------------------------------------------------


def _legacy(org: Any, url: str) -> tuple[WebhookSubscription, str]:
    subscription, secret = services.subscription_create(
        organization=org, name="Old ATS", url=url, events=["score.updated"]
    )
    WebhookSubscription.objects.filter(pk=subscription.pk).update(signature_scheme="renown-v1")
    subscription.refresh_from_db()
    return subscription, secret


@pytest.mark.django_db
def test_switching_rotates_the_secret_and_signs_the_standard_way_from_then_on(
    org_a: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscription, old_secret = _legacy(org_a, receiver.url)
    new_secret = services.subscription_switch_scheme(
        subscription=subscription, scheme="standard", actor="ats:test"
    )
    assert new_secret != old_secret
    stored = WebhookSubscription.objects.get(pk=subscription.pk)
    assert (stored.signature_scheme, stored.secret) == ("standard", new_secret)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_emit(org_a, "score.updated", {})
    (request,) = receiver.received
    Webhook(new_secret).verify(request["body"], request["headers"])
    assert "Renown-Signature" not in request["headers"]
    event = AuditEvent.objects.get(event_type="webhook_subscription.secret_rotated")
    assert (event.before, event.after) == (
        {"signature_scheme": "renown-v1"},
        {"signature_scheme": "standard"},
    )
    recorded = json.dumps([event.before, event.after]) + event.note
    assert new_secret not in recorded
    assert old_secret not in recorded
    assert all(chain.intact for chain in audit_trail_verify())


@pytest.mark.django_db
def test_switching_to_the_scheme_in_use_changes_nothing(org_a: Any) -> None:
    subscription, secret = services.subscription_create(
        organization=org_a, name="ATS", url="https://ats.example/hook", events=["score.updated"]
    )
    with pytest.raises(InvalidTransition, match="already signs"):
        services.subscription_switch_scheme(subscription=subscription, scheme="standard")
    assert WebhookSubscription.objects.get(pk=subscription.pk).secret == secret
    assert not AuditEvent.objects.filter(event_type="webhook_subscription.secret_rotated").exists()
    with pytest.raises(ValueError, match="v2"):
        services.subscription_switch_scheme(subscription=subscription, scheme="v2")


@pytest.mark.django_db
def test_a_scheme_outside_the_choices_is_refused_by_the_model(org_a: Any) -> None:
    subscription = WebhookSubscription(
        organization=org_a,
        name="ATS",
        url="https://ats.example/hook",
        events=["score.updated"],
        secret=signing.new_secret(),
        signature_scheme="v2",
    )
    with pytest.raises(ValidationError, match="webhooksub_scheme_valid"):
        subscription.full_clean()
    subscription.signature_scheme = "standard"
    subscription.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookSubscription.objects.filter(pk=subscription.pk).update(signature_scheme="v2")
