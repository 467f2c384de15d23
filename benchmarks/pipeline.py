"""Scoring-pipeline benchmarks: fetch throughput, worker memory, score recomputation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renown_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        python -m benchmarks.pipeline [--accounts 10000] [--candidates 100000]
            [--only fetch|recompute] [--json]

fetch: N accounts against the stand-in answering after 50 ms, fetched by 2 Celery
worker processes; prints accounts/s, the bound the configured concurrency sets
(processes × concurrency ÷ (requests per account × latency)) and the ratio, and
each worker's peak resident memory. Every request passes the provider rate limiter
(counts on the broker's Redis, shared by both workers), with the stand-in's rate set
above the bound (RATE_OVER_BOUND × it): the ratio measures the fetcher, not the limiter.
The clock starts once the stand-in and both workers answer (a worker's start-up on a
busy machine is not fetching) and stops when every account has its snapshot. It also
prints the CPU time per account of the workers, the stand-in and this database's
PostgreSQL backends over that time, beside the CPU the machine's cores had per account:
on a small shared machine the fetcher's share of the CPU, not the latency, can be what
bounds it.
--json: the figures as one JSON object on the last line ("fetch_accounts_per_s",
"fetch_bound", "fetch_ratio", "fetch_rate_limit", "fetch_load_average",
"fetch_cpu_ms_per_account_<workers|worker_0|worker_1|stand_in|postgres>",
"recompute_candidates_per_s"; those of the parts run).
recompute: influence scores of M candidates recomputed on PostgreSQL; prints
candidates/s.

It migrates the database it is given and works in an organisation of its own
("bench"), which it empties first. Figures only: it never fails on timing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from celery import Celery

ROOT = Path(__file__).resolve().parent.parent
LATENCY_MS = 50
STAND_IN_PORT = 8798
CONCURRENCY = int(os.environ.get("RENOWN_PROVIDER_CONCURRENCY", "20"))
PROCESSES = 2
# Tasks per worker process at once: one batch fetches while another writes or scores; the
# process's fetch loop still holds RENOWN_PROVIDER_CONCURRENCY requests open at most.
THREADS = int(os.environ.get("BENCH_WORKER_THREADS", "2"))
REQUESTS_PER_ACCOUNT = 1  # Hacker News: one GET per account
RATE_OVER_BOUND = 2  # the stand-in's rate setting, as a multiple of the bound


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

    # The organisation's audit trail is kept (it protects the organisation), so a run on a
    # database an earlier run used empties it of candidates instead of deleting it.
    org, _ = Organization.objects.get_or_create(
        slug="bench", defaults={"name": "Benchmark (synthetic)", "is_demo": True}
    )
    Candidate.objects.filter(organization=org).delete()
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


class CpuMeter:
    """CPU seconds (user + system) processes spend from the first ``sample`` to the last.

    Read from /proc at each ``sample``: the named processes (workers, stand-in) and the
    PostgreSQL backends serving this database, found in pg_stat_activity at each sample
    (one that lives less than a sampling interval is missed; the driver's own is left
    out). Linux only, as the benchmark is.
    """

    def __init__(self, named: dict[str, int]) -> None:
        self.named = named
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.group: dict[int, str] = {}

    @staticmethod
    def cpu_seconds(pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def sample(self, *, initial: bool = False) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            backends = [row[0] for row in cursor.fetchall()]
        for pid, group in [*((p, n) for n, p in self.named.items()),
                           *((p, "postgres") for p in backends)]:  # fmt: skip
            seconds = self.cpu_seconds(pid)
            if seconds is None:
                continue
            # A process first seen after the start spent all its time within the window.
            self.first.setdefault(pid, seconds if initial else 0.0)
            self.last[pid] = seconds
            self.group[pid] = group

    def per_group(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for pid, seconds in self.last.items():
            group = self.group[pid]
            totals[group] = totals.get(group, 0.0) + seconds - self.first[pid]
        return totals


def wait_for_workers(app: Celery, names: list[str], *, timeout: float = 120.0) -> None:
    """Return once every worker named answers a ping; exit when one does not in time."""
    deadline = time.monotonic() + timeout
    answered: set[str] = set()
    while time.monotonic() < deadline:
        for reply in app.control.ping(destination=names, timeout=1.0):
            answered.update(reply)
        if answered >= set(names):
            return
    sys.exit(f"fetch: workers {sorted(set(names) - answered)} did not start in {timeout:g} s")


def bench_fetch(accounts: int) -> dict[str, float | str]:
    from benchmarks.ports import free_port_near, wait_for_stand_in
    from scoring import services
    from scoring.selectors import refresh_progress

    print(f"fetch: preparing {accounts:,} accounts ...", flush=True)
    population(accounts)
    # Another run on the machine may hold the usual port: take a free one near it.
    port = free_port_near("127.0.0.1", STAND_IN_PORT) or STAND_IN_PORT
    stand_in = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.fake_provider",
            "--port",
            str(port),
            "--latency-ms",
            str(LATENCY_MS),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    queue = f"bench-{uuid.uuid4().hex[:6]}"
    bound = PROCESSES * CONCURRENCY / (REQUESTS_PER_ACCOUNT * LATENCY_MS / 1000)
    rate_limit = f"{math.ceil(RATE_OVER_BOUND * bound * REQUESTS_PER_ACCOUNT)}/second"
    env = {
        **os.environ,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "RENOWN_ALLOW_PRIVATE_HOSTS": "1",
        "RENOWN_PROVIDER_URL_HACKERNEWS": f"http://127.0.0.1:{port}",
        "RENOWN_PROVIDER_CONCURRENCY": str(CONCURRENCY),
        "RENOWN_FETCH_BATCH_SIZE": "500",
        # Above the bound, so the limiter (on the broker's Redis) is passed, never waited on.
        "RENOWN_PROVIDER_RATE_HACKERNEWS": rate_limit,
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "renown_site", "worker", "--pool=threads",
             f"--concurrency={THREADS}", "-Q", queue,
             "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"bench{i}@%h"],
            cwd=ROOT, env=env,
        )
        for i in range(PROCESSES)
    ]  # fmt: skip
    try:
        os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
        from django.conf import settings

        from renown_site.celery import app

        # The clock starts once the stand-in answers and both workers answer a ping: on a
        # busy machine a worker takes longer than any fixed sleep to start, and the time
        # it spends starting is not the fetcher's.
        if problem := wait_for_stand_in(port, stand_in.pid):
            sys.exit(problem)
        wait_for_workers(app, [f"bench{i}@{socket.gethostname()}" for i in range(PROCESSES)])

        app.conf.task_default_queue = queue
        settings.RENOWN_FETCH_BATCH_SIZE = 500  # the driver splits the cycle into batches
        from renown.models import Organization

        meter = CpuMeter(
            {"stand-in": stand_in.pid} | {f"worker {i}": w.pid for i, w in enumerate(workers)}
        )
        meter.sample(initial=True)
        load = os.getloadavg()[0]
        started = time.monotonic()
        cycle, batches = services.refresh_start(organization=Organization.objects.get(slug="bench"))
        services.refresh_enqueue(cycle=cycle, batches=batches)
        while True:
            progress = refresh_progress(cycle=cycle)
            meter.sample()
            if progress.done + progress.failed >= progress.total:
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        cpu = meter.per_group()
        cpu["workers"] = sum(v for k, v in cpu.items() if k.startswith("worker "))
        rate = accounts / elapsed
        print(f"fetch: {accounts:,} accounts in {elapsed:.1f} s = {rate:,.0f} accounts/s "
              f"({progress.failed} failed)")  # fmt: skip
        print(f"fetch: bound {PROCESSES} processes × {CONCURRENCY} concurrent ÷ "
              f"({REQUESTS_PER_ACCOUNT} request × {LATENCY_MS} ms) = {bound:,.0f} accounts/s; "
              f"ratio {rate / bound:.2f} (goal ≥ 0.85); target ≥ 500 accounts/s: "
              f"{'met' if rate >= 500 else 'NOT met'}")  # fmt: skip
        print(f"fetch: provider rate limit {rate_limit} across both workers (above the bound)")
        print(f"fetch: load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
        ms = {name: 1000 * seconds / accounts for name, seconds in cpu.items()}
        each = " + ".join(f"{ms[f'worker {i}']:.2f}" for i in range(PROCESSES))
        print(f"fetch: CPU per account: workers {ms['workers']:.2f} ms ({each}), "
              f"stand-in {ms.get('stand-in', 0):.2f} ms, PostgreSQL {ms.get('postgres', 0):.2f} ms: "
              f"{ms['workers'] + ms.get('stand-in', 0) + ms.get('postgres', 0):.2f} ms of the "
              f"{1000 * (os.cpu_count() or 1) / rate:.2f} ms of CPU the machine's "
              f"{os.cpu_count()} cores had per account")  # fmt: skip
        for i, worker in enumerate(workers):
            print(
                f"fetch: worker {i} peak resident memory {rss_peak_mb(worker.pid):.0f} MB (target < 300 MB)"
            )
        return {
            "fetch_accounts_per_s": round(rate, 1),
            "fetch_bound": bound,
            "fetch_ratio": round(rate / bound, 3),
            "fetch_rate_limit": rate_limit,
            **{f"fetch_cpu_ms_per_account_{name.replace(' ', '_').replace('-', '_')}":
               round(value, 3) for name, value in ms.items()},
            "fetch_load_average": round(load, 2),
        }  # fmt: skip
    finally:
        for process in [*workers, stand_in]:
            process.send_signal(signal.SIGTERM)
        for process in [*workers, stand_in]:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def bench_recompute(candidates: int) -> dict[str, float | str]:
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
    return {"recompute_candidates_per_s": round(rate, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Scoring-pipeline benchmarks (figures, never pass/fail)."
    )
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--only", choices=["fetch", "recompute"])
    parser.add_argument(
        "--json", action="store_true", help="print the figures as one JSON object, last"
    )
    args = parser.parse_args()
    setup_django()
    figures: dict[str, float | str] = {}
    if args.only in (None, "fetch"):
        figures |= bench_fetch(args.accounts)
    if args.only in (None, "recompute"):
        figures |= bench_recompute(args.candidates)
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
