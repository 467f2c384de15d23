"""The top of the rule page (issue 18): what the rule does today, who it hurts, what it
cannot see, and the best alternatives beside it, in plain words and one chart.

Read from the preview and the alternatives the page has already computed: no query.
Counts of 1 to 4 people follow the one masking rule (``warning.count_hidden``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from hiring.fairness import bias_audit as audit_maths
from hiring.fairness.alternatives import Alternative, summary_alternatives
from hiring.fairness.preview import Preview
from hiring.fairness.warning import FEWER_THAN_5, count_hidden
from hiring.models import MissingDataPolicy
from hiring.screening.evaluation import (
    MISSING_NONE,
    SUGGEST_ADVANCE,
    SUGGEST_REJECT,
    SUGGEST_REVIEW,
)

FOUR_FIFTHS_PCT: Final = 80  # where the chart draws the four-fifths line (of 0..1)
_TABLE_TITLES: Final = {
    "sex": "By sex",
    "race_ethnicity": "By race/ethnicity",
    "intersectional": "By sex × race/ethnicity",
}
_TREATMENT: Final = {
    MissingDataPolicy.REVIEW: "sends them to a person for review",
    MissingDataPolicy.PASS: "lets them through as if they met it",
    MissingDataPolicy.FAIL: "counts them as failing it",
}


def _ratio_text(ratio: Fraction | None) -> str:
    if ratio is None:
        return "—"
    return f"{ratio.numerator * 1000 // ratio.denominator / 1000:.3f}"  # down, as the warnings


def _p_text(p: float | None) -> str:
    if p is None:
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


@dataclass(frozen=True)
class Bar:
    """One group large enough to judge, as a bar of its impact ratio (0 to 1)."""

    table: str
    label: str
    ratio_text: str
    width_pct: float  # the bar's length, in hundredths of the scale (ratio 1 = 100)
    fisher_p_text: str
    reference: bool
    below: bool  # strictly below four-fifths (29 CFR 1607.4(D))


@dataclass(frozen=True)
class BarTable:
    title: str
    bars: list[Bar]


@dataclass(frozen=True)
class SmallGroup:
    """A group too small to judge: named, its figures shown, never compared."""

    table: str
    label: str
    people: int | str
    selected: int | None  # None when the count is hidden
    hidden: bool
    ratio_text: str
    fisher_p_text: str


@dataclass(frozen=True)
class RuleSummary:
    total: int
    passes: int
    reviews: int
    rejections: int
    unsuggested: int  # advisory rules only: the machine suggests nothing
    tables: list[BarTable]
    small: list[SmallGroup]
    unknown: int  # people with no known sex or race/ethnicity (left out of the chart)
    no_data: int  # people the draft rule has no usable value for
    never_measured: int
    no_data_treatment: str
    metric: str
    alternatives: list[Alternative]

    @property
    def below(self) -> list[Bar]:
        return [bar for table in self.tables for bar in table.bars if bar.below]

    @property
    def four_fifths_pct(self) -> int:
        return FOUR_FIFTHS_PCT


def _tables(
    result: audit_maths.AuditResult, *, include_restricted: bool
) -> tuple[list[BarTable], list[SmallGroup]]:
    tables: list[BarTable] = []
    small: list[SmallGroup] = []
    for table in result.tables:
        bars = []
        for row in table.rows:
            if row.too_small:
                hidden = count_hidden(row.count, include_restricted=include_restricted)
                small.append(
                    SmallGroup(
                        table=_TABLE_TITLES[table.name],
                        label=row.label,
                        people=FEWER_THAN_5 if hidden else row.count,
                        selected=None if hidden else row.favourable,
                        hidden=hidden,
                        ratio_text=_ratio_text(row.impact_ratio),
                        fisher_p_text=_p_text(row.fisher_p),
                    )
                )
                continue
            ratio = row.impact_ratio
            bars.append(
                Bar(
                    table=table.name,
                    label=row.label,
                    ratio_text=_ratio_text(ratio),
                    width_pct=0.0 if ratio is None else round(min(float(ratio), 1.0) * 100, 1),
                    fisher_p_text=_p_text(row.fisher_p),
                    reference=row.is_reference,
                    below=row.below_four_fifths,
                )
            )
        if bars:
            tables.append(BarTable(_TABLE_TITLES[table.name], bars))
    return tables, small


def rule_summary(
    preview: Preview,
    base: Alternative | None,
    alternatives: Sequence[Alternative],
    *,
    include_restricted: bool,
) -> RuleSummary:
    """The summary of ``preview`` (the job's rules with the draft among them)."""
    index = next((i for i, r in enumerate(preview.rules) if r.draft), None)
    no_data = never = 0
    metric = ""
    treatment = ""
    if index is not None:
        draft = preview.rules[index]
        metric = draft.spec.metric
        treatment = _TREATMENT.get(MissingDataPolicy(draft.spec.missing_data_policy), "")
        for cell in preview.histogram.cells:
            value, missing = cell.measures[index][0], cell.measures[index][1]
            if value is None:
                no_data += cell.count
                never += cell.count if missing == MISSING_NONE else 0
    tables, small = _tables(preview.audit, include_restricted=include_restricted)
    suggestions = preview.suggestions
    return RuleSummary(
        total=preview.total,
        passes=suggestions.get(SUGGEST_ADVANCE, 0),
        reviews=suggestions.get(SUGGEST_REVIEW, 0),
        rejections=suggestions.get(SUGGEST_REJECT, 0),
        unsuggested=sum(
            count
            for suggestion, count in suggestions.items()
            if suggestion not in (SUGGEST_ADVANCE, SUGGEST_REVIEW, SUGGEST_REJECT)
        ),
        tables=tables,
        small=small,
        unknown=preview.audit.unknown,
        no_data=no_data,
        never_measured=never,
        no_data_treatment=treatment,
        metric=metric,
        alternatives=[] if base is None else summary_alternatives(base, alternatives),
    )
