"""Every benchmark, one after another, at a size that finishes in under ten minutes.

    make bench                        # DATABASE_URL, CELERY_BROKER_URL: see the Makefile
    python -m benchmarks.all [--candidates 20000] [--json]

Runs each benchmark as its own process with ``--json`` (its output streams through),
keeps the JSON object each prints last, and ends with one line per benchmark and the
whole run's time; ``--json`` prints them all as one object last. The database must be
PostgreSQL (it is created when missing); the benchmarks build their data once and
reuse it. A benchmark that fails (a crash, not a slow figure) makes the exit status 1:
figures are never pass/fail.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

# (name, module, arguments): N is --candidates.
STEPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("screening", "benchmarks.screening", ("--candidates", "{n}")),
    ("fairness", "benchmarks.fairness", ("--candidates", "{n}", "--repeat", "5")),
    ("score_write", "benchmarks.score_write", ("--candidates", "{n}", "--runs", "5")),
    ("candidate_list", "benchmarks.candidate_list", ("--candidates", "{n}", "--runs", "7")),
    ("vendor_import", "benchmarks.vendor_import", ("--candidates", "{n}", "--runs", "3")),
    ("bias_audit", "benchmarks.bias_audit", ("--rows", "100000", "--runs", "3")),
    ("fetch", "benchmarks.pipeline", ("--only", "fetch", "--accounts", "2000")),
    ("api", "benchmarks.api", ("--candidates", "5000", "--seconds", "5")),
)


def database_ensure(url: str) -> None:
    """Create the benchmark database when it does not exist (PostgreSQL only)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if found is None:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"bench: created database {name}", flush=True)


def run_step(module: str, arguments: list[str]) -> dict[str, object] | None:
    """Run one benchmark, its output streaming through; its last JSON line, or None."""
    command = [sys.executable, "-m", module, *arguments, "--json"]
    print(f"\n$ {' '.join(command[1:])}", flush=True)
    last: dict[str, object] | None = None
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None  # noqa: S101
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    last = json.loads(line)
    return last if process.returncode == 0 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--only", nargs="*", metavar="NAME", help="Only these benchmarks.")
    parser.add_argument("--json", action="store_true", help="All figures as one JSON object, last.")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench: set DATABASE_URL to a PostgreSQL database (make bench does).")
    database_ensure(url)
    started = time.monotonic()
    results: dict[str, object] = {}
    failed: list[str] = []
    for name, module, template in STEPS:
        if args.only and name not in args.only:
            continue
        step_started = time.monotonic()
        found = run_step(module, [a.format(n=args.candidates) for a in template])
        if found is None:
            failed.append(name)
        results[name] = found
        print(f"bench: {name} took {time.monotonic() - step_started:.0f} s", flush=True)
    print(f"\nbench: {len(results)} benchmarks in {time.monotonic() - started:.0f} s "
          f"(load {os.getloadavg()[0]:.2f})")  # fmt: skip
    for name, found in results.items():
        print(f"  {name}: {json.dumps(found) if found is not None else 'FAILED'}")
    if args.json:
        print(json.dumps(results))
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
