"""Webhooks out: subscriptions behind the SSRF guard, signed deliveries, the log, redelivery.

Retries and disabling: test_retries.py; the signature schemes: test_standard_webhooks.py.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from renown.models import WebhookDelivery, WebhookSubscription
from renown.webhooks import services, signing
from tests import factories
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db


def subscribe(
    org: Any, url: str, events: list[str] | None = None
) -> tuple[WebhookSubscription, str]:
    return services.subscription_create(
        organization=org, name="ATS sync", url=url, events=events or ["score.updated"]
    )


def test_a_subscription_secret_is_returned_once_and_stored_to_sign(org_a: Any) -> None:
    subscription, secret = subscribe(org_a, "https://ats.example/hook")
    assert secret.startswith("whsec_")
    assert WebhookSubscription.objects.get(pk=subscription.pk).secret == secret


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://localhost/hook",
        "file:///etc/passwd",
        "https://user:pw@ats.example/hook",
        "http://[::127.0.0.1]/hook",
        "http://[64:ff9b::a9fe:a9fe]/hook",
        "http://[2002:a9fe:a9fe::]/hook",
        "http://[::ffff:0:a9fe:a9fe]/hook",
        "http://[fec0::1]/hook",
        "https://93.184.215.14:0/hook",
    ],
)
def test_subscription_urls_pass_the_providers_ssrf_guard(org_a: Any, url: str) -> None:
    with override_settings(RENOWN_ALLOW_PRIVATE_HOSTS=False), pytest.raises(ValidationError):
        subscribe(org_a, url)
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433:8080/hook",
        "http://0177.0.0.1:8080/hook",
        "http://127.1:8080/hook",
        "http://0x7f.1:8080/hook",
        "http://0:8080/hook",
        "http://localhost.:8080/hook",
        "http://[::ffff:127.0.0.1]:8080/hook",
        "http://１２７.0.0.1:8080/hook",
    ],
)
def test_malformed_hosts_are_refused_even_with_private_hosts_allowed(org_a: Any, url: str) -> None:
    # Django's URLField knows some of these; the guard (tests/scoring/test_host_spellings.py)
    # refuses them all, whichever speaks first.
    with pytest.raises(ValidationError) as caught:
        subscribe(org_a, url)
    assert list(caught.value.message_dict) == ["url"]
    assert not WebhookSubscription.objects.exists()


def test_the_admin_form_refuses_a_malformed_host(org_a: Any, hr_admin_a: Any, client: Any) -> None:
    client.force_login(hr_admin_a)
    response = client.post(
        "/admin/renown/webhooksubscription/add/",
        {"organization": org_a.pk, "name": "ATS", "url": "http://[::ffff:127.0.0.1]:8080/hook",
         "events": ["score.updated"], "active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Renown will not send webhooks there" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_the_guard_speaks_where_django_s_url_check_does_not(org_a: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        subscribe(org_a, "http://[::ffff:127.0.0.1]:8080/hook")
    assert "IPv4 address must be written as a dotted quad" in caught.value.message_dict["url"][0]


def test_unknown_event_types_are_refused_by_field(org_a: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        subscribe(org_a, "https://ats.example/hook", ["score.updated", "candidate.hacked"])
    assert "events" in caught.value.message_dict


def test_an_event_is_delivered_signed_and_logged(
    org_a: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    _subscription, secret = subscribe(org_a, receiver.url)
    candidate = factories.CandidateFactory(organization=org_a)
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = services.event_emit(
            org_a, "score.updated", {"hello": "world"}, candidate=candidate
        )
    (request,) = receiver.received
    body = request["body"]
    envelope = Webhook(secret).verify(body, request["headers"])
    assert envelope["type"] == "score.updated"
    assert envelope["organization"] == "acme"
    assert envelope["data"] == {"hello": "world"}
    assert request["headers"]["webhook-id"] == envelope["id"] == str(delivery.event_id)
    assert request["headers"]["Renown-Event-Id"] == envelope["id"]
    assert "Renown-Signature" not in request["headers"]
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert (delivery.attempts, delivery.response_status) == (1, 200)
    assert delivery.duration_ms is not None
    assert delivery.delivered_at is not None


def test_a_legacy_subscription_is_still_signed_with_renown_signature(
    org_a: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscription, secret = subscribe(org_a, receiver.url)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(signature_scheme="renown-v1")
    with django_capture_on_commit_callbacks(execute=True):
        services.event_emit(org_a, "score.updated", {"hello": "world"})
    (request,) = receiver.received
    assert signing.verify(secret, request["body"], request["headers"]["Renown-Signature"])
    assert not {"webhook-id", "webhook-timestamp", "webhook-signature"} & set(request["headers"])
    assert json.loads(request["body"])["id"] == request["headers"]["Renown-Event-Id"]


def test_only_subscriptions_that_want_the_event_get_it(org_a: Any, org_b: Any) -> None:
    subscribe(org_a, "https://ats.example/a", ["decision.recorded"])
    subscribe(org_b, "https://ats.example/b", ["score.updated"])
    assert services.event_emit(org_a, "score.updated", {}) == []
    paused, _ = subscribe(org_a, "https://ats.example/c", ["score.updated"])
    services.subscription_update(subscription=paused, active=False)
    assert services.event_emit(org_a, "score.updated", {}) == []
    assert services.subscribed_organization_ids("score.updated") == {org_b.pk}


def test_an_event_rolled_back_with_its_change_is_never_sent(
    org_a: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    subscribe(org_a, receiver.url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.event_emit(org_a, "score.updated", {})
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not WebhookDelivery.objects.exists()
    assert receiver.received == []


def test_redelivery_sends_the_same_event_again_with_a_fresh_signature(
    org_a: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscription, secret = subscribe(org_a, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = services.event_emit(org_a, "score.updated", {})
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_redeliver(delivery=delivery)
    first, second = receiver.received
    assert first["body"] == second["body"]
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    Webhook(secret).verify(second["body"], second["headers"])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.manual_redeliveries) == ("succeeded", 2, 1)
    services.subscription_update(subscription=subscription, active=False)
    with pytest.raises(ValidationError, match="switched off"):
        services.delivery_redeliver(delivery=delivery)


def test_a_delivered_event_is_not_sent_twice_by_a_duplicate_task(
    org_a: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    from renown.webhooks.tasks import deliver_task

    subscribe(org_a, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = services.event_emit(org_a, "score.updated", {})
    deliver_task.delay(delivery.pk, 1)  # the broker redelivers the message
    assert len(receiver.received) == 1


def test_the_sweep_sends_what_a_lost_queue_message_left_pending(
    org_a: Any, receiver: Receiver
) -> None:
    subscribe(org_a, receiver.url)
    (delivery,) = services.event_emit(org_a, "score.updated", {})  # on_commit never ran
    # Queued moments ago: the sweep leaves the message its time to arrive.
    assert services.deliveries_sweep() == 0
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        queued_at=timezone.now() - services.QUEUE_LEASE - timedelta(seconds=1)
    )
    assert services.deliveries_sweep() == 1
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert len(receiver.received) == 1
    assert services.deliveries_sweep() == 0


def test_a_target_that_now_resolves_to_a_private_address_is_refused_at_send(
    org_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _subscription, _ = subscribe(org_a, "http://127.0.0.1:9/hook")
    with (
        override_settings(
            RENOWN_ALLOW_PRIVATE_HOSTS=False, RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS=[]
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        (delivery,) = services.event_emit(org_a, "score.updated", {})
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "UnsafeHost" in delivery.last_error


def test_admin_redelivers_only_in_the_users_organisations(
    org_a: Any, org_b: Any, hr_admin_a: Any, auditor_a: Any, receiver: Receiver,
    client: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    subscribe(org_a, receiver.url)
    subscribe(org_b, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        (own,) = services.event_emit(org_a, "score.updated", {})
        (other,) = services.event_emit(org_b, "score.updated", {})
    assert len(receiver.received) == 2
    url = "/admin/renown/webhookdelivery/"
    client.force_login(auditor_a)
    page = client.get(url)
    assert page.status_code == 200
    assert b"redeliver" not in page.content  # auditors read the log, they do not act
    client.force_login(hr_admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"action": "redeliver", "_selected_action": [own.pk, other.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert len(receiver.received) == 3  # only organisation A's delivery went again
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.manual_redeliveries, other.manual_redeliveries) == (1, 0)
    assert client.get(f"{url}{other.pk}/change/").status_code == 404


@pytest.mark.parametrize("url", ["http://a..b/hook", "http://" + "a" * 70 + ".example/"])
def test_host_names_that_cannot_be_encoded_are_refused(org_a: Any, url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        subscribe(org_a, url)
    assert list(caught.value.message_dict) == ["url"]


def test_the_guard_refuses_host_names_idna_cannot_encode() -> None:
    from renown.http import UnsafeHost, check_public_url

    with pytest.raises(UnsafeHost, match="not a valid host name"):
        check_public_url("http://" + "a" * 70 + ".example/", allow_private=True)


def test_a_delivery_that_fails_oddly_is_recorded_not_raised(
    org_a: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    async def broken(*args: Any) -> Any:
        raise KeyError("surprise")

    monkeypatch.setattr(services, "_post", broken)
    subscribe(org_a, "https://ats.example/hook")
    with (
        override_settings(RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS=[]),  # one attempt, no retry
        django_capture_on_commit_callbacks(execute=True),
    ):
        (delivery,) = services.event_emit(org_a, "score.updated", {})
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "unexpected KeyError" in delivery.last_error
