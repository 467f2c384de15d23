"""The Celery tasks, run eagerly: retries are bounded and nothing is lost."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses

from scoring import services
from scoring.models import FetchStatus, MetricSnapshot, RefreshCycle, Score
from scoring.tasks import fetch_batch_task, refresh_due_task
from tests import factories

FIXTURES = Path(__file__).parent / "providers" / "fixtures" / "bluesky"
PROFILE = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.actor\.getProfile\?.*$")
FEED = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.feed\.getAuthorFeed\?.*$")


@pytest.fixture(autouse=True)
def _appview(settings: Any) -> None:
    settings.RENOWN_PROVIDER_URL_BLUESKY = "https://appview.test"
    settings.RENOWN_FETCH_MAX_RETRIES = 2


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def open_cycle(*accounts: Any) -> Any:
    cycle, _ = services.refresh_start(account_ids=[a.id for a in accounts])
    return cycle


def test_batch_task_fetches_then_scores_the_candidates(db: None) -> None:
    account = factories.SocialAccountFactory(handle="alice.test")
    cycle = open_cycle(account)
    with aioresponses() as mocked:
        mocked.get(PROFILE, payload=fixture("get_profile.json"))
        mocked.get(FEED, payload=fixture("get_author_feed.json"))
        fetch_batch_task.delay(cycle.id, [account.id])
    assert MetricSnapshot.objects.get(account=account, cycle=cycle).status == FetchStatus.OK
    score = Score.objects.get(candidate=account.candidate)
    assert score.components_total == score.value


def test_transient_failure_is_retried_a_bounded_number_of_times_then_recorded(db: None) -> None:
    account = factories.SocialAccountFactory(handle="alice.test")
    cycle = open_cycle(account)
    with aioresponses() as mocked:
        mocked.get(PROFILE, status=503, payload=fixture("upstream_failure.json"), repeat=True)
        fetch_batch_task.delay(cycle.id, [account.id])
        calls = sum(len(v) for v in mocked.requests.values())
    assert calls == 3  # the first try and two retries
    snapshot = MetricSnapshot.objects.get(account=account, cycle=cycle)
    assert snapshot.status == FetchStatus.TRANSIENT_ERROR
    assert not Score.objects.exists()
    cycle.refresh_from_db()
    assert cycle.status == RefreshCycle.Status.FINISHED


def test_rate_limit_then_success_keeps_one_snapshot(db: None) -> None:
    account = factories.SocialAccountFactory(handle="alice.test")
    cycle = open_cycle(account)
    with aioresponses() as mocked:
        mocked.get(
            PROFILE, status=429, payload=fixture("rate_limited.json"), headers={"Retry-After": "1"}
        )
        mocked.get(PROFILE, payload=fixture("get_profile.json"))
        mocked.get(FEED, payload=fixture("get_author_feed.json"))
        fetch_batch_task.delay(cycle.id, [account.id])
    assert (
        MetricSnapshot.objects.filter(account=account, cycle=cycle).get().status == FetchStatus.OK
    )


def test_a_redelivered_batch_duplicates_nothing(db: None) -> None:
    account = factories.SocialAccountFactory(handle="alice.test")
    cycle = open_cycle(account)
    with aioresponses() as mocked:
        mocked.get(PROFILE, payload=fixture("get_profile.json"))
        mocked.get(FEED, payload=fixture("get_author_feed.json"))
        fetch_batch_task.delay(cycle.id, [account.id])
        fetch_batch_task.delay(cycle.id, [account.id])  # as if the broker redelivered it
    assert MetricSnapshot.objects.filter(account=account, cycle=cycle).count() == 1
    assert Score.objects.filter(candidate=account.candidate).count() == 1


def test_erased_accounts_in_a_batch_are_ignored(db: None) -> None:
    account = factories.SocialAccountFactory(handle="alice.test")
    cycle = open_cycle(account)
    account.delete()
    fetch_batch_task.delay(cycle.id, [account.id])
    assert not MetricSnapshot.objects.exists()


def test_a_refresh_queues_the_fetch_after_commit(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    account = factories.SocialAccountFactory(handle="alice.test")
    with aioresponses() as mocked:
        mocked.get(PROFILE, payload=fixture("get_profile.json"))
        mocked.get(FEED, payload=fixture("get_author_feed.json"))
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            cycle, batches = services.refresh_start(
                organization=account.candidate.organization, account_ids=[account.id]
            )
            services.refresh_enqueue(cycle=cycle, batches=batches)
        assert len(callbacks) == 1
        assert not MetricSnapshot.objects.exists()  # nothing runs before the commit
        callbacks[0]()
    assert MetricSnapshot.objects.get(account=account, cycle=cycle).status == FetchStatus.OK


def test_periodic_refresh_covers_due_accounts(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    account = factories.SocialAccountFactory(handle="alice.test")
    with aioresponses() as mocked:
        mocked.get(PROFILE, payload=fixture("get_profile.json"))
        mocked.get(FEED, payload=fixture("get_author_feed.json"))
        with django_capture_on_commit_callbacks(execute=True):
            refresh_due_task.delay()
    cycle = RefreshCycle.objects.get(label="periodic refresh")
    assert (cycle.total, cycle.status) == (1, RefreshCycle.Status.FINISHED)
    assert MetricSnapshot.objects.get(account=account).status == FetchStatus.OK


@pytest.mark.parametrize("attempt", [0, 1, 5, 20])
def test_backoff_is_jittered_and_capped(attempt: int) -> None:
    delays = [services.backoff_seconds(attempt) for _ in range(50)]
    assert all(0 <= d <= min(600, 10 * 2**attempt) for d in delays)
    assert len(set(delays)) > 1
