"""The what-if preview of a job's rules: each histogram row judged by the screening's
own rules (``evaluate``), the rule context the warnings read, the preview with its
warnings and bias-audit figures, and the named candidates near the line.

On PostgreSQL the histogram's one statement also counts the notices the warnings read
(``notices_read``, ``histograms.NoticeCounts``): a preview takes no other read of the
population.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone

from candidates.models import (
    Candidate,
    CandidateNotice,
    NoticeKind,
)
from hiring import conf as hiring_conf
from hiring import selectors
from hiring.fairness import bias_audit as audit_maths
from hiring.fairness.histograms import (
    JUST_BELOW_MARGIN,
    Histogram,
    NoticeCounts,
    PreviewRule,
    _population,
    histogram,
    judging_points,
)
from hiring.fairness.rule_warnings import warnings_for_rule
from hiring.fairness.warning import (
    FairnessWarning,
    MetricCoverage,
    OutcomeCount,
    PopulationSummary,
    RuleContext,
    RuleFacts,
)
from hiring.jurisdictions import is_nyc, is_us
from hiring.models import BiasAudit, Job, ScreeningRule
from hiring.screening import metrics
from hiring.screening.evaluation import (
    ACTION_ADVISORY,
    BAND_VOLATILITY,
    COMBINE_ALL,
    MISSING_NONE,
    OUTCOME_BELOW,
    OUTCOME_MEETS,
    OUTCOME_NEAR,
    SUGGEST_ADVANCE,
    Aggregate,
    RuleSpec,
    judge,
)
from hiring.screening.spec import rule_spec, verdict_cached

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
    cells: list[OutcomeCount]
    just_below: int
    total: int
    per_cell: list[str] = field(default_factory=list)  # combined outcome per histogram row

    @property
    def passes(self) -> int:
        """Candidates the rules select: combined outcome "meets" (missing data policy
        "pass" already counts as meeting)."""
        return self.outcomes[OUTCOME_MEETS]

    def audit(self) -> audit_maths.AuditResult:
        """Selection rates and impact ratios by category (``hiring.fairness.bias_audit``),
        categories too small to judge set apart (``decision_aid_counts``)."""
        cells: dict[audit_maths.CellKey, tuple[int, int]] = {}
        for cell in self.cells:
            key = (cell.sex, cell.race_ethnicity)
            n, won = cells.get(key, (0, 0))
            selected = cell.count if cell.outcome == OUTCOME_MEETS else 0
            cells[key] = (n + cell.count, won + selected)
        return audit_maths.decision_aid_counts(cells)


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


# An outcome for one category: (outcome, sex, race/ethnicity).
_OutcomeKey = tuple[str, audit_maths.Sex | None, audit_maths.RaceEthnicity | None]


def evaluate(
    hist: Histogram,
    rules: Sequence[PreviewRule] | None = None,
    columns: Sequence[int] | None = None,
) -> Evaluation:
    """Judge every histogram row with the screening's own rules: counts per outcome,
    per suggestion and per (outcome, sex, race/ethnicity, footprint). With no rule at
    all, everyone meets (nobody is screened out).

    ``rules`` (default: the histogram's own) each read the histogram column of the
    same index, or the one ``columns`` names; a rule may change the threshold, band,
    policy, action and group of the rule that read its column, not what it reads, and,
    where the column keeps classes of values, only to points it was classed by
    (``histogram(judged_by=...)``).
    """
    rules = tuple(rules) if rules is not None else hist.rules
    columns = tuple(columns) if columns is not None else tuple(range(len(rules)))
    for entry, column in zip(rules, columns, strict=True):
        if not same_read(entry.spec, hist.rules[column].spec):
            raise ValueError(f"{entry.line} does not read histogram column {column}")
        classed_by = hist.points[column]
        if classed_by is not None and not set(judging_points([entry.spec]) or ()).issubset(
            classed_by
        ):
            raise ValueError(f"histogram column {column} was not classed for {entry.line}")
    structure = _structure(rules)
    outcomes: Counter[str] = Counter()
    suggestions: Counter[str] = Counter()
    grouped: Counter[_OutcomeKey] = Counter()
    no_footprint: Counter[_OutcomeKey] = Counter()
    just_below = 0
    per_cell: list[str] = []
    for cell in hist.cells:
        measures = [cell.measures[column] for column in columns]
        keys = tuple(
            _rule_key(entry.spec, entry.action, m[0], m[1], m[2], m[3])
            for entry, m in zip(rules, measures, strict=True)
        )
        if structure:
            combined = verdict_cached(structure, keys)
            outcome, suggestion = combined.outcome, combined.suggestion
        else:  # no rule at all: nobody is screened, everyone goes on
            outcome, suggestion = OUTCOME_MEETS, SUGGEST_ADVANCE
        per_cell.append(outcome)
        outcomes[outcome] += cell.count
        suggestions[suggestion] += cell.count
        key = (outcome, cell.sex, cell.race_ethnicity)
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
        OutcomeCount(
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


def population_summary(hist: Histogram, evaluation: Evaluation) -> PopulationSummary:
    """The fairness module's input: the evaluation's cells and each metric's coverage."""
    metrics = []
    for index, entry in enumerate(hist.rules):
        measured = sum(c.count for c in hist.cells if c.measures[index][1] != MISSING_NONE)
        year_old = sum(c.count for c in hist.cells if c.measures[index][4])
        metrics.append(
            MetricCoverage(
                metric=entry.spec.metric,
                candidates=measured,
                newest_as_of=hist.newest[index],
                oldest_as_of=hist.oldest[index],
                older_than_a_year=year_old,
            )
        )
    return PopulationSummary(
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


def _ll144_notice_on(
    job: Job, total: int | None = None, counted: NoticeCounts | None = None
) -> date | None:
    """The day the LL144 notice reached every candidate of the job (posted on the website,
    or the last of the candidate notices in force); None while someone has not had it.
    ``total``: the population's size, when the caller knows it; ``counted``: the notices
    the histogram counted (``histogram(ll144=True)``), read here otherwise."""
    if job.ll144_notice_posted_on is not None:
        return job.ll144_notice_posted_on
    total = _population(job).count() if total is None else total
    if not total:
        return None
    if counted is not None and counted.ll144:
        reached, last = counted.ll144_reached, counted.ll144_last
    else:
        told = CandidateNotice.objects.filter(
            candidate_id__in=_population(job),
            kind=NoticeKind.NYC_LL144_NOTICE,
            withdrawn_at__isnull=True,
        ).aggregate(reached=Count("candidate_id", distinct=True), last=Max("given_at"))
        reached, last = told["reached"], told["last"]
    if reached < total or last is None:
        return None  # someone has not been told yet
    return timezone.localdate(last)


def fcra_counts(job: Job) -> tuple[int, int]:
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
    """The job's most recent recorded bias audit: the fields the warnings read (its report,
    rules and exclusions, JSON a preview has no use for, are deferred)."""
    return (
        BiasAudit.objects.filter(job=job)
        .only("audited_on", "auditor", "auditor_independent", "published")
        .order_by("-audited_on", "-recorded_at")
        .first()
    )


def _rule_facts(rules: Sequence[PreviewRule]) -> list[RuleFacts]:
    return [RuleFacts(entry.spec, entry.action, human_review=True) for entry in rules]


def notices_read(job: Job, rules: Sequence[PreviewRule]) -> tuple[bool, bool]:
    """Which notice counts the warnings of ``rules`` read: the FCRA ones (a job hiring in
    the US, a rule reading a third party's score: ``_fcra_warnings``) and the LL144 ones
    (a job hiring in New York City that has not posted the notice on its website)."""
    us = any(is_us(code) for code in job.jurisdictions)
    nyc = any(is_nyc(code) for code in job.jurisdictions)
    third_party = bool(hiring_conf.get("RENOWN_IS_THIRD_PARTY")) or any(
        facts.vendor is not None for facts in _rule_facts(rules)
    )
    return us and third_party, nyc and job.ll144_notice_posted_on is None


def rule_context(
    job: Job,
    rules: Sequence[PreviewRule],
    *,
    four_eyes_approved: bool | None = None,
    population_size: int | None = None,
    counted: NoticeCounts | None = None,
) -> RuleContext:
    """The fairness module's facts about the job: relevance, jurisdictions, LL144 notice
    and audit, FCRA authorisations. Every screen-out in Renown goes to a person who
    decides (the review queue), so ``human_review`` is true.

    The notices are counted only where a warning reads them (``notices_read``: otherwise
    ``us_candidates`` and ``fcra_authorised`` stay 0); ``counted``: the counts the
    histogram made (``histogram(fcra=..., ll144=...)``), read here otherwise.
    """
    nyc = any(is_nyc(code) for code in job.jurisdictions)
    fcra, _ = notices_read(job, rules)
    audit_row = latest_bias_audit(job) if nyc else None
    if not fcra:
        us_candidates, authorised = 0, 0
    elif counted is not None and counted.fcra:
        us_candidates, authorised = counted.us_candidates, counted.fcra_authorised
    else:
        us_candidates, authorised = fcra_counts(job)
    return RuleContext(
        rules=_rule_facts(rules),
        influence_relevance=job.influence_relevance,
        relevance_justification=job.relevance_justification,
        jurisdictions=list(job.jurisdictions),
        four_eyes_approved=four_eyes_approved,
        ll144_notice_on=_ll144_notice_on(job, population_size, counted) if nyc else None,
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
    warnings: list[FairnessWarning]
    audit: audit_maths.AuditResult
    histogram: Histogram
    evaluation: Evaluation

    @property
    def serious(self) -> list[FairnessWarning]:
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
    fcra, ll144 = notices_read(job, rules)
    # On PostgreSQL the notices are counted by the histogram's own statement: one read
    # of the population for the counts and the warnings.
    hist = histogram(rules, job, now=now, fcra=fcra, ll144=ll144)
    evaluation = evaluate(hist)
    context = rule_context(
        job,
        rules,
        four_eyes_approved=four_eyes_approved,
        population_size=hist.total,
        counted=hist.notices,
    )
    warnings = warnings_for_rule(
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
        aggregates = metrics.metric_aggregates_sql(rule=spec, population=population, now=now)
    else:
        ids = list(population.values_list("candidate_id", flat=True))
        aggregates = metrics.metric_aggregates_python(rule=spec, population=ids, now=now)
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
