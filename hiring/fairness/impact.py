"""Adverse-impact warnings: impact ratios per category, small groups, one person
reversing a result (29 CFR 1607.4(D); 6 RCNY 5-300).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from typing import Final

from hiring.fairness.bias_audit import (
    TOO_SMALL_UNDER,
    AuditResult,
    AuditTable,
    CategoryRow,
    RaceEthnicity,
    Sex,
    decision_aid_counts,
)
from hiring.fairness.warning import (
    _TABLE_WORDS,
    FEWER_THAN_5,
    SIGNIFICANCE,
    SMALL_CATEGORY,
    FairnessWarning,
    Figure,
    FigureValue,
    OutcomeCount,
    PopulationSummary,
    RuleContext,
    RuleFacts,
    Severity,
    _and,
    _category,
    _exact,
    _float,
    _pct,
    _people,
    _ratio,
    count_hidden,
    group_figure,
)
from hiring.screening.evaluation import (
    OUTCOME_INSUFFICIENT,
    OUTCOME_MEETS,
)

# --- adverse impact -----------------------------------------------------------------------

_NAMED: Final = 3  # a message names this many groups at most; its table lists them all
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
    return decision_aid_counts(cells)


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
        yield from _table_warnings(table, include_restricted)


def _table_warnings(table: AuditTable, include_restricted: bool) -> Iterator[FairnessWarning]:
    """One warning per code for ``table``, each listing the groups it concerns.

    Groups too small to judge (``bias_audit.decision_aid_counts``) are never the
    reference and raise no warning of their own: one informational entry lists them.
    """
    reference = table.reference
    words = _TABLE_WORDS[table.name]
    if reference is not None:
        against = (
            f"the rate of {_category(reference)} ({_pct(reference.rate)}), the most selected "
            f"{words} group large enough to judge"
        )
        compared = [
            row
            for row in table.rows
            if not row.is_reference and not row.too_small and row.impact_ratio is not None
        ]
        failing = [row for row in compared if row.below_four_fifths]
        if failing:
            yield _grouped(
                table, reference, failing, include_restricted,
                code="adverse_impact.four_fifths",
                severity="serious",
                message=(
                    f"By {words}, {_listing(failing)} selected at under four-fifths "
                    f"(0.8) of {against}: evidence of adverse impact. Keep the rule only if it "
                    "is shown to be job-related, and try a lower threshold, a band, or using "
                    "the score as one factor among several."
                ),
                source=_AI_SOURCE,
            )  # fmt: skip
        weak = [row for row in failing if _weak(row) or _one_person_reverses(row, reference)]
        if weak:
            yield _grouped(
                table, reference, weak, include_restricted,
                code="adverse_impact.small_numbers",
                severity="warning",
                message=(
                    f"By {words}, the ratio below four-fifths of "
                    + (
                        _and(_small_numbers_reason(row, reference) for row in weak)
                        if len(weak) <= _NAMED
                        else f"{len(weak)} groups (each gap not statistically significant, or "
                        "reversed by selecting one different person: see the table)"
                    )
                    + " rests on numbers too small to tell. This does not clear the rule: look "
                    "at a longer period, or at the rule's use elsewhere, before concluding "
                    "either way."
                ),
                source="29 CFR 1607.4(D); UGESP Questions and Answers (1979), 'one different person'",
            )  # fmt: skip
        significant = [
            row
            for row in compared
            if not row.below_four_fifths
            and row.fisher_p is not None
            and row.fisher_p < SIGNIFICANCE
            and row.rate < reference.rate
        ]
        if significant:
            yield _grouped(
                table, reference, significant, include_restricted,
                code="adverse_impact.significant",
                severity="warning",
                message=(
                    f"By {words}, {_listing(significant, fisher=True)} selected "
                    f"at a lower rate than {against}. That passes four-fifths, but the gap is "
                    "statistically significant; a smaller difference can still be adverse "
                    "impact when it is significant in both statistical and practical terms."
                ),
                source="29 CFR 1607.4(D)",
            )  # fmt: skip
    small = [row for row in table.rows if row.too_small]
    if small:
        if reference is None:
            compared_to = (
                "No group is large enough to judge, so no group is the reference and no "
                "impact ratio is computed."
            )
        else:
            compared_to = (
                f"Each is shown with its ratio and Fisher p against {_category(reference)}, "
                "but is never the reference group and never flagged below four-fifths on its "
                "own: one person more or less swings its rate."
            )
        yield _grouped(
            table, reference, small, include_restricted,
            code="adverse_impact.too_small",
            severity="info",
            message=(
                f"By {words}, {_and(_category(row) for row in small)} "
                f"{'is' if len(small) == 1 else 'are'} too small to judge: fewer than "
                f"{TOO_SMALL_UNDER} people or under 2% of the {table.total} with a known "
                f"{words}. {compared_to} This preview is a decision aid; in a bias audit the "
                "independent auditor decides whether to exclude a category under 2%."
            ),
            source="6 RCNY 5-301(d); 29 CFR 1607.4(D); UGESP Questions and Answers (1979)",
        )  # fmt: skip


def _weak(row: CategoryRow) -> bool:
    return row.fisher_p is not None and row.fisher_p >= SIGNIFICANCE


def _small_numbers_reason(row: CategoryRow, reference: CategoryRow) -> str:
    why = []
    if _weak(row):
        why.append(f"not statistically significant, Fisher p = {row.fisher_p:.2g}")
    if _one_person_reverses(row, reference):
        why.append("selecting one different person would reverse it")
    return f"{_category(row)} ({' and '.join(why)})"


def _listing(rows: Sequence[CategoryRow], *, fisher: bool = False) -> str:
    """``Asian Female at 0.500 (30.0%) and Black Male at 0.700 (42.0%) are``; rates of
    groups under 5 people are never written. More than ``_NAMED`` groups: how many,
    and the lowest (the warning's groups list every one)."""
    if len(rows) > _NAMED:
        lowest = min(rows, key=lambda row: (row.impact_ratio or 0, row.label))
        return (
            f"{len(rows)} groups, the lowest {_category(lowest)} at "
            f"{_ratio(lowest.impact_ratio)}, are"
        )
    parts = []
    for row in rows:
        details = []
        if row.count >= SMALL_CATEGORY:
            details.append(_pct(row.rate))
        if fisher and row.fisher_p is not None:
            details.append(f"Fisher p = {row.fisher_p:.2g}")
        listed = f"{_category(row)} at {_ratio(row.impact_ratio)}"
        parts.append(f"{listed} ({', '.join(details)})" if details else listed)
    return _and(parts) + (" is" if len(rows) == 1 else " are")


def _grouped(
    table: AuditTable,
    reference: CategoryRow | None,
    rows: Sequence[CategoryRow],
    include_restricted: bool,
    *,
    code: str,
    severity: Severity,
    message: str,
    source: str,
) -> FairnessWarning:
    """One warning for ``table`` about ``rows``; its subject names the table and the
    groups, so an acknowledgement answers exactly this set of groups."""
    categories: list[FigureValue] = []
    restricted = False
    for row in rows:
        figure, kept_small = _comparison_figure(table, row, reference, include_restricted)
        categories.append(figure)
        restricted = restricted or kept_small
    groups = tuple(group_figure(row, include_restricted) for row in rows)
    return FairnessWarning(
        code=code,
        severity=severity,
        message=message,
        figure={
            "table": table.name,
            "reference": None if reference is None else _row_figure(reference, include_restricted),
            "four_fifths": "4/5",
            "table_total": table.total,
            "categories": categories,
        },
        source=source,
        subject=f"{table.name}:" + "; ".join(row.label for row in rows),
        restricted=restricted,
        table=table.name,
        groups=groups,
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
    table: AuditTable,
    row: CategoryRow,
    reference: CategoryRow | None,
    include_restricted: bool,
) -> tuple[Figure, bool]:
    """``row`` against ``reference`` in figures, and whether it kept a count under 5."""
    small = row.count < SMALL_CATEGORY or (
        reference is not None and reference.count < SMALL_CATEGORY
    )
    figure: Figure = {
        "table": table.name,
        "category": _row_figure(row, include_restricted),
        "reference": None if reference is None else _row_figure(reference, include_restricted),
        "impact_ratio": _float(row.impact_ratio),
        "four_fifths": "4/5",
        "below_four_fifths": row.below_four_fifths,
        "too_small": row.too_small,
        "fisher_p": row.fisher_p,
        "z": row.z,
        "table_total": table.total,
        "one_person_reverses": reference is not None and _one_person_reverses(row, reference),
    }
    if include_restricted or not small:
        figure["impact_ratio_exact"] = _exact(row.impact_ratio)
    return figure, include_restricted and small


def _row_figure(row: CategoryRow, include_restricted: bool) -> Figure:
    masked = count_hidden(row.count, include_restricted=include_restricted)
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
