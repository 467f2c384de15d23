"""Running Renown's tasks: on the host's Celery broker, or in this process when it has none.

Every task Renown starts goes through ``enqueue`` (or ``enqueue_on_commit``). The tasks
are ``shared_task``s bound to whatever Celery app the host made (or Celery's fallback
app when it made none), and that app decides where they run:

- the host set ``task_always_eager`` (``CELERY_TASK_ALWAYS_EAGER``): Celery runs them
  eagerly, as the host asked;
- the host configured a broker (``broker_url`` / ``broker_write_url`` in the app's
  configuration, or the ``CELERY_BROKER_URL`` environment variable Celery itself
  reads): they are sent to it for the host's workers;
- neither: they run here, in the calling process, at once. ``.delay()`` would
  otherwise send them to Celery's default, ``amqp://guest@localhost//``: with no
  broker there it hangs retrying the connection, and with one nobody listens.

In-process runs follow Celery's eager mode: a ``countdown`` is not waited for (a retry
runs at once, and a task's own retry budget bounds it), and a failing task raises to
the caller only when the app's ``task_eager_propagates`` is on; otherwise Celery logs
it (``celery.app.trace``) and the caller goes on, as it would with a worker. The
system check ``renown.W010`` says so in a host with no broker.
"""

from __future__ import annotations

from typing import TypeVar

from celery import Celery, Task
from celery.result import AsyncResult, EagerResult
from django.db import transaction

__all__ = ["broker_configured", "enqueue", "enqueue_on_commit", "runs_in_process"]

R = TypeVar("R")


def broker_configured(app: Celery) -> bool:
    """Whether ``app`` has a broker to send to that its configuration names.

    Celery falls back to ``amqp://guest@localhost//`` when nothing is set; that fallback
    does not count. ``broker_write_url`` covers ``broker_url``, ``broker_host`` and the
    ``CELERY_BROKER_URL`` / ``CELERY_BROKER_WRITE_URL`` environment variables.
    """
    conf = app.conf
    return bool(conf.broker_write_url or conf.get("broker_transport"))


def runs_in_process(task: Task[..., object]) -> bool:
    """Whether ``task`` would run in the calling process (eager, or no broker configured)."""
    app = task.app
    return bool(app.conf.task_always_eager) or not broker_configured(app)


def enqueue(
    task: Task[..., R],
    *args: object,
    countdown: float | None = None,
    **kwargs: object,
) -> AsyncResult[R] | EagerResult[R]:
    """Start ``task(*args, **kwargs)``: on the broker, or here and now without one.

    ``countdown`` delays it on a broker (seconds); in-process it is not waited for.
    Returns Celery's result: an ``EagerResult`` (already finished) when the task ran here.
    """
    app = task.app
    if app.conf.task_always_eager or broker_configured(app):
        # Celery itself runs it eagerly when the host asked for that.
        if countdown is None:
            return task.apply_async(args, kwargs)
        return task.apply_async(args, kwargs, countdown=countdown)
    return task.apply(args, kwargs)


def enqueue_on_commit(
    task: Task[..., R],
    *args: object,
    using: str | None = None,
    countdown: float | None = None,
    **kwargs: object,
) -> None:
    """``enqueue`` once the current transaction commits (at once outside one).

    A worker must not look for rows before they are committed, and a task run in
    process must not run inside a transaction that may still roll back.
    """
    transaction.on_commit(lambda: enqueue(task, *args, countdown=countdown, **kwargs), using=using)
