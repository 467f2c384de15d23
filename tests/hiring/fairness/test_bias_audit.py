"""The bias-audit maths (hiring.fairness.bias_audit): exact ratios, strict four-fifths, the median rule."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hiring.fairness.bias_audit as audit_module
from hiring.fairness.bias_audit import (
    RACE_ETHNICITY_CATEGORIES,
    SEX_CATEGORIES,
    AuditInputError,
    AuditRecord,
    AuditResult,
    AuditTable,
    CategoryRow,
    RaceEthnicity,
    Sex,
    audit,
    audit_report,
    fisher_exact_two_sided,
    pooled_z,
    race_ethnicity_from_label,
    sex_from_label,
)

WHITE: RaceEthnicity = "White"
BLACK: RaceEthnicity = "Black or African American"
HISPANIC: RaceEthnicity = "Hispanic or Latino"
NATIVE: RaceEthnicity = "Native American or Alaska Native"
ASIAN: RaceEthnicity = "Asian"


def selections(
    sex: Sex | None, race: RaceEthnicity | None, n: int, selected: int
) -> list[AuditRecord]:
    """``n`` individuals of one category, ``selected`` of whom were selected."""
    return [AuditRecord(sex, race, selected=i < selected) for i in range(n)]


def scored(sex: Sex | None, race: RaceEthnicity | None, *scores: int | str) -> list[AuditRecord]:
    return [AuditRecord(sex, race, score=Decimal(s)) for s in scores]


def row_for(
    table: AuditTable, sex: Sex | None = None, race: RaceEthnicity | None = None
) -> CategoryRow:
    return next(r for r in table.rows if (r.sex, r.race_ethnicity) == (sex, race))


# --- worked examples (the fixture files reproduce the DCWP tables end to end) ---------


def test_we01_eeoc_black_applicants_at_half_the_white_rate() -> None:
    result = audit(selections(None, WHITE, 80, 48) + selections(None, BLACK, 40, 12))
    white, black = (
        row_for(result.race_ethnicity, race=WHITE),
        row_for(result.race_ethnicity, race=BLACK),
    )
    assert (white.rate, white.impact_ratio, white.below_four_fifths) == (
        Fraction(3, 5),
        Fraction(1),
        False,
    )
    assert (black.rate, black.impact_ratio, black.below_four_fifths) == (
        Fraction(3, 10),
        Fraction(1, 2),
        True,
    )
    assert white.is_reference
    assert (white.fisher_p, white.z) == (None, None)
    # WE-04 (scipy.stats.fisher_exact, pooled z): 0.003409 and 3.0984
    assert black.fisher_p == pytest.approx(0.003409, abs=5e-7)
    assert black.z == pytest.approx(3.0984, abs=5e-5)


@pytest.mark.parametrize(
    ("race", "selected", "ratio", "below"),
    [
        (WHITE, 60, Fraction(1), False),
        (NATIVE, 45, Fraction(3, 4), True),
        (HISPANIC, 48, Fraction(4, 5), False),  # exactly four-fifths is not "less than"
        (BLACK, 51, Fraction(17, 20), False),
    ],
)
def test_we02_ugesp_multigroup(
    race: RaceEthnicity, selected: int, ratio: Fraction, below: bool
) -> None:
    records = [
        *selections(None, WHITE, 100, 60),
        *selections(None, NATIVE, 100, 45),
        *selections(None, HISPANIC, 100, 48),
        *selections(None, BLACK, 100, 51),
    ]
    row = row_for(audit(records).race_ethnicity, race=race)
    assert (row.favourable, row.impact_ratio, row.below_four_fifths) == (selected, ratio, below)


@pytest.mark.parametrize(
    ("men", "women", "flagged_sex"),
    [((5, 2), (4, 1), "Female"), ((5, 1), (4, 2), "Male")],
    ids=["as_observed", "one_person_swapped"],
)
def test_we03_one_different_person_reverses_the_flag(
    men: tuple[int, int], women: tuple[int, int], flagged_sex: str
) -> None:
    result = audit(selections("Male", None, *men) + selections("Female", None, *women))
    flagged = [row.sex for row in result.sex.rows if row.below_four_fifths]
    assert flagged == [flagged_sex]
    (compared,) = [row for row in result.sex.rows if not row.is_reference]
    assert compared.fisher_p is not None
    assert compared.fisher_p > 0.05  # small numbers: neither direction is significant
    if flagged_sex == "Female":
        assert compared.fisher_p == 1.0  # WE-03 publishes 1.0 for the observed table


def test_we12_exact_four_fifths_is_not_adverse_impact_although_floats_say_so() -> None:
    assert (3 / 5) / (30 / 40) < 0.8  # the float trap the exact arithmetic avoids
    result = audit(selections("Female", None, 5, 3) + selections("Male", None, 40, 30))
    female = row_for(result.sex, sex="Female")
    assert female.impact_ratio == Fraction(4, 5)
    assert not female.below_four_fifths


@pytest.mark.parametrize(
    ("focal", "reference", "z", "fisher_p"),
    [
        ((12, 40), (48, 80), "3.0984", "0.003409"),
        ((555, 1181), (667, 1390), "0.5017", "0.6345"),
        ((170, 390), (412, 797), "2.6233", "0.00943"),
        ((52, 119), (412, 797), "1.6275", "0.1159"),
        ((18, 41), (412, 797), "0.9734", "0.3416"),
        ((96, 213), (412, 797), "1.7174", "0.09007"),
        ((95, 226), (215, 412), "2.4531", "0.01629"),
        ((7, 17), (215, 412), "0.8901", "0.4605"),
        ((34, 76), (50, 92), "1.2401", "0.2779"),
        ((15, 40), (18, 28), "2.1751", "0.04793"),
        ((3, 10), (7, 10), "1.7889", "0.1789"),
        ((1, 4), (2, 5), "0.4743", "1"),
    ],
)
def test_we04_significance_matches_scipy(
    focal: tuple[int, int], reference: tuple[int, int], z: str, fisher_p: str
) -> None:
    (fs, fn), (rs, rn) = focal, reference
    assert _rounds_to(pooled_z(fs, fn, rs, rn), z)
    p = fisher_exact_two_sided(fs, fn - fs, rs, rn - rs)
    if fisher_p == "1":
        assert p == 1.0
    else:
        assert f"{p:.4g}" == f"{float(fisher_p):.4g}"


def _rounds_to(value: float | None, published: str) -> bool:
    assert value is not None
    places = len(published.split(".")[1]) if "." in published else 0
    return abs(value - float(published)) <= 0.5 * 10.0**-places


# --- the scoring rate: strictly above the median of the full sample ---------------------


def test_a_score_equal_to_the_median_is_not_above_it() -> None:
    result = audit(scored("Male", WHITE, 1, 2, 3) + scored("Female", WHITE, 2, 2))
    assert result.median == 2
    assert row_for(result.sex, sex="Male").favourable == 1  # only the 3
    assert row_for(result.sex, sex="Female").favourable == 0


def test_even_sample_median_is_the_mean_of_the_middle_two() -> None:
    result = audit(scored("Male", WHITE, 1, 4) + scored("Female", WHITE, 2, 3))
    assert result.median == Fraction(5, 2)
    assert [row.favourable for row in result.sex.rows] == [1, 1]


def test_median_includes_individuals_of_unknown_category() -> None:
    records = scored("Male", WHITE, 1) + scored("Female", WHITE, 2) + scored(None, None, 10, 10, 10)
    result = audit(records)
    assert result.median == 10  # 1.5 if the unknowns were left out
    assert sum(row.favourable for row in result.sex.rows) == 0
    assert result.unknown == 3


def test_median_keeps_decimal_scores_exact() -> None:
    result = audit(scored("Male", WHITE, "0.1", "0.3") + scored("Female", WHITE, "0.2"))
    assert result.median == Fraction(1, 5)
    assert audit_report(result)["median"] == 0.2


def test_selection_mode_has_no_median() -> None:
    result = audit(selections("Male", WHITE, 2, 1))
    assert result.mode == "selection"
    assert audit_report(result)["median"] is None


# --- unknown categories: counted per table, never inferred ------------------------------


def test_unknown_sex_stays_in_the_race_table_only() -> None:
    records = [
        *selections("Male", WHITE, 4, 2),
        *selections(None, WHITE, 3, 3),  # sex unknown
        *selections("Female", None, 2, 0),  # race/ethnicity unknown
        *selections(None, None, 1, 1),  # both unknown
    ]
    result = audit(records)
    assert result.unknown == 6  # individuals with sex or race/ethnicity unknown
    assert (result.sex.unknown, result.race_ethnicity.unknown, result.intersectional.unknown) == (
        4,
        3,
        6,
    )
    assert [(r.sex, r.count, r.favourable) for r in result.sex.rows] == [
        ("Male", 4, 2),
        ("Female", 2, 0),
    ]
    assert [(r.race_ethnicity, r.count) for r in result.race_ethnicity.rows] == [(WHITE, 7)]
    assert [(r.sex, r.race_ethnicity, r.count) for r in result.intersectional.rows] == [
        ("Male", WHITE, 4)
    ]
    assert audit_report(result)["unknown_by_table"] == {
        "sex": 4,
        "race_ethnicity": 3,
        "intersectional": 6,
    }


def test_everyone_unknown_gives_empty_tables_not_an_error() -> None:
    result = audit(selections(None, None, 5, 2))
    assert result.unknown == 5
    assert all(table.rows == () and table.reference is None for table in result.tables)


# --- impact ratios, the reference category, the 2 % mark ---------------------------------


def test_nobody_selected_gives_no_impact_ratio_and_no_flag() -> None:
    result = audit(selections("Male", WHITE, 10, 0) + selections("Female", WHITE, 5, 0))
    assert all(row.impact_ratio is None and not row.below_four_fifths for row in result.sex.rows)
    compared = row_for(result.sex, sex="Female")
    assert (compared.fisher_p, compared.z) == (1.0, None)  # z undefined at a pooled rate of 0
    assert audit_report(result)["tables"]["sex"][1]["impact_ratio"] is None


def test_tied_highest_rate_all_get_one_and_the_larger_group_is_the_reference() -> None:
    # WE-06c: Hispanic or Latino Male 12/16 and NHPI Male 3/4 share the top rate.
    nhpi: RaceEthnicity = "Native Hawaiian or Pacific Islander"
    records = [
        *selections("Male", nhpi, 4, 3),
        *selections("Male", HISPANIC, 16, 12),
        *selections("Male", WHITE, 20, 7),
    ]
    table = audit(records).intersectional
    assert [row.impact_ratio for row in table.rows] == [1, Fraction(7, 15), 1]
    assert table.reference == row_for(table, "Male", HISPANIC)
    white = row_for(table, "Male", WHITE)
    expected = fisher_exact_two_sided(7, 13, 12, 4)
    assert (white.fisher_p, white.z) == (expected, pooled_z(7, 20, 12, 16))


@pytest.mark.parametrize(
    ("small", "large", "under"),
    [(1, 49, False), (1, 50, True), (2, 98, False), (20, 981, True)],
    ids=["exactly_2pct", "just_under", "exactly_2pct_again", "1.998pct"],
)
def test_under_two_percent_is_marked_never_dropped(small: int, large: int, under: bool) -> None:
    result = audit(selections("Male", ASIAN, small, 0) + selections("Female", ASIAN, large, 1))
    row = row_for(result.sex, sex="Male")
    assert row.share == Fraction(small, small + large)
    assert row.under_two_percent is under
    assert row.below_four_fifths  # still in the calculation and still flagged


def test_categories_with_nobody_have_no_row_and_rows_follow_the_rule_order() -> None:
    records = selections("Female", ASIAN, 2, 1) + selections("Male", HISPANIC, 2, 1)
    result = audit(records)
    assert [r.sex for r in result.sex.rows] == ["Male", "Female"]
    assert [r.race_ethnicity for r in result.race_ethnicity.rows] == [HISPANIC, ASIAN]
    assert [r.label for r in result.intersectional.rows] == [
        "Hispanic or Latino Male",
        "Asian Female",
    ]


@given(
    cells=st.lists(
        st.tuples(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=60)),
        min_size=1,
        max_size=len(RACE_ETHNICITY_CATEGORIES),
    )
)
def test_impact_ratio_and_flag_agree_with_cross_multiplied_counts(
    cells: list[tuple[int, int]],
) -> None:
    records = []
    for race, (n, s) in zip(RACE_ETHNICITY_CATEGORIES, cells, strict=False):
        records += selections(None, race, n, min(s, n))
    table = audit(records).race_ethnicity
    ref = table.reference
    assert ref is not None
    assert sum(row.is_reference for row in table.rows) == 1
    for row in table.rows:
        if ref.favourable == 0:
            assert row.impact_ratio is None
            continue
        assert row.impact_ratio is not None
        assert 0 <= row.impact_ratio <= 1
        # 29 CFR 1607.4(D) in integers: s_g * n_max * 5 < 4 * s_max * n_g
        assert row.below_four_fifths == (
            row.favourable * ref.count * 5 < 4 * ref.favourable * row.count
        )


# --- Fisher's exact test: exact integers, agreeing with a direct computation ----------------


def _fisher_direct(a: int, b: int, c: int, d: int) -> Fraction:
    """The textbook definition with math.comb for every table (no recurrence, no tolerance)."""
    row1, row2, col1 = a + b, c + d, a + c
    support = range(max(0, col1 - row2), min(row1, col1) + 1)
    probs = {
        x: Fraction(math.comb(row1, x) * math.comb(row2, col1 - x), math.comb(row1 + row2, col1))
        for x in support
    }
    return sum((p for p in probs.values() if p <= probs[a]), Fraction(0))


tables = st.tuples(*[st.integers(min_value=0, max_value=25)] * 4)


@given(table=tables)
def test_fisher_matches_the_direct_definition(table: tuple[int, int, int, int]) -> None:
    assert fisher_exact_two_sided(*table) == float(min(_fisher_direct(*table), Fraction(1)))


@given(table=tables)
def test_fisher_is_a_probability_and_ignores_orientation(table: tuple[int, int, int, int]) -> None:
    a, b, c, d = table
    p = fisher_exact_two_sided(a, b, c, d)
    assert 0 < p <= 1
    assert p == fisher_exact_two_sided(c, d, a, b) == fisher_exact_two_sided(b, a, d, c)
    assert p == fisher_exact_two_sided(a, c, b, d)  # transpose


def test_fisher_rejects_negative_cells() -> None:
    with pytest.raises(ValueError, match="negative"):
        fisher_exact_two_sided(-1, 2, 3, 4)


@pytest.mark.parametrize(
    ("focal", "reference"),
    [((0, 10), (0, 5)), ((10, 10), (5, 5)), ((0, 0), (1, 2))],
    ids=["nobody_favoured", "everyone_favoured", "empty_group"],
)
def test_pooled_z_is_undefined_without_variance(
    focal: tuple[int, int], reference: tuple[int, int]
) -> None:
    assert pooled_z(*focal, *reference) is None


# --- inputs -----------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["", "   "])
def test_blank_labels_are_unknown(label: str) -> None:
    assert sex_from_label(label) is None
    assert race_ethnicity_from_label(label) is None


def test_labels_are_the_rule_categories_and_surrounding_space_is_ignored() -> None:
    assert [sex_from_label(f" {s} ") for s in SEX_CATEGORIES] == list(SEX_CATEGORIES)
    assert [race_ethnicity_from_label(r) for r in RACE_ETHNICITY_CATEGORIES] == list(
        RACE_ETHNICITY_CATEGORIES
    )


@pytest.mark.parametrize("label", ["male", "M", "Other", "Unknown"])
def test_other_sex_labels_are_refused(label: str) -> None:
    with pytest.raises(AuditInputError, match="unknown sex category"):
        sex_from_label(label)


@pytest.mark.parametrize(
    "label", ["white", "White (Not Hispanic or Latino)", "Latino", "Prefer not to say"]
)
def test_other_race_labels_are_refused_not_mapped(label: str) -> None:
    with pytest.raises(AuditInputError, match="unknown race/ethnicity category"):
        race_ethnicity_from_label(label)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"selected": True, "score": 3}, "exactly one"),
        ({"selected": 1}, "must be a bool"),
        ({"score": True}, "must be a number"),
        ({"score": "7"}, "must be a number"),
        ({"score": Decimal("NaN")}, "finite"),
        ({"score": float("inf")}, "finite"),
    ],
)
def test_records_refuse_impossible_outcomes(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AuditInputError, match=message):
        AuditRecord("Male", WHITE, **kwargs)  # type: ignore[arg-type]


def test_records_refuse_labels_outside_the_rule() -> None:
    with pytest.raises(AuditInputError, match="unknown sex"):
        AuditRecord("Nonbinary", WHITE, selected=True)  # type: ignore[arg-type]


def test_selection_and_scoring_records_cannot_be_mixed() -> None:
    with pytest.raises(AuditInputError, match="mix"):
        audit(selections("Male", WHITE, 1, 1) + scored("Female", WHITE, 5))
    with pytest.raises(AuditInputError, match="not scoring records"):
        audit(selections("Male", WHITE, 1, 1), mode="scoring")


def test_no_records_need_a_mode() -> None:
    with pytest.raises(AuditInputError, match="no records"):
        audit([])
    result = audit([], mode="scoring")
    assert isinstance(result, AuditResult)
    assert (result.median, result.individuals, result.unknown) == (None, 0, 0)


def test_report_has_the_contract_shape() -> None:
    report = audit_report(
        audit(selections("Male", WHITE, 3, 2) + selections("Female", BLACK, 3, 1))
    )
    assert set(report) == {"mode", "median", "unknown", "unknown_by_table", "tables"}
    assert set(report["tables"]) == {"sex", "race_ethnicity", "intersectional"}
    row = report["tables"]["intersectional"][1]
    assert row == {
        "category": {"sex": "Female", "race_ethnicity": BLACK},
        "count": 3,
        "favourable": 1,
        "rate": 1 / 3,
        "impact_ratio": 0.5,
        "below_four_fifths": True,
        "share": 0.5,
        "under_two_percent": False,
        "fisher_p": 1.0,
        "z": pytest.approx(0.8165, abs=5e-5),
        "excluded": False,  # only the auditor excludes (6 RCNY 5-301(d)), never by default
    }
    assert report["tables"]["sex"][0]["category"] == {"sex": "Male"}
    assert report["tables"]["race_ethnicity"][0]["category"] == {"race_ethnicity": WHITE}


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 1500), st.integers(1, 1500), st.floats(0, 1), st.floats(0, 1))
def test_fishers_floating_point_walk_matches_the_exact_integers(
    row1: int, row2: int, p1: float, p2: float
) -> None:
    a, c = round(row1 * p1), round(row2 * p2)
    col1 = a + c
    if col1 in (0, row1 + row2):
        return
    exact = fisher_exact_two_sided(a, row1 - a, c, row2 - c)  # ≤ 2,000: exact path
    low, high = max(0, col1 - row2), min(row1, col1)
    walked = audit_module._fisher_float(a, row1, row2, col1, low, high)
    assert walked == pytest.approx(exact, rel=1e-9, abs=1e-300)


def test_large_tables_take_the_floating_point_path_quickly() -> None:
    # 100,000 people: exact integers would have tens of thousands of digits.
    p = fisher_exact_two_sided(20_000, 30_000, 26_000, 24_000)
    assert 0 <= p < 1e-300
    # The exact integer path gives 0.5312284224835069 here (in 4 s instead of milliseconds).
    assert fisher_exact_two_sided(25_000, 25_000, 25_100, 24_900) == pytest.approx(
        0.5312284224835069, rel=1e-12
    )


def test_auditing_counts_equals_auditing_the_records() -> None:
    records = [
        AuditRecord(sex=s, race_ethnicity=r, selected=bool(i % 3))
        for i, (s, r) in enumerate(
            [("Male", "White"), ("Female", "Asian"), ("Female", None), (None, "White")] * 7
        )
    ]
    by_records = audit(records)
    cells: dict[Any, tuple[int, int]] = {}
    for record in records:
        n, won = cells.get((record.sex, record.race_ethnicity), (0, 0))
        cells[(record.sex, record.race_ethnicity)] = (n + 1, won + bool(record.selected))
    assert audit_module.audit_counts(cells, mode="selection") == by_records
