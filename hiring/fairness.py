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
  (exact fractions, Fisher exact p, pooled z) is ``hiring.audit``'s; this module only
  reads its rows. Smaller differences that are statistically significant may still be
  adverse impact, and larger ones on small numbers may not be (same paragraph of
  1607.4(D); the 1979 UGESP Q&A's "one different person" test).
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
  they are spread evenly, how many sit near the line, unknown-category counts.

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
(p < 0.05, Fisher exact). The same ``hiring.audit`` tables, with "measured" as the
favourable outcome.

Judgement calls, stated so they can be revisited: significance at two-sided
p < 0.05 (Fisher exact; DCWP sets none, FAQ III.7); "stale" means older than 365
days; "many near the line" means 10 % of the candidates or more; a bias audit is
valid through its first anniversary ("more than one year has passed", 5-301(a)),
and a 29 February audit lapses on 28 February; the LL144 notice date is the day it
reached every candidate, and business days exclude weekends only.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal, TypeAlias, TypedDict

from hiring.audit import (
    RACE_ETHNICITY_CATEGORIES,
    SEX_CATEGORIES,
    AuditResult,
    AuditTable,
    CategoryRow,
    RaceEthnicity,
    Sex,
    TableName,
    audit_counts,
)
from hiring.jurisdictions import (
    GDPR_COUNTRIES,
    country_of,
    is_eu,
    is_nyc,
    is_us,
    validate_jurisdiction,
)
from hiring.screening.evaluation import (
    OUTCOME_BELOW,
    OUTCOME_FLAGGED,
    OUTCOME_INSUFFICIENT,
    OUTCOME_MEETS,
    OUTCOME_NEAR,
    RuleSpec,
)
from scoring.vendors import VENDOR_SCALES

Severity = Literal["info", "warning", "serious"]
# JSON values; Sequence and Mapping (covariant) so that a list[str] is a figure value.
FigureValue: TypeAlias = (
    "str | int | float | bool | Sequence[FigureValue] | Mapping[str, FigureValue] | None"
)
Figure: TypeAlias = dict[str, FigureValue]

SEVERITIES: Final[tuple[Severity, ...]] = ("serious", "warning", "info")  # worst first
OUTCOMES: Final = frozenset(
    {OUTCOME_MEETS, OUTCOME_BELOW, OUTCOME_NEAR, OUTCOME_INSUFFICIENT, OUTCOME_FLAGGED}
)
RELEVANCES: Final = frozenset({"none", "supporting", "core"})
ACTIONS: Final = frozenset({"advisory", "needs_review", "screen_out"})
MISSING_DATA_POLICIES: Final = frozenset({"review", "pass", "fail"})
AGGREGATIONS: Final = frozenset({"latest", "median", "max", "min"})

VENDOR_PREFIX: Final = "vendor:"
# Metrics about offline reputation (talks, books, publications...); all others are online.
OFFLINE_METRICS: Final = frozenset({"reputation"})
# Raw counts that can be bought by the thousand (16 CFR 465.8 exists because they are).
RAW_COUNT_METRICS: Final = frozenset(
    {"followers", "subscribers", "likes", "reposts", "views", "stars"}
)

SMALL_CATEGORY: Final = 5  # categories with fewer people are "fewer than 5"
FEWER_THAN_5: Final = "fewer than 5"
SIGNIFICANCE: Final = 0.05  # two-sided; common practice, not fixed by law (DCWP FAQ III.7)
# Data older than this no longer describes a person (a judgement, not a rule of law).
STALE_AFTER_DAYS: Final = 365
# Above this share of the population near the line, the line sits where most people are.
NEAR_MASS_SHARE: Final = Fraction(1, 10)
LL144_LEAD_BUSINESS_DAYS: Final = 10  # 6 RCNY 5-304(b), (c)
AUDIT_EXPIRY_NOTICE_DAYS: Final = 30

_SYMBOL: Final = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<"}
_VENDOR_NAMES: Final = {
    "klout": "Klout",
    "kred": "Kred",
    "kred_outreach": "Kred",
    "peerindex": "PeerIndex",
    "twitter_grader": "Twitter Grader",
}
_TABLE_WORDS: Final[dict[TableName, str]] = {
    "sex": "sex",
    "race_ethnicity": "race/ethnicity",
    "intersectional": "sex × race/ethnicity",
}


# --- inputs ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleFacts:
    """One screening rule as the admin would save it.

    ``action`` is ``advisory``, ``needs_review`` or ``screen_out``; ``human_review``
    says whether a person meaningfully reviews each screen-out before it takes
    effect (sees the evidence, can and does overturn it).
    """

    spec: RuleSpec
    action: str = "needs_review"
    human_review: bool = True

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown action {self.action!r}")
        if self.spec.operator not in _SYMBOL:
            raise ValueError(f"unknown operator {self.spec.operator!r}")
        if self.spec.aggregation not in AGGREGATIONS:
            raise ValueError(f"unknown aggregation {self.spec.aggregation!r}")
        if self.spec.missing_data_policy not in MISSING_DATA_POLICIES:
            raise ValueError(f"unknown missing-data policy {self.spec.missing_data_policy!r}")

    @property
    def line(self) -> str:
        """The rule as people read it: ``vendor:klout ≥ 35``."""
        return f"{self.spec.metric} {_SYMBOL[self.spec.operator]} {self.spec.threshold}"

    @property
    def vendor(self) -> str | None:
        """The vendor for a vendor score (``klout`` for ``vendor:klout``), else ``None``."""
        if self.spec.metric.startswith(VENDOR_PREFIX):
            return self.spec.metric.removeprefix(VENDOR_PREFIX)
        return None

    @property
    def metric_root(self) -> str:
        """The metric without a network suffix: ``followers`` for ``followers.bluesky``."""
        return self.spec.metric.split(".", 1)[0]

    @property
    def online(self) -> bool:
        """Whether the rule reads an online metric (anything but offline reputation)."""
        return self.metric_root not in OFFLINE_METRICS


@dataclass(frozen=True, slots=True)
class RuleContext:
    """The rules of one job, the job, and the notice and audit facts around them.

    - ``rules``: the job's rules as they would be after the change (all must hold).
    - ``influence_relevance``: ``none`` / ``supporting`` / ``core``;
      ``relevance_justification``: why online influence matters for the job.
    - ``jurisdictions``: where the job hires (``hiring.jurisdictions`` codes).
    - ``four_eyes_approved``: a second person approved the rules (``None``: the
      deployment does not use four-eyes approval).
    - ``first_use_on``: when the rules are (or were first) used; ``today`` if unknown.
    - ``ll144_notice_on``: the day the LL144 notice reached every candidate (the
      website posting, or the latest mailing); ``ll144_notice_lead_business_days``
      the lead time required (10 by 6 RCNY 5-304).
    - ``bias_audit_on`` / ``bias_audit_auditor`` / ``bias_audit_independent`` /
      ``bias_audit_published``: the most recent bias audit of the rules, who did it,
      whether that auditor is independent (6 RCNY 5-300), whether its summary and
      the distribution date are on the employment web page (5-303).
    - ``us_candidates`` / ``fcra_authorised``: how many US candidates the rules apply
      to, and how many of them have a recorded FCRA disclosure and authorisation.
    - ``renown_is_third_party``: Renown is hosted for the employer by a third party
      for a fee, so its own scores are third-party reports too (FCRA, SCHUFA).
    """

    rules: Sequence[RuleFacts]
    influence_relevance: str = "none"
    relevance_justification: str = ""
    jurisdictions: Sequence[str] = ()
    four_eyes_approved: bool | None = None
    first_use_on: date | None = None
    ll144_notice_on: date | None = None
    ll144_notice_lead_business_days: int = LL144_LEAD_BUSINESS_DAYS
    bias_audit_on: date | None = None
    bias_audit_auditor: str = ""
    bias_audit_independent: bool = False
    bias_audit_published: bool = False
    us_candidates: int = 0
    fcra_authorised: int = 0
    renown_is_third_party: bool = False

    def __post_init__(self) -> None:
        if self.influence_relevance not in RELEVANCES:
            raise ValueError(f"unknown influence relevance {self.influence_relevance!r}")
        for code in self.jurisdictions:
            validate_jurisdiction(code)
        if self.ll144_notice_lead_business_days < 0:
            raise ValueError("the notice lead time cannot be negative")
        if not 0 <= self.fcra_authorised <= self.us_candidates:
            raise ValueError("fcra_authorised must be between 0 and us_candidates")

    @property
    def eu(self) -> bool:
        return any(is_eu(code) for code in self.jurisdictions)

    @property
    def gdpr(self) -> bool:
        """Whether the GDPR reaches the job: the EU, the rest of the EEA, the UK (UK GDPR)."""
        return any(country_of(code) in GDPR_COUNTRIES for code in self.jurisdictions)

    @property
    def us(self) -> bool:
        return any(is_us(code) for code in self.jurisdictions)

    @property
    def nyc(self) -> bool:
        return any(is_nyc(code) for code in self.jurisdictions)

    def third_party(self, rule: RuleFacts) -> bool:
        """Whether ``rule`` reads a score a third party produced about the candidate."""
        return rule.vendor is not None or self.renown_is_third_party


@dataclass(frozen=True, slots=True)
class OutcomeCount:
    """How many candidates of one sex × race/ethnicity got one combined outcome.

    ``sex``/``race_ethnicity`` are ``None`` when the candidate did not self-identify
    (never inferred). ``no_footprint`` counts those of them with no online account.
    """

    outcome: str
    count: int
    sex: Sex | None = None
    race_ethnicity: RaceEthnicity | None = None
    no_footprint: int = 0

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")
        if self.sex is not None and self.sex not in SEX_CATEGORIES:
            raise ValueError(f"unknown sex category {self.sex!r}")
        if self.race_ethnicity is not None and self.race_ethnicity not in RACE_ETHNICITY_CATEGORIES:
            raise ValueError(f"unknown race/ethnicity category {self.race_ethnicity!r}")
        if not 0 <= self.no_footprint <= self.count:
            raise ValueError("no_footprint must be between 0 and count")


@dataclass(frozen=True, slots=True)
class MetricCoverage:
    """What data there is for one metric the rules read, across the population.

    ``newest_as_of`` / ``oldest_as_of``: the newest and the oldest of the candidates'
    latest values; ``older_than_a_year``: candidates whose latest value is older than
    ``STALE_AFTER_DAYS``.
    """

    metric: str
    candidates: int
    newest_as_of: date | None = None
    oldest_as_of: date | None = None
    older_than_a_year: int = 0


@dataclass(frozen=True, slots=True)
class PopulationSummary:
    """Counts over the candidates the rules apply to, computed by the caller.

    ``cells``: one per (outcome, sex, race/ethnicity) with a count, for the rules as
    proposed. ``just_below``: candidates who fail by no more than ``just_below_margin``
    (the measurement noise the caller assumes), outside any near band.
    """

    cells: Sequence[OutcomeCount] = ()
    metrics: Sequence[MetricCoverage] = ()
    just_below: int = 0
    just_below_margin: Decimal = Decimal(0)

    @property
    def total(self) -> int:
        return sum(cell.count for cell in self.cells)

    def count(self, outcome: str) -> int:
        """Candidates with ``outcome``."""
        return sum(cell.count for cell in self.cells if cell.outcome == outcome)

    @property
    def no_footprint(self) -> int:
        return sum(cell.no_footprint for cell in self.cells)

    def coverage(self, metric: str) -> MetricCoverage | None:
        return next((m for m in self.metrics if m.metric == metric), None)


# --- output ------------------------------------------------------------------------


class WarningDict(TypedDict):
    code: str
    severity: Severity
    message: str
    figure: Figure
    source: str
    subject: str
    restricted: bool


@dataclass(frozen=True, slots=True)
class FairnessWarning:
    """One warning: what, how grave, in plain words, the figure behind it, and why.

    ``subject`` tells apart warnings with the same code (a rule, a category), so an
    acknowledgement can be stored per ``(code, subject)``. ``restricted`` is true
    when ``figure`` holds exact counts of a category under 5 people: auditors only.
    """

    code: str
    severity: Severity
    message: str
    figure: Figure
    source: str
    subject: str = ""
    restricted: bool = False

    def as_dict(self) -> WarningDict:
        """The warning as JSON-ready plain values (the admin, API and report shape)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "figure": copy.deepcopy(self.figure),
            "source": self.source,
            "subject": self.subject,
            "restricted": self.restricted,
        }


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
        *_gaming_warnings(context),
        *_offline_warnings(context),
        *_automated_decision_warnings(context),
        *_ll144_warnings(context, use_on),
        *_fcra_warnings(context),
        *_approval_warnings(context),
    ]
    return sorted(found, key=lambda w: SEVERITIES.index(w.severity))


# --- dates ---------------------------------------------------------------------------


def business_days_between(start: date, end: date) -> int:
    """Weekdays after ``start`` up to and including ``end`` (0 when ``end <= start``).

    A notice on Monday 1 June is 10 business days before Monday 15 June.
    """
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` weekdays after ``start`` (the earliest use after a notice)."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def one_year_after(day: date) -> date:
    """The same day a year later; 29 February becomes 28 February (the earlier day)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


# --- job relatedness -------------------------------------------------------------------

_JOB_SOURCE: Final = "29 CFR 1607.5(B), 1607.3(B); 42 U.S.C. 2000e-2(k)"


def _jurisdiction_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    if not context.jurisdictions:
        yield FairnessWarning(
            code="jurisdiction.unset",
            severity="warning",
            message=(
                "The job has no jurisdictions, so the legal checks (NYC Local Law 144, "
                "GDPR Art. 22, FCRA) cannot tell whether they apply. Set where the job hires."
            ),
            figure={"jurisdictions": []},
            source="6 RCNY 5-301, 5-304; GDPR Art. 22; 15 U.S.C. 1681b(b)",
        )


def _job_relatedness_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    # The job's relevance and justification are about online influence: rules on
    # offline reputation alone do not raise them.
    lines = [rule.line for rule in context.rules if rule.online]
    if not lines:
        return
    figure: Figure = {
        "influence_relevance": context.influence_relevance,
        "justification_given": bool(context.relevance_justification.strip()),
        "rules": list(lines),
    }
    if context.influence_relevance == "none":
        yield FairnessWarning(
            code="job_relatedness.not_relevant",
            severity="serious",
            message=(
                f"The job says online influence is not relevant to it, yet {_and(lines)} "
                "screens candidates on it. A selection procedure must be job-related; with no "
                "link to the job, any adverse impact it has cannot be justified. Drop the "
                "rule, or record why influence matters and consider alternatives with less "
                "adverse impact."
            ),
            figure=figure,
            source=_JOB_SOURCE,
        )
    elif not context.relevance_justification.strip():
        yield FairnessWarning(
            code="job_relatedness.no_justification",
            severity="warning",
            message=(
                f"The job marks online influence as {context.influence_relevance} but gives "
                "no reason. Write down why it matters for this job and which alternatives "
                "with less adverse impact were considered (a lower threshold, a band, the "
                "score as one factor among several)."
            ),
            figure=figure,
            source=_JOB_SOURCE,
        )


# --- metrics: discontinued, opaque, stale ----------------------------------------------


def _metric_warnings(
    context: RuleContext, population: PopulationSummary, today: date
) -> Iterator[FairnessWarning]:
    for rule in context.rules:
        coverage = population.coverage(rule.spec.metric)
        vendor = rule.vendor
        scale = VENDOR_SCALES.get(vendor) if vendor is not None else None
        closed_on = scale.closed_on if scale is not None else None
        if vendor is not None and closed_on is not None:
            years = _whole_years(closed_on, today)
            figure: Figure = {
                "rule": rule.line,
                "vendor": vendor,
                "closed_on": closed_on.isoformat(),
                "minimum_age_years": years,
                "max_data_age_days": rule.spec.max_data_age_days,
                "newest_as_of": _iso(coverage.newest_as_of if coverage else None),
            }
            impossible = (
                coverage is not None
                and coverage.newest_as_of is not None
                and coverage.newest_as_of > closed_on
            )
            figure["dated_after_closure"] = impossible
            name = _VENDOR_NAMES.get(vendor, vendor)
            message = (
                f"{rule.line}: {name} closed on {_day(closed_on)}, so every {name} score "
                f"is at least {years} years old and can no longer be refreshed, checked or "
                "disputed. It says nothing about the person today."
            )
            if impossible:
                message += (
                    " Some imported scores are dated after the closure: the data is wrong "
                    "or comes from another provider; find out which."
                )
            if rule.spec.max_data_age_days < (today - closed_on).days:
                message += (
                    f" With a maximum data age of {rule.spec.max_data_age_days} days every "
                    "such score counts as missing data."
                )
            yield FairnessWarning(
                code="metric.discontinued",
                severity="serious",
                message=message,
                figure=figure,
                source="Vendor shutdown (Klout 2018-05-25, scoring.vendors); 29 CFR 1607.5(B)",
                subject=rule.line,
            )
        if vendor is not None and (scale is None or not scale.method_published):
            yield FairnessWarning(
                code="metric.opaque",
                severity="warning",
                message=(
                    f"{rule.line}: {_VENDOR_NAMES.get(vendor, vendor)} has not published how "
                    "its score is computed"
                    + ("" if scale is not None else " (Renown knows nothing of this vendor)")
                    + ". Nobody can show that it measures anything the job needs, explain a "
                    "rejection to the candidate, or check it for bias."
                ),
                figure={
                    "rule": rule.line,
                    "vendor": vendor,
                    "method_published": False,
                    "known_vendor": scale is not None,
                },
                source="29 CFR 1607.5(B); EU AI Act Art. 13, 86; GDPR Art. 14(2)(g)",
                subject=rule.line,
            )
        if closed_on is None:
            yield from _stale_warning(rule, coverage, today)


def _stale_warning(
    rule: RuleFacts, coverage: MetricCoverage | None, today: date
) -> Iterator[FairnessWarning]:
    old = coverage.older_than_a_year if coverage is not None else 0
    accepts_old = rule.spec.max_data_age_days > STALE_AFTER_DAYS
    if not accepts_old:
        return  # older data is "insufficient data": the missing-data warnings cover it
    oldest = coverage.oldest_as_of if coverage is not None else None
    message = (
        f"{rule.line}: the rule accepts data up to {rule.spec.max_data_age_days} days old. "
        f"A value older than {STALE_AFTER_DAYS} days no longer describes the person."
    )
    if old:
        message += f" {_people(old)} would be judged on data over a year old."
    yield FairnessWarning(
        code="metric.stale_data",
        severity="warning",
        message=message + f" Lower the maximum data age to {STALE_AFTER_DAYS} days or less.",
        figure={
            "rule": rule.line,
            "max_data_age_days": rule.spec.max_data_age_days,
            "stale_after_days": STALE_AFTER_DAYS,
            "older_than_a_year": old,
            "oldest_as_of": _iso(oldest),
            "oldest_age_days": (today - oldest).days if oldest is not None else None,
        },
        source="29 CFR 1607.5(B); GDPR Art. 5(1)(d)",
        subject=rule.line,
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
    unequal = [
        (table, row, table.reference)
        for table in measured.tables
        for row in table.rows
        if table.reference is not None
        and not row.is_reference
        and row.impact_ratio is not None
        and _measured_unequally(row, table.reference)
    ]
    figure: Figure = {**counts, "policies": list(policies)}
    if unequal:
        figures = [
            _comparison_figure(table, row, reference, include_restricted)
            for table, row, reference in unequal
        ]
        figure["categories"] = [f for f, _ in figures]
        names = [
            f"{_category(row)} (measured at {_ratio(row.impact_ratio)} of the best-measured "
            "group's rate)"
            for _, row, _ in unequal
            if row.impact_ratio is not None
        ]
        if "fail" in policies:
            severity: Severity = "serious"
        elif policies == ["pass"]:
            severity = "info"
        else:
            severity = "warning"
        yield FairnessWarning(
            code="no_footprint.disparity",
            severity=severity,
            message=(
                f"{_people(insufficient)} of {total} ({_pct(Fraction(insufficient, total))}) "
                f"land in 'insufficient data', {no_footprint} of them with no online account "
                f"at all, and not evenly: {_and(names)}. {effect}"
            ),
            figure=figure,
            source="29 CFR 1607.4(D); 6 RCNY 5-301(b)",
            restricted=small_counts or any(restricted for _, restricted in figures),
        )
    else:
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
        if count < SMALL_CATEGORY and not include_restricted:
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


# --- the rule's shape: breaks, gaming, offline reputation ---------------------------------


def _breaks_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    for rule in context.rules:
        aggregation = rule.spec.aggregation
        if aggregation not in ("latest", "min"):
            continue
        if aggregation == "latest":
            what = (
                "judges people by their latest value only, so anyone who was offline for "
                "an illness, parental leave or a conference is judged at their lowest"
            )
        else:
            what = (
                f"judges people by their lowest value over {rule.spec.window_days} days, so "
                "any break (illness, parental leave, a conference) counts against them"
            )
        yield FairnessWarning(
            code="breaks.penalised",
            severity="info" if rule.action == "advisory" else "warning",
            message=(
                f"{rule.line} {what}. Breaks fall more often on carers and on people who are "
                "ill. Use the median over a window of 90 days or more."
            ),
            figure={
                "rule": rule.line,
                "aggregation": aggregation,
                "window_days": rule.spec.window_days,
                "suggested_aggregation": "median",
                "suggested_window_days": max(90, rule.spec.window_days),
            },
            source="29 CFR 1607.3(B)",
            subject=rule.line,
        )


def _gaming_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    for rule in context.rules:
        if rule.metric_root in RAW_COUNT_METRICS:
            severity: Severity = "warning"
            what = (
                f"{rule.line} reads a raw count. Followers, likes and views are sold by the "
                "thousand, so the rule rewards whoever buys them"
            )
        elif rule.vendor is not None:
            severity = "warning"
            what = (
                f"{rule.line}: influence vendors' scores mostly follow follower counts, which "
                "can be bought, and Renown cannot check the vendor's inputs for bought followers"
            )
        elif rule.metric_root == "influence":
            severity = "info"
            what = (
                f"{rule.line}: up to 39 of the 100 influence points come from follower reach, "
                "which can be bought; anomaly flags catch sudden jumps, not every purchase"
            )
        else:
            continue
        yield FairnessWarning(
            code="gaming.buyable",
            severity=severity,
            message=what + ". Send flagged candidates to review rather than trusting the number.",
            figure={"rule": rule.line, "metric": rule.spec.metric},
            source="16 CFR 465.8 (fake indicators of social media influence)",
            subject=rule.line,
        )


def _offline_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    if any(not rule.online for rule in context.rules):
        return
    core = context.influence_relevance == "core"
    yield FairnessWarning(
        code="offline_reputation.ignored",
        severity="info" if core else "warning",
        message=(
            "The rules look only at online metrics. Talks, books, teaching, publications, "
            "awards and referrals count for nothing, so people whose standing is offline "
            "are screened as if they had none. Add an alternative such as 'reputation ≥ x'."
        ),
        figure={
            "rules": [rule.line for rule in context.rules],
            "influence_relevance": context.influence_relevance,
        },
        source="29 CFR 1607.3(B)",
    )


# --- automated decisions ---------------------------------------------------------------


def _automated_decision_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    gdpr, eu = context.gdpr, context.eu
    for rule in context.rules:
        if rule.action == "screen_out" and not rule.human_review:
            figure: Figure = {
                "rule": rule.line,
                "action": rule.action,
                "human_review": False,
                "gdpr": gdpr,
                "eu": eu,
                "third_party_score": context.third_party(rule),
            }
            if gdpr:
                yield FairnessWarning(
                    code="automated_decision.gdpr_art22",
                    severity="serious",
                    message=(
                        f"{rule.line} screens candidates out with no meaningful human review: a "
                        "decision based solely on automated processing, which GDPR Art. 22 "
                        "forbids without an exception and safeguards (human intervention, the "
                        "right to contest). Review must be real, not a token gesture"
                        + (
                            "; the EU AI Act asks for an overseer who can override or stop "
                            "the system."
                            if eu
                            else "."
                        )
                    ),
                    figure=figure,
                    source="GDPR Art. 22(1)-(3); "
                    + ("EU AI Act Art. 14(4), 26(2); " if eu else "")
                    + "WP29 WP251rev.01",
                    subject=rule.line,
                )
            else:
                yield FairnessWarning(
                    code="automated_decision.no_human_review",
                    severity="warning",
                    message=(
                        f"{rule.line} screens candidates out with no meaningful human review. "
                        "Nobody catches a wrong number, a namesake or a break before it costs "
                        "someone the job. Let a person decide every screen-out."
                    ),
                    figure=figure,
                    source="GDPR Art. 22, EU AI Act Art. 14(4) and WP29 WP251rev.01 as the "
                    "standard (not binding where this job hires)",
                    subject=rule.line,
                )
        if gdpr and rule.action != "advisory" and context.third_party(rule):
            yield FairnessWarning(
                code="automated_decision.third_party_score",
                severity="warning",
                message=(
                    f"{rule.line} relies on a score a third party produced. When an employer "
                    "draws strongly on such a score, producing it can itself be an automated "
                    "decision under GDPR Art. 22: ask the producer for its legal basis and "
                    "safeguards, and do not let the score decide alone."
                ),
                figure={"rule": rule.line, "action": rule.action, "third_party_score": True},
                source="CJEU C-634/21 SCHUFA Holding (Scoring), ECLI:EU:C:2023:957; GDPR Art. 22(1)",
                subject=rule.line,
            )


# --- NYC Local Law 144 ---------------------------------------------------------------


def _ll144_warnings(context: RuleContext, use_on: date) -> Iterator[FairnessWarning]:
    if not context.nyc:
        return
    lead = context.ll144_notice_lead_business_days
    notice = context.ll144_notice_on
    earliest = add_business_days(notice, lead) if notice is not None else None
    if notice is None:
        yield FairnessWarning(
            code="ll144.notice_missing",
            severity="serious",
            message=(
                "The job hires in New York City and no Local Law 144 notice to candidates is "
                f"recorded. Any use of the rules, even advisory, needs the notice at least "
                f"{lead} business days before use: that an automated tool is used, the "
                "qualifications and characteristics it assesses, and how to ask for an "
                "alternative process or an accommodation."
            ),
            figure={"notice_on": None, "use_on": use_on.isoformat(), "lead_business_days": lead},
            source="NYC Admin. Code 20-871(b); 6 RCNY 5-304(a), (b)",
        )
    elif earliest is not None and use_on < earliest:
        given = business_days_between(notice, use_on)
        yield FairnessWarning(
            code="ll144.notice_too_late",
            severity="serious",
            message=(
                f"The Local Law 144 notice went out on {_day(notice)}, {given} business days "
                f"before use on {_day(use_on)}; at least {lead} are required. The earliest "
                f"lawful use is {_day(earliest)}."
            ),
            figure={
                "notice_on": notice.isoformat(),
                "use_on": use_on.isoformat(),
                "business_days": given,
                "lead_business_days": lead,
                "earliest_use_on": earliest.isoformat(),
            },
            source="6 RCNY 5-304(b)",
        )
    audit_on = context.bias_audit_on
    audit_figure: Figure = {
        "bias_audit_on": _iso(audit_on),
        "use_on": use_on.isoformat(),
        "auditor": context.bias_audit_auditor or None,
        "independent": context.bias_audit_independent,
        "published": context.bias_audit_published,
    }
    if audit_on is None or audit_on > use_on:
        yield FairnessWarning(
            code="ll144.audit_missing",
            severity="serious",
            message=(
                "The job hires in New York City and no bias audit of the rules is recorded"
                + (f" before their use on {_day(use_on)}" if audit_on is not None else "")
                + ". Local Law 144 forbids using them until an independent auditor has "
                "audited them within the past year."
            ),
            figure=audit_figure,
            source="NYC Admin. Code 20-871(a); 6 RCNY 5-301(a)",
        )
    else:
        expires = one_year_after(audit_on)
        audit_figure["expires_on"] = expires.isoformat()
        if use_on > expires:
            yield FairnessWarning(
                code="ll144.audit_expired",
                severity="serious",
                message=(
                    f"The last bias audit, on {_day(audit_on)}, is more than a year old on "
                    f"{_day(use_on)} (it lapsed on {_day(expires)}). Local Law 144 forbids "
                    "further use until a new audit is done and published."
                ),
                figure=audit_figure,
                source="6 RCNY 5-301(a); DCWP FAQ II.4",
            )
        elif (expires - use_on).days <= AUDIT_EXPIRY_NOTICE_DAYS:
            yield FairnessWarning(
                code="ll144.audit_expiring",
                severity="info",
                message=(
                    f"The bias audit of {_day(audit_on)} lapses on {_day(expires)}. Commission "
                    "the next one now so that use need not stop."
                ),
                figure=audit_figure,
                source="6 RCNY 5-301(a)",
            )
        if not context.bias_audit_independent or not context.bias_audit_auditor.strip():
            yield FairnessWarning(
                code="ll144.auditor_not_independent",
                severity="serious",
                message=(
                    "The bias audit is not recorded as done by an independent auditor: one not "
                    "involved in using, developing or distributing the tool, and with no "
                    "employment relationship or financial interest in the employer or vendor."
                ),
                figure=audit_figure,
                source="6 RCNY 5-300 'Independent auditor'",
            )
        if not context.bias_audit_published:
            yield FairnessWarning(
                code="ll144.audit_unpublished",
                severity="serious",
                message=(
                    "The bias audit's summary is not recorded as published. Before use, the "
                    "employment section of the website must show the audit date, a summary of "
                    "the results (data source, unknown-category count, rates and impact ratios "
                    "for every category) and the tool's distribution date."
                ),
                figure=audit_figure,
                source="6 RCNY 5-303(a)",
            )


# --- FCRA ---------------------------------------------------------------------------------


def _fcra_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    if not context.us:
        return
    third_party = [rule for rule in context.rules if context.third_party(rule)]
    if not third_party:
        return
    lines = [rule.line for rule in third_party]
    missing = context.us_candidates - context.fcra_authorised
    figure: Figure = {
        "rules": lines,
        "us_candidates": context.us_candidates,
        "authorised": context.fcra_authorised,
        "missing": missing,
    }
    if missing:
        yield FairnessWarning(
            code="fcra.disclosure_missing",
            severity="serious",
            message=(
                f"{_and(lines)} uses a score a third party compiled about candidates' "
                f"reputation, likely a consumer report. {missing} of {context.us_candidates} "
                "US candidates have no recorded standalone disclosure and written "
                "authorisation, which must come before the report is obtained."
            ),
            figure=figure,
            source="15 U.S.C. 1681a(d), 1681b(b)(2); FTC v. Spokeo (2012)",
        )
    else:
        yield FairnessWarning(
            code="fcra.consumer_report",
            severity="info",
            message=(
                f"{_and(lines)} uses a score a third party compiled about candidates' "
                "reputation, likely a consumer report. Before rejecting anyone on it, send a "
                "pre-adverse action notice with a copy of the report and the summary of "
                "rights; afterwards, the adverse action notice."
            ),
            figure=figure,
            source="15 U.S.C. 1681b(b)(3), 1681m(a)",
        )


# --- approval -----------------------------------------------------------------------------


def _approval_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    if context.four_eyes_approved is not False:
        return
    screening = [rule.line for rule in context.rules if rule.action == "screen_out"]
    if screening:
        yield FairnessWarning(
            code="approval.single_approver",
            severity="info",
            message=(
                f"{_and(screening)} screens people out and no second person has approved it. "
                "A second approver catches a threshold set in haste."
            ),
            figure={"rules": screening, "four_eyes_approved": False},
            source="Renown four-eyes approval (an organisational safeguard; no statute requires it)",
        )


# --- formatting -----------------------------------------------------------------------


def _category(row: CategoryRow) -> str:
    if row.count < SMALL_CATEGORY:
        return f"{row.label} ({FEWER_THAN_5} people)"
    return row.label


def _people(count: int) -> str:
    return "1 candidate" if count == 1 else f"{count} candidates"


def _ratio(value: Fraction | None) -> str:
    # Rounded down, so that a ratio just under 0.8 never reads as "0.800".
    if value is None:
        return "n/a"
    return f"{math.floor(value * 1000) / 1000:.3f}"


def _pct(value: Fraction) -> str:
    return f"{float(value) * 100:.1f}%"


def _share(part: int, whole: int) -> float | None:
    return float(Fraction(part, whole)) if whole else None


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _exact(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _whole_years(start: date, end: date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(0, years)


def _and(items: Iterable[str]) -> str:
    listed = list(items)
    if len(listed) <= 1:
        return "".join(listed)
    return ", ".join(listed[:-1]) + " and " + listed[-1]


__all__ = [
    "FEWER_THAN_5",
    "SEVERITIES",
    "FairnessWarning",
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
