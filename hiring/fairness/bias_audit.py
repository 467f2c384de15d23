"""Bias-audit arithmetic: rates, impact ratios and significance per category (pure).

What is computed, and where it comes from:

- **Selection rate** (pass/fail tools): the share of a category that was selected,
  6 RCNY 5-300 "Selection rate"; 29 CFR 1607.16.
- **Scoring rate** (scoring tools): the share of a category scoring *strictly above*
  the median score of the full sample, 6 RCNY 5-300 "Scoring Rate" and
  5-301(c)(1). The median is taken over every scored individual, including those
  whose sex or race/ethnicity is unknown ("the full sample of applicants"); for an
  even-sized sample it is the mean of the two middle scores. A score equal to the
  median is not above it.
- **Impact ratio**: a category's rate divided by the highest rate in the same
  table, 6 RCNY 5-300 "Impact Ratio". Computed from counts with exact fractions.
- **Four-fifths rule**: an impact ratio *strictly less* than 4/5 is evidence of
  adverse impact, 29 CFR 1607.4(D); exactly 4/5 is not flagged. When nobody in a
  table has a favourable outcome the highest rate is 0 and no ratio exists: the
  impact ratio is ``None`` (never 1.0, never a division by zero).
- **Tables**: sex, race/ethnicity, and intersectional (sex x race/ethnicity), each
  on its own, 6 RCNY 5-301(b)(3) and (c)(4). Only categories with at least one
  individual get a row (a rate of nobody is undefined).
- **Under 2 %**: a category under 2 % of its table is marked, never dropped;
  6 RCNY 5-301(d) lets an auditor exclude it from the impact-ratio calculations
  but its count and rate must still be reported, so both stay in the result. An
  excluded category (``excluded``: the auditor's choice, never made here by default)
  keeps its row, count, rate and share, has no impact ratio and is never the
  reference; the other rows are compared with the highest rate among the rest.
- **Unknown category**: never inferred (DCWP FAQ III.6). An individual whose sex
  is unknown is left out of the sex and intersectional tables; one whose
  race/ethnicity is unknown, out of the race/ethnicity and intersectional tables.
  The counts left out are reported, 6 RCNY 5-301(b)(5) and (c)(5).
- **Significance** (common practice, not fixed by either rule; DCWP FAQ III.7):
  a two-sided Fisher exact test and a pooled two-proportion z statistic for each
  category against the table's reference (highest-rate) category. The four-fifths
  flag is not gated on either: both are shown, as 29 CFR 1607.4(D) does.

The module takes plain values (``AuditRecord``) so that the ``bias_audit``
command, the admin and the API compute the same numbers from CSV or live data.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Final, Literal, TypedDict

Mode = Literal["selection", "scoring"]
TableName = Literal["sex", "race_ethnicity", "intersectional"]
Sex = Literal["Male", "Female"]
RaceEthnicity = Literal[
    "Hispanic or Latino",
    "White",
    "Black or African American",
    "Native Hawaiian or Pacific Islander",
    "Asian",
    "Native American or Alaska Native",
    "Two or More Races",
]
Score = int | Fraction | Decimal | float

# EEO-1 Component 1 categories as the DCWP rule lists them (6 RCNY 5-301 examples);
# every race/ethnicity except Hispanic or Latino is "Not Hispanic or Latino".
SEX_CATEGORIES: Final[tuple[Sex, ...]] = ("Male", "Female")
RACE_ETHNICITY_CATEGORIES: Final[tuple[RaceEthnicity, ...]] = (
    "Hispanic or Latino",
    "White",
    "Black or African American",
    "Native Hawaiian or Pacific Islander",
    "Asian",
    "Native American or Alaska Native",
    "Two or More Races",
)
TABLE_NAMES: Final[tuple[TableName, ...]] = ("sex", "race_ethnicity", "intersectional")
FOUR_FIFTHS: Final = Fraction(4, 5)
TWO_PERCENT: Final = Fraction(2, 100)
# In a decision aid (the what-if preview and its warnings, not an LL144 audit), a
# category with fewer people than this, or under TWO_PERCENT of its table, is "too
# small to judge": shown, never the reference, never "below four-fifths" itself.
TOO_SMALL_UNDER: Final = 5

# Fisher's two-sided p sums every table at most as probable as the observed one.
# scipy's fisher_exact computes the probabilities in floating point and so compares
# them with a relative tolerance (1e-14; R's fisher.test uses 1e-7). Our integers are
# exact, so ties need no tolerance, but we keep scipy's so that results agree with it.
_FISHER_TOLERANCE: Final = Fraction(1, 10**14)


class AuditInputError(ValueError):
    """Records that cannot be audited together (mixed modes, bad labels or values)."""


def sex_from_label(label: str) -> Sex | None:
    """The sex category for ``label``; ``None`` when blank (unknown).

    Raises ``AuditInputError`` for any other label: a category is never guessed.
    """
    text = label.strip()
    if not text:
        return None
    for sex in SEX_CATEGORIES:
        if text == sex:
            return sex
    raise AuditInputError(
        f"unknown sex category {text!r} (expected one of {_listing(SEX_CATEGORIES)} or blank)"
    )


def race_ethnicity_from_label(label: str) -> RaceEthnicity | None:
    """The race/ethnicity category for ``label``; ``None`` when blank (unknown).

    Raises ``AuditInputError`` for any other label: a category is never guessed.
    """
    text = label.strip()
    if not text:
        return None
    for race in RACE_ETHNICITY_CATEGORIES:
        if text == race:
            return race
    raise AuditInputError(
        f"unknown race/ethnicity category {text!r} "
        f"(expected one of {_listing(RACE_ETHNICITY_CATEGORIES)} or blank)"
    )


def _listing(labels: Iterable[str]) -> str:
    return ", ".join(repr(label) for label in labels)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One assessed individual: demographic categories (``None`` = unknown) and an outcome.

    Exactly one of ``selected`` (pass/fail tools) and ``score`` (scoring tools) is set.
    """

    sex: Sex | None
    race_ethnicity: RaceEthnicity | None
    selected: bool | None = None
    score: Score | None = None

    def __post_init__(self) -> None:
        if self.sex is not None and self.sex not in SEX_CATEGORIES:
            raise AuditInputError(f"unknown sex category {self.sex!r}")
        if self.race_ethnicity is not None and self.race_ethnicity not in RACE_ETHNICITY_CATEGORIES:
            raise AuditInputError(f"unknown race/ethnicity category {self.race_ethnicity!r}")
        if (self.selected is None) == (self.score is None):
            raise AuditInputError("a record needs exactly one of 'selected' and 'score'")
        if self.selected is not None and not isinstance(self.selected, bool):
            raise AuditInputError(f"'selected' must be a bool, not {self.selected!r}")
        if self.score is not None:
            if isinstance(self.score, bool) or not isinstance(
                self.score, int | Fraction | Decimal | float
            ):
                raise AuditInputError(f"'score' must be a number, not {self.score!r}")
            if isinstance(self.score, Decimal | float) and not math.isfinite(self.score):
                raise AuditInputError(f"'score' must be finite, not {self.score!r}")

    @property
    def mode(self) -> Mode:
        """``"selection"`` for a pass/fail record, ``"scoring"`` for a scored one."""
        return "selection" if self.selected is not None else "scoring"


@dataclass(frozen=True, slots=True)
class CategoryRow:
    """One category of one table: counts, exact rate and impact ratio, significance."""

    sex: Sex | None
    race_ethnicity: RaceEthnicity | None
    count: int
    favourable: int  # selected, or scored above the median
    rate: Fraction
    impact_ratio: Fraction | None  # None when the table's highest rate is 0
    share: Fraction  # count / individuals in this table
    is_reference: bool
    fisher_p: float | None  # None for the reference row, or when there is no reference
    z: float | None  # None for the reference row, or when the pooled rate is 0 or 1
    # Set apart as too small to judge (decision aids only: ``audit_counts(set_apart_small=)``).
    too_small: bool = False
    # Left out of the impact-ratio calculation by the auditor (6 RCNY 5-301(d)).
    excluded: bool = False

    @property
    def below_four_fifths(self) -> bool:
        """Whether the impact ratio is strictly below 4/5 (29 CFR 1607.4(D)); never for a
        category set apart as too small to judge."""
        return (
            not self.too_small and self.impact_ratio is not None and self.impact_ratio < FOUR_FIFTHS
        )

    @property
    def under_two_percent(self) -> bool:
        """Whether the category is under 2 % of its table (6 RCNY 5-301(d))."""
        return self.share < TWO_PERCENT

    @property
    def label(self) -> str:
        """The category for people: ``"Female"``, ``"Asian"``, ``"Asian Female"``."""
        return _label(self.sex, self.race_ethnicity)


@dataclass(frozen=True, slots=True)
class AuditTable:
    """The rows of one table (sex, race/ethnicity or intersectional)."""

    name: TableName
    rows: tuple[CategoryRow, ...]
    total: int  # individuals in this table
    unknown: int  # individuals left out of this table because a needed category is unknown

    @property
    def reference(self) -> CategoryRow | None:
        """The category every other row is tested against (``None`` for an empty table)."""
        return next((row for row in self.rows if row.is_reference), None)


@dataclass(frozen=True, slots=True)
class AuditResult:
    """A whole bias audit: the mode, the median (scoring mode) and the three tables."""

    mode: Mode
    median: Fraction | None  # None in selection mode, or when nobody was scored
    individuals: int
    unknown: int  # individuals whose sex or race/ethnicity (or both) is unknown
    sex: AuditTable
    race_ethnicity: AuditTable
    intersectional: AuditTable

    @property
    def tables(self) -> tuple[AuditTable, AuditTable, AuditTable]:
        """The three tables in reporting order."""
        return (self.sex, self.race_ethnicity, self.intersectional)


def audit(
    records: Sequence[AuditRecord], *, mode: Mode | None = None, excluded: Collection[str] = ()
) -> AuditResult:
    """Audit ``records``: per-category rates and impact ratios for every table.

    The mode is taken from the records (all must share it) unless ``mode`` is given;
    an empty sequence needs ``mode``. ``AuditResult.unknown`` counts the individuals
    whose sex or race/ethnicity (or both) is unknown: each is left out of at least one
    required calculation (the intersectional one), which is what 6 RCNY 5-301(b)(5)
    and (c)(5) ask to report and how the DCWP examples word it ("individuals with an
    unknown sex or race/ethnicity category"). The per-table counts are on each
    ``AuditTable.unknown``.

    ``excluded``: labels of categories (``CategoryRow.label``) the auditor left out of
    the impact-ratio calculations (6 RCNY 5-301(d)); see ``audit_counts``.

    Raises ``AuditInputError`` when the records mix modes, or disagree with ``mode``.
    """
    modes = {record.mode for record in records}
    if len(modes) > 1:
        raise AuditInputError("records mix selection outcomes and scores; audit them separately")
    if mode is None:
        if not modes:
            raise AuditInputError("no records to audit and no mode given")
        mode = modes.pop()
    elif modes and modes != {mode}:
        raise AuditInputError(f"records are {modes.pop()} records, not {mode} records")

    median: Fraction | None = None
    if mode == "scoring":
        # ints, Fractions, Decimals and floats compare exactly with one another, so the
        # scores sort as they are: 500,000 Decimals in 0.4 s, as Fractions in 4.7 s.
        ordered = sorted(record.score for record in records if record.score is not None)
        if ordered:
            median = _median(ordered)
            # Above the median = above the lower middle score: no score lies strictly
            # between the two middle ones.
            lower = ordered[(len(ordered) - 1) // 2]
        favourable = [
            record.score is not None and median is not None and record.score > lower
            for record in records
        ]
    else:
        favourable = [bool(record.selected) for record in records]

    counts: Counter[tuple[Sex | None, RaceEthnicity | None]] = Counter()
    wins: Counter[tuple[Sex | None, RaceEthnicity | None]] = Counter()
    for record, won in zip(records, favourable, strict=True):
        key = (record.sex, record.race_ethnicity)
        counts[key] += 1
        wins[key] += won
    return audit_counts(
        {key: (n, wins[key]) for key, n in counts.items()},
        mode=mode,
        median=median,
        excluded=excluded,
    )


CellKey = tuple[Sex | None, RaceEthnicity | None]


def audit_counts(
    cells: Mapping[CellKey, tuple[int, int]],
    *,
    mode: Mode,
    median: Fraction | None = None,
    set_apart_small: bool = False,
    excluded: Collection[str] = (),
) -> AuditResult:
    """Audit from counts: ``cells`` maps (sex, race/ethnicity) to (individuals, favourable).

    The same tables as ``audit`` (which counts its records and calls this), for callers
    that already hold grouped counts (a live audit, the what-if preview).

    ``set_apart_small`` is for decision aids, not LL144 audits (where the auditor
    decides, 6 RCNY 5-301(d)): a category with fewer than ``TOO_SMALL_UNDER`` people or
    under 2 % of its table is ``too_small``; it keeps its counts, its ratio and its
    Fisher p against the reference, but it is never the reference, and never below
    four-fifths. Use ``decision_aid_counts``, which every preview reader passes through.

    ``excluded``: labels of categories left out of the impact-ratio calculations
    (6 RCNY 5-301(d)). Each keeps its row with its count, rate and share (they must
    still be reported), but gets no impact ratio, no significance test, and is never
    the reference. Whether a category may be excluded (under 2 %, with a justification)
    is the caller's to check: this only computes.
    """
    counts = {key: n for key, (n, _) in cells.items() if n}
    wins = {key: won for key, (n, won) in cells.items() if n}
    for key, n in counts.items():
        if not 0 <= wins[key] <= n:
            raise AuditInputError(f"favourable count out of range for {key!r}")

    def tally(sex: Sex | None, race: RaceEthnicity | None) -> tuple[int, int]:
        keys = [
            key
            for key in counts
            if (sex is None or key[0] == sex) and (race is None or key[1] == race)
        ]
        return sum(counts[k] for k in keys), sum(wins[k] for k in keys)

    sex_cells = [(sex, None, *tally(sex, None)) for sex in SEX_CATEGORIES]
    race_cells = [(None, race, *tally(None, race)) for race in RACE_ETHNICITY_CATEGORIES]
    both_cells = [
        (sex, race, counts.get((sex, race), 0), wins.get((sex, race), 0))
        for race in RACE_ETHNICITY_CATEGORIES
        for sex in SEX_CATEGORIES
    ]
    sex_unknown = sum(n for (sex, _), n in counts.items() if sex is None)
    race_unknown = sum(n for (_, race), n in counts.items() if race is None)
    either_unknown = sum(n for (sex, race), n in counts.items() if sex is None or race is None)
    return AuditResult(
        mode=mode,
        median=median,
        individuals=sum(counts.values()),
        unknown=either_unknown,
        sex=_table(
            "sex",
            sex_cells,
            unknown=sex_unknown,
            set_apart_small=set_apart_small,
            excluded=excluded,
        ),
        race_ethnicity=_table(
            "race_ethnicity",
            race_cells,
            unknown=race_unknown,
            set_apart_small=set_apart_small,
            excluded=excluded,
        ),
        intersectional=_table(
            "intersectional",
            both_cells,
            unknown=either_unknown,
            set_apart_small=set_apart_small,
            excluded=excluded,
        ),
    )


def decision_aid_counts(cells: Mapping[CellKey, tuple[int, int]]) -> AuditResult:
    """Selection rates for a decision aid (the what-if preview, its warnings, the fairer
    alternatives): ``audit_counts`` with categories too small to judge set apart.

    The one place where a preview picks its reference category and computes its
    impact ratios; a recorded LL144 audit uses ``audit_counts`` itself.
    """
    return audit_counts(cells, mode="selection", set_apart_small=True)


def too_small_to_judge(count: int, table_total: int) -> bool:
    """Fewer than ``TOO_SMALL_UNDER`` people, or under 2 % of the table's known total."""
    return count < TOO_SMALL_UNDER or Fraction(count, table_total) < TWO_PERCENT


def _label(sex: Sex | None, race: RaceEthnicity | None) -> str:
    return " ".join(part for part in (race, sex) if part is not None)


def _median(ordered: Sequence[Score]) -> Fraction:
    """The exact median of scores already in order."""
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[middle])
    return (Fraction(ordered[middle - 1]) + Fraction(ordered[middle])) / 2


def _table(
    name: TableName,
    cells: Sequence[tuple[Sex | None, RaceEthnicity | None, int, int]],
    *,
    unknown: int,
    set_apart_small: bool = False,
    excluded: Collection[str] = (),
) -> AuditTable:
    present = [cell for cell in cells if cell[2] > 0]
    total = sum(cell[2] for cell in present)
    if not present:
        return AuditTable(name=name, rows=(), total=0, unknown=unknown)
    rates = [Fraction(won, n) for _, _, n, won in present]
    left_out = [_label(sex, race) in excluded for sex, race, _, _ in present]
    small = [set_apart_small and too_small_to_judge(cell[2], total) for cell in present]
    # Compared with one another: neither excluded by the auditor nor too small to judge.
    judged = [i for i in range(len(present)) if not left_out[i] and not small[i]]
    rows: list[CategoryRow] = []
    if not judged:  # nothing to compare with: no reference, no ratio
        for i, ((sex, race, n, won), rate) in enumerate(zip(present, rates, strict=True)):
            rows.append(
                CategoryRow(
                    sex=sex, race_ethnicity=race, count=n, favourable=won, rate=rate,
                    impact_ratio=None, share=Fraction(n, total), is_reference=False,
                    fisher_p=None, z=None, too_small=small[i], excluded=left_out[i],
                )
            )  # fmt: skip
        return AuditTable(name=name, rows=tuple(rows), total=total, unknown=unknown)
    top = max(rates[i] for i in judged)
    # Several categories can share the highest rate (WE-06c: two at 75 %); each gets
    # an impact ratio of 1. The one the others are tested against is the tied
    # category with the most individuals (the most information), first in the
    # rule's order on a further tie. An excluded category, or one too small to judge,
    # is never it.
    reference = max(
        (i for i in judged if rates[i] == top),
        key=lambda i: (present[i][2], -i),
    )
    _, _, ref_n, ref_won = present[reference]
    for i, ((sex, race, n, won), rate) in enumerate(zip(present, rates, strict=True)):
        is_reference = i == reference
        if left_out[i]:
            # Reported (count, rate, share), compared with nobody (6 RCNY 5-301(d)).
            rows.append(
                CategoryRow(
                    sex=sex, race_ethnicity=race, count=n, favourable=won, rate=rate,
                    impact_ratio=None, share=Fraction(n, total), is_reference=False,
                    fisher_p=None, z=None, too_small=small[i], excluded=True,
                )
            )  # fmt: skip
            continue
        rows.append(
            CategoryRow(
                sex=sex,
                race_ethnicity=race,
                count=n,
                favourable=won,
                rate=rate,
                impact_ratio=rate / top if top else None,
                share=Fraction(n, total),
                is_reference=is_reference,
                fisher_p=None
                if is_reference
                else fisher_exact_two_sided(won, n - won, ref_won, ref_n - ref_won),
                z=None if is_reference else pooled_z(won, n, ref_won, ref_n),
                too_small=small[i],
            )
        )
    return AuditTable(name=name, rows=tuple(rows), total=total, unknown=unknown)


# Above this many individuals the exact integers grow to thousands of digits: float.
FISHER_EXACT_MAX_N: Final = 2000


@lru_cache(maxsize=8192)  # pure; an audit asks for the same tables from several views
def fisher_exact_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher exact p-value for the 2x2 table ``[[a, b], [c, d]]``.

    Rows are the two categories, columns favourable/unfavourable. With the margins
    fixed, the first cell follows a hypergeometric distribution; the p-value is the
    total probability of every table no more probable than the observed one (within
    a relative tolerance of 1e-14, as scipy's ``fisher_exact`` does). Computed with
    exact integers, so the result is the exact p-value rounded once to a float.
    """
    if min(a, b, c, d) < 0:
        raise ValueError("a 2x2 table has no negative cells")
    row1, row2, col1 = a + b, c + d, a + c
    if row1 == 0 or row2 == 0 or col1 == 0 or col1 == row1 + row2:
        return 1.0  # a margin is empty: only one table is possible
    low, high = max(0, col1 - row2), min(row1, col1)
    if row1 + row2 > FISHER_EXACT_MAX_N:
        return _fisher_float(a, row1, row2, col1, low, high)
    observed = math.comb(row1, a) * math.comb(row2, col1 - a)
    scale = _FISHER_TOLERANCE.denominator
    limit = observed * (scale + _FISHER_TOLERANCE.numerator)
    # weight(x) = C(row1, x) * C(row2, col1 - x), stepped by exact integer ratios
    # (much cheaper than math.comb for every x on large samples); the weights sum
    # to C(row1 + row2, col1) (Vandermonde), the denominator.
    weight = math.comb(row1, low) * math.comb(row2, col1 - low)
    tail = 0
    for x in range(low, high + 1):
        if weight * scale <= limit:
            tail += weight
        if x < high:
            weight = weight * (row1 - x) * (col1 - x) // ((x + 1) * (row2 - col1 + x + 1))
    return min(1.0, float(Fraction(tail, math.comb(row1 + row2, col1))))


def _fisher_float(a: int, row1: int, row2: int, col1: int, low: int, high: int) -> float:
    """Fisher's two-sided p for large tables, in floating point (exact integers there
    have thousands of digits). Weights relative to the mode, walked outwards by the same
    ratios until the terms are negligible next to both the mode and the observed table."""
    n = row1 + row2
    mode = min(max((row1 + 1) * (col1 + 1) // (n + 2), low), high)

    def log_weight(x: int) -> float:
        return (
            math.lgamma(row1 + 1) - math.lgamma(x + 1) - math.lgamma(row1 - x + 1)
            + math.lgamma(row2 + 1) - math.lgamma(col1 - x + 1) - math.lgamma(row2 - col1 + x + 1)
        )  # fmt: skip

    observed = math.exp(log_weight(a) - log_weight(mode))  # relative to the mode (<= 1)
    # Float ratios drift by ~1e-13 over a long walk: scipy's own float tolerance, 1e-7.
    limit = observed * (1 + 1e-7)
    negligible = min(observed, 1.0) * 1e-18
    total = tail = 0.0
    for step in (1, -1):
        x, weight = (mode, 1.0) if step == 1 else (mode - 1, None)
        if weight is None:
            if x < low:
                continue
            weight = (x + 1) * (row2 - col1 + x + 1) / ((row1 - x) * (col1 - x))
        while low <= x <= high:
            total += weight
            if weight <= limit:
                tail += weight
            if weight < negligible and (x - mode) * step > 0:
                break
            if step == 1:
                weight *= (row1 - x) * (col1 - x) / ((x + 1) * (row2 - col1 + x + 1))
            else:
                weight *= x * (row2 - col1 + x) / ((row1 - x + 1) * (col1 - x + 1))
            x += step
    return min(1.0, tail / total)


def pooled_z(focal_favourable: int, focal_n: int, ref_favourable: int, ref_n: int) -> float | None:
    """Pooled two-proportion z statistic, reference rate minus focal rate.

    Positive when the focal category fares worse than the reference. ``None`` when
    undefined: an empty group, or a pooled rate of 0 or 1 (no variance).
    """
    if focal_n <= 0 or ref_n <= 0:
        return None
    pooled = Fraction(focal_favourable + ref_favourable, focal_n + ref_n)
    if pooled in (0, 1):
        return None
    variance = pooled * (1 - pooled) * (Fraction(1, focal_n) + Fraction(1, ref_n))
    difference = Fraction(ref_favourable, ref_n) - Fraction(focal_favourable, focal_n)
    return float(difference) / math.sqrt(variance)


# --- the JSON shape (bias_audit --format json; reused by the admin and the API) ---


class CategoryKey(TypedDict, total=False):
    sex: Sex
    race_ethnicity: RaceEthnicity


class RowReport(TypedDict):
    category: CategoryKey
    count: int
    favourable: int
    rate: float
    impact_ratio: float | None
    below_four_fifths: bool
    share: float
    under_two_percent: bool
    fisher_p: float | None
    z: float | None
    excluded: bool


class TablesReport(TypedDict):
    sex: list[RowReport]
    race_ethnicity: list[RowReport]
    intersectional: list[RowReport]


class UnknownByTable(TypedDict):
    sex: int
    race_ethnicity: int
    intersectional: int


class AuditReport(TypedDict):
    mode: Mode
    median: float | None
    unknown: int
    unknown_by_table: UnknownByTable
    tables: TablesReport


def row_report(row: CategoryRow) -> RowReport:
    """One row in the JSON shape (exact fractions become floats here, and only here)."""
    category: CategoryKey = {}
    if row.sex is not None:
        category["sex"] = row.sex
    if row.race_ethnicity is not None:
        category["race_ethnicity"] = row.race_ethnicity
    return {
        "category": category,
        "count": row.count,
        "favourable": row.favourable,
        "rate": float(row.rate),
        "impact_ratio": None if row.impact_ratio is None else float(row.impact_ratio),
        "below_four_fifths": row.below_four_fifths,
        "share": float(row.share),
        "under_two_percent": row.under_two_percent,
        "fisher_p": row.fisher_p,
        "z": row.z,
        "excluded": row.excluded,
    }


def audit_report(result: AuditResult) -> AuditReport:
    """The audit as JSON-ready plain values (the ``bias_audit --format json`` shape).

    ``unknown`` is ``AuditResult.unknown``; ``unknown_by_table`` adds how many
    individuals each table left out, since someone with a known sex but an unknown
    race/ethnicity is still in the sex table.
    """
    return {
        "mode": result.mode,
        "median": None if result.median is None else float(result.median),
        "unknown": result.unknown,
        "unknown_by_table": {
            "sex": result.sex.unknown,
            "race_ethnicity": result.race_ethnicity.unknown,
            "intersectional": result.intersectional.unknown,
        },
        "tables": {
            "sex": [row_report(row) for row in result.sex.rows],
            "race_ethnicity": [row_report(row) for row in result.race_ethnicity.rows],
            "intersectional": [row_report(row) for row in result.intersectional.rows],
        },
    }
