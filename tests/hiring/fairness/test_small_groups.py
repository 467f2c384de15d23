"""Groups too small to judge in a preview (issue 18, part 5) and warnings grouped per code
and table (part 2): pure, no database.

A group is too small to judge when it has fewer than 5 people or is under 2 % of the
people with a known category in its table. It keeps its count, ratio and Fisher p,
but it is never the reference group and never "below four-fifths" on its own.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hiring.fairness import FairnessWarning, OutcomeCount, PopulationSummary, warnings_for_rule
from hiring.fairness.bias_audit import (
    RACE_ETHNICITY_CATEGORIES,
    SEX_CATEGORIES,
    AuditTable,
    CategoryRow,
    CellKey,
    audit_counts,
    decision_aid_counts,
    fisher_exact_two_sided,
    too_small_to_judge,
)
from hiring.fairness.warning import display_groups
from tests.hiring.fairness.test_warnings import QUIET, TODAY, population

WHITE = "White"
ASIAN = "Asian"


def counts(cells: dict[CellKey, tuple[int, int]]) -> dict[CellKey, tuple[int, int]]:
    """``{key: (selected, people)}``, as the warnings' tests write them, to
    ``audit_counts``'s ``{key: (people, selected)}``."""
    return {key: (n, won) for key, (won, n) in cells.items()}


def row(table: AuditTable, label: str) -> CategoryRow:
    return next(r for r in table.rows if r.label == label)


# --- the rule, table-driven -------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "table", "label", "too_small", "reference"),
    [
        # 4 people: too small, however large the share; 5 people: judged.
        ({("Male", None): (30, 50), ("Female", None): (1, 4)}, "sex", "Female", True, "Male"),
        ({("Male", None): (30, 50), ("Female", None): (1, 5)}, "sex", "Female", False, "Male"),
        # 1.9 % of the table is too small, 2 % is not (1,000 people with a known sex).
        ({("Male", None): (400, 981), ("Female", None): (1, 19)}, "sex", "Female", True, "Male"),
        ({("Male", None): (400, 980), ("Female", None): (1, 20)}, "sex", "Female", False, "Male"),
        # The best rate belongs to a 1-of-1 group: it is never the reference.
        (
            {("Male", WHITE): (20, 100), ("Female", WHITE): (25, 100), ("Male", ASIAN): (1, 1)},
            "race_ethnicity",
            ASIAN,
            True,
            WHITE,
        ),
        (
            {("Male", WHITE): (20, 100), ("Female", WHITE): (25, 100), ("Male", ASIAN): (1, 1)},
            "intersectional",
            "Asian Male",
            True,
            "White Female",
        ),
        # 5 of 250 with a known sex is 2 %: the 1,000 of unknown sex are not counted.
        (
            {("Male", None): (100, 245), ("Female", None): (1, 5), (None, None): (500, 1000)},
            "sex",
            "Female",
            False,
            "Male",
        ),
        # Someone of known sex but unknown race/ethnicity counts in the sex table only:
        # Female is 5 of 260 there (1.9 %), and too small.
        (
            {("Male", WHITE): (100, 245), ("Female", WHITE): (1, 5), ("Male", None): (1, 10)},
            "sex",
            "Female",
            True,
            "Male",
        ),
    ],
)
def test_too_small_to_judge(
    cells: dict[CellKey, tuple[int, int]], table: str, label: str, too_small: bool, reference: str
) -> None:
    result = decision_aid_counts(counts(cells))
    found = {t.name: t for t in result.tables}[table]
    group = row(found, label)
    assert group.too_small is too_small
    assert found.reference is not None
    assert found.reference.label == reference
    assert not group.is_reference
    if too_small:
        assert not group.below_four_fifths
        assert group.fisher_p is not None  # shown with its Fisher p all the same
        assert group.impact_ratio == group.rate / found.reference.rate


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [(4, 4, True), (5, 5, False), (5, 250, False), (5, 251, True), (19, 1000, True),
     (20, 1000, False), (1, 1, True), (0, 10, True)],
)  # fmt: skip
def test_the_threshold_itself(count: int, total: int, expected: bool) -> None:
    assert too_small_to_judge(count, total) is expected


def test_a_table_of_small_groups_has_no_reference_and_no_ratio() -> None:
    result = decision_aid_counts(counts({("Male", WHITE): (2, 3), ("Female", WHITE): (0, 4)}))
    for table in (result.sex, result.intersectional):  # 3 and 4 people
        assert table.reference is None
        assert all(r.too_small and r.impact_ratio is None for r in table.rows)
        assert all(not r.below_four_fifths for r in table.rows)
        assert all(r.fisher_p is None for r in table.rows)
    # By race/ethnicity, White alone is all 7: judged, and its own reference.
    assert result.race_ethnicity.reference is not None
    assert not result.race_ethnicity.reference.too_small


def test_a_recorded_audit_is_not_changed_by_default() -> None:
    """``audit_counts`` without ``set_apart_small`` keeps the rule's text: the highest
    rate is the reference; excluding a category is the auditor's decision."""
    cells: dict[CellKey, tuple[int, int]] = {("Male", WHITE): (20, 100), ("Male", ASIAN): (1, 1)}
    race = audit_counts(counts(cells), mode="selection").race_ethnicity
    assert race.reference is not None
    assert race.reference.label == ASIAN
    assert not any(r.too_small for r in race.rows)


cell_counts = st.integers(min_value=0, max_value=60).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
keys = st.tuples(
    st.sampled_from((*SEX_CATEGORIES, None)), st.sampled_from((*RACE_ETHNICITY_CATEGORIES, None))
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, cell_counts.map(lambda t: (t[1], t[0])), max_size=12))
def test_no_group_too_small_to_judge_is_ever_the_reference(
    cells: dict[CellKey, tuple[int, int]],
) -> None:
    result = decision_aid_counts(cells)
    for table in result.tables:
        reference = table.reference
        judged = [r for r in table.rows if not r.too_small]
        for r in table.rows:
            assert r.too_small is too_small_to_judge(r.count, table.total)
            assert not (r.too_small and r.below_four_fifths)
        if not judged:
            assert reference is None
            continue
        assert reference is not None
        assert reference.count >= 5
        assert reference.share >= Fraction(2, 100)
        assert reference.rate == max(r.rate for r in judged)


# --- Fisher's exact test against published values ----------------------------------------


@pytest.mark.parametrize(
    ("table", "p"),
    [
        # R, ?fisher.test: TeaTasting, matrix(c(3, 1, 1, 3), nrow = 2): p-value = 0.4857
        ((3, 1, 1, 3), 0.4857),
        # R, ?fisher.test: Convictions, matrix(c(2, 10, 15, 3), nrow = 2): p = 0.0005367
        ((2, 15, 10, 3), 0.0005367),
        # Wikipedia, "Fisher's exact test": studying men and women, p = 0.002759
        ((1, 9, 11, 3), 0.002759),
        # every table but the observed one is as probable: 2 / C(10, 5) = 0.007937
        ((0, 5, 5, 0), 0.007937),
        # a 1-of-1 group against 19 of 99: exactly 20 / 100
        ((1, 0, 19, 80), 0.2),
        # an empty margin: only one table is possible
        ((0, 0, 4, 6), 1.0),
    ],
)
def test_fisher_two_sided_matches_published_values(
    table: tuple[int, int, int, int], p: float
) -> None:
    found = fisher_exact_two_sided(*table)
    assert found == pytest.approx(p, rel=5e-4)
    a, b, c, d = table
    assert fisher_exact_two_sided(c, d, a, b) == pytest.approx(found, rel=1e-12)  # rows swapped


# --- warnings: one per code and table; small groups listed once --------------------------


def warn(pop: PopulationSummary) -> list[FairnessWarning]:
    return warnings_for_rule(QUIET, pop, today=TODAY)


# Many groups below four-fifths in each table, and small groups in each.
MANY_FAILING = population(
    {
        ("Male", WHITE): (60, 100),
        ("Female", WHITE): (20, 100),
        ("Male", ASIAN): (15, 100),
        ("Female", ASIAN): (10, 100),
        ("Male", "Black or African American"): (10, 60),
        ("Female", "Black or African American"): (5, 60),
        ("Female", "Native Hawaiian or Pacific Islander"): (0, 3),
        ("Male", "Native Hawaiian or Pacific Islander"): (1, 1),
    }
)


def test_at_most_one_four_fifths_warning_per_table_listing_its_groups() -> None:
    found = warn(MANY_FAILING)
    per_table = Counter((w.code, w.table) for w in found)
    assert all(count == 1 for count in per_table.values()), per_table
    failing = {w.table: w for w in found if w.code == "adverse_impact.four_fifths"}
    assert set(failing) == {"sex", "race_ethnicity", "intersectional"}
    assert [g["label"] for g in failing["intersectional"].groups] == [
        "White Female",
        "Black or African American Male",
        "Black or African American Female",
        "Asian Male",
        "Asian Female",
    ]
    assert all(not g["too_small"] for w in failing.values() for g in w.groups)
    assert "White Male" in failing["intersectional"].message  # the reference, by name
    # Five groups: the message says how many and the lowest; the groups list them all.
    assert (
        "5 groups, the lowest Black or African American Female at 0.138, are"
        in failing["intersectional"].message
    )
    assert "Asian Female at" not in failing["intersectional"].message
    assert "By sex, Female at 0.403 (13.3%) is selected" in failing["sex"].message
    apart = [w for w in found if w.code == "adverse_impact.too_small"]
    assert [(w.table, [g["label"] for g in w.groups]) for w in apart] == [
        ("race_ethnicity", ["Native Hawaiian or Pacific Islander"]),
        (
            "intersectional",
            [
                "Native Hawaiian or Pacific Islander Male",
                "Native Hawaiian or Pacific Islander Female",
            ],
        ),
    ]
    assert all(w.severity == "info" for w in apart)
    # Serious first, and the subject of each names its table and groups.
    assert [w.severity for w in found] == sorted(
        (w.severity for w in found), key=("serious", "warning", "info").index
    )
    assert failing["sex"].subject == "sex:Female"


def test_a_small_group_never_raises_a_four_fifths_warning_of_its_own() -> None:
    # Female: 0 of 4 selected against Male 30 of 50: ratio 0, but too small to judge.
    found = warn(population({("Male", None): (30, 50), ("Female", None): (0, 4)}))
    assert "adverse_impact.four_fifths" not in {w.code for w in found}
    apart = next(w for w in found if w.code == "adverse_impact.too_small")
    assert apart.groups[0]["ratio"] == 0.0
    assert apart.groups[0]["fisher_p"] == pytest.approx(fisher_exact_two_sided(0, 4, 30, 20))
    assert "Female (fewer than 5 people)" in apart.message
    assert "Male" in apart.message  # against whom


def test_groups_as_a_page_shows_them() -> None:
    found = warn(MANY_FAILING)
    apart = next(
        w for w in found if w.code == "adverse_impact.too_small" and w.table == "intersectional"
    )
    rows = display_groups(apart.groups)
    assert rows[0]["n"] == "fewer than 5"
    assert (rows[0]["selected"], rows[0]["rate"]) == ("—", "—")
    failing = next(w for w in found if w.code == "adverse_impact.four_fifths" and w.table == "sex")
    [female] = display_groups(failing.groups)
    # Female 35 of 263 (13.3 %) against Male 86 of 261: ratio 0.40388..., down to 0.403.
    assert (female["n"], female["selected"], female["rate"]) == ("263", "35", "13.3%")
    assert female["ratio"] == "0.403"
    assert female["too_small"] is False


@pytest.mark.parametrize(("ratio", "shown"), [(0.7, "0.700"), (0.7999, "0.799"), (1.0, "1.000")])
def test_ratios_are_rounded_down_without_float_noise(ratio: float, shown: str) -> None:
    group = {
        "label": "Female", "n": 10, "selected": 7, "rate": 0.7, "ratio": ratio,
        "fisher_p": 0.5, "too_small": False,
    }  # fmt: skip
    assert display_groups([group])[0]["ratio"] == shown  # type: ignore[list-item]


def test_unknown_categories_never_enter_a_table_total() -> None:
    pop = PopulationSummary(
        cells=[
            OutcomeCount("meets", 100, "Male", None),
            OutcomeCount("below", 145, "Male", None),
            OutcomeCount("meets", 1, "Female", None),
            OutcomeCount("below", 4, "Female", None),
            OutcomeCount("meets", 500, None, None),
            OutcomeCount("below", 500, None, None),
        ]
    )
    found = warn(pop)
    # Female is 5 of 250 with a known sex (2 %), so judged: 0.49 of Male's rate.
    failing = next(w for w in found if w.code == "adverse_impact.four_fifths")
    assert [g["label"] for g in failing.groups] == ["Female"]
    assert "adverse_impact.too_small" not in {w.code for w in found}
