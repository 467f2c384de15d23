"""The preview's histogram keeps each value's class among the points where the rules that
judge it change their mind (``histograms.judging_points``), not the value: every
judgement of a class's stand-in must be the judgement of the value itself."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from hiring.fairness.histograms import (
    _histogram_python,
    class_value,
    histogram,
    judging_points,
    value_class,
)
from hiring.fairness.preview import _fails_by_a_point, evaluate, rules_with_draft
from hiring.screening.evaluation import Aggregate, RuleSpec, judge
from tests import factories
from tests.hiring.fairness.test_preview import NOW, draft, skewed

# Values and lines on a grid of hundredths, so that values often sit exactly on a
# threshold or a band's edge (the cases a class must keep apart).
hundredths = st.integers(min_value=-3000, max_value=12000).map(lambda n: Decimal(n) / 100)
halves = st.integers(min_value=0, max_value=200).map(lambda n: Decimal(n) / 2)
specs = st.builds(
    RuleSpec,
    metric=st.just("influence"),
    operator=st.sampled_from(["gte", "gt", "lte", "lt"]),
    threshold=halves,
    near_band=st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(1), Decimal(2), Decimal(5)]),
)


def verdict(spec: RuleSpec, value: Decimal, *, flagged: bool = False) -> tuple[str, str, bool]:
    found = Aggregate(value=value, points_used=1, missing="")
    result = judge(spec, found, flags=("flagged",) if flagged else ())
    return result.outcome, result.treated_as, _fails_by_a_point(spec, value)


@settings(max_examples=300, deadline=None)
@given(rules=st.lists(specs, min_size=1, max_size=6), value=hundredths, flagged=st.booleans())
def test_a_class_stand_in_is_judged_as_the_value_by_every_rule_it_was_classed_for(
    rules: list[RuleSpec], value: Decimal, flagged: bool
) -> None:
    points = judging_points(rules)
    assert points is not None
    stand_in = class_value(value_class(value, points), points)
    assert value_class(stand_in, points) == value_class(value, points)
    for spec in rules:
        assert verdict(spec, stand_in, flagged=flagged) == verdict(spec, value, flagged=flagged)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("-1"), 0),  # below the first point
        (Decimal(39), 1),  # at the first
        (Decimal("39.5"), 2),  # between the first and the second
        (Decimal(40), 3),
        (Decimal("40.001"), 4),
        (Decimal(41), 5),  # at the last
        (Decimal(1000), 6),  # above the last
    ],
)
def test_classes_are_below_at_between_and_above_the_points(value: Decimal, expected: int) -> None:
    points = judging_points([RuleSpec(metric="influence", operator="gte", threshold=Decimal(40))])
    assert points == (Decimal(39), Decimal(40), Decimal(41))
    assert value_class(value, points) == expected


def test_a_band_from_the_candidates_own_noise_keeps_exact_values() -> None:
    noisy = RuleSpec(
        metric="influence", operator="gte", threshold=Decimal(40), near_band_source="volatility"
    )
    fixed = RuleSpec(metric="influence", operator="gte", threshold=Decimal(40))
    assert judging_points([fixed, noisy]) is None
    assert judging_points([]) is None


@pytest.mark.postgres
@settings(max_examples=60, deadline=None)
@given(
    rules=st.lists(specs, min_size=1, max_size=4),
    values=st.lists(hundredths, min_size=1, max_size=20),
    median=st.booleans(),
)
@pytest.mark.django_db
def test_the_sql_class_is_the_python_class(
    rules: list[RuleSpec], values: list[Decimal], median: bool
) -> None:
    from hiring.fairness.histograms import _class_sql

    points = judging_points(rules)
    assert points is not None
    # A median's value reaches SQL as its two middle values added (twice the value).
    column = "v + v" if median else "v"
    sql, params = _class_sql(column, points, 2 if median else 1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql} FROM unnest(%s::numeric[]) WITH ORDINALITY AS t(v, n) ORDER BY n",  # noqa: S608
            [*params, values],
        )
        found = [row[0] for row in cursor.fetchall()]
    assert found == [value_class(v, points) for v in values]


def _outcomes(hist: Any, rules: Any) -> tuple[Any, ...]:
    found = evaluate(hist, rules)
    cells = Counter(
        (c.outcome, c.sex, c.race_ethnicity, c.no_footprint, c.count) for c in found.cells
    )
    return dict(found.outcomes), dict(found.suggestions), found.just_below, cells


@pytest.mark.django_db
@pytest.mark.parametrize("aggregation", ["latest", "median"])
def test_the_classed_histogram_judges_as_the_exact_one(org_a: Any, aggregation: str) -> None:
    job = factories.JobFactory(organization=org_a)
    skewed(job)
    rules = rules_with_draft(
        job, draft(job, threshold=Decimal(50), near_band=Decimal(2), aggregation=aggregation)
    )
    classed = histogram(rules, job, now=NOW)
    exact = _histogram_python(rules, job, NOW, [None] * len(rules))
    assert len(classed.cells) < len(exact.cells)
    assert _outcomes(classed, rules) == _outcomes(exact, rules)


@pytest.mark.django_db
def test_a_rule_the_column_was_not_classed_for_is_refused(org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    skewed(job)
    rules = rules_with_draft(job, draft(job, threshold=Decimal(50)))
    classed = histogram(rules, job, now=NOW)
    other = [replace(rules[0], spec=replace(rules[0].spec, threshold=Decimal(60)))]
    with pytest.raises(ValueError, match="not classed"):
        evaluate(classed, other)


@pytest.mark.django_db
def test_the_fcra_facts_count_us_applicants_with_both_notices_in_force(org_a: Any) -> None:
    from candidates.models import CandidateNotice
    from hiring.fairness.preview import fcra_counts, rule_context

    job = factories.JobFactory(organization=org_a, jurisdictions=["US-NY-NYC"])
    made = skewed(job)  # US candidates with both notices
    for candidate in made[:7]:
        candidate.country = "GB"
        candidate.save(update_fields=["country"])
    CandidateNotice.objects.filter(candidate__in=made[10:15], kind="fcra_authorization").delete()
    CandidateNotice.objects.filter(candidate__in=made[15:18], kind="fcra_disclosure").update(
        withdrawn_at=timezone.now() + timedelta(seconds=1)
    )
    elsewhere = factories.CandidateFactory(organization=org_a)  # not an applicant
    assert elsewhere.country == "US"
    rules = rules_with_draft(job, draft(job, threshold=Decimal(50)))
    assert fcra_counts(job) == (123, 115)
    # Counted where the FCRA warning reads them: a rule on a third party's score.
    with override_settings(RENOWN_IS_THIRD_PARTY=True):
        context = rule_context(job, rules)
        assert (context.us_candidates, context.fcra_authorised) == (123, 115)
        # On PostgreSQL the histogram's own statement counts them: the same figures.
        hist = histogram(rules, job, now=NOW, fcra=True)
        counted = rule_context(job, rules, counted=hist.notices)
        assert (counted.us_candidates, counted.fcra_authorised) == (123, 115)
        assert (hist.notices is not None) == (connection.vendor == "postgresql")
