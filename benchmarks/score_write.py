"""Score-write benchmark: what keeping the window statistics costs a refresh's write.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renown_bench \\
        python -m benchmarks.score_write [--candidates 20000] [--days 90] [--write 10000] \\
            [--runs 5] [--no-stats] [--json]

Reuses the screening benchmark's organisation (``benchmarks.screening.build``: N
candidates with D days of influence scores, their window statistics kept). Each run
writes one new influence score for --write of them, as a refresh does
(``scoring.services.scores._insert_scores``: COPY, insert, the latest values and, with
``RENOWN_WINDOW_STATS``, the statistics of every window for the pairs written, all in
one transaction), then rolls the transaction back, so that every run writes the same
scores onto the same history (the tables are vacuumed after the last run). Runs
with the statistics and without them alternate in the same process; it prints the
median of each and their ratio (target ≤ 1.3).
``--no-stats`` times only the write without the statistics. ``--json`` prints, last,
``{"write", "runs", "write_s", "write_no_stats_s", "ratio"}``.

Figures only: it never fails on timing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime

from benchmarks.screening import SLUG, build, execute, setup_django

TARGET_RATIO = 1.3


class _RolledBack(Exception):
    pass


def write_once(candidate_ids: list[int], *, stats: bool) -> float:
    """Seconds to write one new score for each candidate (then rolled back)."""
    from django.db import transaction
    from django.test import override_settings

    from scoring.models import Score
    from scoring.services.scores import _insert_scores

    now = datetime.now(tz=UTC)
    rows = [
        Score(
            candidate_id=candidate_id, scorer="influence", scorer_version=2,
            value=round(10 + candidate_id % 80 + (now.microsecond % 7) / 10, 2),
            scale_min=1, scale_max=100,
            components=[{"name": "reach", "value": 10, "weight": 1, "explanation": "bench"}],
            snapshot_ids=[], inputs_digest=f"write-{candidate_id}-{now.timestamp()}",
            as_of=now, computed_at=now,
        )
        for candidate_id in candidate_ids
    ]  # fmt: skip
    elapsed = 0.0
    with override_settings(RENOWN_WINDOW_STATS=stats):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                _insert_scores(rows)
                elapsed = time.perf_counter() - started
                raise _RolledBack
        except _RolledBack:
            pass
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Score-write benchmark (figures, never pass/fail)."
    )
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--write", type=int, default=10_000, help="Scores written per run.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--no-stats", action="store_true", help="Only the write without statistics."
    )
    parser.add_argument(
        "--json", action="store_true", help="Figures as one JSON object, last line."
    )
    args = parser.parse_args()
    setup_django()
    build(args.candidates, args.days)
    from scoring.models import LatestScore

    ids = list(
        LatestScore.objects.filter(organization__slug=SLUG, scorer="influence")
        .order_by("candidate_id")
        .values_list("candidate_id", flat=True)[: args.write]
    )
    print(f"writing one influence score for {len(ids):,} candidates with {args.days} days of "
          f"history, {args.runs} runs each, alternating", flush=True)  # fmt: skip
    modes = [False] if args.no_stats else [True, False]
    times: dict[bool, list[float]] = {mode: [] for mode in modes}
    for mode in modes:
        write_once(ids, stats=mode)  # warm: plans, caches
    for _ in range(args.runs):
        for mode in modes:
            times[mode].append(write_once(ids, stats=mode))
    # Every run was rolled back: its row versions are dead weight for whatever reads these
    # tables next (the other benchmarks), until vacuumed.
    for table in ("renown_scoring_score", "renown_scoring_latestscore",
                  "renown_scoring_scorewindowstats", "renown_scoring_scorewindowvalues"):  # fmt: skip
        execute(f"VACUUM ANALYZE {table}")
    medians = {mode: statistics.median(found) for mode, found in times.items()}
    for mode in modes:
        found = times[mode]
        label = "with the window statistics" if mode else "without statistics (--no-stats)"
        print(f"score write {label}: median {medians[mode]:.2f} s "
              f"(min {min(found):.2f}, max {max(found):.2f}; {len(found)} runs)")  # fmt: skip
    ratio = medians[True] / medians[False] if not args.no_stats else None
    if ratio is not None:
        print(f"  ratio {ratio:.2f} (target ≤ {TARGET_RATIO}: "
              f"{'met' if ratio <= TARGET_RATIO else 'NOT met'})")  # fmt: skip
    if args.json:
        figures = {
            "write": len(ids),
            "runs": args.runs,
            "write_s": None if args.no_stats else round(medians[True], 3),
            "write_no_stats_s": round(medians[False], 3),
            "ratio": None if ratio is None else round(ratio, 3),
        }
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
