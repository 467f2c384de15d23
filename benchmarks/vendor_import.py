"""Vendor-score import benchmark: ``import_vendor_scores`` on a file of N rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renown_bench \\
        python -m benchmarks.vendor_import [--rows 100000] [--runs 3] [--json]
    DATABASE_URL=sqlite:////tmp/renown_bench.sqlite3 python -m benchmarks.vendor_import

Runs against the database DATABASE_URL names (PostgreSQL or SQLite; set it, so the
development database is never touched). Builds (once) an organisation of its own
("bench-vendor-import") with N candidates and writes a CSV of N rows: 40 % Klout,
40 % Kred, 20 % a custom vendor with its scale; four in five rows name the
candidate by external_id, one in five by e-mail. Then, --runs times, times the
whole command (read, validate, write) through ``call_command``:

- into an empty table (every row new),
- the same file again (every row unchanged),
- a file with every value changed (every row updated).

Prints the median, best and worst wall-clock time of each against the 10 s
target (100,000 rows took 6 min 45 s row by row), and the median CPU time of this
Python process (the part a busy shared machine inflates least); ``--json`` also
prints the figures as one JSON object on the last line. Runs with DEBUG off, as
in production. Figures only: it never fails on timing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from typing import Any

SLUG = "bench-vendor-import"
TARGET_S = 10.0


def setup_django() -> str:
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a throwaway database (PostgreSQL or SQLite).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renown_site.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    # As in production: with DEBUG every query is logged (on SQLite by quoting each
    # parameter in extra queries), which would measure the logging.
    settings.DEBUG = False

    call_command("migrate", verbosity=0)
    return str(connection.vendor)


def build(rows: int) -> Any:
    """The organisation with ``rows`` candidates (b1..bN, bench<i>@bench.example), reused."""
    from candidates.models import Candidate
    from renown.models import Organization

    org, _ = Organization.objects.get_or_create(
        slug=SLUG, defaults={"name": "Vendor import benchmark (synthetic)", "is_demo": True}
    )
    have = Candidate.objects.filter(organization=org).count()
    if have == rows:
        print(f"setup: reusing {rows:,} candidates", flush=True)
        return org
    started = time.perf_counter()
    Candidate.objects.filter(organization=org).delete()
    Candidate.objects.bulk_create(
        (
            Candidate(
                organization=org,
                name=f"Bench {i}",
                email=f"bench{i}@bench.example",
                ats_source="bench",
                external_id=f"b{i}",
            )
            for i in range(1, rows + 1)
        ),
        batch_size=2000,
    )
    print(f"setup: {rows:,} candidates in {time.perf_counter() - started:.1f} s", flush=True)
    return org


def write_csv(path: Path, rows: int, *, bump: int = 0) -> None:
    """N rows, one per candidate; ``bump`` shifts every value (an all-updates file)."""
    lines = ["external_id,email,vendor,value,as_of,scale_min,scale_max"]
    for i in range(1, rows + 1):
        who = f",bench{i}@bench.example" if i % 5 == 0 else f"b{i},"
        kind = i % 5
        if kind in (0, 1):
            lines.append(f"{who},klout,{10 + (i + bump) % 90},2017-03-01,,")
        elif kind in (2, 3):
            lines.append(f"{who},kred,{100 + (i + bump) % 900}.5,2021-06-30,,")
        else:
            lines.append(f"{who},Acme Reach,{((i + bump) % 100) / 10},2024-01-01,0,10")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def clear(org: Any) -> None:
    from scoring.models import VendorScore

    VendorScore.objects.filter(candidate__organization=org).delete()


def timed(path: Path) -> tuple[float, float, str]:
    """Wall-clock and this process's CPU seconds of one whole command, and its summary line."""
    from django.core.management import call_command

    out, err = StringIO(), StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    with contextlib.suppress(SystemExit):  # exit 1: some rows rejected; the summary says so
        call_command("import_vendor_scores", "--org", SLUG, str(path), stdout=out, stderr=err)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu, out.getvalue().strip().splitlines()[-1]


def summary(label: str, times: list[float], cpus: list[float], last: str) -> dict[str, float]:
    median = statistics.median(times)
    print(
        f"{label}: median {median:.2f} s (best {min(times):.2f}, worst {max(times):.2f}; "
        f"{len(times)} runs; Python CPU median {statistics.median(cpus):.2f} s) - "
        f"target ≤ {TARGET_S:.0f} s: {'met' if median <= TARGET_S else 'NOT met'}\n  {last}",
        flush=True,
    )
    return {
        "median_s": median,
        "best_s": min(times),
        "worst_s": max(times),
        "cpu_median_s": statistics.median(cpus),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Vendor-score import benchmark (figures, never pass/fail)."
    )
    parser.add_argument(
        "--rows", "--candidates", type=int, default=100_000, help="Rows (one per candidate)."
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="Also print the figures as JSON.")
    args = parser.parse_args()
    database = setup_django()
    org = build(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        first, changed = Path(folder) / "scores.csv", Path(folder) / "changed.csv"
        write_csv(first, args.rows)
        write_csv(changed, args.rows, bump=1)
        print(f"{database}: importing {args.rows:,} rows, {args.runs} runs", flush=True)
        runs: dict[str, list[float]] = {"new": [], "unchanged": [], "updated": []}
        cpus: dict[str, list[float]] = {label: [] for label in runs}
        last: dict[str, str] = {}
        for _ in range(args.runs):
            clear(org)
            for label, path in (("new", first), ("unchanged", first), ("updated", changed)):
                elapsed, cpu, last[label] = timed(path)
                runs[label].append(elapsed)
                cpus[label].append(cpu)
        figures = {
            label: summary(f"import, every row {label}", times, cpus[label], last[label])
            for label, times in runs.items()
        }
        clear(org)
    if args.json:
        print(
            json.dumps(
                {"database": database, "rows": args.rows, "runs": args.runs, "figures": figures}
            )
        )


if __name__ == "__main__":
    main()
