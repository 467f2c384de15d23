"""Evaluating one candidate against one rule: never "below" for the unmeasured."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hiring.screening.evaluation import (
    NOISE_QUANTUM,
    Aggregate,
    DataPoint,
    GroupResult,
    RuleInGroup,
    RuleResult,
    RuleSpec,
    Verdict,
    combine_all,
    evaluate_rule,
    flag_applies,
    follows_suggestion,
    judge,
    median_from_middles,
    noise_from_middles,
    verdict,
    volatility_of_values,
)
from scoring import trends

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
INFLUENCE_35 = RuleSpec(metric="influence", operator="gte", threshold=Decimal(35))

values = st.decimals(min_value=1, max_value=100, places=2)
ages = st.integers(min_value=0, max_value=400)


def point(days_ago: float, value: str | Decimal) -> DataPoint:
    return DataPoint(at=NOW - timedelta(days=days_ago), value=Decimal(value))


@pytest.mark.parametrize(
    ("value", "outcome"), [("35", "meets"), ("35.01", "meets"), ("34.99", "below"), ("1", "below")]
)
def test_influence_at_least_35(value: str, outcome: str) -> None:
    assert evaluate_rule(INFLUENCE_35, [point(1, value)], now=NOW).outcome == outcome


def test_no_data_is_insufficient_not_below() -> None:
    result = evaluate_rule(INFLUENCE_35, [], now=NOW)
    assert (result.outcome, result.value, result.treated_as) == (
        "insufficient_data",
        None,
        "review",
    )
    assert "no data" in result.reason


def test_stale_data_is_insufficient_even_when_low() -> None:
    result = evaluate_rule(INFLUENCE_35, [point(31, "3")], now=NOW)
    assert result.outcome == "insufficient_data"
    assert "last 30 days" in result.reason


@given(
    threshold=values,
    history=st.lists(st.tuples(st.integers(min_value=31, max_value=400), values), max_size=20),
    policy=st.sampled_from(["review", "pass", "fail"]),
    aggregation=st.sampled_from(["latest", "median", "max", "min"]),
)
def test_missing_or_stale_data_is_never_below(
    threshold: Decimal, history: list[tuple[int, Decimal]], policy: str, aggregation: str
) -> None:
    rule = RuleSpec(
        metric="influence",
        operator="gte",
        threshold=threshold,
        aggregation=aggregation,
        max_data_age_days=30,
        missing_data_policy=policy,
    )
    result = evaluate_rule(rule, [point(days, value) for days, value in history], now=NOW)
    assert result.outcome == "insufficient_data"
    assert result.value is None


@given(threshold=values, value=values, age=st.integers(min_value=0, max_value=30))
def test_fresh_data_meets_exactly_when_at_or_above_the_line(
    threshold: Decimal, value: Decimal, age: int
) -> None:
    rule = RuleSpec(metric="influence", operator="gte", threshold=threshold)
    result = evaluate_rule(rule, [point(age, value)], now=NOW)
    assert result.outcome == ("meets" if value >= threshold else "below")
    assert result.value == value


def test_missing_data_policy_is_reported_beside_the_outcome() -> None:
    for policy, treated in [("review", "review"), ("pass", "meets"), ("fail", "below")]:
        rule = RuleSpec(
            metric="influence", operator="gte", threshold=Decimal(35), missing_data_policy=policy
        )
        result = evaluate_rule(rule, [], now=NOW)
        assert (result.outcome, result.treated_as) == ("insufficient_data", treated)


def test_near_threshold_band_sends_both_sides_to_review() -> None:
    rule = RuleSpec(metric="influence", operator="gte", threshold=Decimal(35), near_band=Decimal(2))
    assert evaluate_rule(rule, [point(1, "34")], now=NOW).outcome == "near_threshold"
    assert evaluate_rule(rule, [point(1, "36.5")], now=NOW).outcome == "near_threshold"
    assert evaluate_rule(rule, [point(1, "32.99")], now=NOW).outcome == "below"
    assert evaluate_rule(rule, [point(1, "37.01")], now=NOW).outcome == "meets"


def test_median_over_window_ignores_a_weekend_dip_and_old_values() -> None:
    rule = RuleSpec(
        metric="influence",
        operator="gte",
        threshold=Decimal(40),
        aggregation="median",
        window_days=90,
    )
    history = [point(d, "50") for d in range(0, 90, 3)] + [
        point(1, "10"),
        point(2, "10"),
        point(200, "1"),
    ]
    result = evaluate_rule(rule, history, now=NOW)
    assert (result.outcome, result.value) == ("meets", Decimal("50"))
    assert result.points_used == 32


def test_future_points_are_ignored() -> None:
    result = evaluate_rule(INFLUENCE_35, [point(-1, "90")], now=NOW)
    assert result.outcome == "insufficient_data"


@pytest.mark.parametrize(
    ("outcomes", "combined"),
    [
        (["meets", "meets"], "meets"),
        (["meets", "insufficient_data"], "insufficient_data"),
        (["near_threshold", "insufficient_data"], "near_threshold"),
        (["meets", "below", "near_threshold"], "below"),
    ],
)
def test_all_of_several_rules_takes_the_most_severe(outcomes: list[str], combined: str) -> None:
    results = [RuleResult(o, None, "", "review", 0) for o in outcomes]
    assert combine_all(results) == combined


# --- aggregation, noise, flags ------------------------------------------------------


def test_fresh_data_outside_a_short_window_is_insufficient_not_an_error() -> None:
    rule = RuleSpec(
        metric="influence",
        operator="gte",
        threshold=Decimal(35),
        aggregation="median",
        window_days=7,
        max_data_age_days=30,
    )
    result = evaluate_rule(rule, [point(10, "80")], now=NOW)
    assert result.outcome == "insufficient_data"
    assert "no data in the last 7 days" in result.reason


def test_among_points_at_the_same_time_the_last_given_is_the_latest() -> None:
    result = evaluate_rule(INFLUENCE_35, [point(1, "20"), point(1, "50")], now=NOW)
    assert (result.outcome, result.value) == ("meets", Decimal("50"))


def test_even_median_is_the_exact_mean_of_the_middle_values() -> None:
    rule = RuleSpec(metric="influence", operator="gte", threshold=Decimal(35), aggregation="median")
    result = evaluate_rule(rule, [point(1, "35.00"), point(2, "36.01")], now=NOW)
    assert result.value == Decimal("35.505")
    assert median_from_middles(Decimal("35.00"), Decimal("36.01")) == Decimal("35.505")


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=40))
def test_volatility_is_scorings_trend_volatility_in_decimals(values: list[Decimal]) -> None:
    ours = volatility_of_values(values)
    theirs = trends.volatility([float(v) for v in values])
    # The same figure, to the noise's quantum (rounded half to even: at most half of it off).
    assert float(ours) == pytest.approx(theirs, abs=float(NOISE_QUANTUM) / 2 + 1e-9)
    assert ours == ours.quantize(NOISE_QUANTUM)


def test_volatility_band_widens_the_near_band_to_the_candidates_noise() -> None:
    noisy = [point(d, "36" if d % 2 else "40") for d in range(61)]  # swings ±4 a day
    fixed = RuleSpec(
        metric="influence", operator="gte", threshold=Decimal(35), near_band=Decimal(1)
    )
    by_noise = replace(fixed, near_band_source="volatility")
    assert evaluate_rule(fixed, noisy, now=NOW).outcome == "meets"  # latest 40, 5 above the line
    result = evaluate_rule(by_noise, noisy, now=NOW)
    assert result.outcome == "near_threshold"
    assert result.band == Decimal("1.4826") * 4
    assert "day-to-day noise" in result.reason


def test_a_steady_history_keeps_the_set_band() -> None:
    steady = [point(d, "36") for d in range(30)]
    rule = RuleSpec(
        metric="influence",
        operator="gte",
        threshold=Decimal(35),
        near_band=Decimal(2),
        near_band_source="volatility",
    )
    result = evaluate_rule(rule, steady, now=NOW)
    assert (result.outcome, result.band) == ("near_threshold", Decimal(2))


def test_flagged_data_go_to_a_person_whatever_the_value() -> None:
    for value in ("80", "10"):
        result = evaluate_rule(INFLUENCE_35, [point(1, value)], now=NOW, flags=["follower jump"])
        assert (result.outcome, result.treated_as) == ("flagged", "review")
        assert "follower jump" in result.reason


def test_flags_never_turn_missing_data_into_anything_else() -> None:
    result = judge(INFLUENCE_35, Aggregate(value=None, missing="none"), flags=["x"])
    assert result.outcome == "insufficient_data"


@pytest.mark.parametrize(
    ("metric", "kind", "sources", "applies"),
    [
        ("influence", "follower_jump", (), True),
        ("metric:followers", "low_engagement", (), True),
        ("reputation", "follower_jump", (), False),
        ("vendor:klout", "follower_jump", (), False),
        ("vendor:klout", "disagreement", ("influence", "klout"), True),
        ("vendor:kred", "disagreement", ("influence", "klout"), False),
        ("influence", "disagreement", ("influence", "klout"), True),
        ("metric:followers", "disagreement", ("influence", "klout"), False),
    ],
)
def test_which_flags_cast_doubt_on_which_metric(
    metric: str, kind: str, sources: tuple[str, ...], applies: bool
) -> None:
    assert flag_applies(metric, kind, sources) is applies


# --- combining rules ------------------------------------------------------------------


def result(outcome: str, treated_as: str = "review") -> RuleResult:
    return RuleResult(outcome, None, "", treated_as, 0)


def rules(*pairs: tuple[str, str]) -> list[RuleInGroup]:
    return [RuleInGroup(action, result(outcome)) for action, outcome in pairs]


def test_the_issues_example_reach_or_record() -> None:
    """influence 90-day median ≥ 40 OR verified offline reputation ≥ 30."""
    reach_fails_record_holds = rules(("screen_out", "below"), ("screen_out", "meets"))
    both_fail = rules(("screen_out", "below"), ("screen_out", "below"))
    record_unknown = rules(("screen_out", "below"), ("screen_out", "insufficient_data"))
    assert verdict([("any", reach_fails_record_holds)]).suggestion == "advance"
    assert verdict([("any", both_fail)]) == Verdict(
        "below", "reject", (GroupResult("any", "below", True),)
    )
    assert verdict([("any", record_unknown)]).outcome == "insufficient_data"
    assert verdict([("any", record_unknown)]).suggestion == "review"


def test_only_a_below_on_screen_out_rules_suggests_a_rejection() -> None:
    assert verdict([("all", rules(("needs_review", "below")))]).suggestion == "review"
    assert verdict([("all", rules(("screen_out", "below")))]).suggestion == "reject"
    mixed_any = rules(("screen_out", "below"), ("needs_review", "below"))
    assert verdict([("any", mixed_any)]).suggestion == "review"
    mixed_all = rules(("screen_out", "below"), ("needs_review", "meets"))
    assert verdict([("all", mixed_all)]).suggestion == "reject"
    # Another group that cannot screen out does not make a below rejectable.
    assert (
        verdict(
            [
                ("all", rules(("needs_review", "below"))),
                ("all", rules(("screen_out", "near_threshold"))),
            ]
        ).suggestion
        == "review"
    )


def test_advisory_rules_decide_nothing() -> None:
    only_advisory = verdict([("all", rules(("advisory", "below")))])
    assert (only_advisory.outcome, only_advisory.suggestion) == ("below", "")
    with_advisory = verdict(
        [("all", rules(("needs_review", "meets"))), ("all", rules(("advisory", "below")))]
    )
    assert (with_advisory.outcome, with_advisory.suggestion) == ("meets", "advance")


def test_missing_data_policy_applies_in_the_combination() -> None:
    passes = RuleInGroup("screen_out", result("insufficient_data", "meets"))
    fails = RuleInGroup("screen_out", result("insufficient_data", "below"))
    assert verdict([("all", [passes])]).outcome == "meets"
    assert verdict([("all", [fails])]).suggestion == "reject"
    either = verdict([("any", [passes, RuleInGroup("screen_out", result("below", "below"))])])
    assert either.outcome == "meets"


@pytest.mark.parametrize(
    ("suggestion", "decision", "follows"),
    [
        ("advance", "advance", True),
        ("advance", "hold", False),
        ("reject", "reject", True),
        ("reject", "advance", False),
        ("review", "advance", None),
        ("", "hold", None),
    ],
)
def test_whether_a_decision_follows_the_machine(
    suggestion: str, decision: str, follows: bool | None
) -> None:
    assert follows_suggestion(suggestion, decision) is follows


@pytest.mark.parametrize(
    ("low", "high", "written"),
    [
        # A database's numeric keeps 20 decimals; Python's arithmetic the fewest exact ones.
        ("17.58000000000000000000", "17.58000000000000000000", "26.0641"),
        ("17.580", "17.580", "26.0641"),
        ("17.58", "17.58", "26.0641"),
        ("17.575", "17.585", "26.0641"),
        ("0", "0", "0.0000"),
        ("1000", "1000.00", "1482.6000"),
    ],
)
def test_the_noise_is_one_figure_whatever_the_digits_it_came_from(
    low: str, high: str, written: str
) -> None:
    assert str(noise_from_middles(Decimal(low), Decimal(high))) == written
