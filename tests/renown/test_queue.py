"""renown.queue: tasks go to the host's broker, or run in this process when it has none."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from aioresponses import aioresponses
from celery import shared_task
from celery.app.task import Task
from django.core.management import call_command
from django.test import Client

from renown import queue
from renown.webhooks.tasks import deliver_task
from scoring.models import FetchStatus, LatestScore, MetricSnapshot, RefreshCycle
from tests import factories

APP = deliver_task.app
CALLS: list[tuple[Any, ...]] = []


@shared_task(name="tests.queue_record")
def record_task(*args: Any, **kwargs: Any) -> None:
    CALLS.append((*args, kwargs))


@contextmanager
def celery_conf(**values: Any) -> Iterator[None]:
    before = {key: APP.conf.get(key) for key in values}
    APP.conf.update(values)
    try:
        yield
    finally:
        APP.conf.update(before)


NO_BROKER = {"task_always_eager": False, "broker_url": None, "broker_write_url": None}


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Celery reads these itself, before its configuration.
    for name in ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL"):
        monkeypatch.delenv(name, raising=False)
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.fixture
def no_broker() -> Iterator[None]:
    """A host that configured no broker and no eager mode (Celery's own defaults)."""
    with celery_conf(**NO_BROKER):
        yield


@contextmanager
def never_sent() -> Iterator[mock.MagicMock]:
    """Fails the test if anything is sent to a broker (Celery's default is amqp://localhost)."""
    with mock.patch.object(
        Task, "apply_async", autospec=True, side_effect=AssertionError("sent to a broker")
    ) as sent:
        yield sent


@pytest.mark.parametrize(
    ("conf", "env", "in_process"),
    [
        pytest.param({}, {}, True, id="nothing configured"),
        pytest.param({"broker_url": "redis://127.0.0.1:6379/9"}, {}, False, id="broker_url"),
        pytest.param({"broker_write_url": "redis://h:6379/0"}, {}, False, id="broker_write_url"),
        pytest.param({}, {"CELERY_BROKER_URL": "redis://h:6379/0"}, False, id="environment"),
        pytest.param({"task_always_eager": True}, {}, True, id="eager, no broker"),
        pytest.param(
            {"task_always_eager": True, "broker_url": "redis://h:6379/0"},
            {},
            True,
            id="eager with a broker",
        ),
    ],
)
def test_where_tasks_run_follows_the_hosts_celery_configuration(
    conf: dict[str, Any], env: dict[str, str], in_process: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with celery_conf(**{**NO_BROKER, **conf}):
        assert queue.runs_in_process(record_task) is in_process
        assert queue.broker_configured(APP) is bool(
            conf.get("broker_url") or conf.get("broker_write_url") or env
        )


def test_without_a_broker_the_task_runs_here_and_its_effect_is_visible_at_once(
    no_broker: None,
) -> None:
    with never_sent():
        result = queue.enqueue(record_task, 1, [2, 3], countdown=30, flag=True)
    assert CALLS == [(1, [2, 3], {"flag": True})]  # the countdown is not waited for
    assert result.successful()


@pytest.mark.parametrize(
    ("conf", "countdown"),
    [
        pytest.param({"broker_url": "redis://127.0.0.1:6379/9"}, None, id="broker"),
        pytest.param({"broker_url": "redis://127.0.0.1:6379/9"}, 12.5, id="broker, countdown"),
        pytest.param({"task_always_eager": True}, 3.0, id="host asked for eager"),
    ],
)
def test_with_a_broker_or_eager_mode_celery_gets_the_task(
    conf: dict[str, Any], countdown: float | None
) -> None:
    with (
        celery_conf(**{**NO_BROKER, **conf}),
        mock.patch.object(Task, "apply_async", autospec=True) as sent,
    ):
        queue.enqueue(record_task, 7, countdown=countdown, flag=False)
    expected = {} if countdown is None else {"countdown": countdown}
    sent.assert_called_once_with(record_task, (7,), {"flag": False}, **expected)
    assert CALLS == []


@pytest.mark.parametrize("propagates", [True, False])
def test_a_failing_task_in_process_raises_only_when_the_host_asks_for_it(
    no_broker: None, propagates: bool, caplog: pytest.LogCaptureFixture
) -> None:
    with celery_conf(task_eager_propagates=propagates), never_sent():
        if propagates:
            with pytest.raises(ZeroDivisionError):
                queue.enqueue(fail_task)
        else:
            result = queue.enqueue(fail_task)
            assert result.failed()
            assert "ZeroDivisionError" in caplog.text  # logged as a worker would


@shared_task(name="tests.queue_fail")
def fail_task() -> None:
    raise ZeroDivisionError


@pytest.mark.django_db(transaction=True)
def test_enqueue_on_commit_waits_for_the_commit(no_broker: None) -> None:
    from django.db import transaction

    with transaction.atomic():
        queue.enqueue_on_commit(record_task, "after")
        assert CALLS == []
    assert CALLS == [("after", {})]


# --- a whole refresh without a broker -------------------------------------------------

FIXTURES = Path(__file__).parents[1] / "scoring" / "providers" / "fixtures" / "bluesky"
PROFILE = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.actor\.getProfile\?.*$")
FEED = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.feed\.getAuthorFeed\?.*$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def appview(settings: Any) -> Iterator[aioresponses]:
    settings.RENOWN_PROVIDER_URL_BLUESKY = "https://appview.test"
    settings.RENOWN_FETCH_MAX_RETRIES = 2
    settings.RENOWN_FETCH_BATCH_SIZE = 2
    with aioresponses() as mocked:
        # The first profile request fails (503): its account is retried by a new task
        # (scoring.tasks.fetch_batch_task, after a countdown), which runs in process too.
        mocked.get(PROFILE, status=503, payload=fixture("upstream_failure.json"))
        mocked.get(PROFILE, payload=fixture("get_profile.json"), repeat=True)
        mocked.get(FEED, payload=fixture("get_author_feed.json"), repeat=True)
        yield mocked


@pytest.mark.django_db
def test_a_refresh_from_the_recruiter_pages_completes_in_the_request_without_a_broker(
    no_broker: None,
    appview: aioresponses,
    recruiter_a: Any,
    org_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    accounts = [
        factories.SocialAccountFactory(
            candidate=factories.CandidateFactory(organization=org_a), handle=f"p{i}.test"
        )
        for i in range(3)
    ]
    client = Client()
    client.force_login(recruiter_a)
    with (
        never_sent(),
        mock.patch("scoring.tasks.enqueue", wraps=queue.enqueue) as chained,
        # Innermost: the batches are sent on commit, when this block ends.
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/refresh/", {"job": ""})
    assert response.status_code == 302
    retried = [c for c in chained.call_args_list if c.args[0].name == "scoring.fetch_batch"]
    assert [(len(c.args[2]), c.args[3]) for c in retried] == [(1, 1)]  # one account, attempt 1
    cycle = RefreshCycle.objects.get(organization=org_a)
    assert cycle.status == RefreshCycle.Status.FINISHED
    assert MetricSnapshot.objects.filter(cycle=cycle, status=FetchStatus.OK).count() == 3
    assert LatestScore.objects.filter(candidate__in=[a.candidate for a in accounts]).count() >= 3


@pytest.mark.django_db
def test_refresh_scores_runs_the_batches_itself_without_a_broker(
    no_broker: None, appview: aioresponses, org_a: Any
) -> None:
    for i in range(3):
        factories.SocialAccountFactory(candidate__organization=org_a, handle=f"p{i}.test")
    from io import StringIO

    out = StringIO()
    with never_sent():
        call_command("refresh_scores", "--org", org_a.slug, stdout=out, stderr=StringIO())
    assert "Done: 3 of 3 (0 skipped: notices missing), 0 failed." in out.getvalue()
    assert RefreshCycle.objects.get().status == RefreshCycle.Status.FINISHED
