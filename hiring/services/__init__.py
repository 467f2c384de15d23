"""Hiring use cases, one module per idea, all importable from ``hiring.services``.

The screening run (a job's population screened set-based; one candidate; re-runs) lives
in ``hiring.screening.run``; review (decisions, adverse action, disputes) in
``hiring.review``; their use cases are importable from here too (the pages and tests
call ``services.decision_record`` and the like).

- ``rules``: screening-rule versions, four-eyes approval, deactivation, rollback, groups.
- ``jobs``: a job created or changed, audited; a change of where it hires puts rules on hold.
- ``audits``: the auditor's exclusions of categories under 2 % from a recorded bias audit.
"""

from __future__ import annotations

from hiring.review.adverse_action import (
    adverse_action_send_final,
    adverse_action_send_pre_adverse,
    adverse_action_withdraw,
)
from hiring.review.decisions import decision_record, fcra_applies
from hiring.review.disputes import dispute_open, dispute_reinvestigate, dispute_resolve
from hiring.review.queue import decision_bulk_record, review_assign
from hiring.screening.run import (
    application_add,
    screening_evaluate,
    screening_rerun_for_candidates,
    screening_run_for_job,
    screening_snapshot,
)
from hiring.screening.spec import rule_definition, rule_spec
from hiring.services.audits import bias_audit_exclude, bias_audit_exclusion_withdraw
from hiring.services.jobs import job_create, job_update
from hiring.services.rule_groups import rule_group_create, rule_group_update
from hiring.services.rules import (
    rule_acknowledge,
    rule_activate,
    rule_approve,
    rule_create,
    rule_deactivate,
    rule_rollback,
    rule_update,
    serious_warnings,
    unacknowledged_warnings,
)

__all__ = [
    "adverse_action_send_final",
    "adverse_action_send_pre_adverse",
    "adverse_action_withdraw",
    "application_add",
    "bias_audit_exclude",
    "bias_audit_exclusion_withdraw",
    "decision_bulk_record",
    "decision_record",
    "dispute_open",
    "dispute_reinvestigate",
    "dispute_resolve",
    "fcra_applies",
    "job_create",
    "job_update",
    "review_assign",
    "rule_acknowledge",
    "rule_activate",
    "rule_approve",
    "rule_create",
    "rule_deactivate",
    "rule_definition",
    "rule_group_create",
    "rule_group_update",
    "rule_rollback",
    "rule_spec",
    "rule_update",
    "screening_evaluate",
    "screening_rerun_for_candidates",
    "screening_run_for_job",
    "screening_snapshot",
    "serious_warnings",
    "unacknowledged_warnings",
]
