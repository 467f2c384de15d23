"""API tokens and webhook subscriptions: each step of their lives is one audit event."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from renown.api.tokens import api_token_create, api_token_revoke, api_token_rotate
from renown.models import AuditEvent
from renown.trail import audit_trail_verify
from renown.webhooks import services as webhooks
from tests import factories

pytestmark = pytest.mark.django_db


def _trail(org: Any) -> list[tuple[str, str]]:
    return [
        (str(e.event_type), e.actor_label)
        for e in AuditEvent.objects.filter(organization=org).order_by("sequence")
    ]


def test_a_tokens_life_is_three_events_and_never_its_secret(org_a: Any, hr_admin_a: Any) -> None:
    token, plaintext = api_token_create(
        organization=org_a, name="ats", scope="write", created_by=hr_admin_a
    )
    rotated = api_token_rotate(token=token, actor=hr_admin_a)
    api_token_revoke(token=token, actor="ops")
    api_token_revoke(token=token, actor="ops")  # already revoked: nothing happens
    who = f"{hr_admin_a.get_username()} (#{hr_admin_a.pk})"
    assert _trail(org_a) == [
        ("token.created", who),
        ("token.rotated", who),
        ("token.revoked", "ops"),
    ]
    recorded = " ".join(
        str(e.before) + str(e.after) for e in AuditEvent.objects.filter(organization=org_a)
    )
    assert plaintext not in recorded
    assert rotated not in recorded
    assert token.digest not in recorded
    assert all(chain.intact for chain in audit_trail_verify())


def test_the_create_api_token_command_is_recorded(org_a: Any) -> None:
    call_command(
        "create_api_token", "--org", org_a.slug, "--name", "gh", "--scope", "read",
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    assert _trail(org_a) == [("token.created", "command:create_api_token")]


def test_a_subscriptions_life_is_one_event_a_step(org_a: Any) -> None:
    subscription, secret = webhooks.subscription_create(
        organization=org_a,
        name="hook",
        url="https://hooks.example/renown",
        events=["score.updated"],
        actor="ats:test",
    )
    webhooks.subscription_update(subscription=subscription, name="hook", actor="ats:test")
    webhooks.subscription_update(subscription=subscription, active=False, actor="ats:test")
    new_secret = webhooks.subscription_rotate_secret(subscription=subscription, actor="ats:test")
    webhooks.subscription_delete(subscription=subscription, actor="ats:test")
    assert [event for event, _ in _trail(org_a)] == [
        "webhook_subscription.created",
        "webhook_subscription.changed",  # the unchanged name was no change
        "webhook_subscription.secret_rotated",
        "webhook_subscription.deleted",
    ]
    recorded = " ".join(
        str(e.before) + str(e.after) + e.note for e in AuditEvent.objects.filter(organization=org_a)
    )
    assert secret not in recorded
    assert new_secret not in recorded
    assert all(chain.intact for chain in audit_trail_verify())


def test_a_switched_off_subscription_is_created_in_one_event(org_a: Any) -> None:
    subscription, _ = webhooks.subscription_create(
        organization=org_a,
        name="off",
        url="https://hooks.example/renown",
        events=["score.updated"],
        active=False,
        created_by=factories.UserFactory(),
    )
    assert (subscription.active, subscription.disabled_reason) == (False, "switched off")
    (event,) = AuditEvent.objects.filter(organization=org_a)
    assert event.after is not None
    assert event.after["active"] is False
