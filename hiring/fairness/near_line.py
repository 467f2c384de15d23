"""Near-the-line warnings: how many people sit within the measurement noise of the
threshold.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

from hiring.fairness.warning import (
    NEAR_MASS_SHARE,
    FairnessWarning,
    PopulationSummary,
    RuleContext,
    RuleFacts,
    _and,
    _pct,
    _people,
    _share,
)
from hiring.screening.evaluation import OUTCOME_NEAR

# --- the line: near-threshold mass ---------------------------------------------------


def _near_threshold_warnings(
    context: RuleContext, population: PopulationSummary
) -> Iterator[FairnessWarning]:
    total = population.total
    near = population.count(OUTCOME_NEAR)
    banded = [rule for rule in context.rules if rule.spec.near_band > 0]
    if banded and near:
        share = Fraction(near, total)
        bands = _and([f"±{rule.spec.near_band} around {rule.line}" for rule in banded])
        yield FairnessWarning(
            code="near_threshold.mass",
            severity="warning" if share >= NEAR_MASS_SHARE else "info",
            message=(
                f"{_people(near)} of {total} ({_pct(share)}) sit within the measurement noise "
                f"of the line ({bands}) and go to review."
                + (
                    " The line sits where many people are: a point of noise decides their "
                    "fate, and reviewers facing many such cases tend to follow the score."
                    if share >= NEAR_MASS_SHARE
                    else ""
                )
            ),
            figure={
                "candidates": total,
                "near_threshold": near,
                "near_share": _share(near, total),
                "rules": [rule.line for rule in banded],
                "mass_share_threshold": float(NEAR_MASS_SHARE),
            },
            source="EU AI Act Art. 14(4)(b) (automation bias); 29 CFR 1607.5(B)",
        )
    for rule in context.rules:
        if rule.spec.near_band > 0 or rule.action == "advisory":
            continue
        just_below = population.just_below
        margin = population.just_below_margin
        message = (
            f"{rule.line} has no near band: the person at {_just_under(rule)} is treated as "
            "failing, though the difference is within measurement noise."
        )
        if just_below and margin > 0:
            message += f" {_people(just_below)} fail by {margin} or less."
        yield FairnessWarning(
            code="near_threshold.no_band",
            severity="warning" if rule.action == "screen_out" else "info",
            message=message + " Set a near band so that they go to review.",
            figure={
                "rule": rule.line,
                "near_band": str(rule.spec.near_band),
                "just_below": just_below,
                "just_below_margin": str(margin),
                "action": rule.action,
            },
            source="29 CFR 1607.5(B); EU AI Act Art. 14(4)",
            subject=rule.line,
        )


def _just_under(rule: RuleFacts) -> str:
    threshold = rule.spec.threshold
    step = Decimal(1)
    value = threshold - step if rule.spec.operator in ("gte", "gt") else threshold + step
    return f"{value} against a line at {threshold}"
