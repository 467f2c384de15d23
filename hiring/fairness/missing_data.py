"""Missing-data warnings: people without a footprint or a value, by category, and what
the missing-data policy does to them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction

from hiring.fairness.bias_audit import CategoryRow
from hiring.fairness.impact import _audit_of, _comparison_figure, _one_person_reverses
from hiring.fairness.warning import (
    _TABLE_WORDS,
    FEWER_THAN_5,
    SIGNIFICANCE,
    SMALL_CATEGORY,
    FairnessWarning,
    Figure,
    PopulationSummary,
    RuleContext,
    Severity,
    _and,
    _category,
    _pct,
    _people,
    _ratio,
    _share,
    count_hidden,
    group_figure,
)
from hiring.screening.evaluation import OUTCOME_INSUFFICIENT

# --- missing data / no footprint ----------------------------------------------------


def _missing_data_warnings(
    context: RuleContext, population: PopulationSummary, include_restricted: bool
) -> Iterator[FairnessWarning]:
    total = population.total
    insufficient = population.count(OUTCOME_INSUFFICIENT)
    no_footprint = sum(
        cell.no_footprint for cell in population.cells if cell.outcome == OUTCOME_INSUFFICIENT
    )
    policies = sorted({rule.spec.missing_data_policy for rule in context.rules})
    by_category, small_counts = _no_footprint_by_category(population, include_restricted)
    counts: Figure = {
        "candidates": total,
        "insufficient_data": insufficient,
        "insufficient_share": _share(insufficient, total),
        "no_footprint": no_footprint,
        "no_footprint_by_category": by_category,
    }
    for rule in context.rules:
        if rule.spec.missing_data_policy == "fail":
            yield FairnessWarning(
                code="missing_data.fail_policy",
                severity="serious",
                message=(
                    f"{rule.line} treats people it cannot measure as failing"
                    + (
                        f": {_people(insufficient)} of {total} have no usable data"
                        f" ({no_footprint} with no online account at all)"
                        if insufficient
                        else ""
                    )
                    + ". Having no data says nothing about a person's ability; it falls on "
                    "people who are offline, private or new. Send them to review instead."
                ),
                figure={"rule": rule.line, "policy": "fail", **counts},
                source="29 CFR 1607.3(B), 1607.5(B)",
                subject=rule.line,
                restricted=small_counts,
            )
    if not insufficient:
        return
    effect = _policy_effect(policies)
    measured = _audit_of(population, lambda cell: cell.outcome != OUTCOME_INSUFFICIENT)
    figure: Figure = {**counts, "policies": list(policies)}
    if "fail" in policies:
        severity: Severity = "serious"
    elif policies == ["pass"]:
        severity = "info"
    else:
        severity = "warning"
    unequal_anywhere = False
    for table in measured.tables:
        reference = table.reference
        if reference is None:
            continue
        unequal = [
            row
            for row in table.rows
            if not row.is_reference
            and not row.too_small
            and row.impact_ratio is not None
            and _measured_unequally(row, reference)
        ]
        if not unequal:
            continue
        unequal_anywhere = True
        figures = [_comparison_figure(table, row, reference, include_restricted) for row in unequal]
        names = [
            f"{_category(row)} (measured at {_ratio(row.impact_ratio)} of the best-measured "
            "group's rate)"
            for row in unequal
        ]
        yield FairnessWarning(
            code="no_footprint.disparity",
            severity=severity,
            message=(
                f"{_people(insufficient)} of {total} ({_pct(Fraction(insufficient, total))}) "
                f"land in 'insufficient data', {no_footprint} of them with no online account "
                f"at all, and not evenly by {_TABLE_WORDS[table.name]}: {_and(names)}. {effect}"
            ),
            figure={**figure, "table": table.name, "categories": [f for f, _ in figures]},
            source="29 CFR 1607.4(D); 6 RCNY 5-301(b)",
            subject=f"{table.name}:" + "; ".join(row.label for row in unequal),
            restricted=small_counts or any(restricted for _, restricted in figures),
            table=table.name,
            groups=tuple(group_figure(row, include_restricted) for row in unequal),
        )
    if not unequal_anywhere:
        yield FairnessWarning(
            code="no_footprint.count",
            severity="info",
            message=(
                f"{_people(insufficient)} of {total} ({_pct(Fraction(insufficient, total))}) "
                f"land in 'insufficient data', {no_footprint} of them with no online account "
                f"at all; no group is hit disproportionately. {effect}"
            ),
            figure=figure,
            source="29 CFR 1607.3(B)",
            restricted=small_counts,
        )


def _no_footprint_by_category(
    population: PopulationSummary, include_restricted: bool
) -> tuple[Figure, bool]:
    """People with no online account, per known category (``table:label``).

    Counts under 5 are "fewer than 5" unless ``include_restricted``; the flag says
    whether an exact count under 5 was kept.
    """
    tallies: dict[str, int] = {}
    for cell in population.cells:
        if not cell.no_footprint:
            continue
        keys = []
        if cell.sex is not None:
            keys.append(f"sex:{cell.sex}")
        if cell.race_ethnicity is not None:
            keys.append(f"race_ethnicity:{cell.race_ethnicity}")
        if cell.sex is not None and cell.race_ethnicity is not None:
            keys.append(f"intersectional:{cell.race_ethnicity} {cell.sex}")
        for key in keys:
            tallies[key] = tallies.get(key, 0) + cell.no_footprint
    figure: Figure = {}
    kept_small = False
    for key, count in sorted(tallies.items()):
        if count_hidden(count, include_restricted=include_restricted):
            figure[key] = FEWER_THAN_5
        else:
            figure[key] = count
            kept_small = kept_small or count < SMALL_CATEGORY
    return figure, kept_small


def _measured_unequally(row: CategoryRow, reference: CategoryRow) -> bool:
    # Four-fifths on the rate of being measured, unless one person would reverse it;
    # or a statistically significant gap (a 10 % against 20 % unmeasured split passes
    # four-fifths on the measured rate, 0.9 against 0.8, but is still a pattern).
    if row.below_four_fifths and not _one_person_reverses(row, reference):
        return True
    return row.fisher_p is not None and row.fisher_p < SIGNIFICANCE and row.rate < reference.rate


def _policy_effect(policies: Sequence[str]) -> str:
    effects = {
        "review": "Under the policy 'review' a person decides on them: make sure reviewers "
        "see offline reputation, since a reviewer's judgement is where bias re-enters.",
        "pass": "Under the policy 'pass' they are treated as meeting the rule.",
        "fail": "Under the policy 'fail' they are rejected for having no data.",
    }
    return " ".join(effects[policy] for policy in policies)
