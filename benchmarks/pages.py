"""Timing a page as the server serves it: Django's test client (view, queries, template)."""

from __future__ import annotations

import statistics
import time

TARGET_MS = 150.0  # the pages' server-time target (docs/ui.md)


def measure(
    client: object,
    label: str,
    path: str,
    runs: int,
    params: dict[str, str] | None = None,
    *,
    width: int = 38,
) -> tuple[float, int]:
    """GET ``path`` ``runs`` times; print the median and worst time, the query count and
    the HTTP status against ``TARGET_MS``; return (median ms, queries). Needs
    ``settings.DEBUG`` for the query count."""
    from django.db import connection, reset_queries

    times = []
    status = 0
    queries = 0
    for _ in range(runs):
        reset_queries()
        started = time.perf_counter()
        response = client.get(path, params or {})  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
        queries = len(connection.queries)
    median = statistics.median(times)
    print(
        f"{label:<{width}} median {median:7.1f} ms  worst {max(times):7.1f} ms  "
        f"{queries:2d} queries  HTTP {status}  ratio to target {median / TARGET_MS:.2f} "
        f"({'met' if median <= TARGET_MS else 'NOT met'})",
        flush=True,
    )
    return median, queries
