"""What a stored rule says, read-only: the pure evaluation's view of it, its definition as
plain data, and the cached verdict from each rule's outcome.

The screening run and the preview (``hiring.fairness.preview``) both read these; this module imports
no write service, so the preview does not import the run or the rule services.
"""

from __future__ import annotations

from functools import lru_cache

from hiring.models import RULE_DEFINITION_FIELDS, ScreeningRule
from hiring.screening.evaluation import RuleInGroup, RuleResult, RuleSpec, Verdict, verdict


def rule_spec(rule: ScreeningRule) -> RuleSpec:
    """The pure evaluation's view of a stored rule."""
    return RuleSpec(
        metric=rule.metric,
        operator=rule.operator,
        threshold=rule.threshold,
        aggregation=rule.aggregation,
        window_days=rule.window_days,
        max_data_age_days=rule.max_data_age_days,
        missing_data_policy=rule.missing_data_policy,
        near_band=rule.near_band,
        near_band_source=rule.near_band_source,
    )


@lru_cache(maxsize=4096)
def verdict_cached(
    structure: tuple[tuple[str, tuple[int, ...]], ...], keys: tuple[tuple[str, str, str], ...]
) -> Verdict:
    """The verdict from each rule's (action, outcome, treated_as): values do not matter here."""
    return verdict(
        [
            (
                combinator,
                [
                    RuleInGroup(keys[i][0], RuleResult(keys[i][1], None, "", keys[i][2], 0))
                    for i in members
                ],
            )
            for combinator, members in structure
        ]
    )


def rule_definition(rule: ScreeningRule) -> dict[str, object]:
    """What a version says, as plain data for the audit trail and screening runs."""
    definition: dict[str, object] = {
        field: getattr(rule, f"{field}_id" if field == "group" else field)
        for field in RULE_DEFINITION_FIELDS
    }
    definition["combinator"] = rule.group.combinator if rule.group is not None else "all"
    return {
        "id": rule.pk,
        "lineage": str(rule.lineage),
        "version": rule.version,
        "status": rule.status,
        "line": str(rule),
        **definition,
    }
