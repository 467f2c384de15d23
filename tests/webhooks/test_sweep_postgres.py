"""Concurrent sweeps on PostgreSQL: a due delivery is claimed by one of them, never both.

The sweep locks the rows it claims with ``FOR UPDATE SKIP LOCKED``: a second sweep passes
over them instead of waiting (a lock_timeout makes waiting fail the test) and, once the
first commits, finds them queued.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from renown.models import WebhookDelivery
from renown.webhooks import services
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _due_deliveries(count: int) -> list[int]:
    org = factories.OrganizationFactory()
    subscription, _ = services.subscription_create(
        organization=org, name="ATS", url="https://ats.example/hook", events=["score.updated"]
    )
    # Pending, and no queue message on its way (as if lost long ago): every one is due.
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription=subscription,
            organization=org,
            event_type="score.updated",
            body=f'{{"n": {n}}}',
            next_attempt_at=timezone.now(),
        )
        for n in range(count)
    )
    return sorted(WebhookDelivery.objects.values_list("pk", flat=True))


def _in_thread(work: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '3s'")  # waiting on a lock fails, not hangs
            return work()
        finally:
            connection.close()

    return run


def test_a_second_sweep_skips_what_the_first_holds_and_then_finds_it_queued() -> None:
    ids = _due_deliveries(5)
    first_holds, first_may_commit = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def first() -> None:
        with transaction.atomic():  # the claim's locks last until this commits
            results["first"] = services.deliveries_claim_due(limit=3)
            first_holds.set()
            first_may_commit.wait(timeout=10)

    def second() -> None:
        first_holds.wait(timeout=10)
        results["second"] = services.deliveries_claim_due(limit=10)
        first_may_commit.set()

    threads = [
        threading.Thread(target=_in_thread(first)),
        threading.Thread(target=_in_thread(second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert results["first"] == ids[:3]
    assert results["second"] == ids[3:]  # did not wait for the first, took only the rest
    assert services.deliveries_claim_due() == []  # all queued now


def test_racing_sweeps_claim_each_due_row_once() -> None:
    ids = _due_deliveries(60)
    barrier = threading.Barrier(3)
    claimed: list[list[int]] = []
    lock = threading.Lock()

    def sweep() -> None:
        barrier.wait(timeout=10)
        got = services.deliveries_claim_due(limit=25)
        with lock:
            claimed.append(got)

    threads = [threading.Thread(target=_in_thread(sweep)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    together = [pk for got in claimed for pk in got]
    assert len(together) == len(set(together))  # no row claimed twice
    assert sorted(together) == ids  # 3 x 25 >= 60: every due row was claimed
