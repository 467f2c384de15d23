"""The refresh page with a real broker and worker: the progress follows the worker to 100 %."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from scoring.models import FetchStatus, MetricSnapshot, RefreshCycle
from tests import factories
from tests.scoring.test_worker import appview, wait_for, worker

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]
__all__ = ["appview", "worker"]  # fixtures, used by name


@pytest.fixture
def broker_queue(worker: str) -> Iterator[str]:
    """Send this test's tasks to the broker, on the worker's queue (not eagerly)."""
    from renown_site.celery import app

    eager, queue = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager = False
    app.conf.task_default_queue = worker
    try:
        yield worker
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = eager, queue


def test_progress_follows_the_worker_to_100_percent(
    broker_queue: str, recruiter_a: Any, org_a: Any
) -> None:
    found = factories.SocialAccountFactory(
        candidate=factories.CandidateFactory(organization=org_a), handle="alice.test"
    )
    missing = factories.SocialAccountFactory(
        candidate=factories.CandidateFactory(organization=org_a), handle="nobody.test"
    )
    client = Client()
    client.force_login(recruiter_a)
    response = client.post("/refresh/", {"job": ""})
    assert response.status_code == 302
    cycle = RefreshCycle.objects.get(organization=org_a)
    url = f"/refresh/{cycle.pk}/progress.json"
    first = client.get(url).json()
    assert first["total"] == 2
    assert wait_for(lambda: client.get(url).json()["finished"], timeout=90), "not finished"
    final = client.get(url).json()
    assert (final["status"], final["percent"], final["done"], final["remaining"]) == (
        "finished", 100, 2, 0,
    )  # fmt: skip
    assert MetricSnapshot.objects.get(account=found, cycle=cycle).status == FetchStatus.OK
    assert MetricSnapshot.objects.get(account=missing, cycle=cycle).status == FetchStatus.NOT_FOUND
    page = client.get(f"/refresh/{cycle.pk}/").content.decode()
    assert 'value="100"' in page
