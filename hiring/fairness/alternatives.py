"""Fairer alternatives to a draft rule (29 CFR 1607.3(B)): no rule, the same idea on
offline reputation, "OR offline reputation", nearby thresholds and windows, judged on
one histogram, and their one ordering.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Final, TypedDict

from django.utils import timezone

from hiring.fairness import bias_audit as audit_maths
from hiring.fairness.histograms import (
    PreviewRule,
    histogram,
)
from hiring.fairness.preview import (
    evaluate,
    kept_passes,
)
from hiring.models import Job
from hiring.screening.evaluation import RuleSpec

# A fairer alternative keeps at least this share of the original rule's passes (1607.3(B)).
KEEP_PASSES: Final = Fraction(9, 10)


# --- fairer alternatives (29 CFR 1607.3(B)) --------------------------------------------


class AlternativeDict(TypedDict):
    """An alternative as JSON (the API's preview): fractions as floats and exact "n/d"."""

    description: str
    rules: list[str]
    passes: int
    kept: int
    kept_share: float | None
    lowest_impact_ratio: float | None
    lowest_impact_ratio_exact: str | None
    lowest_category: str
    suggested: bool
    kind: str


# What an alternative changes: the three the rule page always sets beside the draft
# (``NAMED_KINDS``), then the nearby ones.
KIND_DRAFT: Final = "draft"
KIND_NO_RULE: Final = "no_rule"
KIND_REPUTATION: Final = "reputation_instead"
KIND_OR_REPUTATION: Final = "or_reputation"
KIND_THRESHOLD: Final = "threshold"
KIND_WINDOW: Final = "window"
NAMED_KINDS: Final = (KIND_NO_RULE, KIND_REPUTATION, KIND_OR_REPUTATION)
ALTERNATIVE_KINDS: Final = (*NAMED_KINDS, KIND_THRESHOLD, KIND_WINDOW)


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
    kind: str = KIND_THRESHOLD

    @property
    def lowest_ratio_text(self) -> str:
        if self.lowest_ratio is None:
            return "—"
        return f"{math.floor(self.lowest_ratio * 1000) / 1000:.3f}"  # down, as the warnings

    @property
    def kept_share_pct(self) -> str:
        return "—" if self.kept_share is None else f"{float(self.kept_share):.1%}"

    def as_dict(self) -> AlternativeDict:
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
            "kind": self.kind,
        }


def lowest_ratio(result: audit_maths.AuditResult) -> tuple[Fraction | None, str]:
    """The lowest impact ratio across the categories of every table, and whose.

    Categories too small to judge (fewer than 5 people or under 2 % of their table,
    ``bias_audit.decision_aid_counts``) are left out of this comparison: one person
    more or less swings their ratio from 0 to 1, which would decide every comparison.
    They stay in the audit itself.
    """
    rows = [
        (row.impact_ratio, row.label)
        for table in result.tables
        for row in table.rows
        if row.impact_ratio is not None and not row.too_small
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
# Offline reputation instead of the draft's metric: the line among these that passes
# about as many people as the draft does.
REPUTATION_INSTEAD_LINES: Final = tuple(Decimal(line) for line in range(10, 100, 10))
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
    base_columns = list(range(len(rules)))
    candidates: list[tuple[str, list[PreviewRule], list[int], str]] = []

    def variant(description: str, new: PreviewRule, column: int, extra: PreviewRule | None = None,
                extra_column: int | None = None, kind: str = KIND_THRESHOLD) -> None:  # fmt: skip
        chosen = list(rules)
        columns = list(base_columns)
        chosen[index] = new
        columns[index] = column
        if extra is not None and extra_column is not None:
            chosen.append(extra)
            columns.append(extra_column)
        candidates.append((description, chosen, columns, kind))

    unit_steps = _threshold_steps(draft.spec, 10)
    for threshold in unit_steps:
        spec = replace(draft.spec, threshold=threshold)
        variant(f"{spec.line}", replace(draft, spec=spec), index)
    for aggregation, days, column in window_columns:
        for threshold in [draft.spec.threshold, *unit_steps[:5]]:
            spec = replace(
                draft.spec, aggregation=aggregation, window_days=days, threshold=threshold
            )
            variant(
                f"{spec.line}, {days}-day {aggregation}",
                replace(draft, spec=spec),
                column,
                kind=KIND_WINDOW,
            )
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
                    kind=KIND_OR_REPUTATION,
                )
    candidates = candidates[:limit]
    # The named ones are searched whatever the limit: no rule, and reputation instead.
    others = [
        (r, c) for i, (r, c) in enumerate(zip(rules, base_columns, strict=True)) if i != index
    ]
    candidates.append(
        (
            "No rule" + (": the job's other live rules only" if others else ""),
            [r for r, _ in others],
            [c for _, c in others],
            KIND_NO_RULE,
        )
    )
    if reputation_column is not None:
        for line in REPUTATION_INSTEAD_LINES:
            rep = replace(reads[reputation_column], group_key=draft.group_key, draft=True)
            rep = replace(
                rep,
                action=draft.action,
                combinator=draft.combinator,
                spec=replace(rep.spec, threshold=line),
            )
            variant(
                f"Offline reputation ≥ {line} instead of {draft.spec.metric}",
                rep,
                reputation_column,
                kind=KIND_REPUTATION,
            )
    # Each column is classed by every rule that will judge it (histograms.judging_points).
    judged_by: list[list[RuleSpec]] = [[] for _ in reads]
    for _, chosen, columns, _ in [("", list(rules), base_columns, ""), *candidates]:
        for entry, column in zip(chosen, columns, strict=True):
            judged_by[column].append(entry.spec)
    hist = histogram(reads, job, now=now, judged_by=judged_by)
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
        kind=KIND_DRAFT,
    )
    found = []
    for description, chosen, columns, kind in candidates:
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
                kind=kind,
            )
        )
    return base, _one_reputation_instead(base, found)


def _one_reputation_instead(base: Alternative, found: list[Alternative]) -> list[Alternative]:
    """Of the "reputation instead" lines, the one whose passes are closest to the draft's
    (the same idea, as selective, on offline reputation); the lower line on a tie."""
    instead = [a for a in found if a.kind == KIND_REPUTATION]
    if not instead:
        return found

    def line(a: Alternative) -> Decimal:
        return next(r.spec.threshold for r in a.rules if r.draft)

    chosen = min(instead, key=lambda a: (abs(a.passes - base.passes), line(a)))
    return [a for a in found if a.kind != KIND_REPUTATION or a is chosen]


def ranking_key(alternative: Alternative) -> tuple[bool, Fraction, Fraction]:
    """The rule page's ranking (issue 18): the higher lowest impact ratio among groups
    large enough to judge first (none, when no group can be judged, last), then the
    larger share of the draft's passes kept."""
    a = alternative
    return (
        a.lowest_ratio is None,
        -(a.lowest_ratio or Fraction(0)),
        -(a.kept_share or Fraction(0)),
    )


def best_first(alternatives: Iterable[Alternative]) -> list[Alternative]:
    """The one order in which the admin and the API show alternatives (``ranking_key``;
    ties keep the order of ``fairer_alternatives``). ``suggested`` marks, it does not sort.
    """
    return sorted(alternatives, key=ranking_key)


def summary_alternatives(
    base: Alternative, alternatives: Sequence[Alternative], *, others: int = 2
) -> list[Alternative]:
    """What the rule page's summary sets side by side: the draft, the named alternatives
    (no rule, reputation instead, the best "OR offline reputation") and the ``others``
    best nearby ones, in the one ranking."""
    ranked = best_first(alternatives)
    chosen: list[Alternative] = [base]
    for kind in NAMED_KINDS:
        chosen.extend([a for a in ranked if a.kind == kind][:1])
    chosen.extend([a for a in ranked if a.kind not in NAMED_KINDS][:others])
    return best_first(chosen)
