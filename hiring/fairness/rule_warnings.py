"""Fairness warnings for a job's screening rules (pure: plain values in, warnings out).

One function, ``warnings_for_rule(context, population, today=...)``, produces every
warning an HR admin sees while setting a threshold; the admin, the API and the audit
report show the same list (``FairnessWarning.as_dict()``). The caller fills the two
inputs: ``RuleContext`` (the rules, the job, notice and audit facts) and
``PopulationSummary`` (counts it computes in SQL for the rules as proposed). Nothing
here reads the database.

Sources (see ``shared/reference/fairness-law.md`` for the texts and their marks):

- **Adverse impact**: the four-fifths rule, 29 CFR 1607.4(D): a category's selection
  rate *strictly* below 4/5 of the highest category's rate is evidence of adverse
  impact; exactly 4/5 is not. Impact ratios per sex, race/ethnicity and intersectional
  category as 6 RCNY 5-300 "Impact Ratio" and 5-301(b)(3) define them. The arithmetic
  (exact fractions, Fisher exact p, pooled z) is ``hiring.fairness.bias_audit``'s; this module only
  reads its rows. Smaller differences that are statistically significant may still be
  adverse impact, and larger ones on small numbers may not be (same paragraph of
  1607.4(D); the 1979 UGESP Q&A's "one different person" test). Warnings about groups
  come one per code and table (sex, race/ethnicity, intersectional), listing the
  groups they concern (``FairnessWarning.table``, ``groups``). This is a decision
  aid, not an LL144 audit: a group of fewer than 5 people or under 2 % of its table
  (known categories only) is too small to judge (``bias_audit.decision_aid_counts``):
  never the reference, never below four-fifths, listed once per table in
  ``adverse_impact.too_small`` (info) with its ratio and Fisher p.
- **Job relatedness**: 29 CFR 1607.5(B) (validity), 1607.3(B) (prefer the alternative
  with less adverse impact), 42 U.S.C. 2000e-2(k) (job related and consistent with
  business necessity).
- **NYC Local Law 144** (jobs in ``US-NY-NYC``, any use of the rule): a bias audit by
  an independent auditor, no use "if more than one year has passed" since it
  (6 RCNY 5-301(a), 5-300 "Independent auditor"), its summary published before use
  (5-303), and the candidate notice at least 10 business days before use (5-304(b)).
  Business days are weekdays (public holidays are not known here).
- **Automated decisions**: GDPR Art. 22 (solely automated decisions; human involvement
  must be meaningful, WP29 WP251rev.01) for jobs the GDPR reaches (the EU, the rest
  of the EEA, the UK's copy); EU AI Act Art. 14(4) and 26(2) (human oversight) in the
  EU; CJEU C-634/21 *SCHUFA* (a third party's score the decision draws on strongly is
  itself an automated decision).
- **FCRA**: a third party's score on a candidate's "general reputation" used for
  employment is likely a consumer report: standalone disclosure and written
  authorisation first, 15 U.S.C. 1681a(d), 1681b(b)(2); pre-adverse and adverse
  action notices, 1681b(b)(3), 1681m(a); FTC v. Spokeo (2012).
- **Bought followers**: 16 CFR 465.8 (FTC, 2024) forbids buying or selling fake
  indicators of social-media influence; that a rule exists shows the market does.
- **Discontinued vendors**: ``scoring.vendors`` (Klout closed on 2018-05-25).

Severities, and why:

- **serious** -- a rule as set either breaks a legal requirement where the job hires
  (LL144 notice or audit, FCRA disclosure, GDPR Art. 22) or rejects people
  on grounds that cannot be defended: an impact ratio below 4/5, a metric the job
  itself says is irrelevant, a vendor that no longer exists, "no data" counted as
  failing. The admin must acknowledge these before the rule goes live.
- **warning** -- a real risk to people that the admin should weigh and usually act
  on, but that is not by itself unlawful or indefensible: a significant gap that
  passes four-fifths, a failing ratio on numbers too small to tell (it asks for more
  data, and never replaces the serious four-fifths warning it qualifies), an opaque
  or stale metric, breaks punished by "latest", buyable followers, no human review
  where the GDPR does not reach, no justification written down.
- **info** -- context that asks nothing by itself: counts of unmeasured people when
  they are spread evenly, how many sit near the line, unknown-category counts, the
  groups too small to judge.

Where the same fact is more or less grave depending on the rule, the severity says so
(e.g. the missing-data disparity is serious under policy "fail", a warning under
"review", info under "pass"; "latest" is a warning unless the rule is advisory).

Privacy: no input names a candidate, so no message can. A demographic category with
fewer than 5 people is written "fewer than 5" in messages, and its rate is left out
(the impact ratio, the finding itself, stays). In the figure, by default, its count,
favourable count, rate and exact ratio are masked the same way. An auditor's view
(``include_restricted=True``) keeps the exact figures and marks each warning that
holds such a small count ``restricted: true``, for the caller to show to auditors only.

Selection, for the impact ratios: a candidate counts as selected when the rules'
combined outcome is "meets", or "insufficient data" while every rule's missing-data
policy is "pass" (the screening treats them as meeting). "Near threshold", "flagged"
and review outcomes are not selected: the ratios measure what the threshold itself
does (a component, 29 CFR 1607.4(C); "assigned a classification", 6 RCNY 5-300).

Unmeasured people: a category lands in "insufficient data" disproportionately when
its rate of *being measured* is below four-fifths of the best-measured category's
(unless one person would reverse it), or lower by a statistically significant gap
(p < 0.05, Fisher exact). The same ``hiring.fairness.bias_audit`` tables, with "measured" as the
favourable outcome.

Judgement calls, stated so they can be revisited: significance at two-sided
p < 0.05 (Fisher exact; DCWP sets none, FAQ III.7); "stale" means older than 365
days; "many near the line" means 10 % of the candidates or more; a bias audit is
valid through its first anniversary ("more than one year has passed", 5-301(a)),
and a 29 February audit lapses on 28 February; the LL144 notice date is the day it
reached every candidate, and business days exclude weekends only.
"""

from __future__ import annotations

from datetime import date

from hiring.fairness.impact import _adverse_impact_warnings
from hiring.fairness.job_relatedness import (
    _breaks_warnings,
    _gaming_warnings,
    _job_relatedness_warnings,
    _metric_warnings,
    _offline_warnings,
    _window_warnings,
)
from hiring.fairness.jurisdiction import (
    _approval_warnings,
    _automated_decision_warnings,
    _fcra_warnings,
    _jurisdiction_warnings,
    _ll144_warnings,
)
from hiring.fairness.missing_data import _missing_data_warnings
from hiring.fairness.near_line import _near_threshold_warnings
from hiring.fairness.warning import (
    SEVERITIES,
    FairnessWarning,
    PopulationSummary,
    RuleContext,
)

# --- the one entry point -----------------------------------------------------------


def warnings_for_rule(
    context: RuleContext,
    population: PopulationSummary,
    *,
    today: date,
    include_restricted: bool = False,
) -> list[FairnessWarning]:
    """Every fairness warning for ``context``'s rules on ``population``, worst first.

    ``today`` dates the checks (LL144 deadlines, data ages). With
    ``include_restricted`` the figures keep exact counts of categories under 5
    people (for auditors); otherwise they are masked. Warnings of equal severity
    keep a fixed order: jurisdictions, job, metrics, adverse impact, missing data,
    the line, the rule's shape, automated decisions, NYC LL144, FCRA, approval.
    """
    if not context.rules:
        return []
    use_on = context.first_use_on or today
    found: list[FairnessWarning] = [
        *_jurisdiction_warnings(context),
        *_job_relatedness_warnings(context),
        *_metric_warnings(context, population, today),
        *_adverse_impact_warnings(context, population, include_restricted),
        *_missing_data_warnings(context, population, include_restricted),
        *_near_threshold_warnings(context, population),
        *_breaks_warnings(context),
        *_window_warnings(context),
        *_gaming_warnings(context),
        *_offline_warnings(context),
        *_automated_decision_warnings(context),
        *_ll144_warnings(context, use_on),
        *_fcra_warnings(context),
        *_approval_warnings(context),
    ]
    return sorted(found, key=lambda w: SEVERITIES.index(w.severity))
