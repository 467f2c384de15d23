"""Retries driven from the database over about a day, and disabling after days of failure.

The schedule is Svix's (https://docs.svix.com/retries): 5 s, 5 min, 30 min, 2 h, 5 h,
10 h, 10 h after each failed attempt. The sweep (celery beat) queues what is due; no
task is ever queued with a countdown.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from renown.models import WebhookDelivery, WebhookSubscription
from renown.webhooks import services
from renown.webhooks.tasks import deliver_task
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db

SCHEDULE = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600]
START = datetime.fromisoformat("2026-12-01T09:00:00+00:00")


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def subscribe(org: Any, url: str) -> WebhookSubscription:
    subscription, _ = services.subscription_create(
        organization=org, name="ATS sync", url=url, events=["score.updated"]
    )
    return subscription


def emit(org: Any, capture: Any) -> WebhookDelivery:
    with capture(execute=True):
        (delivery,) = services.event_emit(org, "score.updated", {})
    delivery.refresh_from_db()
    return delivery


def test_the_default_schedule_is_svix_s_and_spans_about_a_day() -> None:
    delays = [services.retry_delay(attempt) for attempt in range(1, 9)]
    assert delays == [*(timedelta(seconds=s) for s in SCHEDULE), None]
    total = sum((d for d in delays if d is not None), timedelta())
    assert timedelta(hours=24) < total < timedelta(hours=30)


def test_a_failing_delivery_is_tried_on_schedule_then_marked_failed(
    org_a: Any, receiver: Receiver, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.default = 503
    subscribe(org_a, receiver.url)
    delivery = emit(org_a, django_capture_on_commit_callbacks)
    attempted_at = [delivery.last_attempt_at]
    for delay in SCHEDULE:
        assert delivery.status == "retrying"
        assert delivery.next_attempt_at == attempted_at[-1] + timedelta(seconds=delay)
        clock.shift(delay - 1)
        assert services.deliveries_sweep() == 0  # not yet due
        clock.shift(1)
        assert services.deliveries_sweep() == 1
        delivery.refresh_from_db()
        attempted_at.append(delivery.last_attempt_at)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 8, None)
    assert [int((b - a).total_seconds()) for a, b in pairwise(attempted_at)] == SCHEDULE
    assert len(receiver.received) == 8
    assert len({r["body"] for r in receiver.received}) == 1  # the same event every time
    assert len({r["headers"]["webhook-id"] for r in receiver.received}) == 1
    # One signature timestamp per attempt: the time of that attempt.
    stamps = [int(r["headers"]["webhook-timestamp"]) for r in receiver.received]
    assert stamps == [int(t.timestamp()) for t in attempted_at]
    clock.shift(30 * 86400)
    assert services.deliveries_sweep() == 0  # failed is final


def test_no_task_is_queued_with_a_countdown(
    org_a: Any,
    receiver: Receiver,
    clock: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sent: list[dict[str, Any]] = []
    original = deliver_task.apply_async

    def spy(*args: Any, **options: Any) -> Any:
        sent.append(options)
        return original(*args, **options)

    monkeypatch.setattr(deliver_task, "apply_async", spy)
    receiver.answers = [500, 500]
    subscribe(org_a, receiver.url)
    delivery = emit(org_a, django_capture_on_commit_callbacks)
    assert len(sent) == 1  # the first send, on commit; the failure queued nothing
    clock.shift(5)
    services.deliveries_sweep()
    clock.shift(300)
    services.deliveries_sweep()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert len(sent) == 3
    assert all(not {"countdown", "eta"} & set(options) for options in sent)


def test_a_message_that_arrives_early_sends_nothing(
    org_a: Any, receiver: Receiver, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # A duplicate, or a countdown message queued by an earlier version, before the retry is due.
    receiver.default = 500
    subscribe(org_a, receiver.url)
    delivery = emit(org_a, django_capture_on_commit_callbacks)
    clock.shift(4)
    deliver_task.delay(delivery.pk, 2)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("retrying", 1)
    assert len(receiver.received) == 1


def test_a_due_row_is_claimed_once_until_its_message_is_presumed_lost(
    org_a: Any, receiver: Receiver, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.default = 500
    subscribe(org_a, receiver.url)
    delivery = emit(org_a, django_capture_on_commit_callbacks)
    clock.shift(5)
    assert services.deliveries_claim_due() == [delivery.pk]
    assert services.deliveries_claim_due() == []  # a second sweep: already queued
    clock.shift(services.QUEUE_LEASE.total_seconds() + 1)
    assert services.deliveries_claim_due() == [delivery.pk]  # the message never ran
    deliver_task.delay(delivery.pk)
    deliver_task.delay(delivery.pk)  # and a duplicate of it
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert len(receiver.received) == 2


def test_a_stale_claim_of_a_dead_worker_is_swept(
    org_a: Any, receiver: Receiver, clock: Any
) -> None:
    subscribe(org_a, receiver.url)
    (delivery,) = services.event_emit(org_a, "score.updated", {})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_at=timezone.now(), queued_at=None
    )
    assert services.deliveries_sweep() == 0
    clock.shift(services.STALE_CLAIM.total_seconds() + 1)
    assert services.deliveries_sweep() == 1
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"


def test_redelivery_starts_the_schedule_again(
    org_a: Any, receiver: Receiver, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.default = 500
    subscribe(org_a, receiver.url)
    delivery = emit(org_a, django_capture_on_commit_callbacks)
    for delay in SCHEDULE:
        clock.shift(delay)
        services.deliveries_sweep()
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_redeliver(delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.round_attempts) == ("retrying", 9, 1)
    assert delivery.next_attempt_at == timezone.now() + timedelta(seconds=5)


@override_settings(RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS=[60])
def test_the_schedule_is_a_setting(
    org_a: Any, receiver: Receiver, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.default = 500
    subscribe(org_a, receiver.url)
    delivery = emit(org_a, django_capture_on_commit_callbacks)
    assert delivery.next_attempt_at == timezone.now() + timedelta(seconds=60)
    clock.shift(60)
    services.deliveries_sweep()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)


# --- disabling ------------------------------------------------------------------------------


def test_twenty_quick_failures_do_not_switch_a_subscription_off(
    org_a: Any, receiver: Receiver, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.default = 500
    subscription = subscribe(org_a, receiver.url)
    for _ in range(25):
        emit(org_a, django_capture_on_commit_callbacks)
        clock.shift(1)
    subscription.refresh_from_db()
    assert subscription.active
    assert subscription.consecutive_failures == 25
    assert subscription.failing_since == START


def test_a_subscription_failing_for_five_days_is_switched_off(
    org_a: Any, receiver: Receiver, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.default = 500
    subscription = subscribe(org_a, receiver.url)
    emit(org_a, django_capture_on_commit_callbacks)
    clock.shift(timedelta(days=5) - timedelta(seconds=1))
    emit(org_a, django_capture_on_commit_callbacks)
    subscription.refresh_from_db()
    assert subscription.active  # a second short of five days
    clock.shift(1)
    last = emit(org_a, django_capture_on_commit_callbacks)
    subscription.refresh_from_db()
    assert not subscription.active
    assert subscription.disabled_at == timezone.now()
    assert "failed for 5 days" in subscription.disabled_reason
    assert "2026-12-01 09:00 UTC" in subscription.disabled_reason
    # Nothing more is emitted to it, and what was waiting for a retry is cancelled.
    assert services.event_emit(org_a, "score.updated", {}) == []
    received = len(receiver.received)
    clock.shift(10 * 3600)
    services.deliveries_sweep()
    last.refresh_from_db()
    assert last.status == "cancelled"
    assert len(receiver.received) == received


@override_settings(RENOWN_WEBHOOK_DISABLE_AFTER_DAYS=2)
def test_the_days_are_a_setting(
    org_a: Any, receiver: Receiver, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.default = 500
    subscription = subscribe(org_a, receiver.url)
    emit(org_a, django_capture_on_commit_callbacks)
    clock.shift(timedelta(days=2))
    emit(org_a, django_capture_on_commit_callbacks)
    subscription.refresh_from_db()
    assert not subscription.active
    assert "failed for 2 days" in subscription.disabled_reason


def test_a_success_ends_the_failing_streak(
    org_a: Any, receiver: Receiver, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.answers = [500, 200, 500]
    subscription = subscribe(org_a, receiver.url)
    emit(org_a, django_capture_on_commit_callbacks)  # fails at day 0
    clock.shift(timedelta(days=4))
    emit(org_a, django_capture_on_commit_callbacks)  # succeeds at day 4
    subscription.refresh_from_db()
    assert (subscription.consecutive_failures, subscription.failing_since) == (0, None)
    clock.shift(timedelta(days=1, hours=1))
    emit(org_a, django_capture_on_commit_callbacks)  # fails at day 5: a new streak
    subscription.refresh_from_db()
    assert subscription.active
    assert subscription.failing_since == timezone.now()


def test_turning_a_subscription_on_again_forgets_its_streak(
    org_a: Any, receiver: Receiver, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.default = 500
    subscription = subscribe(org_a, receiver.url)
    emit(org_a, django_capture_on_commit_callbacks)
    clock.shift(timedelta(days=5))
    emit(org_a, django_capture_on_commit_callbacks)
    subscription.refresh_from_db()
    assert not subscription.active
    services.subscription_update(subscription=subscription, active=True)
    subscription.refresh_from_db()
    assert subscription.failing_since is None
    assert subscription.disabled_reason == ""
    emit(org_a, django_capture_on_commit_callbacks)
    subscription.refresh_from_db()
    assert subscription.active  # its first failure since: not five days of them
    assert subscription.failing_since == timezone.now()


# --- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ([5, 0], "at least 1"),
        ([5, 2.5], "whole number"),
        ([True], "whole number"),
        ("5,300", "must be a list"),
        (list(range(1, 30)), "at most 20"),
    ],
)
def test_a_bad_schedule_is_a_configuration_error(value: object, problem: str) -> None:
    from django.core.checks import run_checks

    with override_settings(RENOWN_WEBHOOK_RETRY_SCHEDULE_SECONDS=value):
        errors = [m for m in run_checks() if m.id == "renown.E020" and "RETRY_SCHEDULE" in m.msg]
    assert len(errors) == 1
    assert problem in errors[0].msg


@pytest.mark.parametrize(
    "name",
    [
        "RENOWN_WEBHOOK_MAX_ATTEMPTS",
        "RENOWN_WEBHOOK_DISABLE_AFTER_FAILURES",
        "RENOWN_WEBHOOK_BACKOFF_BASE_SECONDS",
    ],
)
def test_a_retired_setting_is_named_as_such(name: str) -> None:
    from django.core.checks import run_checks

    with override_settings(**{name: 8}):
        (warning,) = [m for m in run_checks() if m.id == "renown.W020" and name in m.msg]
    assert "no longer reads it" in warning.msg
    assert "RENOWN_WEBHOOK_" in (warning.hint or "")


def test_the_sweep_command_queues_what_is_due(
    org_a: Any, receiver: Receiver, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    receiver.answers = [500]
    subscribe(org_a, receiver.url)
    delivery = emit(org_a, django_capture_on_commit_callbacks)
    clock.shift(5)
    out = StringIO()
    call_command("renown_webhooks_sweep", stdout=out)
    assert out.getvalue().strip() == "1 webhook delivery queued"
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
