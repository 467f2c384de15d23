"""Fairness benchmark: the what-if preview and the fairer-alternatives search at scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renown_bench \\
        python -m benchmarks.fairness [--candidates 100000] [--days 90] [--rebuild] [--repeat 5] [--json]

Reuses the screening benchmark's organisation (``benchmarks.screening``: N candidates,
D days of influence scores, offline reputation for 35 %, Klout for 30 %) and adds
voluntary self-identification for 90 % of them. A job hiring in New York City gets the
draft rule "Klout ≥ 35" (screen-out). Prints, as the median of --repeat runs:

- the what-if preview with all warnings (``hiring.fairness.preview.rule_preview``: the grouped
  histogram read, the judging, ``hiring.fairness.warnings_for_rule``), against a
  hand-written SQL aggregate of the same counts (outcome × sex × race/ethnicity ×
  footprint) — target ≤ 300 ms and within 1.5× of the hand-written query;
- the fairer-alternatives search over 50 alternatives — target ≤ 1 s;
- the same preview for "influence 90-day median ≥ 40" against a hand-written query of
  its counts over the same statistics tables (``scoring.window_stats``), and the
  near-threshold list for context.

``--json`` prints, last, ``{"preview_ms": {"klout", "influence_median"}, "raw_sql_ms":
{"klout", "influence_median"}, "alternatives_ms", ...}`` (medians in milliseconds).

Figures only: it never fails on timing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from benchmarks.screening import SLUG, build, execute, setup_django


def self_identify() -> None:
    """90 % answer: sex and race/ethnicity spread deterministically over the categories."""
    from candidates.models import SelfIdentification
    from renown.models import Organization

    org = Organization.objects.get(slug=SLUG)
    have = SelfIdentification.objects.filter(candidate__organization=org).count()
    if have:
        print(f"setup: reusing self-identification of {have:,} candidates", flush=True)
        return
    races = [
        "white", "white", "white", "hispanic_or_latino", "black_or_african_american", "asian",
        "asian", "two_or_more_races", "native_hawaiian_or_pacific_islander",
        "native_american_or_alaska_native",
    ]  # fmt: skip
    execute(
        "INSERT INTO renown_candidates_selfidentification (candidate_id, sex, race_ethnicity, "
        "provided_at, source, created_at, updated_at) "
        "SELECT id, CASE WHEN id %% 2 = 0 THEN 'male' ELSE 'female' END, "
        "(%s::text[])[1 + (id * 13) %% 10], now(), 'ats', now(), now() "
        "FROM renown_candidates_candidate WHERE organization_id = %s AND id %% 10 <> 9",
        [races, org.pk],
    )
    execute("VACUUM ANALYZE renown_candidates_selfidentification")


def job() -> Any:
    from hiring.models import Job
    from renown.models import Organization

    org = Organization.objects.get(slug=SLUG)
    Job.objects.filter(organization=org, title="Community Manager (fairness bench)").delete()
    job = Job.objects.create(
        organization=org,
        title="Community Manager (fairness bench)",
        jurisdictions=["US-NY-NYC"],
        influence_relevance="supporting",
    )
    execute(
        "INSERT INTO renown_hiring_application (job_id, candidate_id, external_id, created_at, updated_at) "
        "SELECT %s, id, '', now(), now() FROM renown_candidates_candidate WHERE organization_id = %s",
        [job.pk, org.pk],
    )
    execute("VACUUM ANALYZE renown_hiring_application")
    return job


def draft(job: Any, **fields: Any) -> Any:
    from hiring.models import ScreeningRule

    values: dict[str, Any] = {
        "metric": "vendor:klout", "operator": "gte", "threshold": Decimal(35),
        "aggregation": "latest", "window_days": 90, "max_data_age_days": 3650,
        "missing_data_policy": "review", "near_band": Decimal(0), "near_band_source": "fixed",
        "action": "screen_out",
    }  # fmt: skip
    return ScreeningRule(job=job, status="draft", **(values | fields))


# The histogram's rows, and the notice counts (US, FCRA-authorised, LL144 reached, latest).
Counted = tuple[list[tuple[Any, ...]], tuple[Any, ...]]

# The notice counts the previews' warnings report (hiring.fairness.histograms.NoticeCounts):
# the LL144 notices given to the job's candidates, and, for a rule on a third party's
# score, the US candidates and those with both FCRA notices in force.
LL144_COUNT = (
    "SELECT count(DISTINCT candidate_id), max(given_at) FROM renown_candidates_candidatenotice "
    "WHERE kind = 'nyc_ll144_notice' AND withdrawn_at IS NULL AND candidate_id IN "
    "(SELECT candidate_id FROM renown_hiring_application WHERE job_id = %s)"
)
FCRA_COUNTS = (
    "SELECT count(*), count(*) FILTER (WHERE c.id IN (SELECT candidate_id FROM "
    "renown_candidates_candidatenotice WHERE kind = 'fcra_disclosure' AND withdrawn_at IS NULL) "
    "AND c.id IN (SELECT candidate_id FROM renown_candidates_candidatenotice "
    "WHERE kind = 'fcra_authorization' AND withdrawn_at IS NULL)) "
    "FROM renown_candidates_candidate c WHERE c.country = 'US' "
    "AND c.id IN (SELECT candidate_id FROM renown_hiring_application WHERE job_id = %s)"
)
NOTICE_COUNTS = f"SELECT * FROM ({FCRA_COUNTS}) f CROSS JOIN ({LL144_COUNT}) l"  # noqa: S608


def hand_written(job: Any) -> Counted:
    """The same counts as the Klout preview, in one query written for this rule alone:
    each candidate's latest Klout score (the kept latest-value row, as the preview reads
    it), its outcome, grouped by category and footprint (sets joined by hash, as a
    person would write it for speed); and, as its warnings count them, the US
    candidates and those with an FCRA disclosure and authorisation (a third party's
    score), and the NYC LL144 notices given (``NOTICE_COUNTS``)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "WITH k AS (SELECT candidate_id, value FROM renown_scoring_latestreading "
            "WHERE metric = 'vendor:klout' AND as_of <= now()), "
            "f AS (SELECT DISTINCT candidate_id FROM renown_scoring_anomalyflag WHERE kind = "
            "'disagreement' AND jsonb_exists(evidence, 'klout')), "
            "s AS (SELECT DISTINCT candidate_id FROM renown_candidates_socialaccount WHERE status = "
            "'active' AND network NOT IN ('openalex', 'openlibrary', 'orcid')) "
            "SELECT CASE WHEN k.value IS NULL THEN 'insufficient_data' "
            "WHEN f.candidate_id IS NOT NULL THEN 'flagged' WHEN k.value >= 35 THEN 'meets' "
            "ELSE 'below' END AS outcome, coalesce(si.sex, ''), coalesce(si.race_ethnicity, ''), "
            "s.candidate_id IS NULL, count(*) FROM renown_hiring_application p "
            "LEFT JOIN k ON k.candidate_id = p.candidate_id "
            "LEFT JOIN f ON f.candidate_id = p.candidate_id "
            "LEFT JOIN s ON s.candidate_id = p.candidate_id "
            "LEFT JOIN renown_candidates_selfidentification si ON si.candidate_id = p.candidate_id "
            "WHERE p.job_id = %s GROUP BY 1, 2, 3, 4",
            [job.pk],
        )
        rows = cursor.fetchall()
        cursor.execute(NOTICE_COUNTS, [job.pk] * 2)
        return rows, cursor.fetchone()


def hand_written_influence(job: Any) -> Counted:
    """The same counts as the preview of "influence 90-day median ≥ 40" (data age 30 days,
    band ±2), in one query over the same statistics tables (the 90-day row and the latest
    score), as a person would write it for this rule alone; and the NYC LL144 notices
    given, which its warnings count (``LL144_COUNT``)."""
    from django.db import connection

    now = datetime.now(tz=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH f AS (SELECT DISTINCT candidate_id FROM renown_scoring_anomalyflag "
            "WHERE observed_on >= %s AND observed_on <= %s), "
            "s AS (SELECT DISTINCT candidate_id FROM renown_candidates_socialaccount WHERE status = "
            "'active' AND network NOT IN ('openalex', 'openlibrary', 'orcid')) "
            "SELECT CASE WHEN l.as_of IS NULL OR l.as_of < %s OR coalesce(st.readings_90, 0) = 0 "
            "THEN 'insufficient_data' WHEN f.candidate_id IS NOT NULL THEN 'flagged' "
            "WHEN abs((st.median_low_90 + st.median_high_90) / 2 - 40) <= 2 THEN 'near_threshold' "
            "WHEN (st.median_low_90 + st.median_high_90) / 2 >= 40 THEN 'meets' ELSE 'below' END, "
            "coalesce(si.sex, ''), coalesce(si.race_ethnicity, ''), s.candidate_id IS NULL, count(*) "
            "FROM renown_hiring_application p "
            "LEFT JOIN renown_scoring_latestscore l ON l.candidate_id = p.candidate_id "
            "AND l.scorer = 'influence' "
            "LEFT JOIN renown_scoring_scorewindowstats st ON st.candidate_id = p.candidate_id "
            "AND st.scorer = 'influence' "
            "LEFT JOIN f ON f.candidate_id = p.candidate_id "
            "LEFT JOIN s ON s.candidate_id = p.candidate_id "
            "LEFT JOIN renown_candidates_selfidentification si ON si.candidate_id = p.candidate_id "
            "WHERE p.job_id = %s GROUP BY 1, 2, 3, 4",
            [
                (now - timedelta(days=90)).date(),
                now.date(),
                now - timedelta(days=30),
                job.pk,
            ],
        )
        rows = cursor.fetchall()
        cursor.execute(LL144_COUNT, [job.pk])
        return rows, (0, 0, *cursor.fetchone())


def outcome_counts(rows: list[tuple[Any, ...]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome, *_, count in rows:
        counts[outcome] = counts.get(outcome, 0) + count
    return counts


def notice_counts(preview: Any) -> tuple[Any, ...]:
    """The notice counts a preview's warnings read, as the hand-written queries give them."""
    counted = preview.histogram.notices
    return (
        counted.us_candidates, counted.fcra_authorised, counted.ll144_reached, counted.ll144_last,
    )  # fmt: skip


def median_time(label: str, repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    work()  # warm: plans, caches, imports
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"{label}: median {median * 1000:,.0f} ms (min {min(times) * 1000:,.0f}, "
          f"max {max(times) * 1000:,.0f}; {repeat} runs)", flush=True)  # fmt: skip
    return median, result


def main() -> None:
    parser = argparse.ArgumentParser(description="Fairness benchmark (figures, never pass/fail).")
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--rebuild", action="store_true", help="Build the data again.")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--json", action="store_true", help="Print the figures as one JSON object, last line."
    )
    args = parser.parse_args()
    setup_django()
    from renown.models import Organization

    if args.rebuild:
        Organization.objects.filter(slug=SLUG).update(name="rebuild")
    build(args.candidates, args.days)
    self_identify()
    target = job()
    from hiring.fairness.alternatives import fairer_alternatives
    from hiring.fairness.preview import near_threshold_candidates, rule_preview, rules_with_draft

    klout = rules_with_draft(target, draft(target))
    n = args.candidates
    preview_s, preview = median_time(
        "what-if preview, Klout ≥ 35 with all warnings",
        args.repeat,
        lambda: rule_preview(target, klout),
    )
    hand_s, (rows, notices) = median_time("hand-written SQL aggregate of the same counts",
                                          args.repeat, lambda: hand_written(target))  # fmt: skip
    same = {k: v for k, v in preview.outcomes.items() if v} == outcome_counts(rows)
    same = same and notice_counts(preview) == notices
    print(f"  preview counts {dict(sorted(preview.outcomes.items()))}; hand-written "
          f"{dict(sorted(outcome_counts(rows).items()))}: {'the same' if same else 'DIFFERENT'}; "
          f"{len(preview.warnings)} warnings ({len(preview.serious)} serious), "
          f"{len(preview.histogram.cells):,} histogram rows")  # fmt: skip
    print(f"  target ≤ 300 ms at 100,000: {'met' if preview_s <= 0.3 * n / 100_000 else 'NOT met'}; "
          f"ratio to the hand-written query {preview_s / hand_s:.2f} (goal ≤ 1.5: "
          f"{'met' if preview_s <= 1.5 * hand_s else 'NOT met'})")  # fmt: skip

    alternatives_s, (base, found) = median_time(
        "fairer alternatives, Klout ≥ 35",
        args.repeat,
        lambda: fairer_alternatives(target, klout, limit=50),
    )
    print(f"  {len(found)} alternatives, {sum(a.suggested for a in found)} suggested; draft "
          f"selects {base.passes:,}, lowest ratio {base.lowest_ratio_text}; target ≤ 1 s at "
          f"100,000: {'met' if alternatives_s <= 1 * n / 100_000 else 'NOT met'}")  # fmt: skip

    influence = rules_with_draft(
        target,
        draft(
            target,
            metric="influence",
            threshold=Decimal(40),
            aggregation="median",
            max_data_age_days=30,
            near_band=Decimal(2),
        ),
    )
    median_s, median_preview = median_time(
        "what-if preview, influence 90-day median ≥ 40 with all warnings",
        args.repeat,
        lambda: rule_preview(target, influence),
    )
    median_hand_s, (median_rows, median_notices) = median_time(
        "hand-written SQL of the same counts over the statistics tables",
        args.repeat,
        lambda: hand_written_influence(target),
    )
    previewed = {k: v for k, v in median_preview.outcomes.items() if v}
    same_notices = notice_counts(median_preview) == median_notices
    print(f"  preview counts {dict(sorted(previewed.items()))}; hand-written "
          f"{dict(sorted(outcome_counts(median_rows).items()))}: "
          f"{'the same' if previewed == outcome_counts(median_rows) and same_notices else 'DIFFERENT'}; "
          f"{len(median_preview.histogram.cells):,} histogram rows; ratio to the hand-written "
          f"query {median_s / median_hand_s:.2f}, to the Klout preview "
          f"{median_s / preview_s:.2f}")  # fmt: skip
    mine = next(r for r in klout if r.draft)
    median_time("people at the line, Klout ≥ 35 (context)", args.repeat,
                lambda: near_threshold_candidates(target, mine))  # fmt: skip
    figures = {
        "candidates": n,
        "repeat": args.repeat,
        "preview_ms": {"klout": preview_s * 1000, "influence_median": median_s * 1000},
        "raw_sql_ms": {"klout": hand_s * 1000, "influence_median": median_hand_s * 1000},
        "alternatives_ms": alternatives_s * 1000,
    }
    if args.json:
        print(json.dumps({k: _rounded(v) for k, v in figures.items()}))


def _rounded(value: object) -> object:
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return round(value, 1) if isinstance(value, float) else value


if __name__ == "__main__":
    main()
