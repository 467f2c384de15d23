"""Webhook subscriptions in the admin: the signing secret shown once, in the page body only."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from renown.models import WebhookSubscription
from renown.webhooks import services
from tests.leaks import secret_leaks

pytestmark = pytest.mark.django_db

# Standard Webhooks' format: whsec_ + base64 of 32 bytes.
SECRET = re.compile(r"whsec_[A-Za-z0-9+/]{43}=")
CHANGELIST = "/admin/renown/webhooksubscription/"


def subscribe(org: Any, name: str) -> tuple[WebhookSubscription, str]:
    return services.subscription_create(
        organization=org, name=name, url="http://127.0.0.1:9/hook", events=["score.updated"]
    )


def test_a_new_subscription_secret_is_shown_once_in_the_page(
    hr_admin_a: Any, org_a: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    client.force_login(hr_admin_a)
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            f"{CHANGELIST}add/",
            {
                "organization": org_a.pk,
                "name": "ATS sync",
                "url": "http://127.0.0.1:9/hook",
                "events": ["score.updated"],
                "active": "on",
            },
        )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    (secret,) = SECRET.findall(body)
    assert body.count(secret) == 1
    subscription = WebhookSubscription.objects.get(name="ATS sync")
    assert subscription.secret == secret
    assert secret_leaks(client, response, secret, next_page=CHANGELIST) == []
    assert secret not in caplog.text
    page = client.get(f"{CHANGELIST}{subscription.pk}/change/").content.decode()
    assert secret not in page


def test_rotation_shows_each_new_signing_secret_once_in_the_page(
    hr_admin_a: Any, org_a: Any
) -> None:
    first, old_first = subscribe(org_a, "ATS sync")
    second, old_second = subscribe(org_a, "BI export")
    client = Client()
    client.force_login(hr_admin_a)
    response = client.post(
        CHANGELIST, {"action": "rotate_secret", "_selected_action": [first.pk, second.pk]}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    secrets = SECRET.findall(body)
    assert len(secrets) == len(set(secrets)) == 2
    stored = set(WebhookSubscription.objects.values_list("secret", flat=True))
    assert stored == set(secrets)
    assert not stored & {old_first, old_second}
    for secret in secrets:
        assert secret_leaks(client, response, secret, next_page=CHANGELIST) == []


def test_rotation_skips_what_the_user_may_not_change(
    hr_admin_a: Any, auditor_a: Any, org_a: Any, org_b: Any
) -> None:
    own, own_secret = subscribe(org_a, "ATS sync")
    other, other_secret = subscribe(org_b, "Their sync")
    client = Client()
    client.force_login(auditor_a)
    response = client.post(
        CHANGELIST, {"action": "rotate_secret", "_selected_action": [own.pk]}, follow=True
    )
    assert any("nothing rotated" in str(m) for m in get_messages(response.wsgi_request))
    client.force_login(hr_admin_a)
    response = client.post(
        CHANGELIST, {"action": "rotate_secret", "_selected_action": [other.pk]}, follow=True
    )
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.secret, other.secret) == (own_secret, other_secret)


def test_switching_to_standard_webhooks_shows_the_new_secret_once(
    hr_admin_a: Any, org_a: Any
) -> None:
    legacy, old_secret = subscribe(org_a, "Old ATS")
    WebhookSubscription.objects.filter(pk=legacy.pk).update(signature_scheme="renown-v1")
    current, current_secret = subscribe(org_a, "New ATS")  # already standard: left alone
    client = Client()
    client.force_login(hr_admin_a)
    page = client.get(CHANGELIST).content.decode()
    assert "Renown-Signature (legacy)" in page
    response = client.post(
        CHANGELIST,
        {"action": "switch_to_standard", "_selected_action": [legacy.pk, current.pk]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (secret,) = SECRET.findall(response.content.decode())
    legacy.refresh_from_db()
    current.refresh_from_db()
    assert (legacy.signature_scheme, legacy.secret) == ("standard", secret)
    assert secret != old_secret
    assert current.secret == current_secret
    assert secret_leaks(client, response, secret, next_page=CHANGELIST) == []
    again = client.post(
        CHANGELIST, {"action": "switch_to_standard", "_selected_action": [legacy.pk]}, follow=True
    )
    assert any("nothing switched" in str(m) for m in get_messages(again.wsgi_request))
