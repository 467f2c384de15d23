"""Reading the window statistics scoring keeps (``scoring.window_stats``), one row a person.

``hiring.screening.metrics`` asks ``statistics_apply`` before it builds a rule's
aggregate query: when the statistics hold the answer, the query is one join per person
(``aggregates_query``, ``noise_query``) instead of a reduction of the history. The rows
have the shapes of the history queries, so every reader (the screening run, the preview's
histogram, the alternatives, the near-line list) takes them as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from django.db import connection

from hiring.screening.evaluation import BAND_VOLATILITY, RuleSpec
from hiring.screening.sql import SQLParam, table_name
from scoring import window_stats
from scoring.models import LatestReading, LatestScore, ScoreWindowStats


def statistics_apply(rule: RuleSpec, candidate_ids: Sequence[int] | None, now: datetime) -> bool:
    """Whether a rule's aggregate is read from the statistics kept at scoring time.

    On PostgreSQL, for a scorer's latest value (``LatestScore``) or its median, maximum
    or minimum over one of the kept windows (``ScoreWindowStats``), or the latest value
    of a vendor's score or a raw metric (``LatestReading``), evaluated today: a
    screening or a preview of the present. Anything else (another window, a past
    ``now``) reduces the history. Before saying yes it slides the rows of these
    candidates (None: all) that the hourly task has not (``window_stats_ensure``).
    """
    if connection.vendor != "postgresql" or not window_stats.statistics_enabled():
        return False
    if now.astimezone(UTC).date() != window_stats.today():
        return False
    if ":" in rule.metric:  # vendor:… and metric:…: their latest value only (LatestReading)
        return not rule.uses_window
    if rule.uses_window and rule.window_days not in window_stats.WINDOWS:
        return False
    if rule.uses_window or rule.near_band_source == BAND_VOLATILITY:
        window_stats.window_stats_ensure(candidate_ids, scorer=rule.metric)
    return True


def _per_person(
    table: str, alias: str, population_sql: str | None, population_params: list[SQLParam]
) -> tuple[str, list[SQLParam]]:
    """``table`` as ``alias``, joined to the population (None: every candidate's row)."""
    if population_sql is None:
        return f"{table} {alias}", []
    joined = (
        f"({population_sql}) pop JOIN {table} {alias} ON {alias}.candidate_id = pop.candidate_id"
    )
    return joined, list(population_params)


def aggregates_query(
    rule: RuleSpec, scorer: str, population_sql: str | None, population_params: list[SQLParam]
) -> tuple[str, list[SQLParam]]:
    """``metric_aggregates_query``'s rows from the statistics: one join per person.

    ``newest`` is the newest score overall (``LatestScore``): the reader tells stale from
    fresh by it; ``used`` is the window's readings (0: none inside the window).
    ``population_sql`` None: every candidate's row (the caller joins its population).
    """
    rows, params = _per_person(table_name(LatestScore), "l", population_sql, population_params)
    if not rule.uses_window:
        return (
            f"SELECT l.candidate_id, l.as_of, l.value, NULL, 1 FROM {rows} "  # noqa: S608
            "WHERE l.scorer = %s",
            [*params, scorer],
        )
    days = rule.window_days
    first, second = {
        "median": (f"st.median_low_{days}", f"st.median_high_{days}"),
        "max": (f"st.max_{days}", "NULL"),
        "min": (f"st.min_{days}", "NULL"),
    }[rule.aggregation]
    return (
        f"SELECT l.candidate_id, l.as_of, {first}, {second}, coalesce(st.readings_{days}, 0) "  # noqa: S608
        f"FROM {rows} LEFT JOIN {table_name(ScoreWindowStats)} st "
        "ON st.candidate_id = l.candidate_id AND st.scorer = l.scorer "
        "WHERE l.scorer = %s",
        [*params, scorer],
    )


def readings_query(
    metric: str,
    since: datetime | None,
    population_sql: str | None,
    population_params: list[SQLParam],
) -> tuple[str, list[SQLParam]]:
    """``metric_aggregates_query``'s rows for a "latest" vendor or raw-metric rule
    (``vendor:klout``, ``metric:followers``) from ``LatestReading``: one join per person.

    ``since``: the start of the period the history reads (a raw metric's), before which
    a reading is only the "stale" probe's newest point (no value, ``used`` NULL); None
    for a vendor's, read however old. ``population_sql`` None: every candidate's row
    (the caller joins its population).
    """
    rows, params = _per_person(table_name(LatestReading), "r", population_sql, population_params)
    if since is None:
        return (
            f"SELECT r.candidate_id, r.as_of, r.value, NULL, 1 FROM {rows} "  # noqa: S608
            "WHERE r.metric = %s",
            [*params, metric],
        )
    return (
        "SELECT r.candidate_id, r.as_of, CASE WHEN r.as_of >= %s THEN r.value END, NULL, "  # noqa: S608
        f"CASE WHEN r.as_of >= %s THEN 1 END FROM {rows} WHERE r.metric = %s",
        [since, since, *params, metric],
    )


def noise_query(
    scorer: str, population_sql: str, population_params: list[SQLParam]
) -> tuple[str, list[SQLParam]]:
    """``metric_volatility_query``'s rows ``(candidate_id, low, high)``: the kept noise
    is that of the 90-day window (``VOLATILITY_WINDOW_DAYS``)."""
    return (
        "SELECT candidate_id, noise_low, noise_high "  # noqa: S608
        f"FROM {table_name(ScoreWindowStats)} WHERE scorer = %s "
        f"AND noise_low IS NOT NULL AND candidate_id IN ({population_sql})",
        [scorer, *population_params],
    )
