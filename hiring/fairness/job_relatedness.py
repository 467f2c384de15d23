"""Warnings about what the rule measures: job relatedness, discontinued, opaque and
stale metrics (vendor scores), and the rule's shape (breaks, gaming, offline reputation).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Final

from hiring.fairness.warning import (
    _VENDOR_NAMES,
    RAW_COUNT_METRICS,
    STALE_AFTER_DAYS,
    FairnessWarning,
    Figure,
    MetricCoverage,
    PopulationSummary,
    RuleContext,
    RuleFacts,
    Severity,
    _and,
    _day,
    _iso,
    _people,
    _whole_years,
)
from scoring.models import StatsWindow
from scoring.vendors import VENDOR_SCALES

# --- job relatedness -------------------------------------------------------------------

_JOB_SOURCE: Final = "29 CFR 1607.5(B), 1607.3(B); 42 U.S.C. 2000e-2(k)"


def _job_relatedness_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    # The job's relevance and justification are about online influence: rules on
    # offline reputation alone do not raise them.
    lines = [rule.line for rule in context.rules if rule.online]
    if not lines:
        return
    figure: Figure = {
        "influence_relevance": context.influence_relevance,
        "justification_given": bool(context.relevance_justification.strip()),
        "rules": list(lines),
    }
    if context.influence_relevance == "none":
        yield FairnessWarning(
            code="job_relatedness.not_relevant",
            severity="serious",
            message=(
                f"The job says online influence is not relevant to it, yet {_and(lines)} "
                "screens candidates on it. A selection procedure must be job-related; with no "
                "link to the job, any adverse impact it has cannot be justified. Drop the "
                "rule, or record why influence matters and consider alternatives with less "
                "adverse impact."
            ),
            figure=figure,
            source=_JOB_SOURCE,
        )
    elif not context.relevance_justification.strip():
        yield FairnessWarning(
            code="job_relatedness.no_justification",
            severity="warning",
            message=(
                f"The job marks online influence as {context.influence_relevance} but gives "
                "no reason. Write down why it matters for this job and which alternatives "
                "with less adverse impact were considered (a lower threshold, a band, the "
                "score as one factor among several)."
            ),
            figure=figure,
            source=_JOB_SOURCE,
        )


# --- metrics: discontinued, opaque, stale ----------------------------------------------


def _metric_warnings(
    context: RuleContext, population: PopulationSummary, today: date
) -> Iterator[FairnessWarning]:
    for rule in context.rules:
        coverage = population.coverage(rule.spec.metric)
        vendor = rule.vendor
        scale = VENDOR_SCALES.get(vendor) if vendor is not None else None
        closed_on = scale.closed_on if scale is not None else None
        if vendor is not None and closed_on is not None:
            years = _whole_years(closed_on, today)
            figure: Figure = {
                "rule": rule.line,
                "vendor": vendor,
                "closed_on": closed_on.isoformat(),
                "minimum_age_years": years,
                "max_data_age_days": rule.spec.max_data_age_days,
                "newest_as_of": _iso(coverage.newest_as_of if coverage else None),
            }
            impossible = (
                coverage is not None
                and coverage.newest_as_of is not None
                and coverage.newest_as_of > closed_on
            )
            figure["dated_after_closure"] = impossible
            name = _VENDOR_NAMES.get(vendor, vendor)
            message = (
                f"{rule.line}: {name} closed on {_day(closed_on)}, so every {name} score "
                f"is at least {years} years old and can no longer be refreshed, checked or "
                "disputed. It says nothing about the person today."
            )
            if impossible:
                message += (
                    " Some imported scores are dated after the closure: the data is wrong "
                    "or comes from another provider; find out which."
                )
            if rule.spec.max_data_age_days < (today - closed_on).days:
                message += (
                    f" With a maximum data age of {rule.spec.max_data_age_days} days every "
                    "such score counts as missing data."
                )
            yield FairnessWarning(
                code="metric.discontinued",
                severity="serious",
                message=message,
                figure=figure,
                source="Vendor shutdown (Klout 2018-05-25, scoring.vendors); 29 CFR 1607.5(B)",
                subject=rule.line,
            )
        if vendor is not None and (scale is None or not scale.method_published):
            yield FairnessWarning(
                code="metric.opaque",
                severity="warning",
                message=(
                    f"{rule.line}: {_VENDOR_NAMES.get(vendor, vendor)} has not published how "
                    "its score is computed"
                    + ("" if scale is not None else " (Renown knows nothing of this vendor)")
                    + ". Nobody can show that it measures anything the job needs, explain a "
                    "rejection to the candidate, or check it for bias."
                ),
                figure={
                    "rule": rule.line,
                    "vendor": vendor,
                    "method_published": False,
                    "known_vendor": scale is not None,
                },
                source="29 CFR 1607.5(B); EU AI Act Art. 13, 86; GDPR Art. 14(2)(g)",
                subject=rule.line,
            )
        if closed_on is None:
            yield from _stale_warning(rule, coverage, today)


def _stale_warning(
    rule: RuleFacts, coverage: MetricCoverage | None, today: date
) -> Iterator[FairnessWarning]:
    old = coverage.older_than_a_year if coverage is not None else 0
    accepts_old = rule.spec.max_data_age_days > STALE_AFTER_DAYS
    if not accepts_old:
        return  # older data is "insufficient data": the missing-data warnings cover it
    oldest = coverage.oldest_as_of if coverage is not None else None
    message = (
        f"{rule.line}: the rule accepts data up to {rule.spec.max_data_age_days} days old. "
        f"A value older than {STALE_AFTER_DAYS} days no longer describes the person."
    )
    if old:
        message += f" {_people(old)} would be judged on data over a year old."
    yield FairnessWarning(
        code="metric.stale_data",
        severity="warning",
        message=message + f" Lower the maximum data age to {STALE_AFTER_DAYS} days or less.",
        figure={
            "rule": rule.line,
            "max_data_age_days": rule.spec.max_data_age_days,
            "stale_after_days": STALE_AFTER_DAYS,
            "older_than_a_year": old,
            "oldest_as_of": _iso(oldest),
            "oldest_age_days": (today - oldest).days if oldest is not None else None,
        },
        source="29 CFR 1607.5(B); GDPR Art. 5(1)(d)",
        subject=rule.line,
    )


# --- the rule's shape: breaks, gaming, offline reputation ---------------------------------


def _breaks_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    for rule in context.rules:
        aggregation = rule.spec.aggregation
        if aggregation not in ("latest", "min"):
            continue
        if aggregation == "latest":
            what = (
                "judges people by their latest value only, so anyone who was offline for "
                "an illness, parental leave or a conference is judged at their lowest"
            )
        else:
            what = (
                f"judges people by their lowest value over {rule.spec.window_days} days, so "
                "any break (illness, parental leave, a conference) counts against them"
            )
        yield FairnessWarning(
            code="breaks.penalised",
            severity="info" if rule.action == "advisory" else "warning",
            message=(
                f"{rule.line} {what}. Breaks fall more often on carers and on people who are "
                "ill. Use the median over a window of 90 days or more."
            ),
            figure={
                "rule": rule.line,
                "aggregation": aggregation,
                "window_days": rule.spec.window_days,
                "suggested_aggregation": "median",
                "suggested_window_days": max(90, rule.spec.window_days),
            },
            source="29 CFR 1607.3(B)",
            subject=rule.line,
        )


def _window_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    """A window outside the kept ones (a rule from before them) reads the history."""
    for rule in context.rules:
        days = rule.spec.window_days
        if rule.spec.aggregation == "latest" or days in StatsWindow.values:
            continue
        yield FairnessWarning(
            code="window.not_kept",
            severity="info",
            message=(
                f"{rule.line} reads a {days}-day window, which Renown keeps no statistics "
                "for: each screening and preview reduces every person's history again, so "
                "they are slower at scale. Choose a window of 7, 30, 90, 180 or 365 days."
            ),
            figure={
                "rule": rule.line,
                "window_days": days,
                "kept_windows": [int(w) for w in StatsWindow.values],
            },
            source="Renown window statistics (scoring.window_stats)",
            subject=rule.line,
        )


def _gaming_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    for rule in context.rules:
        if rule.metric_root in RAW_COUNT_METRICS:
            severity: Severity = "warning"
            what = (
                f"{rule.line} reads a raw count. Followers, likes and views are sold by the "
                "thousand, so the rule rewards whoever buys them"
            )
        elif rule.vendor is not None:
            severity = "warning"
            what = (
                f"{rule.line}: influence vendors' scores mostly follow follower counts, which "
                "can be bought, and Renown cannot check the vendor's inputs for bought followers"
            )
        elif rule.metric_root == "influence":
            severity = "info"
            what = (
                f"{rule.line}: up to 39 of the 100 influence points come from follower reach, "
                "which can be bought; anomaly flags catch sudden jumps, not every purchase"
            )
        else:
            continue
        yield FairnessWarning(
            code="gaming.buyable",
            severity=severity,
            message=what + ". Send flagged candidates to review rather than trusting the number.",
            figure={"rule": rule.line, "metric": rule.spec.metric},
            source="16 CFR 465.8 (fake indicators of social media influence)",
            subject=rule.line,
        )


def _offline_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    if any(not rule.online for rule in context.rules):
        return
    core = context.influence_relevance == "core"
    yield FairnessWarning(
        code="offline_reputation.ignored",
        severity="info" if core else "warning",
        message=(
            "The rules look only at online metrics. Talks, books, teaching, publications, "
            "awards and referrals count for nothing, so people whose standing is offline "
            "are screened as if they had none. Add an alternative such as 'reputation ≥ x'."
        ),
        figure={
            "rules": [rule.line for rule in context.rules],
            "influence_relevance": context.influence_relevance,
        },
        source="29 CFR 1607.3(B)",
    )
