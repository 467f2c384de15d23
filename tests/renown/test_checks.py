"""Renown's system checks: the broker (renown.W010, W011)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.checks import Warning
from django.test import override_settings

from renown.checks import check_broker
from renown.webhooks.tasks import deliver_task

# --- the broker -------------------------------------------------------------------------

APP = deliver_task.app


@contextmanager
def celery_conf(**values: Any) -> Iterator[None]:
    before = {key: APP.conf.get(key) for key in values}
    APP.conf.update(values)
    try:
        yield
    finally:
        APP.conf.update(before)


@pytest.mark.parametrize(
    ("app_broker", "django_setting", "ids"),
    [
        (None, "", ["renown.W010"]),
        (None, "redis://127.0.0.1:6379/0", ["renown.W011"]),  # the host's app never read it
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0", []),
        ("amqp://guest@rabbit//", "", []),  # configured on the app directly
    ],
)
def test_the_broker_check_warns_when_tasks_would_run_inside_requests(
    app_broker: str | None, django_setting: str, ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    with (
        celery_conf(broker_url=app_broker, broker_write_url=None),
        override_settings(CELERY_BROKER_URL=django_setting),
    ):
        messages = check_broker()
    assert [m.id for m in messages] == ids
    assert all(isinstance(m, Warning) for m in messages)
    if ids == ["renown.W010"]:
        assert "bulk refreshes run inside requests" in messages[0].msg
        assert messages[0].hint == "Set CELERY_BROKER_URL and run a worker (docs/install.md)."
