"""Fairness: what a job's screening rules do to people, before and after they go live.

Owns the fairness warnings (grouped by theme: ``jurisdiction``, ``job_relatedness``,
``impact``, ``missing_data``, ``near_line``; shared shapes in ``warning``, the one entry
point in ``rule_warnings``), the bias-audit maths (``bias_audit``), bias audits on live
data (``live_bias_audit``), and the rule preview with its histograms and fairer
alternatives (``histograms``, ``preview``, ``alternatives``).

May import ``renown``, ``candidates``, ``scoring``, the read side of ``hiring`` (models,
conf, jurisdictions, selectors) and ``hiring.screening`` (metric queries, evaluation, the
read-only rule spec); never the write services, the recruiter pages or the API.
This ``__init__`` re-exports only the warning API (pure, no database), so importing the
package pulls in no service module.
"""

from hiring.fairness.rule_warnings import warnings_for_rule
from hiring.fairness.warning import (
    FEWER_THAN_5,
    SEVERITIES,
    FairnessWarning,
    GroupDict,
    GroupedWarningDict,
    MetricCoverage,
    OutcomeCount,
    PopulationSummary,
    RuleContext,
    RuleFacts,
    Severity,
    WarningDict,
    add_business_days,
    business_days_between,
)
from hiring.ll144 import one_year_after

__all__ = [
    "FEWER_THAN_5",
    "SEVERITIES",
    "FairnessWarning",
    "GroupDict",
    "GroupedWarningDict",
    "MetricCoverage",
    "OutcomeCount",
    "PopulationSummary",
    "RuleContext",
    "RuleFacts",
    "Severity",
    "WarningDict",
    "add_business_days",
    "business_days_between",
    "one_year_after",
    "warnings_for_rule",
]
