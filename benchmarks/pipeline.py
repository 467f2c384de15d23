"""Scoring-pipeline benchmarks: fetch throughput, worker memory, score recomputation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renown_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        python -m benchmarks.pipeline [--accounts 10000] [--candidates 100000] [--only fetch|recompute]

fetch: N accounts against the stand-in answering after 50 ms, fetched by 2 Celery
worker processes; prints accounts/s, the bound the configured concurrency sets
(processes × concurrency ÷ (requests per account × latency)) and the ratio, and
each worker's peak resident memory.
recompute: influence scores of M candidates recomputed on PostgreSQL; prints
candidates/s.

It migrates the database it is given and works in an organisation of its own
("bench"), which it empties first. Figures only: it never fails on timing.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LATENCY_MS = 50
CONCURRENCY = int(os.environ.get("RENOWN_PROVIDER_CONCURRENCY", "20"))
PROCESSES = 2
REQUESTS_PER_ACCOUNT = 1  # Hacker News: one GET per account


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renown_site.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    if "postgres" not in os.environ.get("DATABASE_URL", "") or not os.environ.get(
        "CELERY_BROKER_URL"
    ):
        sys.exit("Set DATABASE_URL to a PostgreSQL database and CELERY_BROKER_URL to a broker.")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def population(accounts: int, *, network: str = "hackernews") -> list[int]:
    """A fresh 'bench' organisation: one consenting US candidate per account."""
    from candidates.models import Candidate, CandidateNotice, SocialAccount
    from renown.models import Organization

    Organization.objects.filter(slug="bench").delete()
    org = Organization.objects.create(slug="bench", name="Benchmark (synthetic)", is_demo=True)
    now = datetime.now(tz=UTC)
    Candidate.objects.bulk_create(
        [Candidate(organization=org, name=f"Bench {i}", country="US", region="US-CA", external_id=f"b{i}")
         for i in range(accounts)], batch_size=5000,
    )  # fmt: skip
    ids = list(Candidate.objects.filter(organization=org).values_list("id", flat=True))
    CandidateNotice.objects.bulk_create(
        [CandidateNotice(candidate_id=c, kind=k, given_at=now)
         for c in ids for k in ("fcra_disclosure", "fcra_authorization")], batch_size=5000,
    )  # fmt: skip
    SocialAccount.objects.bulk_create(
        [SocialAccount(candidate_id=c, network=network, handle=f"bench_{c}") for c in ids],
        batch_size=5000,
    )
    return ids


def rss_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_fetch(accounts: int) -> None:
    from scoring import services
    from scoring.selectors import refresh_progress

    print(f"fetch: preparing {accounts:,} accounts ...", flush=True)
    population(accounts)
    stand_in = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.fake_provider",
            "--port",
            "8798",
            "--latency-ms",
            str(LATENCY_MS),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    queue = f"bench-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "RENOWN_ALLOW_PRIVATE_HOSTS": "1",
        "RENOWN_PROVIDER_URL_HACKERNEWS": "http://127.0.0.1:8798",
        "RENOWN_PROVIDER_CONCURRENCY": str(CONCURRENCY),
        "RENOWN_FETCH_BATCH_SIZE": "500",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "renown_site", "worker", "--pool=solo", "-Q", queue,
             "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"bench{i}@%h"],
            cwd=ROOT, env=env,
        )
        for i in range(PROCESSES)
    ]  # fmt: skip
    try:
        time.sleep(4)  # workers and stand-in up
        os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
        from django.conf import settings

        from renown_site.celery import app

        app.conf.task_default_queue = queue
        settings.RENOWN_FETCH_BATCH_SIZE = 500  # the driver splits the cycle into batches
        from renown.models import Organization

        started = time.monotonic()
        cycle, batches = services.refresh_start(organization=Organization.objects.get(slug="bench"))
        services.refresh_enqueue(cycle=cycle, batches=batches)
        while True:
            progress = refresh_progress(cycle=cycle)
            if progress.done + progress.failed >= progress.total:
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        rate = accounts / elapsed
        bound = PROCESSES * CONCURRENCY / (REQUESTS_PER_ACCOUNT * LATENCY_MS / 1000)
        print(f"fetch: {accounts:,} accounts in {elapsed:.1f} s = {rate:,.0f} accounts/s "
              f"({progress.failed} failed)")  # fmt: skip
        print(f"fetch: bound {PROCESSES} processes × {CONCURRENCY} concurrent ÷ "
              f"({REQUESTS_PER_ACCOUNT} request × {LATENCY_MS} ms) = {bound:,.0f} accounts/s; "
              f"ratio {rate / bound:.2f} (goal ≥ 0.80); target ≥ 500 accounts/s: "
              f"{'met' if rate >= 500 else 'NOT met'}")  # fmt: skip
        for i, worker in enumerate(workers):
            print(
                f"fetch: worker {i} peak resident memory {rss_peak_mb(worker.pid):.0f} MB (target < 300 MB)"
            )
    finally:
        for process in [*workers, stand_in]:
            process.send_signal(signal.SIGTERM)
        for process in [*workers, stand_in]:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def bench_recompute(candidates: int) -> None:
    from scoring.models import MetricSnapshot, RefreshCycle, Score
    from scoring.services import score_compute_many

    print(f"recompute: preparing {candidates:,} candidates ...", flush=True)
    ids = population(candidates, network="bluesky")
    from candidates.models import SocialAccount
    from renown.models import Organization

    org = Organization.objects.get(slug="bench")
    cycle = RefreshCycle.objects.create(
        organization=org, started_at=datetime.now(tz=UTC), total=candidates
    )
    now = datetime.now(tz=UTC) - timedelta(hours=1)
    rows = []
    for account_id, candidate_id in SocialAccount.objects.filter(candidate_id__in=ids).values_list(
        "id", "candidate_id"
    ):
        rows.append(MetricSnapshot(
            account_id=account_id, cycle=cycle, provider="bluesky", observed_at=now,
            metrics={"followers": candidate_id % 50_000, "following": 100, "posts": 500,
                     "engagement": {"posts_sampled": 30, "likes_per_post": (candidate_id % 97) / 3,
                                    "reposts_per_post": 1.0, "replies_per_post": 0.5}},
        ))  # fmt: skip
    MetricSnapshot.objects.bulk_create(rows, batch_size=5000)
    Score.objects.filter(candidate__organization=org).delete()
    started = time.monotonic()
    produced = score_compute_many(candidate_ids=ids)
    elapsed = time.monotonic() - started
    rate = candidates / elapsed
    print(f"recompute: {candidates:,} candidates ({produced:,} scores) in {elapsed:.1f} s = "
          f"{rate:,.0f} candidates/s (target ≥ 5,000: {'met' if rate >= 5000 else 'NOT met'})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Scoring-pipeline benchmarks (figures, never pass/fail)."
    )
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--only", choices=["fetch", "recompute"])
    args = parser.parse_args()
    setup_django()
    if args.only in (None, "fetch"):
        bench_fetch(args.accounts)
    if args.only in (None, "recompute"):
        bench_recompute(args.candidates)


if __name__ == "__main__":
    main()
