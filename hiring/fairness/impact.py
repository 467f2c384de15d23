"""Adverse-impact warnings: impact ratios per category, small groups, one person
reversing a result (29 CFR 1607.4(D); 6 RCNY 5-300).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from typing import Final

from hiring.fairness.bias_audit import (
    AuditResult,
    AuditTable,
    CategoryRow,
    RaceEthnicity,
    Sex,
    audit_counts,
)
from hiring.fairness.warning import (
    _TABLE_WORDS,
    FEWER_THAN_5,
    SIGNIFICANCE,
    SMALL_CATEGORY,
    FairnessWarning,
    Figure,
    OutcomeCount,
    PopulationSummary,
    RuleContext,
    RuleFacts,
    _category,
    _exact,
    _float,
    _pct,
    _people,
    _ratio,
)
from hiring.screening.evaluation import (
    OUTCOME_INSUFFICIENT,
    OUTCOME_MEETS,
)

# --- adverse impact -----------------------------------------------------------------------

_AI_SOURCE: Final = "29 CFR 1607.4(D); 6 RCNY 5-300 'Impact Ratio', 5-301(b)(3)"


def _advances(cell: OutcomeCount, rules: Sequence[RuleFacts]) -> bool:
    if cell.outcome == OUTCOME_MEETS:
        return True
    return cell.outcome == OUTCOME_INSUFFICIENT and all(
        rule.spec.missing_data_policy == "pass" for rule in rules
    )


def _audit_of(
    population: PopulationSummary, favourable: Callable[[OutcomeCount], bool]
) -> AuditResult:
    cells: dict[tuple[Sex | None, RaceEthnicity | None], tuple[int, int]] = {}
    for cell in population.cells:
        key = (cell.sex, cell.race_ethnicity)
        n, won = cells.get(key, (0, 0))
        cells[key] = (n + cell.count, won + (cell.count if favourable(cell) else 0))
    return audit_counts(cells, mode="selection")


def _adverse_impact_warnings(
    context: RuleContext, population: PopulationSummary, include_restricted: bool
) -> Iterator[FairnessWarning]:
    total = population.total
    if total == 0:
        yield FairnessWarning(
            code="adverse_impact.no_population",
            severity="info",
            message=(
                "There are no candidates to measure the rules against yet, so their impact "
                "on each group is unknown. Check again once candidates have been screened."
            ),
            figure={"candidates": 0},
            source="29 CFR 1607.4(A), (D)",
        )
        return
    result = _audit_of(population, lambda cell: _advances(cell, context.rules))
    if result.sex.total == 0 and result.race_ethnicity.total == 0:
        yield FairnessWarning(
            code="adverse_impact.no_demographic_data",
            severity="warning",
            message=(
                f"None of the {total} candidates has a known sex and race/ethnicity, so the "
                "rules' impact on each group cannot be measured. Invite voluntary "
                "self-identification; never infer it. Without such records, enforcement "
                "agencies may infer adverse impact."
            ),
            figure={"candidates": total, "unknown": result.unknown},
            source="29 CFR 1607.4(A), (D); DCWP FAQ III.6",
        )
        return
    if result.unknown:
        yield FairnessWarning(
            code="adverse_impact.unknown_category",
            severity="info",
            message=(
                f"{_people(result.unknown)} of {total} have an unknown sex or race/ethnicity. "
                "They are left out of the impact ratios below but must be counted in a bias "
                "audit. Do not infer their categories."
            ),
            figure={
                "candidates": total,
                "unknown": result.unknown,
                "unknown_by_table": {table.name: table.unknown for table in result.tables},
            },
            source="6 RCNY 5-301(b)(5); DCWP FAQ III.6",
        )
    if not any(row.favourable for row in result.sex.rows + result.race_ethnicity.rows):
        yield FairnessWarning(
            code="adverse_impact.undefined",
            severity="warning",
            message=(
                "Nobody with a known category meets the rules, so no impact ratio exists: "
                "the rules reject every group alike. Check the threshold and the data."
            ),
            figure={"candidates": total, "selected": 0},
            source="6 RCNY 5-300 'Impact Ratio'",
        )
        return
    for table in result.tables:
        reference = table.reference
        if reference is None:
            continue
        for row in table.rows:
            if row.is_reference or row.impact_ratio is None:
                continue
            yield from _row_warnings(table, row, reference, include_restricted)


def _row_warnings(
    table: AuditTable, row: CategoryRow, reference: CategoryRow, include_restricted: bool
) -> Iterator[FairnessWarning]:
    if row.impact_ratio is None:
        return
    figure, restricted = _comparison_figure(table, row, reference, include_restricted)
    subject = f"{table.name}:{row.label}"
    who = _category(row)
    against = (
        f"the rate of {_category(reference)}, the most selected {_TABLE_WORDS[table.name]} group"
    )
    small = min(row.count, reference.count) < SMALL_CATEGORY
    rates = "" if small else f" ({_pct(row.rate)} against {_pct(reference.rate)})"
    if row.below_four_fifths:
        yield FairnessWarning(
            code="adverse_impact.four_fifths",
            severity="serious",
            message=(
                f"{who} is selected at {_ratio(row.impact_ratio)} of {against}{rates}: below "
                "four-fifths (0.8), which is evidence of adverse impact. Keep the rule only if "
                "it is shown to be job-related, and try a lower threshold, a band, or using "
                "the score as one factor among several."
            ),
            figure=figure,
            source=_AI_SOURCE,
            subject=subject,
            restricted=restricted,
        )
        reverses = _one_person_reverses(row, reference)
        weak = row.fisher_p is not None and row.fisher_p >= SIGNIFICANCE
        if weak or reverses:
            why = []
            if weak:
                why.append(
                    f"the gap is not statistically significant (Fisher p = {row.fisher_p:.2g})"
                )
            if reverses:
                why.append("selecting one different person would reverse it")
            yield FairnessWarning(
                code="adverse_impact.small_numbers",
                severity="warning",
                message=(
                    f"{who}: the ratio below four-fifths rests on numbers too small to tell: "
                    f"{' and '.join(why)}. This does not clear the rule: look at a longer "
                    "period, or at the rule's use elsewhere, before concluding either way."
                ),
                figure={**figure, "one_person_reverses": reverses},
                source="29 CFR 1607.4(D); UGESP Questions and Answers (1979), 'one different person'",
                subject=subject,
                restricted=restricted,
            )
    elif row.fisher_p is not None and row.fisher_p < SIGNIFICANCE and row.rate < reference.rate:
        yield FairnessWarning(
            code="adverse_impact.significant",
            severity="warning",
            message=(
                f"{who} is selected at {_ratio(row.impact_ratio)} of {against}{rates}. That "
                "passes four-fifths, but the gap is statistically significant (Fisher p = "
                f"{row.fisher_p:.2g}); a smaller difference can still be adverse impact when "
                "it is significant in both statistical and practical terms."
            ),
            figure=figure,
            source="29 CFR 1607.4(D)",
            subject=subject,
            restricted=restricted,
        )


def _one_person_reverses(row: CategoryRow, reference: CategoryRow) -> bool:
    """Whether one selection moved from the reference to ``row`` would reverse the gap.

    The 1979 UGESP Q&A: no action "where ... the selection of one different person for
    one job would shift the result from adverse impact against one group to a
    situation in which that group has a higher selection rate than the other group".
    """
    if row.favourable >= row.count or reference.favourable == 0:
        return False
    return Fraction(row.favourable + 1, row.count) > Fraction(
        reference.favourable - 1, reference.count
    )


def _comparison_figure(
    table: AuditTable, row: CategoryRow, reference: CategoryRow, include_restricted: bool
) -> tuple[Figure, bool]:
    small = row.count < SMALL_CATEGORY or reference.count < SMALL_CATEGORY
    figure: Figure = {
        "table": table.name,
        "category": _row_figure(row, include_restricted),
        "reference": _row_figure(reference, include_restricted),
        "impact_ratio": _float(row.impact_ratio),
        "four_fifths": "4/5",
        "below_four_fifths": row.below_four_fifths,
        "fisher_p": row.fisher_p,
        "z": row.z,
        "table_total": table.total,
    }
    if include_restricted or not small:
        figure["impact_ratio_exact"] = _exact(row.impact_ratio)
    return figure, include_restricted and small


def _row_figure(row: CategoryRow, include_restricted: bool) -> Figure:
    masked = row.count < SMALL_CATEGORY and not include_restricted
    return {
        "label": row.label,
        "sex": row.sex,
        "race_ethnicity": row.race_ethnicity,
        "count": FEWER_THAN_5 if masked else row.count,
        "favourable": None if masked else row.favourable,
        "rate": None if masked else float(row.rate),
        "rate_exact": None if masked else _exact(row.rate),
        "under_two_percent": row.under_two_percent,
    }
