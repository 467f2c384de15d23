"""A worker killed with SIGKILL mid-batch: the batch is redelivered and completes once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count

from benchmarks.fake_provider import Faults, serve_in_thread
from scoring import services
from scoring.models import FetchStatus, MetricSnapshot
from tests import factories
from tests.scoring.test_worker import database_url, wait_for

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


@pytest.fixture
def slow_stand_in() -> Iterator[tuple[str, Faults]]:
    faults = Faults(latency_ms=400)
    with serve_in_thread(faults) as url:
        yield url, faults


def start_worker(queue: str, stand_in: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "renown_site.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        # Unacknowledged work comes back after 3 s instead of two hours.
        "CELERY_BROKER_VISIBILITY_TIMEOUT": "3",
        "CELERY_BROKER_RESTORE_INTERVAL": "1",
        "CELERY_BROKER_RESTORE_THROTTLE": "1",
        "RENOWN_ALLOW_PRIVATE_HOSTS": "1",
        "RENOWN_PROVIDER_URL_HACKERNEWS": stand_in,
        "RENOWN_PROVIDER_CONCURRENCY": "4",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "renown_site", "worker", "--pool=solo", "-Q", queue,
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_a_batch_killed_mid_flight_is_redelivered_without_duplicates(
    transactional_db: None, slow_stand_in: tuple[str, Faults], settings: Any
) -> None:
    from renown_site.celery import app

    url, faults = slow_stand_in
    accounts = [
        factories.SocialAccountFactory(network="hackernews", handle=f"demo_k{i}") for i in range(24)
    ]
    cycle, _ = services.refresh_start(account_ids=[a.id for a in accounts])
    queue = f"renown-crash-{uuid.uuid4().hex[:8]}"
    first = start_worker(queue, url)
    second = None
    try:
        app.send_task("scoring.fetch_batch", args=[cycle.id, [a.id for a in accounts]], queue=queue)
        # 24 accounts, 4 at a time, 400 ms each: the batch takes about 2.4 s.
        assert wait_for(lambda: faults.counts.get("requests", 0) >= 4, timeout=60), (
            "the batch never started"
        )
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert not MetricSnapshot.objects.filter(cycle=cycle).exists()  # nothing written mid-batch
        second = start_worker(queue, url)
        assert wait_for(
            lambda: MetricSnapshot.objects.filter(cycle=cycle).count() == 24, timeout=90
        ), "the batch was not redelivered"
        time.sleep(1)  # let any straggling duplicate delivery land before counting
    finally:
        stop(first)
        if second is not None:
            stop(second)
    duplicates = (
        MetricSnapshot.objects.filter(cycle=cycle)
        .values("account_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert MetricSnapshot.objects.filter(cycle=cycle, status=FetchStatus.OK).count() == 24
    assert faults.counts["requests"] > 24  # the first delivery's requests were lost, then redone
