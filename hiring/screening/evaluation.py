"""Evaluate one candidate against screening rules, and combine the results (pure: no database).

The promise this module keeps: a rule never says "below" about a person it
could not measure. Missing data, or data older than the rule accepts, is
"insufficient data", whatever the threshold; the rule's missing-data policy is
reported beside the outcome (``treated_as``) for the screening to apply, and
values within the rule's near-threshold band are "near threshold". A candidate
whose data carries a gaming or disagreement flag is "flagged": a person looks
before the number counts.

Evaluation has two halves so that the database can do the first one for a
whole population at once (``hiring.screening.metrics``): ``aggregate`` reduces a
metric's history to one value (latest, or median / max / min over a window),
and ``judge`` compares that value with the threshold. ``evaluate_rule`` does
both for one candidate's history.

Rules combine in groups: ALL (every rule must hold: the worst outcome wins) or
ANY (one is enough: the best outcome wins); a job's groups must all hold. Only
a ``below`` that rests on screen-out rules suggests a rejection, and a person
still decides.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import NamedTuple

from scoring.windows import window_start

OUTCOME_MEETS = "meets"
OUTCOME_BELOW = "below"
OUTCOME_NEAR = "near_threshold"
OUTCOME_INSUFFICIENT = "insufficient_data"
OUTCOME_FLAGGED = "flagged"

TREATED_REVIEW = "review"

ACTION_ADVISORY = "advisory"
ACTION_NEEDS_REVIEW = "needs_review"
ACTION_SCREEN_OUT = "screen_out"

COMBINE_ALL = "all"
COMBINE_ANY = "any"

SUGGEST_ADVANCE = "advance"
SUGGEST_REJECT = "reject"
SUGGEST_REVIEW = "review"
SUGGEST_NONE = ""  # only advisory rules: the machine suggests nothing

BAND_FIXED = "fixed"
BAND_VOLATILITY = "volatility"

# scoring.selectors.score_trend reads this window; the band uses the same noise.
VOLATILITY_WINDOW_DAYS = 90
# The MAD of a normal distribution times this is its standard deviation
# (scoring.trends.MAD_TO_SIGMA, here exact so that every database agrees).
MAD_TO_SIGMA = Decimal("1.4826")
# The noise's precision: far finer than any score's hundredths, the same on every path.
NOISE_QUANTUM = Decimal("0.0001")

MISSING_NONE = "none"  # never measured (in the period read)
MISSING_STALE = "stale"  # measured, but not within the maximum data age
MISSING_WINDOW = "window"  # fresh data, but none inside the aggregation window

_COMPARE = {
    "gte": lambda v, t: v >= t,
    "gt": lambda v, t: v > t,
    "lte": lambda v, t: v <= t,
    "lt": lambda v, t: v < t,
}
_SYMBOL = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<"}


@dataclass(frozen=True)
class RuleSpec:
    """The parts of a ScreeningRule that evaluation needs.

    ``near_band_source`` is ``fixed`` (the band is ``near_band``) or ``volatility``
    (the band is the candidate's measured day-to-day noise of the metric over the
    last 90 days, and never less than ``near_band``).
    """

    metric: str
    operator: str
    threshold: Decimal
    aggregation: str = "latest"
    window_days: int = 90
    max_data_age_days: int = 30
    missing_data_policy: str = "review"
    near_band: Decimal = Decimal(0)
    near_band_source: str = BAND_FIXED

    @property
    def line(self) -> str:
        """The rule as people read it: ``influence ≥ 35``."""
        return f"{self.metric} {_SYMBOL[self.operator]} {self.threshold}"

    @property
    def uses_window(self) -> bool:
        return self.aggregation != "latest"

    @property
    def lookback_days(self) -> int:
        """How far back evaluation reads: the data age, window and noise it needs."""
        days = self.max_data_age_days
        if self.uses_window:
            days = max(days, self.window_days)
        if self.near_band_source == BAND_VOLATILITY:
            days = max(days, VOLATILITY_WINDOW_DAYS)
        return days


@dataclass(frozen=True)
class DataPoint:
    at: datetime
    value: Decimal


class Aggregate(NamedTuple):
    """A metric's history reduced to the one value a rule compares.

    ``value`` is None when nothing usable was found; ``missing`` then says why
    (``none``, ``stale`` or ``window``). A named tuple: a screening builds one per
    candidate and rule (300,000 for a job of 100,000 with three rules).
    """

    value: Decimal | None
    points_used: int = 0
    newest_at: datetime | None = None
    missing: str = ""


@dataclass(frozen=True)
class RuleResult:
    outcome: str
    value: Decimal | None
    reason: str
    treated_as: str  # what the screening does with it: meets / below / review
    points_used: int
    band: Decimal = Decimal(0)  # the near-threshold band applied
    flags: tuple[str, ...] = ()


def median_of(values: Sequence[Decimal]) -> Decimal:
    """The median, exact: the middle value, or the mean of the two middle values."""
    return Decimal(median(values))


def median_from_middles(low: Decimal, high: Decimal) -> Decimal:
    """The median from its two middle values (equal for an odd count), as ``median_of``.

    The database returns the lower and upper middle values; the mean is taken
    here with the same arithmetic as ``statistics.median``.
    """
    return low if low == high else (low + high) / 2


def volatility_of_values(values: Sequence[Decimal]) -> Decimal:
    """Robust noise: MAD of day-to-day changes, scaled to a standard deviation (exact).

    The same figure as ``scoring.trends.volatility``, in decimals.
    """
    changes = [b - a for a, b in itertools.pairwise(values)]
    if not changes:
        return Decimal(0)
    centre = median_of(changes)
    deviations = sorted(abs(c - centre) for c in changes)
    middle = len(deviations) // 2
    return noise_from_middles(deviations[(len(deviations) - 1) // 2], deviations[middle])


def noise_from_middles(low: Decimal, high: Decimal) -> Decimal:
    """The noise from the two middle absolute deviations (equal for an odd count):
    1.4826 × their mean, to ``NOISE_QUANTUM``.

    One figure, however it was reached: the deviations' own digits depend on the path
    (a database's numeric division keeps 20 decimals, Python's the fewest exact ones),
    and a screening writes the band it applied.
    """
    return (MAD_TO_SIGMA * median_from_middles(low, high)).quantize(NOISE_QUANTUM)


def volatility(points: Sequence[DataPoint], *, now: datetime) -> Decimal | None:
    """The metric's day-to-day noise over the last 90 days; None without any value then."""
    start = window_start(now, VOLATILITY_WINDOW_DAYS)
    window = sorted(
        (p for p in points if start <= p.at <= now),
        key=lambda p: p.at,
    )
    if not window:
        return None
    return volatility_of_values([p.value for p in window])


def aggregate(rule: RuleSpec, points: Sequence[DataPoint], *, now: datetime) -> Aggregate:
    """Reduce a candidate's history of the rule's metric to the value the rule compares.

    Points after ``now`` do not exist yet. If the newest point is older than the
    rule's maximum data age there is no value (stale). Among points at the same
    time, the last one given counts as the latest.
    """
    current = [p for p in points if p.at <= now]
    if not current:
        return Aggregate(value=None, missing=MISSING_NONE)
    newest_at = max(p.at for p in current)
    if newest_at < now - timedelta(days=rule.max_data_age_days):
        return Aggregate(value=None, newest_at=newest_at, missing=MISSING_STALE)
    if not rule.uses_window:
        newest = [p for p in current if p.at == newest_at][-1]
        return Aggregate(value=newest.value, points_used=1, newest_at=newest_at)
    start = window_start(now, rule.window_days)
    window = [p.value for p in current if p.at >= start]
    if not window:
        return Aggregate(value=None, newest_at=newest_at, missing=MISSING_WINDOW)
    if rule.aggregation == "median":
        value = median_of(window)
    elif rule.aggregation == "max":
        value = max(window)
    elif rule.aggregation == "min":
        value = min(window)
    else:
        raise ValueError(f"unknown aggregation {rule.aggregation!r}")
    return Aggregate(value=value, points_used=len(window), newest_at=newest_at)


def _policy(rule: RuleSpec) -> str:
    return {"pass": OUTCOME_MEETS, "fail": OUTCOME_BELOW}.get(
        rule.missing_data_policy, TREATED_REVIEW
    )


def judge(
    rule: RuleSpec,
    found: Aggregate,
    *,
    volatility: Decimal | None = None,
    flags: Sequence[str] = (),
) -> RuleResult:
    """Compare an aggregated value with the rule: the outcome, what it counts as, and why.

    ``volatility`` is the candidate's noise of the metric (used by a volatility
    band); ``flags`` are the descriptions of gaming or disagreement flags on the
    data the rule reads.
    """
    line = rule.line
    if found.value is None:
        if found.missing == MISSING_WINDOW:
            why = f"no data in the last {rule.window_days} days"
        elif found.missing == MISSING_STALE:
            why = f"no data from the last {rule.max_data_age_days} days"
            if found.newest_at is not None:
                why += f" (newest from {found.newest_at:%Y-%m-%d})"
        else:
            why = "no data"
        return RuleResult(
            outcome=OUTCOME_INSUFFICIENT,
            value=None,
            reason=f"{line}: {why}; missing-data policy '{rule.missing_data_policy}'.",
            treated_as=_policy(rule),
            points_used=0,
        )
    value, used = found.value, found.points_used
    band = rule.near_band
    band_note = f"±{band}"
    if rule.near_band_source == BAND_VOLATILITY and volatility is not None and volatility > band:
        band = volatility
        band_note = f"±{volatility.quantize(Decimal('0.01'))}, the candidate's day-to-day noise"
    label = (
        "latest value"
        if not rule.uses_window
        else f"{rule.window_days}-day {rule.aggregation} of {used} values"
    )
    if flags:
        return RuleResult(
            outcome=OUTCOME_FLAGGED,
            value=value,
            reason=f"{line}: {label} {value}, but the data are flagged "
            f"({'; '.join(flags)}): a person looks first.",
            treated_as=TREATED_REVIEW,
            points_used=used,
            band=band,
            flags=tuple(flags),
        )
    if band > 0 and abs(value - rule.threshold) <= band:
        return RuleResult(
            outcome=OUTCOME_NEAR,
            value=value,
            reason=f"{line}: {label} {value} is within {band_note} of the line.",
            treated_as=TREATED_REVIEW,
            points_used=used,
            band=band,
        )
    if _COMPARE[rule.operator](value, rule.threshold):
        return RuleResult(
            OUTCOME_MEETS, value, f"{line}: {label} {value} meets it.", OUTCOME_MEETS, used, band
        )
    return RuleResult(
        OUTCOME_BELOW, value, f"{line}: {label} {value} does not.", OUTCOME_BELOW, used, band
    )


def evaluate_rule(
    rule: RuleSpec,
    points: Sequence[DataPoint],
    *,
    now: datetime,
    flags: Sequence[str] = (),
) -> RuleResult:
    """The outcome of ``rule`` for one candidate whose metric history is ``points``."""
    noise = volatility(points, now=now) if rule.near_band_source == BAND_VOLATILITY else None
    return judge(rule, aggregate(rule, points, now=now), volatility=noise, flags=flags)


def flag_applies(metric: str, kind: str, sources: Collection[str] = ()) -> bool:
    """Whether an anomaly flag of ``kind`` casts doubt on ``metric``.

    Gaming signs on an account (follower jumps, low engagement, ...) concern the
    online metrics: ``influence`` and the canonical ``metric:...`` counts. A
    disagreement flag names its two sources (``influence`` and a vendor): it
    concerns ``influence`` and that vendor's score. Offline reputation is never
    flagged by online signs.
    """
    if kind == "disagreement":
        if metric == "influence":
            return True
        for prefix in ("vendor:", "vendor."):
            if metric.startswith(prefix):
                return metric.removeprefix(prefix) in sources
        return False
    return metric == "influence" or metric.startswith("metric:")


def effective_outcome(result: RuleResult) -> str:
    """The outcome the combination uses: missing data as the missing-data policy says."""
    if result.outcome == OUTCOME_INSUFFICIENT:
        return {OUTCOME_MEETS: OUTCOME_MEETS, OUTCOME_BELOW: OUTCOME_BELOW}.get(
            result.treated_as, OUTCOME_INSUFFICIENT
        )
    return result.outcome


# Worst first: ALL takes the worst outcome of its rules, ANY the best.
_SEVERITY = [
    OUTCOME_BELOW,
    OUTCOME_NEAR,
    OUTCOME_INSUFFICIENT,
    OUTCOME_FLAGGED,
    OUTCOME_MEETS,
]


def worst(outcomes: Sequence[str]) -> str:
    if not outcomes:
        raise ValueError("no outcomes to combine")
    return min(outcomes, key=_SEVERITY.index)


def best(outcomes: Sequence[str]) -> str:
    if not outcomes:
        raise ValueError("no outcomes to combine")
    return max(outcomes, key=_SEVERITY.index)


def combine_all(results: Sequence[RuleResult]) -> str:
    """The outcome of rules that must all hold: the most severe of their outcomes."""
    if not results:
        raise ValueError("no rules to combine")
    return worst([effective_outcome(r) for r in results])


@dataclass(frozen=True)
class RuleInGroup:
    """One rule's result as the combination sees it."""

    action: str
    result: RuleResult


@dataclass(frozen=True)
class GroupResult:
    combinator: str
    outcome: str
    screen_out: bool  # a below here rests on screen-out rules only


@dataclass(frozen=True)
class Verdict:
    """The screening of one candidate: outcome, what the machine suggests, per group."""

    outcome: str
    suggestion: str
    groups: tuple[GroupResult | None, ...]  # None: a group of advisory rules only

    @property
    def needs_review(self) -> bool:
        return self.suggestion in (SUGGEST_REVIEW, SUGGEST_REJECT)


def combine_group(combinator: str, rules: Sequence[RuleInGroup]) -> GroupResult | None:
    """A group's outcome; None when it holds only advisory rules (they decide nothing).

    In an ALL group a below on any screen-out rule is enough to screen out; in an
    ANY group every alternative must have failed, and each of them must be a
    screen-out rule: a below on a rule meant for review never rejects anyone.
    """
    deciding = [r for r in rules if r.action != ACTION_ADVISORY]
    if not deciding:
        return None
    outcomes = [effective_outcome(r.result) for r in deciding]
    if combinator == COMBINE_ANY:
        outcome = best(outcomes)
        screen_out = outcome == OUTCOME_BELOW and all(
            r.action == ACTION_SCREEN_OUT for r in deciding
        )
    elif combinator == COMBINE_ALL:
        outcome = worst(outcomes)
        screen_out = outcome == OUTCOME_BELOW and any(
            r.action == ACTION_SCREEN_OUT and effective_outcome(r.result) == OUTCOME_BELOW
            for r in deciding
        )
    else:
        raise ValueError(f"unknown combinator {combinator!r}")
    return GroupResult(combinator=combinator, outcome=outcome, screen_out=screen_out)


def verdict(groups: Sequence[tuple[str, Sequence[RuleInGroup]]]) -> Verdict:
    """Combine a job's groups (all must hold) into the candidate's screening.

    The suggestion: ``advance`` when everything that decides is met; ``reject``
    only when the outcome is below and a below group rests on screen-out rules;
    ``review`` otherwise; nothing when only advisory rules exist (their worst
    outcome is still reported).
    """
    if not groups:
        raise ValueError("no rules to combine")
    results = tuple(combine_group(combinator, rules) for combinator, rules in groups)
    decided = [g for g in results if g is not None]
    if not decided:
        everything = [r.result for _, rules in groups for r in rules]
        return Verdict(combine_all(everything), SUGGEST_NONE, results)
    outcome = worst([g.outcome for g in decided])
    if outcome == OUTCOME_MEETS:
        suggestion = SUGGEST_ADVANCE
    elif outcome == OUTCOME_BELOW and any(
        g.screen_out for g in decided if g.outcome == OUTCOME_BELOW
    ):
        suggestion = SUGGEST_REJECT
    else:
        suggestion = SUGGEST_REVIEW
    return Verdict(outcome, suggestion, results)


def follows_suggestion(suggestion: str, decision: str) -> bool | None:
    """Whether a person's decision follows the machine; None when it suggested no decision."""
    if suggestion == SUGGEST_ADVANCE:
        return decision == SUGGEST_ADVANCE
    if suggestion == SUGGEST_REJECT:
        return decision == SUGGEST_REJECT
    return None
