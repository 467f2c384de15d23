"""The metric histories a screening reads, over scoring's tables (raw SQL on PostgreSQL).

Screening a job reads, per rule, every candidate's history of the rule's metric
at once. Two engines give the same result (a test holds them to it):

- ``metric_aggregates_sql`` (PostgreSQL): the database reduces each candidate's
  history to the aggregate (latest value, median, max, min, and the day-to-day
  noise for a volatility band) in one grouped query per rule. Medians come from
  ``percentile_disc`` (the two middle values, exact) rather than
  ``percentile_cont`` (double precision).
- ``metric_aggregates_python`` (SQLite, which has no ordered-set aggregates, and
  single candidates): one ordered query per rule streams the points and the pure
  ``hiring.screening.evaluation.aggregate`` folds them per candidate.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple, TypeAlias

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Max, Q, QuerySet

from candidates.models import AccountStatus, SocialAccount
from hiring import conf as hiring_conf
from hiring.screening import kept
from hiring.screening.evaluation import (
    BAND_VOLATILITY,
    MISSING_STALE,
    MISSING_WINDOW,
    VOLATILITY_WINDOW_DAYS,
    Aggregate,
    DataPoint,
    RuleSpec,
    aggregate,
    median_from_middles,
    noise_from_middles,
    volatility,
)
from hiring.screening.sql import SQLParam, table_name
from renown.db import fast_timestamps
from scoring import providers, styles
from scoring.models import (
    AnomalyFlag,
    FetchStatus,
    FlagKind,
    MetricSnapshot,
    Score,
    Vendor,
    VendorScore,
)
from scoring.windows import window_start

if TYPE_CHECKING:
    from hiring.models import Application

VENDOR_PREFIX = "vendor:"
METRIC_PREFIX = "metric:"
_METRIC = re.compile(r"^(vendor:[a-z0-9_.-]{1,50}|metric:[a-z0-9_]{1,50}|[a-z][a-z0-9_.]{0,49})$")


# --- metric sources -------------------------------------------------------------------


@dataclass(frozen=True)
class MetricSource:
    """Where a rule's metric is read: a scorer's scores, a vendor's scores, or snapshots."""

    kind: str  # "scorer", "vendor" or "snapshot"
    name: str


def metric_source(metric: str) -> MetricSource:
    """Parse a rule's metric; ValueError for one Renown cannot read, or may not.

    Influence styles (``scoring.styles``) are descriptive only: a metric naming one is
    refused, since a classification used to screen would need its own bias audit.
    """
    if styles.names_a_style(metric):
        raise ValueError(styles.refusal(metric))
    if not _METRIC.match(metric):
        raise ValueError(
            f"Unknown metric {metric!r}: use a scorer (influence, reputation), "
            "vendor:<vendor> (vendor:klout) or metric:<name> (metric:followers)."
        )
    if metric.startswith(VENDOR_PREFIX):
        return MetricSource("vendor", metric.removeprefix(VENDOR_PREFIX))
    if metric.startswith(METRIC_PREFIX):
        return MetricSource("snapshot", metric.removeprefix(METRIC_PREFIX))
    return MetricSource("scorer", metric)


def metric_vendor_choices(*, organization_id: int) -> list[tuple[str, str]]:
    """The ``vendor:<name>`` metrics with a score for a candidate of the organisation, each
    with its vendor's label (native scale), by label: one query.

    Named as the screening reads them (``vendor:klout``; a custom vendor by its
    ``vendor_name``); a custom name no rule can hold (``metric_source`` refuses it) is left out.
    """
    rows = (
        VendorScore.objects.filter(candidate__organization_id=organization_id)
        .order_by("vendor", "vendor_name")
        .values_list("vendor", "vendor_name")
        .distinct()
    )
    found: dict[str, str] = {}
    for vendor, vendor_name in rows:
        custom = vendor == Vendor.CUSTOM
        metric = f"{VENDOR_PREFIX}{vendor_name if custom else vendor}"
        if not _METRIC.match(metric) or styles.names_a_style(metric):
            continue
        if custom:  # a custom vendor named like a known one: the known one's label
            found.setdefault(metric, f"{vendor_name} (custom vendor, declared scale)")
        else:
            found[metric] = Vendor(vendor).label if vendor in Vendor.values else vendor
    return sorted(found.items(), key=lambda choice: (choice[1].casefold(), choice[0]))


def _utc_day_bounds(since: datetime, until: datetime) -> tuple[date, date]:
    """The vendor-score days whose midnight (UTC) lies in [since, until]."""
    first = since.astimezone(UTC)
    day = first.date() if first.time() == time.min else first.date() + timedelta(days=1)
    return day, until.astimezone(UTC).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(str(value))


def _snapshot_filter(name: str) -> Q:
    return Q(
        status=FetchStatus.OK,
        provider__in=providers.blendable_networks(),
        account__status=AccountStatus.ACTIVE,
        metrics__has_key=name,
    )


# A job's applications as ``values("candidate_id")`` rows
# (``hiring.selectors.application_population``), or the candidate ids themselves.
PopulationRows: TypeAlias = "QuerySet[Application, Mapping[str, object]]"
Population: TypeAlias = "PopulationRows | Sequence[int]"


def _in_population(field: str, population: Population) -> Q:
    if isinstance(population, QuerySet):
        return Q(**{f"{field}__in": population})
    return Q(**{f"{field}__in": list(population)})


def metric_point_rows(
    *, metric: str, population: Population, since: datetime, until: datetime
) -> Iterator[tuple[int, DataPoint]]:
    """Every candidate's points of ``metric`` in [since, until], by candidate then time.

    Within a candidate, points at the same time come in insertion order, so the
    last of them is the latest. A snapshot metric (``metric:followers``) is the sum,
    per UTC day, of each active account's last value that day, from providers
    whose data may be blended; the point's time is the newest snapshot summed.
    """
    source = metric_source(metric)
    if source.kind == "scorer":
        rows = (
            Score.objects.filter(
                _in_population("candidate_id", population),
                scorer=source.name,
                as_of__gte=since,
                as_of__lte=until,
            )
            .order_by("candidate_id", "as_of", "id")
            .values_list("candidate_id", "as_of", "value")
            .iterator(chunk_size=5000)
        )
        for candidate_id, at, value in rows:
            yield candidate_id, DataPoint(at=at, value=value)
        return
    if source.kind == "vendor":
        first, last = _utc_day_bounds(since, until)
        vendor_rows = (
            VendorScore.objects.filter(
                Q(vendor=source.name) | Q(vendor="custom", vendor_name=source.name),
                _in_population("candidate_id", population),
                as_of__gte=first,
                as_of__lte=last,
            )
            .order_by("candidate_id", "as_of", "id")
            .values_list("candidate_id", "as_of", "value")
            .iterator(chunk_size=5000)
        )
        for candidate_id, day, value in vendor_rows:
            yield candidate_id, DataPoint(at=_midnight(day), value=value)
        return
    snapshots = (
        MetricSnapshot.objects.filter(
            _snapshot_filter(source.name),
            _in_population("account__candidate_id", population),
            observed_at__gte=since,
            observed_at__lte=until,
        )
        .order_by("account__candidate_id", "observed_at", "id")
        .values_list("account__candidate_id", "account_id", "observed_at", "metrics")
        .iterator(chunk_size=5000)
    )
    for candidate_id, rows_of_one in itertools.groupby(snapshots, key=lambda r: r[0]):
        # Each account's last value per day (later rows win), then a sum per day.
        latest: dict[tuple[date, int], tuple[datetime, Decimal]] = {}
        for _, account_id, observed_at, metrics in rows_of_one:
            reading = _number(metrics.get(source.name)) if isinstance(metrics, dict) else None
            if reading is not None:
                latest[(observed_at.astimezone(UTC).date(), account_id)] = (observed_at, reading)
        days: dict[date, tuple[datetime, Decimal]] = {}
        for (day, _), (observed_at, number) in latest.items():
            at, total = days.get(day, (observed_at, Decimal(0)))
            days[day] = (max(at, observed_at), total + number)
        for day in sorted(days):
            at, total = days[day]
            yield candidate_id, DataPoint(at=at, value=total)


def metric_newest_before(
    *, metric: str, candidate_ids: Collection[int], before: datetime
) -> dict[int, datetime]:
    """For candidates with no recent data: when their newest older point is (if any).

    Tells "stale" (measured once) from "no data" (never measured) in the reasons.
    """
    source = metric_source(metric)
    found: dict[int, datetime] = {}
    ids = sorted(candidate_ids)
    if connection.vendor == "postgresql" and source.kind == "scorer":
        # One index probe per candidate (the covering history index), in one statement.
        with connection.cursor() as cursor:
            fast_timestamps(cursor)
            cursor.execute(
                "SELECT c, (SELECT max(as_of) FROM "  # noqa: S608 - our own table name
                f"{table_name(Score)} s WHERE s.candidate_id = c AND s.scorer = %s "
                "AND s.as_of < %s) FROM unnest(%s::bigint[]) c",
                [source.name, before, ids],
            )
            return {c: newest for c, newest in cursor.fetchall() if newest is not None}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        if source.kind == "scorer":
            rows = (
                Score.objects.filter(candidate_id__in=chunk, scorer=source.name, as_of__lt=before)
                .values("candidate_id")
                .annotate(newest=Max("as_of"))
                .values_list("candidate_id", "newest")
            )
            found.update(rows)
        elif source.kind == "vendor":
            first, _ = _utc_day_bounds(before, before)
            vendor_rows = (
                VendorScore.objects.filter(
                    Q(vendor=source.name) | Q(vendor="custom", vendor_name=source.name),
                    candidate_id__in=chunk,
                    as_of__lt=first,
                )
                .values("candidate_id")
                .annotate(newest=Max("as_of"))
                .values_list("candidate_id", "newest")
            )
            found.update({c: _midnight(d) for c, d in vendor_rows})
        else:
            snapshot_rows = (
                MetricSnapshot.objects.filter(
                    _snapshot_filter(source.name),
                    account__candidate_id__in=chunk,
                    observed_at__lt=before,
                )
                .values("account__candidate_id")
                .annotate(newest=Max("observed_at"))
                .values_list("account__candidate_id", "newest")
            )
            found.update(snapshot_rows)
    return found


class RuleAggregate(NamedTuple):
    found: Aggregate
    volatility: Decimal | None


def metric_aggregates_python(
    *, rule: RuleSpec, population: Population, now: datetime
) -> dict[int, RuleAggregate]:
    """Each candidate's aggregate of the rule's metric, folded here from streamed points.

    Candidates with no point in the period read are absent.
    """
    since = now - timedelta(days=rule.lookback_days)
    found: dict[int, RuleAggregate] = {}
    rows = metric_point_rows(metric=rule.metric, population=population, since=since, until=now)
    for candidate_id, group in itertools.groupby(rows, key=lambda r: r[0]):
        points = [point for _, point in group]
        noise = volatility(points, now=now) if rule.near_band_source == BAND_VOLATILITY else None
        found[candidate_id] = RuleAggregate(aggregate(rule, points, now=now), noise)
    return found


def _points_sql(
    source: MetricSource, population_sql: str, population_params: Sequence[SQLParam],
    since: datetime, until: datetime,
) -> tuple[str, list[SQLParam]]:  # fmt: skip
    """SQL for the points (candidate_id, at, value, tb) of one metric over a population."""
    if source.kind == "scorer":
        return (
            f"SELECT candidate_id, as_of AS at, value, id AS tb FROM {table_name(Score)} "  # noqa: S608
            f"WHERE scorer = %s AND candidate_id IN ({population_sql}) "
            "AND as_of >= %s AND as_of <= %s",
            [source.name, *population_params, since, until],
        )
    if source.kind == "vendor":
        first, last = _utc_day_bounds(since, until)
        return (
            "SELECT candidate_id, (as_of::timestamp AT TIME ZONE 'UTC') AS at, value, id AS tb "  # noqa: S608
            f"FROM {table_name(VendorScore)} "
            "WHERE (vendor = %s OR (vendor = 'custom' AND vendor_name = %s)) "
            f"AND candidate_id IN ({population_sql}) AND as_of >= %s AND as_of <= %s",
            [source.name, source.name, *population_params, first, last],
        )
    # One value per account and UTC day (its last), summed per candidate and day.
    return (
        "SELECT candidate_id, max(observed_at) AS at, sum(v) AS value, 0 AS tb FROM ("  # noqa: S608
        "SELECT DISTINCT ON (s.account_id, (s.observed_at AT TIME ZONE 'UTC')::date) "
        "a.candidate_id, (s.observed_at AT TIME ZONE 'UTC')::date AS day, s.observed_at, "
        "(s.metrics ->> %s)::numeric AS v "
        f"FROM {table_name(MetricSnapshot)} s JOIN {table_name(SocialAccount)} a ON a.id = s.account_id "
        f"WHERE a.candidate_id IN ({population_sql}) AND a.status = %s AND s.status = %s "
        "AND s.provider = ANY(%s) AND s.observed_at >= %s AND s.observed_at <= %s "
        "AND jsonb_typeof(s.metrics -> %s) = 'number' "
        "ORDER BY s.account_id, (s.observed_at AT TIME ZONE 'UTC')::date, "
        "s.observed_at DESC, s.id DESC) d GROUP BY candidate_id, day",
        [
            source.name, *population_params, AccountStatus.ACTIVE.value, FetchStatus.OK.value,
            list(providers.blendable_networks()), since, until, source.name,
        ],
    )  # fmt: skip


def _older_sql(
    source: MetricSource, candidate: str, before: datetime
) -> tuple[str, list[SQLParam]]:
    """SQL for one candidate's newest point before ``before`` (the stale-or-never probe)."""
    if source.kind == "scorer":
        return (
            f"SELECT max(as_of) FROM {table_name(Score)} o WHERE o.candidate_id = {candidate} "  # noqa: S608
            "AND o.scorer = %s AND o.as_of < %s",
            [source.name, before],
        )
    if source.kind == "vendor":
        first, _ = _utc_day_bounds(before, before)
        return (
            "SELECT (max(as_of)::timestamp AT TIME ZONE 'UTC') "  # noqa: S608
            f"FROM {table_name(VendorScore)} o WHERE o.candidate_id = {candidate} "
            "AND (o.vendor = %s OR (o.vendor = 'custom' AND o.vendor_name = %s)) AND o.as_of < %s",
            [source.name, source.name, first],
        )
    return (
        f"SELECT max(o.observed_at) FROM {table_name(MetricSnapshot)} o "  # noqa: S608
        f"JOIN {table_name(SocialAccount)} oa ON oa.id = o.account_id "
        f"WHERE oa.candidate_id = {candidate} AND oa.status = %s AND o.status = %s "
        "AND o.provider = ANY(%s) AND o.observed_at < %s AND jsonb_exists(o.metrics, %s)",
        [
            AccountStatus.ACTIVE.value, FetchStatus.OK.value,
            list(providers.blendable_networks()), before, source.name,
        ],
    )  # fmt: skip


def _latest_sql(
    source: MetricSource, candidate: str, until: datetime
) -> tuple[str, list[SQLParam]]:
    """SQL for one candidate's newest point at ``until`` (at, value), however old."""
    if source.kind == "scorer":
        return (
            f"SELECT s.as_of AS at, s.value FROM {table_name(Score)} s "  # noqa: S608
            f"WHERE s.candidate_id = {candidate} AND s.scorer = %s AND s.as_of <= %s "
            "ORDER BY s.as_of DESC, s.id DESC LIMIT 1",
            [source.name, until],
        )
    _, last = _utc_day_bounds(until, until)
    return (
        "SELECT (v.as_of::timestamp AT TIME ZONE 'UTC') AS at, v.value "  # noqa: S608
        f"FROM {table_name(VendorScore)} v WHERE v.candidate_id = {candidate} "
        "AND (v.vendor = %s OR (v.vendor = 'custom' AND v.vendor_name = %s)) AND v.as_of <= %s "
        "ORDER BY v.as_of DESC, v.id DESC LIMIT 1",
        [source.name, source.name, last],
    )


def _work_mem(cursor: CursorWrapper) -> None:
    fast_timestamps(cursor)  # a read of every candidate's newest time
    # SET takes no parameters; set_config does, and is_local=true lasts the transaction.
    # JIT compiling these short-lived plans costs more than it saves.
    cursor.execute("SELECT set_config('jit', 'off', true)")
    if work_mem := hiring_conf.get("RENOWN_SCREENING_WORK_MEM"):
        cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])


def _ids(population: Population) -> list[int] | None:
    """The candidate ids of a population given as ids; None for a queryset (a job's)."""
    return None if isinstance(population, QuerySet) else list(population)


def _population_sql(population: Population) -> tuple[str, list[SQLParam]]:
    if isinstance(population, QuerySet):
        sql, params = population.query.sql_with_params()
        return sql, list(params)
    ids = list(population) or [0]
    return "SELECT unnest(%s::bigint[])", [ids]


def metric_aggregates_query(
    *, rule: RuleSpec, population: Population, now: datetime, joined: bool = False
) -> tuple[str, list[SQLParam]]:
    """SQL (PostgreSQL) for each candidate's aggregate of the rule's metric.

    ``joined``: the caller joins the rows to the population itself, so rows read from
    the kept statistics (one per person, found by index) need no restriction of their
    own, and the planner joins them as it would a table; a reduction of the history is
    restricted to the population all the same.

    Rows ``(candidate_id, newest, first, second, used)``: ``first`` is the value (the
    lower middle for a median, ``second`` its upper middle); ``used`` is NULL for a
    candidate with nothing in the period read but an older point (``newest``), 0 for
    nothing inside the window. Candidates never measured have no row.
    """
    source = metric_source(rule.metric)
    if source.kind == "scorer" and kept.statistics_apply(rule, _ids(population), now):
        if joined:
            return kept.aggregates_query(rule, source.name, None, [])
        return kept.aggregates_query(rule, source.name, *_population_sql(population))
    if source.kind != "scorer" and kept.statistics_apply(rule, _ids(population), now):
        # A vendor's latest is read however old; a raw metric's within the period read.
        since = now - timedelta(days=rule.lookback_days) if source.kind == "snapshot" else None
        if joined:
            return kept.readings_query(rule.metric, since, None, [])
        return kept.readings_query(rule.metric, since, *_population_sql(population))
    since = now - timedelta(days=rule.lookback_days)
    population_sql, population_params = _population_sql(population)
    points_sql, points_params = _points_sql(source, population_sql, population_params, since, now)
    older_sql, older_params = _older_sql(source, "u.candidate_id", since)
    window: list[SQLParam] = [window_start(now, rule.window_days)]
    if not rule.uses_window:
        inner = "(array_agg(value ORDER BY at DESC, tb DESC))[1] AS a, 1 AS n"
        outer = "a, NULL, n"
        inner_params: list[SQLParam] = []
    elif rule.aggregation == "median":
        # The two middle values (equal for an odd count), exact, from one sort: the
        # first value at or past half the count, and the first strictly past it (a
        # fraction a hair above 0.5 lands on the next position for any count < 10^6).
        inner = (
            "percentile_disc(ARRAY[0.5, 0.5000001]) WITHIN GROUP (ORDER BY value) "
            "FILTER (WHERE at >= %s) AS a, count(*) FILTER (WHERE at >= %s) AS n"
        )
        outer = "a[1], a[2], n"
        inner_params = window * 2
    elif rule.aggregation in ("max", "min"):
        inner = (
            f"{rule.aggregation}(value) FILTER (WHERE at >= %s) AS a, "
            "count(*) FILTER (WHERE at >= %s) AS n"
        )
        outer = "a, NULL, n"
        inner_params = window * 2
    else:
        raise ValueError(f"unknown aggregation {rule.aggregation!r}")
    # Candidates with nothing in the period read: their newest older point, if any, in
    # the same statement (an index probe each, only for them: OFFSET 0 keeps the probe
    # above the anti-join), to tell "stale" from "never measured".
    # The population stays inline (not a CTE): the planner then walks it in candidate
    # order along the job's unique index and aggregates the history index without a sort.
    sql = (
        f"WITH p AS ({points_sql}), "  # noqa: S608
        f"g AS (SELECT candidate_id, max(at) AS newest, {inner} FROM p GROUP BY candidate_id) "
        f"SELECT candidate_id, newest, {outer} FROM g UNION ALL "
        f"SELECT candidate_id, newest, NULL, NULL, NULL FROM (SELECT u.candidate_id, "
        f"({older_sql}) AS newest FROM "
        f"(SELECT pop.candidate_id FROM ({population_sql}) pop WHERE NOT EXISTS "
        "(SELECT 1 FROM g WHERE g.candidate_id = pop.candidate_id) OFFSET 0) u) o "
        "WHERE newest IS NOT NULL"
    )
    params = [*points_params, *inner_params, *older_params, *population_params]
    if not rule.uses_window and source.kind == "vendor":
        # Vendor scores are few (an import or two per person, for some people): one pass
        # over them, newest first per candidate, beats a probe for every candidate.
        _, last = _utc_day_bounds(now, now)
        sql = (
            "SELECT DISTINCT ON (v.candidate_id) v.candidate_id, "  # noqa: S608
            "(v.as_of::timestamp AT TIME ZONE 'UTC') AS at, v.value, NULL, 1 "
            f"FROM {table_name(VendorScore)} v "
            "WHERE (v.vendor = %s OR (v.vendor = 'custom' AND v.vendor_name = %s)) "
            f"AND v.as_of <= %s AND v.candidate_id IN ({population_sql}) "
            "ORDER BY v.candidate_id, v.as_of DESC, v.id DESC"
        )
        return sql, [source.name, source.name, last, *population_params]
    if not rule.uses_window and source.kind != "snapshot":
        # The latest value is one index probe per candidate, stale or not.
        latest_sql, latest_params = _latest_sql(source, "pop.candidate_id", now)
        sql = (
            "SELECT pop.candidate_id, l.at, l.value, NULL, 1 "  # noqa: S608
            f"FROM ({population_sql}) pop CROSS JOIN LATERAL ({latest_sql}) l"
        )
        params = [*population_params, *latest_params]
    return sql, params


# A candidate's aggregate as a screening run reads it: (value, points used, why missing,
# newest time). A plain tuple: a run builds one per candidate and rule, 300,000 for a
# job of 100,000 with three rules, and a tuple costs a fraction of a named one.
Measured = tuple[Decimal | None, int, str, datetime | None]


def metric_measures_sql(
    *, rule: RuleSpec, population: Population, now: datetime
) -> dict[int, Measured]:
    """Each candidate's aggregate of the rule's metric, computed by PostgreSQL, as
    ``Measured`` tuples (``metric_aggregates_sql`` has them as ``Aggregate`` tuples).

    One grouped query per rule (``metric_aggregates_query``). Candidates with no point
    in the period read but an older one are "stale" (with that point's time); those
    never measured are absent. PostgreSQL only.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("metric_measures_sql needs PostgreSQL")
    sql, params = metric_aggregates_query(rule=rule, population=population, now=now)
    found: dict[int, Measured] = {}
    fresh_after = now - timedelta(days=rule.max_data_age_days)
    median = rule.aggregation == "median"
    with transaction.atomic(), connection.cursor() as cursor:
        _work_mem(cursor)
        cursor.execute(sql, params)
        for candidate_id, newest_at, first, second, used in cursor.fetchall():
            if used is None or newest_at < fresh_after:
                found[candidate_id] = (None, 0, MISSING_STALE, newest_at)
            elif not used:
                found[candidate_id] = (None, 0, MISSING_WINDOW, newest_at)
            else:
                value = median_from_middles(first, second) if median else first
                found[candidate_id] = (value, used, "", newest_at)
    return found


def metric_aggregates_sql(
    *, rule: RuleSpec, population: Population, now: datetime
) -> dict[int, RuleAggregate]:
    """Each candidate's aggregate of the rule's metric, computed by PostgreSQL.

    ``metric_measures_sql``'s figures as ``RuleAggregate`` tuples; a volatility band adds
    ``metric_volatility_sql``. PostgreSQL only.
    """
    found = {
        candidate_id: RuleAggregate(
            Aggregate(value=value, points_used=used, newest_at=newest_at, missing=missing),
            None,
        )
        for candidate_id, (value, used, missing, newest_at) in metric_measures_sql(
            rule=rule, population=population, now=now
        ).items()
    }
    if rule.near_band_source == BAND_VOLATILITY:
        return with_noise(found, metric_volatility_sql(rule=rule, population=population, now=now))
    return found


def with_noise(
    found: dict[int, RuleAggregate], noise: dict[int, Decimal]
) -> dict[int, RuleAggregate]:
    """The aggregates with each candidate's noise (0 without two values to compare)."""
    zero = Decimal(0)
    return {
        candidate_id: RuleAggregate(measured, noise.get(candidate_id, zero))
        for candidate_id, (measured, _) in found.items()
    }


def _rule_points_sql(
    rule: RuleSpec, population: Population, now: datetime
) -> tuple[str, list[SQLParam]]:
    since = now - timedelta(days=rule.lookback_days)
    population_sql, population_params = _population_sql(population)
    return _points_sql(metric_source(rule.metric), population_sql, population_params, since, now)


def metric_volatility_query(
    *, rule: RuleSpec, population: Population, now: datetime
) -> tuple[str, list[SQLParam]]:
    """SQL (PostgreSQL) for each candidate's day-to-day noise: rows ``(candidate_id, low,
    high)``, the two middle absolute deviations (noise = 1.4826 × their mean)."""
    source = metric_source(rule.metric)
    if source.kind == "scorer" and kept.statistics_apply(rule, _ids(population), now):
        return kept.noise_query(source.name, *_population_sql(population))
    points_sql, points_params = _rule_points_sql(rule, population, now)
    sql = (
        f"WITH p AS ({points_sql}), "  # noqa: S608
        "c AS (SELECT candidate_id, value - lag(value) OVER "
        "(PARTITION BY candidate_id ORDER BY at, tb) AS change FROM p WHERE at >= %s), "
        "g AS (SELECT candidate_id, array_agg(change ORDER BY change) AS a, count(*) AS n "
        "FROM c WHERE change IS NOT NULL GROUP BY candidate_id), "
        "m AS (SELECT candidate_id, a, n, (a[(n + 1) / 2] + a[n / 2 + 1]) / 2 AS centre FROM g) "
        "SELECT candidate_id, d[(n + 1) / 2], d[n / 2 + 1] FROM m, LATERAL "
        "(SELECT array_agg(abs(x - centre) ORDER BY abs(x - centre)) AS d FROM unnest(a) x) dev"
    )
    return sql, [*points_params, window_start(now, VOLATILITY_WINDOW_DAYS)]


def metric_volatility_sql(
    *, rule: RuleSpec, population: Population, now: datetime
) -> dict[int, Decimal]:
    """Each candidate's day-to-day noise of the metric over 90 days, exact (PostgreSQL).

    MAD of the changes between consecutive values × 1.4826, as
    ``hiring.screening.evaluation.volatility_of_values``; candidates with fewer than two
    values are absent.
    """
    sql, params = metric_volatility_query(rule=rule, population=population, now=now)
    with transaction.atomic(), connection.cursor() as cursor:
        _work_mem(cursor)
        cursor.execute(sql, params)
        return {
            candidate_id: noise_from_middles(low, high)
            for candidate_id, low, high in cursor.fetchall()
        }


def flagged_ids_query(
    *, metric: str, since: date, until: date
) -> tuple[str, list[SQLParam]] | None:
    """SQL (PostgreSQL) for the candidates with a flag observed in [since, until] that
    casts doubt on ``metric``: ``flags_for_population`` read through
    ``hiring.screening.evaluation.flag_applies``, in SQL (a test holds the two to the
    same candidates). None when no flag can concern the metric.

    Any flag concerns ``influence``; gaming signs (every kind but a disagreement) the
    ``metric:`` counts; a disagreement a vendor's score when its evidence names the vendor.
    """
    table = table_name(AnomalyFlag)
    rows = f"SELECT candidate_id FROM {table} WHERE observed_on >= %s AND observed_on <= %s"  # noqa: S608
    params: list[SQLParam] = [since, until]
    disagreement = FlagKind.DISAGREEMENT.value
    if metric == "influence":
        return rows, params
    if metric.startswith(METRIC_PREFIX):
        return f"{rows} AND kind <> %s", [*params, disagreement]
    for prefix in ("vendor:", "vendor."):
        if metric.startswith(prefix):
            vendor = metric.removeprefix(prefix)
            if vendor == "percentiles":  # not a source: the evidence's own figures
                return None
            return f"{rows} AND kind = %s AND jsonb_exists(evidence, %s)", [
                *params, disagreement, vendor,
            ]  # fmt: skip
    return None


class FlagFact(NamedTuple):
    kind: str
    sources: frozenset[str]
    observed_on: date
    label: str


def flags_for_population(
    *, population: Population, since: date, until: date
) -> dict[int, list[FlagFact]]:
    """Anomaly flags observed in [since, until] per candidate (gaming signs, disagreements)."""
    found: dict[int, list[FlagFact]] = {}
    rows = AnomalyFlag.objects.filter(
        _in_population("candidate_id", population),
        observed_on__gte=since,
        observed_on__lte=until,
    ).values_list("candidate_id", "kind", "evidence", "observed_on")
    for candidate_id, kind, evidence, observed_on in rows:
        sources = frozenset(k for k in (evidence or {}) if k != "percentiles")
        label = FlagKind(kind).label if kind in FlagKind.values else kind
        found.setdefault(candidate_id, []).append(
            FlagFact(kind, sources, observed_on, f"{label} ({observed_on})")
        )
    return found
