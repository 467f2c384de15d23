"""The histogram behind the what-if preview (``preview``) and fairer alternatives
(``alternatives``): what a rule would do before it goes live.

Both read the job's population once into a **histogram**: one row per distinct
combination of what each rule would read for a candidate (value, why it is missing,
noise, whether flags apply), self-identified sex and race/ethnicity, and whether the
candidate has any online account, with a count. On PostgreSQL the histogram is a
``GROUP BY`` over the same per-candidate aggregate queries a screening run uses
(``hiring.metrics.metric_aggregates_query``), with the flags that concern each rule as a
hashed set (``metrics.flagged_ids_query``) and, when the preview asks, the FCRA and
LL144 notices the warnings read counted beside it (``NoticeCounts``): one statement,
one round trip; elsewhere the same aggregates are folded here and counted. Each
distinct row is then judged (``preview.evaluate``) by the screening's own ``judge`` and
``verdict`` (cached), so a preview's outcome is exactly the outcome a screening run would
write, and fifty alternatives cost fifty passes over a few thousand rows, not fifty
reads of the population.

A value matters to a judgement only by where it lies among the points at which some
rule that will judge it changes its mind: its threshold, the edges of its near band and
the "fails by a point" margin (``judging_points``). So, unless a rule reads the
candidate's own noise, the histogram keeps each value's place among those points (a
class: below, at, between, above) instead of the value itself, and the judging sees a
value of the same class: the same outcome as the exact value, for a few hundred rows
instead of one per candidate. ``evaluate`` refuses a rule whose points a column was not
classed by.

Privacy: the histogram holds counts, never candidate ids. The only named candidates a
preview lists are those near the line (``near_threshold_candidates``), with their
value and nothing else: no demographic breakdown is ever put beside a name. The
demographic cells feed ``hiring.fairness`` (which writes categories under 5 people as
"fewer than 5" for anyone but auditors) and ``hiring.fairness.bias_audit``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from django.db import connection, transaction
from django.db.models import Q

from candidates.models import (
    AccountStatus,
    Candidate,
    CandidateNotice,
    NoticeKind,
    RaceEthnicity,
    SelfIdentification,
    Sex,
    SocialAccount,
)
from hiring import conf as hiring_conf
from hiring import selectors
from hiring.fairness import bias_audit as audit_maths
from hiring.fairness.warning import STALE_AFTER_DAYS
from hiring.models import Job
from hiring.screening import metrics
from hiring.screening.evaluation import (
    BAND_VOLATILITY,
    COMBINE_ALL,
    MISSING_NONE,
    MISSING_STALE,
    MISSING_WINDOW,
    RuleSpec,
    flag_applies,
    median_from_middles,
    noise_from_middles,
)
from hiring.screening.sql import SQLParam
from renown.db import fast_timestamps

# Networks that describe offline reputation (an author id), not an online footprint.
OFFLINE_NETWORKS: Final = frozenset({"openalex", "openlibrary", "orcid"})
# The measurement noise assumed for "fails by a point": the person at 34 against 35.
JUST_BELOW_MARGIN: Final = Decimal(1)

SEX_LABELS: Final[dict[str, audit_maths.Sex]] = {Sex.MALE: "Male", Sex.FEMALE: "Female"}
RACE_LABELS: Final[dict[str, audit_maths.RaceEthnicity]] = {
    RaceEthnicity.HISPANIC_OR_LATINO: "Hispanic or Latino",
    RaceEthnicity.WHITE: "White",
    RaceEthnicity.BLACK_OR_AFRICAN_AMERICAN: "Black or African American",
    RaceEthnicity.NATIVE_HAWAIIAN_OR_PACIFIC_ISLANDER: "Native Hawaiian or Pacific Islander",
    RaceEthnicity.ASIAN: "Asian",
    RaceEthnicity.NATIVE_AMERICAN_OR_ALASKA_NATIVE: "Native American or Alaska Native",
    RaceEthnicity.TWO_OR_MORE_RACES: "Two or More Races",
}


@dataclass(frozen=True)
class PreviewRule:
    """One rule as the preview combines it: what it reads, what it does, its group."""

    spec: RuleSpec
    action: str
    group_key: str
    combinator: str = COMBINE_ALL
    draft: bool = False  # the rule being edited (alternatives vary this one)

    @property
    def line(self) -> str:
        return self.spec.line


# What one rule reads for a candidate: value, why missing, noise, whether flags apply,
# and whether the newest point is older than a year (for the stale-data warning).
Measure = tuple[Decimal | None, str, Decimal | None, bool, bool]


@dataclass(frozen=True)
class Cell:
    """A histogram row: ``count`` candidates who share all of it."""

    measures: tuple[Measure, ...]
    sex: audit_maths.Sex | None
    race_ethnicity: audit_maths.RaceEthnicity | None
    no_footprint: bool
    count: int


# A cell's key while counting: measures, sex, race/ethnicity, no footprint.
_CellKey = tuple[
    tuple[Measure, ...], audit_maths.Sex | None, audit_maths.RaceEthnicity | None, bool
]


# The sorted values at which a column's judgements change (``judging_points``).
Points = tuple[Decimal, ...]


def judging_points(specs: Iterable[RuleSpec]) -> Points | None:
    """The values at which any of ``specs`` judges a value differently: each threshold,
    the edges of its near band and ``JUST_BELOW_MARGIN`` either side. None when one of
    them widens its band by the candidate's own noise (the edges move per person), or
    when there is no rule: such a column keeps exact values.
    """
    points: set[Decimal] = set()
    for spec in specs:
        if spec.near_band_source == BAND_VOLATILITY:
            return None
        line = spec.threshold
        points |= {line, line - JUST_BELOW_MARGIN, line + JUST_BELOW_MARGIN}
        if spec.near_band > 0:
            points |= {line - spec.near_band, line + spec.near_band}
    return tuple(sorted(points)) or None


def value_class(value: Decimal, points: Points) -> int:
    """Where ``value`` lies among ``points``: 0 below the first, 2i + 1 at the i-th, 2i
    between the (i-1)-th and the i-th, 2n above the last. The SQL twin is
    ``_class_sql``: the number of points below the value plus the number at or below it.
    """
    below = bisect_left(points, value)
    return 2 * below + (1 if below < len(points) and points[below] == value else 0)


def class_value(index: int, points: Points) -> Decimal:
    """A value of class ``index`` (``value_class``): the point itself, the middle of two
    points, or one beyond the first or the last."""
    if index == 0:
        return points[0] - 1
    if index == 2 * len(points):
        return points[-1] + 1
    if index % 2:
        return points[index // 2]
    return (points[index // 2 - 1] + points[index // 2]) / 2


def _class_sql(value_sql: str, points: Points, scale: int) -> tuple[str, list[SQLParam]]:
    """``value_class`` in SQL over ``value_sql``, which is ``scale`` times the value (the
    median's two middle values added, so that no division rounds); NULL stays NULL."""
    # width_bucket(v, a) counts the points at or below v (a binary search); the points
    # strictly below v are n minus those at or above it, the same count on -v and -a.
    scaled = [point * scale for point in points]
    negated = [-point for point in reversed(scaled)]
    sql = (
        f"(width_bucket({value_sql}, %s::numeric[]) + %s "
        f"- width_bucket(-({value_sql}), %s::numeric[]))"
    )
    return sql, [scaled, len(points), negated]


@dataclass(frozen=True)
class NoticeCounts:
    """The notices the FCRA and LL144 warnings read, counted over the histogram's
    population by the histogram's own statement (``preview.rule_context`` takes them).

    ``us_candidates`` / ``fcra_authorised``: US candidates, and those of them with both the
    FCRA disclosure and the authorisation in force (0 and 0 when not asked);
    ``ll144_reached``: candidates with the LL144 notice in force, ``ll144_last`` the
    latest of those notices (0 and None when not asked). ``fcra`` / ``ll144``: which of
    them were counted.
    """

    fcra: bool
    ll144: bool
    us_candidates: int = 0
    fcra_authorised: int = 0
    ll144_reached: int = 0
    ll144_last: datetime | None = None


@dataclass
class Histogram:
    rules: tuple[PreviewRule, ...]
    cells: list[Cell]
    newest: list[date | None]  # per rule: the newest and oldest newest point
    oldest: list[date | None]
    # per rule: the points its values were classed by (None: exact values)
    points: list[Points | None]
    # counted with the histogram when asked (PostgreSQL); None: the caller counts them
    notices: NoticeCounts | None = None

    @property
    def total(self) -> int:
        return sum(cell.count for cell in self.cells)


# --- reading the population ----------------------------------------------------------


def _population(job: Job) -> metrics.PopulationRows:
    return selectors.application_population(job=job)


def _flagged_ids(rule: RuleSpec, population: metrics.Population, now: datetime) -> set[int]:
    since = (now - timedelta(days=rule.lookback_days)).date()
    found = metrics.flags_for_population(population=population, since=since, until=now.date())
    return {
        candidate_id
        for candidate_id, flags in found.items()
        if any(flag_applies(rule.metric, f.kind, f.sources) for f in flags)
    }


def _footprint_q() -> Q:
    return Q(status=AccountStatus.ACTIVE) & ~Q(network__in=OFFLINE_NETWORKS)


def _measure(
    rule: RuleSpec,
    *,
    value: Decimal | None,
    missing: str,
    noise: Decimal | None = None,
    flagged: bool = False,
    year_old: bool = False,
) -> Measure:
    if value is None:
        return (None, missing, None, False, year_old)
    noise = noise if rule.near_band_source == BAND_VOLATILITY else None
    return (value, "", noise, flagged, year_old)


_RULE_COLUMNS: Final = 9


def _notices_sql(
    population_sql: str, population_params: Sequence[SQLParam], *, fcra: bool, ll144: bool
) -> tuple[list[str], list[SQLParam], list[str]]:
    """The one-row parts of the histogram's statement that count ``NoticeCounts``:
    (CTEs, their params, the four columns). Each reads the population again, written out
    (a CTE read twice would be materialised: the histogram would lose its plan)."""
    notice = connection.ops.quote_name(CandidateNotice._meta.db_table)
    ctes: list[str] = []
    params: list[SQLParam] = []
    columns = ["0", "0", "0", "NULL::timestamptz"]
    if fcra:
        candidate = connection.ops.quote_name(Candidate._meta.db_table)
        # The notices in force as hashed sets, not a probe per candidate (``fcra_counts``).
        told = (
            f"c.id IN (SELECT candidate_id FROM {notice} "  # noqa: S608
            "WHERE kind = %s AND withdrawn_at IS NULL)"
        )
        ctes.append(
            f"fcra (us, authorised) AS (SELECT count(*), count(*) FILTER (WHERE {told} "  # noqa: S608
            f"AND {told}) FROM {candidate} c WHERE c.country = %s AND c.id IN ({population_sql}))"
        )
        params += [
            NoticeKind.FCRA_DISCLOSURE.value, NoticeKind.FCRA_AUTHORIZATION.value, "US",
            *population_params,
        ]  # fmt: skip
        columns[:2] = ["fcra.us", "fcra.authorised"]
    if ll144:
        ctes.append(
            f"ll144 (reached, last) AS (SELECT count(DISTINCT candidate_id), max(given_at) "  # noqa: S608
            f"FROM {notice} WHERE kind = %s AND withdrawn_at IS NULL "
            f"AND candidate_id IN ({population_sql}))"
        )
        params += [NoticeKind.NYC_LL144_NOTICE.value, *population_params]
        columns[2:] = ["ll144.reached", "ll144.last"]
    return ctes, params, columns


def _histogram_sql(
    rules: Sequence[PreviewRule],
    job: Job,
    now: datetime,
    points: Sequence[Points | None],
    *,
    fcra: bool = False,
    ll144: bool = False,
) -> Histogram:
    population = _population(job)
    population_sql, population_params = population.query.sql_with_params()
    ctes: list[str] = []
    cte_params: list[SQLParam] = []
    columns: list[str] = []
    column_params: list[SQLParam] = []
    joins: list[str] = []
    year_ago = now - timedelta(days=STALE_AFTER_DAYS)
    for index, entry in enumerate(rules):
        sql, rule_params = metrics.metric_aggregates_query(
            rule=entry.spec, population=population, now=now, joined=True
        )
        ctes.append(f"r{index} (candidate_id, newest, first, second, used) AS ({sql})")
        cte_params += rule_params
        joins.append(f"LEFT JOIN r{index} ON r{index}.candidate_id = pop.candidate_id")
        columns += [
            f"r{index}.candidate_id IS NOT NULL",
            f"r{index}.newest >= %s",
            f"r{index}.newest < %s",
        ]
        column_params += [now - timedelta(days=entry.spec.max_data_age_days), year_ago]
        if (classed_by := points[index]) is not None:
            median = entry.spec.aggregation == "median"
            value_sql = f"r{index}.first + r{index}.second" if median else f"r{index}.first"
            class_sql, class_params = _class_sql(value_sql, classed_by, 2 if median else 1)
            columns += [class_sql, "NULL::numeric"]
            column_params += class_params
        else:
            columns += [f"r{index}.first", f"r{index}.second"]
        columns.append(f"r{index}.used")
        if entry.spec.near_band_source == BAND_VOLATILITY:
            noise_sql, noise_params = metrics.metric_volatility_query(
                rule=entry.spec, population=population, now=now
            )
            ctes.append(f"v{index} (candidate_id, low, high) AS ({noise_sql})")
            cte_params += noise_params
            joins.append(f"LEFT JOIN v{index} ON v{index}.candidate_id = pop.candidate_id")
            columns += [f"v{index}.low", f"v{index}.high"]
        else:
            columns += ["NULL::numeric", "NULL::numeric"]
        since = (now - timedelta(days=entry.spec.lookback_days)).date()
        flagged = metrics.flagged_ids_query(metric=entry.spec.metric, since=since, until=now.date())
        if flagged is None:
            columns.append("false")
        else:  # the flags as a hashed set
            columns.append(f"pop.candidate_id IN ({flagged[0]})")
            column_params += flagged[1]
    width = len(columns)
    selfid = connection.ops.quote_name(SelfIdentification._meta.db_table)
    account = connection.ops.quote_name(SocialAccount._meta.db_table)
    extremes = ", ".join(f"max(r{i}.newest), min(r{i}.newest)" for i in range(len(rules)))
    notice_ctes, notice_params, notice_columns = _notices_sql(
        population_sql, population_params, fcra=fcra, ll144=ll144
    )
    # Our own table names and generated SQL; every value is a parameter.
    grouped = (
        f"SELECT {', '.join(columns)}, coalesce(si.sex, ''), coalesce(si.race_ethnicity, ''), "  # noqa: S608
        f"NOT EXISTS (SELECT 1 FROM {account} a WHERE a.candidate_id = pop.candidate_id "
        "AND a.status = %s AND NOT (a.network = ANY(%s))), count(*), "
        f"{extremes} FROM pop {' '.join(joins)} "
        f"LEFT JOIN {selfid} si ON si.candidate_id = pop.candidate_id "
        f"GROUP BY {', '.join(str(i) for i in range(1, width + 4))}"
    )
    # The notice counts, one row each, ride along on every histogram row.
    sql = (
        f"WITH pop AS ({population_sql}), {', '.join(ctes)}, "  # noqa: S608
        f"h AS ({grouped}){''.join(f', {cte}' for cte in notice_ctes)} "
        f"SELECT h.*, {', '.join(notice_columns)} FROM h"
        f"{''.join(f', {cte.split(maxsplit=1)[0]}' for cte in notice_ctes)}"
    )
    params = [
        *population_params, *cte_params, *column_params,
        AccountStatus.ACTIVE.value, sorted(OFFLINE_NETWORKS), *notice_params,
    ]  # fmt: skip
    settings = {
        # JIT compiling this short-lived plan costs more than it saves.
        "jit": "off",
        # The planner cannot know that a dozen columns take few distinct values together:
        # it expects a group per candidate and sorts them all. Hashing is what fits (a few
        # hundred groups); sorts the query needs (DISTINCT ON) still happen.
        "enable_sort": "off",
        # A few thousand rows per read: starting parallel workers costs more than it saves.
        "max_parallel_workers_per_gather": "0",
    }
    if work_mem := hiring_conf.get("RENOWN_SCREENING_WORK_MEM"):
        settings["work_mem"] = work_mem
    with transaction.atomic(), connection.cursor() as cursor:
        fast_timestamps(cursor)
        # One round trip for them all; is_local=true: they last the transaction.
        cursor.execute(
            f"SELECT {', '.join(['set_config(%s, %s, true)'] * len(settings))}",
            [value for pair in settings.items() for value in pair],
        )
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    cells: list[Cell] = []
    newest: list[date | None] = [None] * len(rules)
    oldest: list[date | None] = [None] * len(rules)
    for row in rows:
        measures = []
        for index, entry in enumerate(rules):
            start = _RULE_COLUMNS * index
            measured, fresh, year_old, first, second, used, low, high, flagged = row[
                start : start + _RULE_COLUMNS
            ]
            year_old = bool(year_old)
            if not measured:
                measures.append(_measure(entry.spec, value=None, missing=MISSING_NONE))
            elif used is None or not fresh:
                measures.append(
                    _measure(entry.spec, value=None, missing=MISSING_STALE, year_old=year_old)
                )
            elif not used:
                measures.append(
                    _measure(entry.spec, value=None, missing=MISSING_WINDOW, year_old=year_old)
                )
            else:
                if (classed_by := points[index]) is not None:
                    value = class_value(first, classed_by)
                elif entry.spec.aggregation == "median":
                    value = median_from_middles(first, second)
                else:
                    value = first
                noise = noise_from_middles(low, high) if low is not None else Decimal(0)
                measures.append(
                    _measure(
                        entry.spec, value=value, missing="", noise=noise,
                        flagged=bool(flagged), year_old=year_old,
                    )
                )  # fmt: skip
        sex, race, no_footprint, count = row[width : width + 4]
        for index in range(len(rules)):
            high_at, low_at = row[width + 4 + 2 * index : width + 6 + 2 * index]
            newest[index] = _later(newest[index], high_at)
            oldest[index] = _earlier(oldest[index], low_at)
        cells.append(
            Cell(
                tuple(measures),
                SEX_LABELS.get(sex),
                RACE_LABELS.get(race),
                bool(no_footprint),
                int(count),
            )
        )
    counted = None
    if fcra or ll144:  # no row: nobody to count
        us, authorised, reached, last = (
            rows[0][width + 4 + 2 * len(rules) :] if rows else (0, 0, 0, None)
        )
        counted = NoticeCounts(fcra, ll144, us, authorised, reached, last)
    return Histogram(tuple(rules), cells, newest, oldest, list(points), counted)


def _later(current: date | None, found: datetime | None) -> date | None:
    if found is None:
        return current
    day = found.date()
    return day if current is None or day > current else current


def _earlier(current: date | None, found: datetime | None) -> date | None:
    if found is None:
        return current
    day = found.date()
    return day if current is None or day < current else current


def _histogram_python(
    rules: Sequence[PreviewRule], job: Job, now: datetime, points: Sequence[Points | None]
) -> Histogram:
    ids = list(_population(job).values_list("candidate_id", flat=True))
    year_ago = now - timedelta(days=STALE_AFTER_DAYS)
    per_rule = []
    for entry in rules:
        found = metrics.metric_aggregates_python(rule=entry.spec, population=ids, now=now)
        since = now - timedelta(days=entry.spec.lookback_days)
        unmeasured = [c for c in ids if c not in found]
        older = (
            metrics.metric_newest_before(
                metric=entry.spec.metric, candidate_ids=unmeasured, before=since
            )
            if unmeasured
            else {}
        )
        per_rule.append((found, older, _flagged_ids(entry.spec, ids, now)))
    selfid = {
        candidate_id: (sex, race)
        for candidate_id, sex, race in SelfIdentification.objects.filter(
            candidate_id__in=ids
        ).values_list("candidate_id", "sex", "race_ethnicity")
    }
    with_footprint = set(
        SocialAccount.objects.filter(_footprint_q(), candidate_id__in=ids).values_list(
            "candidate_id", flat=True
        )
    )
    counts: Counter[_CellKey] = Counter()
    newest: list[date | None] = [None] * len(rules)
    oldest: list[date | None] = [None] * len(rules)
    for candidate_id in ids:
        measures = []
        for index, (entry, (found, older, flagged)) in enumerate(zip(rules, per_rule, strict=True)):
            measured = found.get(candidate_id)
            if measured is not None:
                aggregate, noise = measured
                at = aggregate.newest_at
                value = aggregate.value
                if value is not None and (classed_by := points[index]) is not None:
                    value = class_value(value_class(value, classed_by), classed_by)
                measure = _measure(
                    entry.spec,
                    value=value,
                    missing=aggregate.missing,
                    noise=noise,
                    flagged=candidate_id in flagged,
                    year_old=at is not None and at < year_ago,
                )
            else:
                at = older.get(candidate_id)
                missing = MISSING_NONE if at is None else MISSING_STALE
                year_old = at is not None and at < year_ago
                measure = _measure(entry.spec, value=None, missing=missing, year_old=year_old)
            if at is not None:
                newest[index] = _later(newest[index], at)
                oldest[index] = _earlier(oldest[index], at)
            measures.append(measure)
        sex, race = selfid.get(candidate_id, ("", ""))
        key = (tuple(measures), SEX_LABELS.get(sex), RACE_LABELS.get(race))
        counts[(*key, candidate_id not in with_footprint)] += 1
    cells = [Cell(key[0], key[1], key[2], key[3], count) for key, count in counts.items()]
    return Histogram(tuple(rules), cells, newest, oldest, list(points))


def histogram(
    rules: Sequence[PreviewRule],
    job: Job,
    *,
    now: datetime,
    judged_by: Sequence[Iterable[RuleSpec]] | None = None,
    fcra: bool = False,
    ll144: bool = False,
) -> Histogram:
    """The job's population as grouped counts of what ``rules`` read (SQL on PostgreSQL).

    ``judged_by``: per rule, every rule that will judge its column (default: the rule
    itself); the column keeps the class of each value among their ``judging_points``.
    ``fcra`` / ``ll144``: on PostgreSQL, count the FCRA or LL144 notices of the same
    population in the same statement (``Histogram.notices``); elsewhere, and with no
    rule, ``notices`` is None and the caller counts them.
    """
    if not rules:
        return Histogram((), [], [], [], [])
    specs = judged_by if judged_by is not None else [[entry.spec] for entry in rules]
    if len(specs) != len(rules):
        raise ValueError("judged_by needs one list of rules per histogram column")
    points = [judging_points(column) for column in specs]
    if connection.vendor == "postgresql":
        return _histogram_sql(rules, job, now, points, fcra=fcra, ll144=ll144)
    return _histogram_python(rules, job, now, points)
