"""Bias-audit benchmark: ``manage.py bias_audit`` against a pandas script of the same rates.

    python -m benchmarks.bias_audit [--rows 500000] [--mode scoring|selection] [--runs 5]
        [--decimals 2] [--json]

Writes a synthetic CSV of N assessed individuals (seeded, so every run reads the same
file): an ``id`` column, ``sex`` (about 4 % blank), ``race_ethnicity`` (the seven
categories in unequal shares, about 6 % blank) and either ``score`` (decimals with
``--decimals`` places, 2 by default, so many people tie, at the median too) or
``selected`` (0/1). Then, --runs times, times in this process:

- the command, ``call_command("bias_audit", input=FILE, format="json")`` with its
  report written to a null stream: reading, checking every row, the audit, the JSON;
- a pandas script computing the same figures: for the sex, race/ethnicity and
  intersectional tables the count and favourable count of every category and its
  rate, and in scoring mode the median of the full sample (``pandas_rates`` below),
  as written plainly (``read_csv`` with its defaults; the issue's 10x was against
  such a script), and tuned (three columns, labels read as categoricals).

Both read the file from the page cache (it was just written). Prints the median, best
and worst of each and the ratios of the medians (the issue's target is at most 2);
``--json`` also prints ``{"rows", "mode", "runs", "audit_s", "pandas_s", "ratio",
"pandas_tuned_s", "tuned_ratio"}`` as one JSON object on the last line. The two must agree: every count, favourable
count and rate equal, the medians within 1e-12 relative (pandas takes the mean of the
two middle floats, the command the exact mean of the decimals); when they do not the
benchmark exits 1, since that is a wrong answer, not a slow one. Timing never fails it.

pandas is a development dependency for this benchmark only (requirements-dev.txt); the
package never imports it. No database is used.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 2.0
SEED = 20261206

SEXES = [("Male", 48), ("Female", 48), ("", 4)]
RACES = [
    ("White", 38),
    ("Hispanic or Latino", 18),
    ("Black or African American", 13),
    ("Asian", 14),
    ("Two or More Races", 6),
    ("Native American or Alaska Native", 2),
    ("Native Hawaiian or Pacific Islander", 1),
    ("", 6),
]
# Who is favoured differs a little by category, so impact ratios are not all 1.
_SHIFT = {"Male": 1.5, "Female": -1.0, "": 0.0}
_RACE_SHIFT = {race: (i % 3 - 1) * 2.0 for i, (race, _) in enumerate(RACES)}


def write_input(path: Path, rows: int, mode: str, seed: int = SEED, decimals: int = 2) -> None:
    """A CSV of ``rows`` synthetic individuals at ``path`` (the same file for the same seed)."""
    rng = random.Random(seed)
    sexes = rng.choices([s for s, _ in SEXES], [w for _, w in SEXES], k=rows)
    races = rng.choices([r for r, _ in RACES], [w for _, w in RACES], k=rows)
    column = "score" if mode == "scoring" else "selected"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(f"id,sex,race_ethnicity,{column}\n")
        lines = []
        for i, (sex, race) in enumerate(zip(sexes, races, strict=True), start=1):
            centre = 50.0 + _SHIFT[sex] + _RACE_SHIFT[race]
            if mode == "scoring":
                value = f"{min(100.0, max(0.0, rng.gauss(centre, 15.0))):.{decimals}f}"
            else:
                value = "1" if rng.random() < centre / 110 else "0"
            # A comma inside a label would need quotes; none of the categories has one.
            lines.append(f"A{i:07d},{sex},{race},{value}\n")
            if len(lines) == 10_000:
                handle.writelines(lines)
                lines.clear()
        handle.writelines(lines)


def pandas_rates(path: Path, mode: str, *, tuned: bool = False) -> dict[str, Any]:
    """The audit's counts, favourable counts, rates and median, computed with pandas.

    As an analyst would write it: ``read_csv`` with its defaults, the median of the
    score column, ``groupby`` per table. ``tuned`` reads only the three columns, the
    labels as categoricals (several times faster). The shape: ``{"median": float |
    None, "tables": {name: {category: (count, favourable, rate)}}}``, a category being
    ``(sex, race_ethnicity)`` with ``None`` for the side a table does not split by.
    Blank (unknown) categories are NaN, which ``groupby`` leaves out; the median is over
    everyone, unknowns included.
    """
    import pandas as pd

    column = "score" if mode == "scoring" else "selected"
    if tuned:
        frame = pd.read_csv(
            path,
            usecols=["sex", "race_ethnicity", column],
            dtype={"sex": "category", "race_ethnicity": "category", column: "float64"},
        )
    else:
        frame = pd.read_csv(path)
    median: float | None = None
    if mode == "scoring":
        median = float(frame[column].median())
        frame["favourable"] = frame[column] > median
    else:
        frame["favourable"] = frame[column] == 1
    tables: dict[str, dict[tuple[str | None, str | None], tuple[int, int, float]]] = {}
    for name, keys in (
        ("sex", ["sex"]),
        ("race_ethnicity", ["race_ethnicity"]),
        ("intersectional", ["sex", "race_ethnicity"]),
    ):
        grouped = frame.groupby(keys, observed=True)["favourable"].agg(["size", "sum"])
        grouped["rate"] = grouped["sum"] / grouped["size"]
        table = {}
        for key, count, won, rate in zip(
            grouped.index, grouped["size"], grouped["sum"], grouped["rate"], strict=True
        ):
            named = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
            table[(named.get("sex"), named.get("race_ethnicity"))] = (
                int(count),
                int(won),
                float(rate),
            )
        tables[name] = table
    return {"median": median, "tables": tables}


def command_rates(report: dict[str, Any]) -> dict[str, Any]:
    """The same shape as ``pandas_rates``, read from the command's JSON report."""
    tables = {}
    for name, rows in report["tables"].items():
        tables[name] = {
            (row["category"].get("sex"), row["category"].get("race_ethnicity")): (
                row["count"],
                row["favourable"],
                row["rate"],
            )
            for row in rows
        }
    return {"median": report["median"], "tables": tables}


def disagreements(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Where the command's figures and pandas' differ (empty when they agree)."""
    problems = []
    if (ours["median"] is None) != (theirs["median"] is None) or (
        ours["median"] is not None
        and not math.isclose(ours["median"], theirs["median"], rel_tol=1e-12)
    ):
        problems.append(f"median: command {ours['median']!r}, pandas {theirs['median']!r}")
    for name in ("sex", "race_ethnicity", "intersectional"):
        mine, other = ours["tables"][name], theirs["tables"][name]
        problems.extend(
            f"{name} {category}: command {mine.get(category)}, pandas {other.get(category)}"
            for category in sorted(set(mine) | set(other), key=repr)
            if mine.get(category) != other.get(category)
        )
    return problems


class _Null(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


def run_command(path: Path, *, keep: bool = False) -> str:
    from django.core.management import call_command

    out: io.TextIOBase = io.StringIO() if keep else _Null()
    call_command("bias_audit", input=str(path), format="json", stdout=out)
    return out.getvalue() if isinstance(out, io.StringIO) else ""


def timed(function: Any, *args: Any) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description="bias_audit against pandas (figures only).")
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--mode", choices=("scoring", "selection"), default="scoring")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--decimals",
        type=int,
        default=2,
        help="Digits after the point in the scores (default 2; 17 gives scores that "
        "share floats, which the command orders by their exact values).",
    )
    parser.add_argument(
        "--json", action="store_true", help="Print the figures as one JSON object, last line."
    )
    args = parser.parse_args()
    if args.rows < 1 or args.runs < 1:
        parser.error("--rows and --runs must be at least 1")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renown_site.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")  # a local settings module needs no secret then
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # as in production
    import pandas as pd  # imported before any timing, as the command's modules are

    with tempfile.TemporaryDirectory(prefix="renown-bias-audit-") as folder:
        path = Path(folder) / f"audit-{args.mode}-{args.rows}.csv"
        started = time.perf_counter()
        write_input(path, args.rows, args.mode, decimals=args.decimals)
        size = path.stat().st_size
        print(
            f"input: {args.rows:,} rows, {args.mode} mode, {size / 1e6:.1f} MB "
            f"(written in {time.perf_counter() - started:.1f} s); pandas {pd.__version__}",
            flush=True,
        )

        ours = command_rates(json.loads(run_command(path, keep=True)))
        problems = disagreements(ours, pandas_rates(path, args.mode))
        problems += disagreements(ours, pandas_rates(path, args.mode, tuned=True))
        if problems:
            print("the command and pandas disagree:", *problems, sep="\n  ", file=sys.stderr)
            sys.exit(1)
        print("check: the command's counts, rates and median agree with pandas", flush=True)

        audit_s: list[float] = []
        pandas_s: list[float] = []
        tuned_s: list[float] = []
        for run in range(1, args.runs + 1):
            audit_s.append(timed(run_command, path))
            pandas_s.append(timed(pandas_rates, path, args.mode))
            tuned_s.append(timed(lambda: pandas_rates(path, args.mode, tuned=True)))
            print(
                f"run {run}: bias_audit {audit_s[-1]:.3f} s, pandas {pandas_s[-1]:.3f} s, "
                f"pandas tuned {tuned_s[-1]:.3f} s"
            )

    audit_median = statistics.median(audit_s)
    pandas_median, tuned_median = statistics.median(pandas_s), statistics.median(tuned_s)
    ratio, tuned_ratio = audit_median / pandas_median, audit_median / tuned_median
    for label, times in (
        ("bias_audit:  ", audit_s),
        ("pandas:      ", pandas_s),
        ("pandas tuned:", tuned_s),
    ):
        print(
            f"{label} median {statistics.median(times):.3f} s (best {min(times):.3f}, "
            f"worst {max(times):.3f}) over {len(times)} run(s)"
        )
    print(
        f"ratio {ratio:.2f} to the pandas script (target <= {TARGET_RATIO:g}), "
        f"{tuned_ratio:.2f} to the tuned one"
    )
    with contextlib.suppress(OSError):
        print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        print(
            json.dumps(
                {
                    "rows": args.rows,
                    "mode": args.mode,
                    "runs": args.runs,
                    "audit_s": round(audit_median, 3),
                    "pandas_s": round(pandas_median, 3),
                    "ratio": round(ratio, 2),
                    "pandas_tuned_s": round(tuned_median, 3),
                    "tuned_ratio": round(tuned_ratio, 2),
                }
            )
        )


if __name__ == "__main__":
    main()
