"""What a rule would do before it goes live: the what-if preview and fairer alternatives.

Both read the job's population once into a **histogram**: one row per distinct
combination of what each rule would read for a candidate (value, why it is missing,
noise, whether flags apply), self-identified sex and race/ethnicity, and whether the
candidate has any online account, with a count. On PostgreSQL the histogram is a
``GROUP BY`` over the same per-candidate aggregate queries a screening run uses
(``hiring.selectors.metric_aggregates_query``); elsewhere the same aggregates are
folded here and counted. Each distinct row is then judged by the screening's own
``judge`` and ``verdict`` (cached), so a preview's outcome is exactly the outcome a
screening run would write, and fifty alternatives cost fifty passes over a few
thousand rows, not fifty reads of the population.

Privacy: the histogram holds counts, never candidate ids. The only named candidates a
preview lists are those near the line (``near_threshold_candidates``), with their
value and nothing else: no demographic breakdown is ever put beside a name. The
demographic cells feed ``hiring.fairness`` (which writes categories under 5 people as
"fewer than 5" for anyone but auditors) and ``hiring.audit``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, Final

from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

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
from hiring import audit as audit_maths
from hiring import conf as hiring_conf
from hiring import fairness, selectors
from hiring.evaluation import (
    ACTION_ADVISORY,
    BAND_VOLATILITY,
    COMBINE_ALL,
    MAD_TO_SIGMA,
    MISSING_NONE,
    MISSING_STALE,
    MISSING_WINDOW,
    OUTCOME_BELOW,
    OUTCOME_MEETS,
    OUTCOME_NEAR,
    Aggregate,
    RuleSpec,
    flag_applies,
    judge,
    median_from_middles,
)
from hiring.fairness.warning import STALE_AFTER_DAYS
from hiring.jurisdictions import is_nyc, is_us
from hiring.models import BiasAudit, Job, ScreeningRule
from hiring.services.screening import rule_spec, verdict_cached

# Networks that describe offline reputation (an author id), not an online footprint.
OFFLINE_NETWORKS: Final = frozenset({"openalex", "openlibrary", "orcid"})
# The measurement noise assumed for "fails by a point": the person at 34 against 35.
JUST_BELOW_MARGIN: Final = Decimal(1)
# A fairer alternative keeps at least this share of the original rule's passes (1607.3(B)).
KEEP_PASSES: Final = Fraction(9, 10)

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


@dataclass
class Histogram:
    rules: tuple[PreviewRule, ...]
    cells: list[Cell]
    newest: list[date | None]  # per rule: the newest and oldest newest point
    oldest: list[date | None]

    @property
    def total(self) -> int:
        return sum(cell.count for cell in self.cells)


# --- reading the population ----------------------------------------------------------


def _population(job: Job) -> Any:
    return selectors.application_population(job=job)


def _flagged_ids(rule: RuleSpec, population: Any, now: datetime) -> set[int]:
    since = (now - timedelta(days=rule.lookback_days)).date()
    found = selectors.flags_for_population(population=population, since=since, until=now.date())
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


def _histogram_sql(rules: Sequence[PreviewRule], job: Job, now: datetime) -> Histogram:
    population = _population(job)
    population_sql, population_params = population.query.sql_with_params()
    ctes: list[str] = []
    cte_params: list[Any] = []
    columns: list[str] = []
    column_params: list[Any] = []
    joins: list[str] = []
    year_ago = now - timedelta(days=STALE_AFTER_DAYS)
    for index, entry in enumerate(rules):
        sql, rule_params = selectors.metric_aggregates_query(
            rule=entry.spec, population=population, now=now
        )
        ctes.append(f"r{index} (candidate_id, newest, first, second, used) AS ({sql})")
        cte_params += rule_params
        joins.append(f"LEFT JOIN r{index} ON r{index}.candidate_id = pop.candidate_id")
        columns += [
            f"r{index}.candidate_id IS NOT NULL",
            f"r{index}.newest >= %s",
            f"r{index}.newest < %s",
            f"r{index}.first",
            f"r{index}.second",
            f"r{index}.used",
        ]
        column_params += [now - timedelta(days=entry.spec.max_data_age_days), year_ago]
        if entry.spec.near_band_source == BAND_VOLATILITY:
            noise_sql, noise_params = selectors.metric_volatility_query(
                rule=entry.spec, population=population, now=now
            )
            ctes.append(f"v{index} (candidate_id, low, high) AS ({noise_sql})")
            cte_params += noise_params
            joins.append(f"LEFT JOIN v{index} ON v{index}.candidate_id = pop.candidate_id")
            columns += [f"v{index}.low", f"v{index}.high"]
        else:
            columns += ["NULL::numeric", "NULL::numeric"]
        columns.append("pop.candidate_id = ANY(%s::bigint[])")
        column_params.append(sorted(_flagged_ids(entry.spec, population, now)))
    width = len(columns)
    selfid = connection.ops.quote_name(SelfIdentification._meta.db_table)
    account = connection.ops.quote_name(SocialAccount._meta.db_table)
    extremes = ", ".join(f"max(r{i}.newest), min(r{i}.newest)" for i in range(len(rules)))
    # Our own table names and generated SQL; every value is a parameter.
    sql = (
        f"WITH pop AS ({population_sql}), {', '.join(ctes)} "  # noqa: S608
        f"SELECT {', '.join(columns)}, coalesce(si.sex, ''), coalesce(si.race_ethnicity, ''), "
        f"NOT EXISTS (SELECT 1 FROM {account} a WHERE a.candidate_id = pop.candidate_id "
        "AND a.status = %s AND NOT (a.network = ANY(%s))), count(*), "
        f"{extremes} FROM pop {' '.join(joins)} "
        f"LEFT JOIN {selfid} si ON si.candidate_id = pop.candidate_id "
        f"GROUP BY {', '.join(str(i) for i in range(1, width + 4))}"
    )
    params = [
        *population_params, *cte_params, *column_params,
        AccountStatus.ACTIVE.value, sorted(OFFLINE_NETWORKS),
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('jit', 'off', true)")
        if work_mem := hiring_conf.get("RENOWN_SCREENING_WORK_MEM"):
            cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
        # The planner cannot know that a dozen columns take few distinct values together:
        # it expects a group per candidate and sorts them all. Hashing is what fits (a few
        # hundred groups); sorts the query needs (DISTINCT ON) still happen.
        cursor.execute("SELECT set_config('enable_sort', 'off', true)")
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
                value = (
                    median_from_middles(first, second)
                    if entry.spec.aggregation == "median"
                    else first
                )
                noise = (
                    MAD_TO_SIGMA * median_from_middles(low, high) if low is not None else Decimal(0)
                )
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
    return Histogram(tuple(rules), cells, newest, oldest)


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


def _histogram_python(rules: Sequence[PreviewRule], job: Job, now: datetime) -> Histogram:
    ids = list(_population(job).values_list("candidate_id", flat=True))
    year_ago = now - timedelta(days=STALE_AFTER_DAYS)
    per_rule = []
    for entry in rules:
        found = selectors.metric_aggregates_python(rule=entry.spec, population=ids, now=now)
        since = now - timedelta(days=entry.spec.lookback_days)
        unmeasured = [c for c in ids if c not in found]
        older = (
            selectors.metric_newest_before(
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
    counts: Counter[tuple[Any, ...]] = Counter()
    newest: list[date | None] = [None] * len(rules)
    oldest: list[date | None] = [None] * len(rules)
    for candidate_id in ids:
        measures = []
        for index, (entry, (found, older, flagged)) in enumerate(zip(rules, per_rule, strict=True)):
            measured = found.get(candidate_id)
            if measured is not None:
                aggregate, noise = measured
                at = aggregate.newest_at
                measure = _measure(
                    entry.spec,
                    value=aggregate.value,
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
    return Histogram(tuple(rules), cells, newest, oldest)


def histogram(rules: Sequence[PreviewRule], job: Job, *, now: datetime) -> Histogram:
    """The job's population as grouped counts of what ``rules`` read (SQL on PostgreSQL)."""
    if not rules:
        return Histogram((), [], [], [])
    if connection.vendor == "postgresql":
        return _histogram_sql(rules, job, now)
    return _histogram_python(rules, job, now)


# --- judging the histogram -----------------------------------------------------------


@lru_cache(maxsize=65536)
def _rule_key(
    spec: RuleSpec, action: str, value: Decimal | None, missing: str, noise: Decimal | None,
    flagged: bool,
) -> tuple[str, str, str]:  # fmt: skip
    found = Aggregate(value=value, points_used=1 if value is not None else 0, missing=missing)
    result = judge(spec, found, volatility=noise, flags=("flagged",) if flagged else ())
    return (action, result.outcome, result.treated_as)


def _structure(rules: Sequence[PreviewRule]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    members: dict[str, list[int]] = {}
    combinators: dict[str, str] = {}
    for index, entry in enumerate(rules):
        members.setdefault(entry.group_key, []).append(index)
        combinators.setdefault(entry.group_key, entry.combinator)
    return tuple((combinators[key], tuple(indices)) for key, indices in members.items())


@dataclass
class Evaluation:
    """What a rule set does to the histogram's population: grouped counts only."""

    rules: tuple[PreviewRule, ...]
    outcomes: Counter[str]
    suggestions: Counter[str]
    cells: list[fairness.OutcomeCount]
    just_below: int
    total: int
    per_cell: list[str] = field(default_factory=list)  # combined outcome per histogram row

    @property
    def passes(self) -> int:
        """Candidates the rules select: combined outcome "meets" (missing data policy
        "pass" already counts as meeting)."""
        return self.outcomes[OUTCOME_MEETS]

    def audit(self) -> audit_maths.AuditResult:
        """Selection rates and impact ratios by category (``hiring.audit``)."""
        cells: dict[audit_maths.CellKey, tuple[int, int]] = {}
        for cell in self.cells:
            key = (cell.sex, cell.race_ethnicity)
            n, won = cells.get(key, (0, 0))
            selected = cell.count if cell.outcome == OUTCOME_MEETS else 0
            cells[key] = (n + cell.count, won + selected)
        return audit_maths.audit_counts(cells, mode="selection")


def _fails_by_a_point(spec: RuleSpec, value: Decimal) -> bool:
    if spec.operator in ("gte", "gt"):
        return value < spec.threshold and spec.threshold - value <= JUST_BELOW_MARGIN
    return value > spec.threshold and value - spec.threshold <= JUST_BELOW_MARGIN


def same_read(a: RuleSpec, b: RuleSpec) -> bool:
    """Whether two rules read the same value per candidate (only the judging differs)."""
    return (a.metric, a.aggregation, a.window_days, a.max_data_age_days) == (
        b.metric,
        b.aggregation,
        b.window_days,
        b.max_data_age_days,
    ) and (a.near_band_source == BAND_VOLATILITY) == (b.near_band_source == BAND_VOLATILITY)


def evaluate(
    hist: Histogram,
    rules: Sequence[PreviewRule] | None = None,
    columns: Sequence[int] | None = None,
) -> Evaluation:
    """Judge every histogram row with the screening's own rules: counts per outcome,
    per suggestion and per (outcome, sex, race/ethnicity, footprint).

    ``rules`` (default: the histogram's own) each read the histogram column of the
    same index, or the one ``columns`` names; a rule may change the threshold, band,
    policy, action and group of the rule that read its column, not what it reads.
    """
    rules = tuple(rules) if rules is not None else hist.rules
    columns = tuple(columns) if columns is not None else tuple(range(len(rules)))
    for entry, column in zip(rules, columns, strict=True):
        if not same_read(entry.spec, hist.rules[column].spec):
            raise ValueError(f"{entry.line} does not read histogram column {column}")
    structure = _structure(rules)
    outcomes: Counter[str] = Counter()
    suggestions: Counter[str] = Counter()
    grouped: Counter[tuple[str, Any, Any]] = Counter()
    no_footprint: Counter[tuple[str, Any, Any]] = Counter()
    just_below = 0
    per_cell: list[str] = []
    for cell in hist.cells:
        measures = [cell.measures[column] for column in columns]
        keys = tuple(
            _rule_key(entry.spec, entry.action, m[0], m[1], m[2], m[3])
            for entry, m in zip(rules, measures, strict=True)
        )
        combined = verdict_cached(structure, keys)
        per_cell.append(combined.outcome)
        outcomes[combined.outcome] += cell.count
        suggestions[combined.suggestion] += cell.count
        key = (combined.outcome, cell.sex, cell.race_ethnicity)
        grouped[key] += cell.count
        if cell.no_footprint:
            no_footprint[key] += cell.count
        if any(
            entry.action != ACTION_ADVISORY
            and entry.spec.near_band == 0
            and m[0] is not None
            and k[1] == OUTCOME_BELOW
            and _fails_by_a_point(entry.spec, m[0])
            for entry, m, k in zip(rules, measures, keys, strict=True)
        ):
            just_below += cell.count
    cells = [
        fairness.OutcomeCount(
            outcome=outcome, count=count, sex=sex, race_ethnicity=race,
            no_footprint=no_footprint[(outcome, sex, race)],
        )
        for (outcome, sex, race), count in grouped.items()
    ]  # fmt: skip
    return Evaluation(rules, outcomes, suggestions, cells, just_below, hist.total, per_cell)


def kept_passes(hist: Histogram, original: Evaluation, alternative: Evaluation) -> int:
    """How many of the original rules' passes the alternative also passes (needs both
    evaluated on the same histogram: each row is the same people under both)."""
    return sum(
        cell.count
        for cell, a, b in zip(hist.cells, original.per_cell, alternative.per_cell, strict=True)
        if a == OUTCOME_MEETS and b == OUTCOME_MEETS
    )


def population_summary(hist: Histogram, evaluation: Evaluation) -> fairness.PopulationSummary:
    """The fairness module's input: the evaluation's cells and each metric's coverage."""
    metrics = []
    for index, entry in enumerate(hist.rules):
        measured = sum(c.count for c in hist.cells if c.measures[index][1] != MISSING_NONE)
        year_old = sum(c.count for c in hist.cells if c.measures[index][4])
        metrics.append(
            fairness.MetricCoverage(
                metric=entry.spec.metric,
                candidates=measured,
                newest_as_of=hist.newest[index],
                oldest_as_of=hist.oldest[index],
                older_than_a_year=year_old,
            )
        )
    return fairness.PopulationSummary(
        cells=evaluation.cells,
        metrics=metrics,
        just_below=evaluation.just_below,
        just_below_margin=JUST_BELOW_MARGIN,
    )


# --- the rules, the job, the context ---------------------------------------------------


def preview_rule(rule: ScreeningRule, *, draft: bool = False) -> PreviewRule:
    """A stored (or unsaved, edited) rule version as the preview combines it."""
    group = rule.group if rule.group_id is not None else None
    if group is not None:
        key, combinator = f"g{group.pk}", group.combinator
    else:
        key, combinator = (f"r{rule.pk}" if rule.pk else "draft"), COMBINE_ALL
    return PreviewRule(rule_spec(rule), rule.action, key, combinator, draft=draft)


def rules_with_draft(job: Job, draft: ScreeningRule | None) -> list[PreviewRule]:
    """The job's live rules as they would be with ``draft`` live: it replaces the live
    version of its lineage, or joins them."""
    rules = []
    for rule in selectors.rule_list_active(job=job):
        if draft is not None and rule.lineage == draft.lineage:
            continue
        rules.append(preview_rule(rule))
    if draft is not None:
        rules.append(preview_rule(draft, draft=True))
    return rules


def _ll144_notice_on(job: Job, total: int | None = None) -> date | None:
    """The day the LL144 notice reached every candidate of the job (posted on the website,
    or the last of the candidate notices in force); None while someone has not had it.
    ``total``: the population's size, when the caller knows it."""
    if job.ll144_notice_posted_on is not None:
        return job.ll144_notice_posted_on
    population = _population(job)
    total = population.count() if total is None else total
    if not total:
        return None
    told = CandidateNotice.objects.filter(
        candidate_id__in=population, kind=NoticeKind.NYC_LL144_NOTICE, withdrawn_at__isnull=True
    ).aggregate(reached=Count("candidate_id", distinct=True), last=Max("given_at"))
    if told["reached"] < total or told["last"] is None:
        return None  # someone has not been told yet
    return timezone.localdate(told["last"])


def _fcra_counts(job: Job) -> tuple[int, int]:
    """US candidates of the job, and how many of them have both the FCRA disclosure and
    the authorisation in force: one query (the notices as hashed sets, not probes)."""

    def told(kind: str) -> Q:
        return Q(
            pk__in=CandidateNotice.objects.filter(kind=kind, withdrawn_at__isnull=True).values(
                "candidate_id"
            )
        )

    counts = Candidate.objects.filter(pk__in=_population(job), country="US").aggregate(
        us=Count("pk"),
        authorised=Count(
            "pk", filter=told(NoticeKind.FCRA_DISCLOSURE) & told(NoticeKind.FCRA_AUTHORIZATION)
        ),
    )
    return counts["us"], counts["authorised"]


def latest_bias_audit(job: Job) -> BiasAudit | None:
    """The job's most recent recorded bias audit."""
    return BiasAudit.objects.filter(job=job).order_by("-audited_on", "-recorded_at").first()


def rule_context(
    job: Job,
    rules: Sequence[PreviewRule],
    *,
    four_eyes_approved: bool | None = None,
    population_size: int | None = None,
) -> fairness.RuleContext:
    """The fairness module's facts about the job: relevance, jurisdictions, LL144 notice
    and audit, FCRA authorisations. Every screen-out in Renown goes to a person who
    decides (the review queue), so ``human_review`` is true."""
    nyc = any(is_nyc(code) for code in job.jurisdictions)
    us = any(is_us(code) for code in job.jurisdictions)
    audit_row = latest_bias_audit(job) if nyc else None
    us_candidates, authorised = _fcra_counts(job) if us else (0, 0)
    return fairness.RuleContext(
        rules=[fairness.RuleFacts(entry.spec, entry.action, human_review=True) for entry in rules],
        influence_relevance=job.influence_relevance,
        relevance_justification=job.relevance_justification,
        jurisdictions=list(job.jurisdictions),
        four_eyes_approved=four_eyes_approved,
        ll144_notice_on=_ll144_notice_on(job, population_size) if nyc else None,
        bias_audit_on=audit_row.audited_on if audit_row else None,
        bias_audit_auditor=audit_row.auditor if audit_row else "",
        bias_audit_independent=bool(audit_row and audit_row.auditor_independent),
        bias_audit_published=bool(audit_row and audit_row.published),
        us_candidates=us_candidates,
        fcra_authorised=authorised,
        renown_is_third_party=bool(hiring_conf.get("RENOWN_IS_THIRD_PARTY")),
    )


# --- the preview -----------------------------------------------------------------------


@dataclass
class Preview:
    """What the rules would do: outcome counts, the warnings, the audit by category."""

    rules: tuple[PreviewRule, ...]
    total: int
    outcomes: dict[str, int]
    suggestions: dict[str, int]
    warnings: list[fairness.FairnessWarning]
    audit: audit_maths.AuditResult
    histogram: Histogram
    evaluation: Evaluation

    @property
    def serious(self) -> list[fairness.FairnessWarning]:
        return [w for w in self.warnings if w.severity == "serious"]


def rule_preview(
    job: Job,
    rules: Sequence[PreviewRule],
    *,
    now: datetime | None = None,
    four_eyes_approved: bool | None = None,
    include_restricted: bool = False,
) -> Preview:
    """The what-if preview of ``rules`` (``rules_with_draft``) on the job's candidates.

    Counts only; with ``include_restricted`` (auditors) the warnings keep exact counts
    of categories under 5 people, otherwise they read "fewer than 5".
    """
    now = now or timezone.now()
    hist = histogram(rules, job, now=now)
    evaluation = evaluate(hist)
    context = rule_context(
        job, rules, four_eyes_approved=four_eyes_approved, population_size=hist.total
    )
    warnings = fairness.warnings_for_rule(
        context,
        population_summary(hist, evaluation),
        today=timezone.localdate(now),
        include_restricted=include_restricted,
    )
    return Preview(
        rules=tuple(rules),
        total=hist.total,
        outcomes=dict(evaluation.outcomes),
        suggestions=dict(evaluation.suggestions),
        warnings=warnings,
        audit=evaluation.audit(),
        histogram=hist,
        evaluation=evaluation,
    )


@dataclass(frozen=True)
class NearCandidate:
    public_id: str
    name: str
    value: Decimal
    outcome: str  # near_threshold, or below by a point


def near_threshold_candidates(
    job: Job, rule: PreviewRule, *, now: datetime | None = None, limit: int = 25
) -> tuple[list[NearCandidate], int]:
    """The people the line would decide by noise: within the rule's near band, or failing
    by ``JUST_BELOW_MARGIN`` or less. Names and values only: no demographic data, ever.
    Returns the closest ``limit`` of them and how many there are."""
    now = now or timezone.now()
    spec = rule.spec
    reach = max(spec.near_band, JUST_BELOW_MARGIN)
    population = _population(job)
    found: dict[int, Decimal] = {}
    if connection.vendor == "postgresql":
        aggregates = selectors.metric_aggregates_sql(rule=spec, population=population, now=now)
    else:
        ids = list(population.values_list("candidate_id", flat=True))
        aggregates = selectors.metric_aggregates_python(rule=spec, population=ids, now=now)
    for candidate_id, (aggregate_found, noise) in aggregates.items():
        value = aggregate_found.value
        if value is None:
            continue
        band = spec.near_band
        if spec.near_band_source == BAND_VOLATILITY and noise is not None and noise > band:
            band = noise
        if abs(value - spec.threshold) <= max(band, reach if band == 0 else band):
            result = judge(spec, aggregate_found, volatility=noise)
            if result.outcome == OUTCOME_NEAR or (
                result.outcome == OUTCOME_BELOW and _fails_by_a_point(spec, value)
            ):
                found[candidate_id] = value
    closest = sorted(found.items(), key=lambda item: (abs(item[1] - spec.threshold), item[0]))
    names = dict(
        Candidate.objects.filter(pk__in=[c for c, _ in closest[:limit]]).values_list("pk", "name")
    )
    public_ids = dict(Candidate.objects.filter(pk__in=list(names)).values_list("pk", "public_id"))
    people = [
        NearCandidate(
            public_id=str(public_ids[c]),
            name=names[c],
            value=v,
            outcome=OUTCOME_NEAR if abs(v - spec.threshold) <= spec.near_band else "just_below",
        )
        for c, v in closest[:limit]
    ]
    return people, len(found)


# --- fairer alternatives (29 CFR 1607.3(B)) --------------------------------------------


@dataclass(frozen=True)
class Alternative:
    """A nearby rule and what it does compared with the draft."""

    description: str
    rules: tuple[PreviewRule, ...]
    passes: int
    kept: int  # of the draft's passes, how many this one also passes
    kept_share: Fraction | None
    lowest_ratio: Fraction | None
    lowest_category: str
    suggested: bool

    @property
    def lowest_ratio_text(self) -> str:
        if self.lowest_ratio is None:
            return "—"
        return f"{math.floor(self.lowest_ratio * 1000) / 1000:.3f}"  # down, as the warnings

    @property
    def kept_share_pct(self) -> str:
        return "—" if self.kept_share is None else f"{float(self.kept_share):.1%}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, exact fractions as "n/d" strings beside their floats."""
        return {
            "description": self.description,
            "rules": [r.line for r in self.rules],
            "passes": self.passes,
            "kept": self.kept,
            "kept_share": None if self.kept_share is None else float(self.kept_share),
            "lowest_impact_ratio": None if self.lowest_ratio is None else float(self.lowest_ratio),
            "lowest_impact_ratio_exact": None
            if self.lowest_ratio is None
            else f"{self.lowest_ratio.numerator}/{self.lowest_ratio.denominator}",
            "lowest_category": self.lowest_category,
            "suggested": self.suggested,
        }


def lowest_ratio(result: audit_maths.AuditResult) -> tuple[Fraction | None, str]:
    """The lowest impact ratio across the categories of every table, and whose.

    Categories under 2 % of their table are left out of this comparison (6 RCNY
    5-301(d) lets an audit exclude them): one person more or less swings their ratio
    from 0 to 1, which would decide every comparison. They stay in the audit itself.
    """
    rows = [
        (row.impact_ratio, row.label)
        for table in result.tables
        for row in table.rows
        if row.impact_ratio is not None and not row.under_two_percent
    ]
    if not rows:
        return None, ""
    return min(rows, key=lambda r: r[0])


def _threshold_steps(spec: RuleSpec, steps: int) -> list[Decimal]:
    unit = Decimal(1) if abs(spec.threshold) < 200 else (abs(spec.threshold) / 100).quantize(1)
    easier = -1 if spec.operator in ("gte", "gt") else 1
    easier_lines = [spec.threshold + easier * k * unit for k in range(1, steps + 1)]
    harder_lines = [spec.threshold - easier * k * unit for k in range(1, max(1, steps // 4) + 1)]
    return easier_lines + harder_lines


REPUTATION_LINES: Final = (Decimal(10), Decimal(20), Decimal(30), Decimal(40), Decimal(50))
WINDOWS: Final = (("median", 30), ("median", 90), ("median", 180))


def fairer_alternatives(
    job: Job,
    rules: Sequence[PreviewRule],
    *,
    now: datetime | None = None,
    limit: int = 50,
) -> tuple[Alternative, list[Alternative]]:
    """Search nearby versions of the draft rule: threshold steps, aggregation windows,
    "OR offline reputation ≥ x". Returns the draft's own figures and every alternative;
    ``suggested`` marks those that keep at least 90 % of the draft's passes with a better
    lowest impact ratio (exact fractions). All read in one grouped histogram.
    """
    now = now or timezone.now()
    rules = list(rules)
    index = next((i for i, r in enumerate(rules) if r.draft), None)
    if index is None:
        raise ValueError("no draft rule among the rules")
    draft = rules[index]
    reads = list(rules)
    window_columns: list[tuple[str, int, int]] = []
    for aggregation, days in WINDOWS:
        if (draft.spec.aggregation, draft.spec.window_days) == (aggregation, days):
            continue
        spec = replace(draft.spec, aggregation=aggregation, window_days=days)
        window_columns.append((aggregation, days, len(reads)))
        reads.append(replace(draft, spec=spec, group_key="read", draft=False))
    reputation_column = None
    if draft.spec.metric != "reputation":
        reputation = RuleSpec(
            metric="reputation", operator="gte", threshold=Decimal(0),
            max_data_age_days=365, missing_data_policy="review",
        )  # fmt: skip
        reputation_column = len(reads)
        reads.append(PreviewRule(reputation, draft.action, "read"))
    hist = histogram(reads, job, now=now)
    base_columns = list(range(len(rules)))
    original = evaluate(hist, rules, base_columns)
    base_ratio, base_category = lowest_ratio(original.audit())
    base = Alternative(
        description=f"As drafted: {draft.line}",
        rules=tuple(rules),
        passes=original.passes,
        kept=original.passes,
        kept_share=Fraction(1) if original.passes else None,
        lowest_ratio=base_ratio,
        lowest_category=base_category,
        suggested=False,
    )
    candidates: list[tuple[str, list[PreviewRule], list[int]]] = []

    def variant(description: str, new: PreviewRule, column: int, extra: PreviewRule | None = None,
                extra_column: int | None = None) -> None:  # fmt: skip
        chosen = list(rules)
        columns = list(base_columns)
        chosen[index] = new
        columns[index] = column
        if extra is not None and extra_column is not None:
            chosen.append(extra)
            columns.append(extra_column)
        candidates.append((description, chosen, columns))

    unit_steps = _threshold_steps(draft.spec, 10)
    for threshold in unit_steps:
        spec = replace(draft.spec, threshold=threshold)
        variant(f"{spec.line}", replace(draft, spec=spec), index)
    for aggregation, days, column in window_columns:
        for threshold in [draft.spec.threshold, *unit_steps[:5]]:
            spec = replace(
                draft.spec, aggregation=aggregation, window_days=days, threshold=threshold
            )
            variant(f"{spec.line}, {days}-day {aggregation}", replace(draft, spec=spec), column)
    if reputation_column is not None:
        alone = draft.group_key if draft.combinator == "any" else f"{draft.group_key}-or"
        for line in REPUTATION_LINES:
            rep = replace(reads[reputation_column], group_key=alone, combinator="any")
            rep = replace(rep, spec=replace(rep.spec, threshold=line))
            for threshold in [draft.spec.threshold, *unit_steps[:3]]:
                spec = replace(draft.spec, threshold=threshold)
                variant(
                    f"{spec.line} OR offline reputation ≥ {line}",
                    replace(draft, spec=spec, group_key=alone, combinator="any"),
                    index,
                    rep,
                    reputation_column,
                )
    found = []
    for description, chosen, columns in candidates[:limit]:
        evaluation = evaluate(hist, chosen, columns)
        ratio, category = lowest_ratio(evaluation.audit())
        kept = kept_passes(hist, original, evaluation)
        share = Fraction(kept, original.passes) if original.passes else None
        better = ratio is not None and (base_ratio is None or ratio > base_ratio)
        found.append(
            Alternative(
                description=description,
                rules=tuple(chosen),
                passes=evaluation.passes,
                kept=kept,
                kept_share=share,
                lowest_ratio=ratio,
                lowest_category=category,
                suggested=bool(better and share is not None and share >= KEEP_PASSES),
            )
        )
    return base, found
