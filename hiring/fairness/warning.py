"""The shared shapes of the fairness warnings: the inputs (``RuleContext``,
``PopulationSummary``), the output (``FairnessWarning``), constants, dates and the
wording helpers every theme module uses. Pure: nothing here reads the database.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal, TypeAlias, TypedDict

from hiring.fairness.bias_audit import (
    RACE_ETHNICITY_CATEGORIES,
    SEX_CATEGORIES,
    CategoryRow,
    RaceEthnicity,
    Sex,
    TableName,
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

Severity = Literal["info", "warning", "serious"]
# JSON values; Sequence and Mapping (covariant) so that a list[str] is a figure value.
FigureValue: TypeAlias = (
    "str | int | float | bool | Sequence[FigureValue] | Mapping[str, FigureValue] | None"
)
Figure: TypeAlias = dict[str, FigureValue]

# The table a warning about groups concerns; "" for a warning that is not about groups.
WarningTable = Literal["", "sex", "race_ethnicity", "intersectional"]

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


def count_hidden(count: int, *, include_restricted: bool) -> bool:
    """Whether a group's count is hidden from the reader: 1 to 4 people, unless the reader
    may see restricted figures (auditors; the published LL144 summary, 6 RCNY 5-303).

    The one rule every warning, preview, page and export masks counts by.
    """
    return not include_restricted and 0 < count < SMALL_CATEGORY


SIGNIFICANCE: Final = 0.05  # two-sided; common practice, not fixed by law (DCWP FAQ III.7)
# Data older than this no longer describes a person (a judgement, not a rule of law).
STALE_AFTER_DAYS: Final = 365
# Above this share of the population near the line, the line sits where most people are.
NEAR_MASS_SHARE: Final = Fraction(1, 10)
LL144_LEAD_BUSINESS_DAYS: Final = 10  # 6 RCNY 5-304(b), (c)

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


class GroupDict(TypedDict):
    """One group a warning concerns, with its figures (a row of a table).

    ``n``, ``selected`` and ``rate`` are ``None`` for a group of fewer than 5 people
    unless the reader is an auditor; ``ratio`` and ``fisher_p`` are against the
    table's reference group (``None`` for the reference itself, or when undefined).
    """

    label: str
    n: int | None
    selected: int | None
    rate: float | None
    ratio: float | None
    fisher_p: float | None
    too_small: bool


class GroupedWarningDict(TypedDict):
    """A warning as the API's preview answers it: one per code and table."""

    code: str
    severity: Severity
    table: WarningTable
    message: str
    source: str
    groups: list[GroupDict]


class WarningDict(TypedDict):
    code: str
    severity: Severity
    table: WarningTable
    message: str
    figure: Figure
    source: str
    subject: str
    restricted: bool
    groups: list[GroupDict]


def group_figure(row: CategoryRow, include_restricted: bool) -> GroupDict:
    """``row`` as a group of a warning; counts under 5 masked unless ``include_restricted``."""
    masked = count_hidden(row.count, include_restricted=include_restricted)
    return {
        "label": row.label,
        "n": None if masked else row.count,
        "selected": None if masked else row.favourable,
        "rate": None if masked else float(row.rate),
        "ratio": None if row.impact_ratio is None else float(row.impact_ratio),
        "fisher_p": row.fisher_p,
        "too_small": row.too_small,
    }


@dataclass(frozen=True, slots=True)
class FairnessWarning:
    """One warning: what, how grave, in plain words, the figure behind it, and why.

    ``subject`` tells apart warnings with the same code (a rule, a table and the
    groups it lists), so an acknowledgement can be stored per ``(code, subject)``.
    ``restricted`` is true when ``figure`` or ``groups`` hold exact counts of a
    category under 5 people: auditors only. A warning about groups names its
    ``table`` (``sex``, ``race_ethnicity``, ``intersectional``) and lists the
    ``groups`` it concerns, one entry per code and table; others leave both empty.
    """

    code: str
    severity: Severity
    message: str
    figure: Figure
    source: str
    subject: str = ""
    restricted: bool = False
    table: WarningTable = ""
    groups: tuple[GroupDict, ...] = ()

    def as_dict(self) -> WarningDict:
        """The warning as JSON-ready plain values (the admin and report shape)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "table": self.table,
            "message": self.message,
            "figure": copy.deepcopy(self.figure),
            "source": self.source,
            "subject": self.subject,
            "restricted": self.restricted,
            "groups": [copy.copy(group) for group in self.groups],
        }

    def grouped_dict(self) -> GroupedWarningDict:
        """The warning as the API's preview answers it: code, severity, table, message,
        source and the groups with their figures (``table`` "" and ``groups`` [] for
        a warning not about groups)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "table": self.table,
            "message": self.message,
            "source": self.source,
            "groups": [copy.copy(group) for group in self.groups],
        }


class GroupRow(TypedDict):
    """A group of a warning as strings, for a page (``display_groups``)."""

    label: str
    n: str
    selected: str
    rate: str
    ratio: str
    fisher_p: str
    too_small: bool


class WarningDisplay(WarningDict):
    """``as_dict()`` with its table's name in words and its groups as strings."""

    table_title: str
    rows: list[GroupRow]


def display_groups(groups: Iterable[GroupDict]) -> list[GroupRow]:
    """Groups as a page shows them: counts under 5 read "fewer than 5", ratios rounded
    down to 3 places as the messages write them, Fisher p to 2 significant digits."""
    return [
        {
            "label": group["label"],
            "n": FEWER_THAN_5 if group["n"] is None else str(group["n"]),
            "selected": "—" if group["selected"] is None else str(group["selected"]),
            "rate": "—" if group["rate"] is None else f"{group['rate'] * 100:.1f}%",
            "ratio": "—"
            if group["ratio"] is None
            else f"{math.floor(round(group['ratio'] * 1000, 6)) / 1000:.3f}",  # float 0.7 is 0.6999...
            "fisher_p": "—" if group["fisher_p"] is None else f"{group['fisher_p']:.2g}",
            "too_small": group["too_small"],
        }
        for group in groups
    ]


def warning_display(warning: FairnessWarning) -> WarningDisplay:
    """The warning for a page: ``as_dict()``, its table in words and its groups as rows
    (the admin's rule form, its approval page and the job's bias-audit page)."""
    data = warning.as_dict()
    return {
        **data,
        "table_title": _TABLE_WORDS[warning.table] if warning.table else "",
        "rows": display_groups(data["groups"]),
    }


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
