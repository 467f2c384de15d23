"""Refresh page benchmark: the recruiter's ``/refresh/`` on the demo ``make run`` serves.

    DATABASE_URL=sqlite:////tmp/renown-bench.sqlite3 \\
        python -m benchmarks.refresh_page [--candidates 500] [--runs 15] [--json]

Builds the demo organisation there when it has none (``renown_site.demo.demo_build``:
500 people, 180 daily refresh cycles of every account, as ``make run`` builds it on
SQLite; an existing demo is kept as it is), then prints the server time of
``GET /refresh/`` as the demo's recruiter (the view, its queries and the template,
through Django's test client): the median and worst of --runs requests, the number of
queries, against the 300 ms target. ``--json`` also prints ``{"candidates", "runs",
"page_ms", "queries"}`` last. Figures only: it never fails on timing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

TARGET_MS = 300.0


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renown_site.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a throwaway database (SQLite or PostgreSQL).")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description="Refresh page benchmark (figures only).")
    parser.add_argument("--candidates", type=int, default=500, help="The demo's size.")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--json", action="store_true", help="Print the figures as one JSON object, last line."
    )
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import setup_test_environment

    from renown_site.demo import demo_build

    started = time.perf_counter()
    result = demo_build(candidates=args.candidates)
    print(
        f"demo {result.outcome} in {time.perf_counter() - started:.1f} s "
        f"({result.counts['snapshots']:,} snapshots)",
        flush=True,
    )
    setup_test_environment()  # the test client's hosts, and query logging below
    settings.DEBUG = True
    client = Client()
    client.force_login(get_user_model().objects.get(username="recruiter"))
    client.get("/refresh/")  # warm: templates, the session
    times: list[float] = []
    queries = status = 0
    for _ in range(args.runs):
        reset_queries()
        begun = time.perf_counter()
        response = client.get("/refresh/")
        times.append((time.perf_counter() - begun) * 1000)
        status, queries = response.status_code, len(connection.queries)
    median = statistics.median(times)
    print(
        f"GET /refresh/  median {median:7.1f} ms  worst {max(times):7.1f} ms  "
        f"{queries:2d} queries  HTTP {status}  ratio to target {median / TARGET_MS:.2f} "
        f"({'met' if median <= TARGET_MS else 'NOT met'})",
        flush=True,
    )
    if args.json:
        print(
            json.dumps(
                {
                    "candidates": args.candidates,
                    "runs": args.runs,
                    "page_ms": round(median, 1),
                    "queries": queries,
                }
            )
        )


if __name__ == "__main__":
    main()
