"""API benchmarks under gunicorn, load from a second process on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renown_bench python -m benchmarks.api \\
        [--candidates 5000] [--seconds 10] [--concurrency 8] [--workers 2] [--rounds 2] [--json]

list: ``GET /api/v1/candidates/`` (page of 50, newest scores and outcome, a write
token) against ``/bench/bare/``, a bare Django ``JsonResponse`` view serving the same
rows (benchmarks/api_urls.py), alternately, in the same run: requests/s, p50, p99
and the ratio API/bare (target at least 0.8, issue 17). The two stand on an equal
footing for what the API must do: the bare view also authenticates the same bearer
token (the API's token lookup) and reads one row past the page to know whether a
next page exists (the API's cursor pagination; neither counts the rows). It has no
serializer, filters, throttle, content negotiation or problem details: those are
what the ratio measures.
bulk: 10,000 candidates upserted through ``POST /api/v1/candidates/bulk/`` in ten
requests of 1,000 (created), then the same again (updated): seconds (target at most 5).

It migrates the database it is given (SQLite in a temporary folder when
DATABASE_URL is unset) and works in an organisation of its own ("bench-api"), which
it empties first (its candidates, jobs and tokens: the organisation itself stays, as
its audit trail is append-only), keeps the newest scores as the scoring service does
(``scoring.LatestScore``) and, on PostgreSQL, analyses the tables it filled, as
autovacuum would soon after. Figures only: it never fails on timing. With ``--json``
the last line is one JSON object: ``{"list_rps": .., "bare_rps": .., "ratio": ..,
"list_p50_ms": .., "bare_p50_ms": .., "bulk_s": .., "bulk_update_s": ..}``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "benchmarks.api_settings"


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="benchmark-only-" + "x" * 40,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_LOG_LEVEL="WARNING",
        # Throughput, not the throttle, is measured here.
        RENOWN_API_THROTTLE_RATE="100000000/min",
    )
    return env


def prepare(database_url: str, candidates: int) -> str:
    """Migrate, fill the bench organisation, return a write token's plaintext."""
    os.environ.update(_env(database_url))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from benchmarks.api_urls import BENCH_ORG_SLUG
    from candidates.models import Candidate
    from hiring.models import Job, Screening
    from renown.api.tokens import api_token_create
    from renown.models import ApiToken, Organization
    from scoring.models import Score
    from scoring.services import score_latest_upsert

    org, _ = Organization.objects.get_or_create(
        slug=BENCH_ORG_SLUG, defaults={"name": "API bench", "is_demo": True}
    )
    # The organisation stays (its audit trail is append-only); what the run reads goes.
    Candidate.objects.filter(organization=org).delete()
    Job.objects.filter(organization=org).delete()
    ApiToken.objects.filter(organization=org).delete()
    Candidate.objects.bulk_create(
        [Candidate(organization=org, name=f"Bench {i}", email=f"b{i}@example.test",
                   country="US", region="US-CA", ats_source="bench", external_id=f"seed-{i}")
         for i in range(candidates)], batch_size=2000,
    )  # fmt: skip
    ids = list(Candidate.objects.filter(organization=org).values_list("id", flat=True))
    now = datetime.now(tz=UTC)
    job = Job.objects.create(organization=org, title="Bench job", jurisdictions=["US-CA"])
    scores = []
    for n, cid in enumerate(ids):
        for days, scorer in ((3, "influence"), (0, "influence"), (0, "reputation")):
            value = Decimal((n * 7 + days) % 99 + 1)
            scores.append(
                Score(candidate_id=cid, scorer=scorer, scorer_version=1, value=value,
                      scale_min=1, scale_max=100, components=[], inputs_digest=f"{cid}-{scorer}-{days}",
                      as_of=now - timedelta(days=days), computed_at=now)
            )  # fmt: skip
    Score.objects.bulk_create(scores, batch_size=5000)
    score_latest_upsert(rows=scores)  # as the scoring service keeps it
    Screening.objects.bulk_create(
        [Screening(candidate_id=cid, job=job, outcome="meets", suggestion="advance",
                   evaluated_at=now) for cid in ids], batch_size=5000,
    )  # fmt: skip
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum would give them soon after a load this size.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return api_token_create(organization=org, name="bench", scope="write")[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


# --- the load process ---------------------------------------------------------------


def load(port: int, path: str, token: str, seconds: float, concurrency: int) -> dict[str, float]:
    """GET ``path`` from ``concurrency`` threads for ``seconds``; requests/s and latencies."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def worker() -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except OSError:
                bad += 1
            finally:
                conn.close()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors += bad

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": errors,
        "rps": len(ordered) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000 if ordered else float("nan"),
    }


def bulk(
    port: int, token: str, version: str, total: int = 10_000, per_request: int = 1000
) -> dict[str, float]:
    """Upsert ``total`` candidates in requests of ``per_request``; seconds and outcomes.

    ``version`` goes into every name: a second pass with another one changes every row.
    """
    started = time.perf_counter()
    counts: dict[str, int] = {}
    for first in range(0, total, per_request):
        items = [
            {"name": f"Imported {i} {version}", "email": f"imp{i}@example.test", "ats_source": "bulkbench",
             "external_id": f"imp-{i}", "country": "US", "region": "US-NY"}
            for i in range(first, min(total, first + per_request))
        ]  # fmt: skip
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request(
            "POST", "/api/v1/candidates/bulk/", body=json.dumps({"items": items}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        response = conn.getresponse()
        body = json.loads(response.read())
        conn.close()
        if response.status != 200:
            raise SystemExit(f"bulk answered {response.status}: {body}")
        for result in body["results"]:
            counts[result["status"]] = counts.get(result["status"], 0) + 1
    return {"seconds": time.perf_counter() - started, **counts}


def load_main(args: argparse.Namespace) -> None:
    if args.load == "bulk":
        print(json.dumps(bulk(args.port, args.token, args.version)))
    else:
        print(json.dumps(load(args.port, args.load, args.token, args.seconds, args.concurrency)))


# --- the driver -----------------------------------------------------------------------


def _run_load(port: int, path: str, token: str, args: argparse.Namespace) -> dict[str, float]:
    command = [
        sys.executable, "-m", "benchmarks.api", "--port", str(port), "--load", path,
        "--token", token, "--seconds", str(args.seconds), "--concurrency", str(args.concurrency),
    ]  # fmt: skip
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="end with one JSON object")
    # The load process's own arguments.
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--token", default="", help=argparse.SUPPRESS)
    parser.add_argument("--version", default="v1", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load_main(args)
        return

    tmp = tempfile.TemporaryDirectory()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp.name}/bench.sqlite3"
    print(f"database: {database_url.split('@')[-1]}; {args.candidates} candidates; "
          f"gunicorn {args.workers} sync workers; load: {args.concurrency} threads in a "
          f"second process, {args.seconds:g} s per round")  # fmt: skip
    token = prepare(database_url, args.candidates)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "renown_site.wsgi", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=_env(database_url), start_new_session=True,
    )  # fmt: skip
    try:
        _wait(port)
        _run_load(port, "/bench/bare/", token, argparse.Namespace(seconds=1, concurrency=2))
        _run_load(port, "/api/v1/candidates/", token, argparse.Namespace(seconds=1, concurrency=2))
        results: dict[str, list[dict[str, float]]] = {"bare": [], "api": []}
        for _ in range(args.rounds):
            results["bare"].append(_run_load(port, "/bench/bare/", token, args))
            results["api"].append(_run_load(port, "/api/v1/candidates/", token, args))
        print("\nlist, page of 50 with newest scores and outcome")
        for name, rounds in results.items():
            for n, r in enumerate(rounds, 1):
                print(f"  {name:4} round {n}: {r['rps']:7.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
                      f"p99 {r['p99_ms']:6.1f} ms  ({r['requests']} requests, {r['errors']} errors)")  # fmt: skip
        bare = statistics.mean(r["rps"] for r in results["bare"])
        api = statistics.mean(r["rps"] for r in results["api"])
        print(f"  mean: api {api:.1f} req/s, bare {bare:.1f} req/s, ratio api/bare "
              f"{api / bare:.2f} (target >= 0.8)")  # fmt: skip
        figures: dict[str, float] = {
            "list_rps": round(api, 1),
            "bare_rps": round(bare, 1),
            "ratio": round(api / bare, 3),
            "list_p50_ms": round(statistics.median(r["p50_ms"] for r in results["api"]), 1),
            "bare_p50_ms": round(statistics.median(r["p50_ms"] for r in results["bare"]), 1),
        }
        for attempt, version, key in (
            ("created", "v1", "bulk_s"),
            ("every row changed", "v2", "bulk_update_s"),
        ):
            command = [sys.executable, "-m", "benchmarks.api", "--port", str(port), "--load",
                       "bulk", "--token", token, "--version", version]  # fmt: skip
            out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"\nbulk upsert of 10,000 candidates ({attempt}): {r['seconds']:.2f} s "
                  f"(target <= 5 s); results: "
                  f"{ {k: v for k, v in r.items() if k != 'seconds'} }")  # fmt: skip
            figures[key] = round(r["seconds"], 2)
        if args.json:
            print(json.dumps(figures))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        tmp.cleanup()


if __name__ == "__main__":
    main()
