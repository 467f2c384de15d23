"""A real Celery worker on the real broker fetches and scores into PostgreSQL.

The worker is a separate process: it sees only committed data, talks to the
test database through DATABASE_URL, and fetches from a Bluesky stand-in on
loopback that replays the recorded AppView responses.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from scoring.models import FetchStatus, MetricSnapshot, Score
from tests import factories
from tests.scoring.providers.replay import replay_server

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


@pytest.fixture
def appview() -> Iterator[str]:
    with replay_server("bluesky") as url:  # alice.test found, nobody.test not found
        yield url


def database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(appview: str, transactional_db: None) -> Iterator[str]:
    queue = f"renown-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "renown_site.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "RENOWN_ALLOW_PRIVATE_HOSTS": "1",
        "RENOWN_PROVIDER_URL_BLUESKY": appview,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "renown_site",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        sys.stdout.write(output[-4000:])  # shown by pytest when the test fails


def wait_for(predicate: Any, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_real_worker_fetches_and_scores_into_postgresql(worker: str) -> None:
    from renown_site.celery import app

    account = factories.SocialAccountFactory(handle="alice.test")
    missing = factories.SocialAccountFactory(handle="nobody.test")
    cycle = factories.RefreshCycleFactory()

    for target in (account, missing):
        app.send_task("scoring.fetch_batch", args=[cycle.id, [target.id]], queue=worker)

    assert wait_for(lambda: Score.objects.filter(candidate=account.candidate).exists()), (
        "no score in time"
    )
    assert wait_for(lambda: MetricSnapshot.objects.filter(account=missing).exists()), (
        "no snapshot in time"
    )
    snapshot = MetricSnapshot.objects.get(account=account, cycle=cycle)
    assert snapshot.status == FetchStatus.OK
    assert snapshot.metrics["followers"] == 1520
    assert MetricSnapshot.objects.get(account=missing).status == FetchStatus.NOT_FOUND
    score = Score.objects.get(candidate=account.candidate)
    assert score.components_total == score.value
    assert score.snapshot_ids == [snapshot.id]

    # Redelivery of the same work duplicates nothing. The solo worker takes the
    # queue in order, so once the sentinel's snapshot exists the repeat has run.
    sentinel = factories.SocialAccountFactory(handle="sentinel.test")
    app.send_task("scoring.fetch_batch", args=[cycle.id, [account.id]], queue=worker)
    app.send_task("scoring.fetch_batch", args=[cycle.id, [sentinel.id]], queue=worker)
    assert wait_for(lambda: MetricSnapshot.objects.filter(account=sentinel).exists())
    assert MetricSnapshot.objects.filter(account=account, cycle=cycle).count() == 1
    assert Score.objects.filter(candidate=account.candidate).count() == 1
    assert json.loads(json.dumps(score.components))[0]["name"] == "baseline"
