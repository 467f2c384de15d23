"""The what-if preview and fairer alternatives: the same outcomes a screening run writes,
counts only, exact fractions, and the people at the line by name and value alone."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.db import connection

from hiring.fairness.alternatives import (
    KIND_NO_RULE,
    KIND_OR_REPUTATION,
    KIND_REPUTATION,
    NAMED_KINDS,
    Alternative,
    best_first,
    fairer_alternatives,
    summary_alternatives,
)
from hiring.fairness.histograms import (
    Cell,
    Histogram,
    _histogram_python,
    _histogram_sql,
    histogram,
    judging_points,
)
from hiring.fairness.preview import (
    NearCandidate,
    near_threshold_candidates,
    rule_context,
    rule_preview,
    rules_with_draft,
)
from hiring.models import BiasAudit, Screening, ScreeningRule
from hiring.services import screening_run_for_job
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def population(job: Any, people: list[tuple[str, str, Decimal | None]]) -> list[Any]:
    """Candidates applying to ``job``: (sex, race, influence value or None) each."""
    made = []
    for index, (sex, race, value) in enumerate(people):
        candidate = factories.CandidateFactory(organization=job.organization, name=f"P{index}")
        factories.ApplicationFactory(job=job, candidate=candidate)
        if sex or race:
            factories.SelfIdentificationFactory(candidate=candidate, sex=sex, race_ethnicity=race)
        if value is not None:
            factories.ScoreFactory(candidate=candidate, value=value, as_of=NOW - timedelta(days=1))
        made.append(candidate)
    return made


def draft(job: Any, **fields: Any) -> ScreeningRule:
    values: dict[str, Any] = {
        "metric": "influence",
        "operator": "gte",
        "threshold": Decimal(40),
        "aggregation": "latest",
        "window_days": 90,
        "max_data_age_days": 30,
        "missing_data_policy": "review",
        "near_band": Decimal(0),
        "near_band_source": "fixed",
        "action": "screen_out",
    }
    return ScreeningRule(job=job, status="draft", **(values | fields))


def skewed(job: Any) -> list[Any]:
    """60 men scoring 30..89 and 60 women scoring 20..79, plus 10 people unmeasured."""
    people: list[tuple[str, str, Decimal | None]] = []
    people += [("male", "white", Decimal(30 + i)) for i in range(60)]
    people += [("female", "asian", Decimal(20 + i)) for i in range(60)]
    people += [("", "", None) for _ in range(10)]
    return population(job, people)


def test_the_preview_counts_what_a_screening_run_writes(org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    skewed(job)
    rule = factories.ScreeningRuleFactory(
        job=job, metric="influence", threshold=Decimal(45), near_band=Decimal(2),
        action="needs_review", active=True, status="live",
    )  # fmt: skip
    screening_run_for_job(job=job, now=NOW)
    written = Counter(Screening.objects.filter(job=job).values_list("outcome", flat=True))
    rules = rules_with_draft(job, None)
    preview = rule_preview(job, rules, now=NOW)
    assert preview.outcomes == dict(written)
    assert preview.total == 130
    assert rules[0].spec.threshold == rule.threshold


def test_a_draft_replaces_the_live_version_of_its_lineage(org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    skewed(job)
    live = factories.ScreeningRuleFactory(
        job=job, metric="influence", threshold=Decimal(80), active=True, status="live"
    )
    change = draft(job, threshold=Decimal(20), lineage=live.lineage)
    rules = rules_with_draft(job, change)
    assert [r.spec.threshold for r in rules] == [Decimal(20)]
    preview = rule_preview(job, rules, now=NOW)
    assert preview.outcomes["meets"] == 120  # everyone measured scores 20 or more


def test_the_preview_holds_counts_not_people(org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    people = skewed(job)
    hist = histogram(rules_with_draft(job, draft(job)), job, now=NOW)
    assert hist.total == len(people)
    # A row is what people share and how many they are: no field can hold an id.
    assert set(Cell.__dataclass_fields__) == {
        "measures", "sex", "race_ethnicity", "no_footprint", "count",
    }  # fmt: skip
    assert len(hist.cells) < len(people)
    # Unmeasured people are "never measured", not zero.
    missing = sum(c.count for c in hist.cells if c.measures[0][1] == "none")
    assert missing == 10


def test_adverse_impact_shows_in_the_preview_warnings(org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    skewed(job)
    preview = rule_preview(job, rules_with_draft(job, draft(job, threshold=Decimal(60))), now=NOW)
    # Men 30..89 ≥ 60: 30 of 60; women 20..79 ≥ 60: 20 of 60 → ratio 2/3 < 4/5.
    sex = {row.label: row for row in preview.audit.sex.rows}
    assert (sex["Male"].favourable, sex["Female"].favourable) == (30, 20)
    assert sex["Female"].impact_ratio == Fraction(2, 3)
    codes = {(w.code, w.severity) for w in preview.warnings}
    assert ("adverse_impact.four_fifths", "serious") in codes


def test_fairer_alternatives_keep_most_passes_with_a_better_lowest_ratio(org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    skewed(job)
    rules = rules_with_draft(job, draft(job, threshold=Decimal(60)))
    base, alternatives = fairer_alternatives(job, rules, now=NOW)
    assert base.passes == 50
    assert base.lowest_ratio == Fraction(2, 3)
    nearby = [a for a in alternatives if a.kind not in NAMED_KINDS]
    assert len(nearby) <= 50
    by_line = {a.description: a for a in alternatives}
    lower = by_line["influence ≥ 50"]
    # Men ≥ 50: 40 of 60; women: 30 of 60 → 3/4; keeps all 50 of the draft's passes.
    assert (lower.passes, lower.kept, lower.lowest_ratio) == (70, 50, Fraction(3, 4))
    assert lower.kept_share == 1
    assert lower.suggested
    higher = by_line["influence ≥ 61"]
    assert higher.kept == 48
    assert higher.kept_share == Fraction(48, 50)
    suggested = [a for a in alternatives if a.suggested]
    assert suggested
    for a in suggested:
        assert a.kept_share is not None
        assert a.kept_share >= Fraction(9, 10)
        assert a.lowest_ratio is not None
        assert a.lowest_ratio > base.lowest_ratio
    for a in alternatives:
        if not a.suggested and a.kept_share is not None and a.lowest_ratio is not None:
            assert a.kept_share < Fraction(9, 10) or a.lowest_ratio <= base.lowest_ratio
    kinds = {a.description.split(",")[-1].strip() for a in alternatives}
    assert "90-day median" in kinds
    assert any("OR offline reputation" in a.description for a in alternatives)


def _alternative(name: str, *, ratio: Fraction | None, kept: Fraction | None) -> Alternative:
    return Alternative(
        description=name, rules=(), passes=10, kept=10, kept_share=kept,
        lowest_ratio=ratio, lowest_category="", suggested=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        # The higher lowest impact ratio first, whatever the share kept.
        ([("a", Fraction(4, 5), Fraction(1)), ("b", Fraction(9, 10), Fraction(1, 2))], ["b", "a"]),
        # No ratio (no group large enough to judge) comes last.
        ([("a", None, Fraction(1)), ("b", Fraction(1, 2), Fraction(1, 10))], ["b", "a"]),
        # Then the larger share of the draft's passes kept; none counts as 0.
        ([("a", Fraction(1, 2), None), ("b", Fraction(1, 2), Fraction(3, 4))], ["b", "a"]),
        # Full ties keep the search's order.
        ([("a", Fraction(1, 2), Fraction(1)), ("b", Fraction(1, 2), Fraction(1))], ["a", "b"]),
    ],
)
def test_alternatives_are_ranked_by_lowest_ratio_then_passes_kept(
    found: list[tuple[str, Fraction | None, Fraction | None]], expected: list[str]
) -> None:
    alternatives = [_alternative(name, ratio=ratio, kept=kept) for name, ratio, kept in found]
    assert [a.description for a in best_first(alternatives)] == expected


def test_no_rule_and_reputation_instead_stand_beside_the_draft(org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    people = skewed(job)
    for index, person in enumerate(people):  # offline reputation 1..60 in each sex
        factories.ScoreFactory(
            candidate=person,
            scorer="reputation",
            value=Decimal(index % 60 + 1),
            as_of=NOW - timedelta(days=1),
        )
    rules = rules_with_draft(job, draft(job, threshold=Decimal(60)))
    base, alternatives = fairer_alternatives(job, rules, now=NOW)
    kinds = [a.kind for a in alternatives]
    assert kinds.count(KIND_NO_RULE) == 1
    assert kinds.count(KIND_REPUTATION) == 1
    no_rule = next(a for a in alternatives if a.kind == KIND_NO_RULE)
    # Nobody screened out: all 130 pass, every rate is 1, the draft's 50 passes kept.
    assert (no_rule.passes, no_rule.kept, no_rule.lowest_ratio) == (130, 50, Fraction(1))
    assert no_rule.rules == ()
    instead = next(a for a in alternatives if a.kind == KIND_REPUTATION)
    # Reputation 1..60 in each sex: the line passing closest to the draft's 50 is 40
    # (21 + 21 = 42 pass; 30 passes 62), and it treats both sexes alike.
    assert instead.description == "Offline reputation ≥ 40 instead of influence"
    assert (instead.passes, instead.lowest_ratio) == (42, Fraction(1))
    shown = summary_alternatives(base, alternatives)
    assert shown[0].kind == KIND_NO_RULE  # ratio 1, all of the draft's passes kept
    assert {a.kind for a in shown} >= {"draft", KIND_NO_RULE, KIND_REPUTATION, KIND_OR_REPUTATION}
    assert len(shown) == 6
    assert shown == best_first(shown)


def test_or_offline_reputation_counts_the_people_offline_metrics_see(org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    people = skewed(job)
    for woman in people[60:70]:  # ten women who fail the line have a strong offline record
        factories.ScoreFactory(
            candidate=woman, scorer="reputation", value=Decimal(45), as_of=NOW - timedelta(1)
        )
    rules = rules_with_draft(job, draft(job, threshold=Decimal(60)))
    base, alternatives = fairer_alternatives(job, rules, now=NOW)
    either = next(
        a for a in alternatives if a.description == "influence ≥ 60 OR offline reputation ≥ 40"
    )
    assert either.passes == base.passes + 10
    assert either.kept == base.passes


def test_people_at_the_line_are_named_with_their_value_only(org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    skewed(job)
    rule = rules_with_draft(job, draft(job, threshold=Decimal(60), near_band=Decimal(1)))
    people, total = near_threshold_candidates(job, rule[0], now=NOW, limit=3)
    # Within ±1 of 60: 59, 60, 61 among the men and among the women; no 1-point fails
    # outside the band (the band covers them).
    assert total == 6
    assert len(people) == 3
    assert people[0].value == Decimal(60)
    assert set(NearCandidate.__dataclass_fields__) == {
        "public_id", "name", "value", "outcome",
    }  # fmt: skip


def test_the_ll144_context_comes_from_the_job_and_its_records(org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a, jurisdictions=["US-NY-NYC"])
    people = skewed(job)
    rules = rules_with_draft(job, draft(job))

    def notice_on() -> date | None:
        """The day, read apart and as the preview reads it (PostgreSQL: from the
        histogram's statement): always the same."""
        read = rule_context(job, rules).ll144_notice_on
        hist = histogram(rules, job, now=NOW, ll144=True)
        counted = rule_context(job, rules, population_size=hist.total, counted=hist.notices)
        assert counted.ll144_notice_on == read
        return read

    assert notice_on() is None  # nobody has been told
    for index, person in enumerate(people):
        factories.CandidateNoticeFactory(
            candidate=person, kind="nyc_ll144_notice", given_at=NOW - timedelta(days=20 + index)
        )
    assert notice_on() == (NOW - timedelta(days=20)).date()
    factories.CandidateNoticeFactory(  # a later one, withdrawn: not in force
        candidate=people[1], kind="nyc_ll144_notice", given_at=NOW - timedelta(days=2),
        withdrawn_at=NOW - timedelta(days=1),
    )  # fmt: skip
    assert notice_on() == (NOW - timedelta(days=20)).date()
    people[0].notices.filter(kind="nyc_ll144_notice").update(withdrawn_at=NOW)  # not told now
    assert notice_on() is None
    job.ll144_notice_posted_on = date(2026, 9, 1)
    BiasAudit.objects.create(
        organization=org_a, job=job, job_title=job.title, audited_on=date(2026, 8, 1),
        auditor="Fair Audits LLC", auditor_independent=True, data_source="historical",
        report={}, published=True,
    )  # fmt: skip
    context = rule_context(job, rules)
    assert context.ll144_notice_on == date(2026, 9, 1)
    assert (context.bias_audit_on, context.bias_audit_auditor) == (
        date(2026, 8, 1),
        "Fair Audits LLC",
    )
    assert context.bias_audit_independent
    assert context.bias_audit_published


@pytest.mark.postgres
def test_the_sql_histogram_matches_the_python_fold(org_a: Any) -> None:
    assert connection.vendor == "postgresql"
    from scoring.models import AnomalyFlag

    job = factories.JobFactory(organization=org_a)
    for index, person in enumerate(skewed(job)[::9]):  # flagged, some before the lookback
        AnomalyFlag.objects.create(
            candidate=person, kind="follower_jump", detail="test", evidence={},
            observed_on=(NOW - timedelta(days=index * 10)).date(), detected_at=NOW,
        )  # fmt: skip
    rules = rules_with_draft(
        job, draft(job, threshold=Decimal(50), aggregation="median", window_days=30)
    )
    points = [judging_points([r.spec]) for r in rules]
    sql = _histogram_sql(rules, job, NOW, points)
    python = _histogram_python(rules, job, NOW, points)

    def rows(h: Histogram) -> Counter[Any]:
        return Counter(
            (c.measures, c.sex, c.race_ethnicity, c.no_footprint, c.count) for c in h.cells
        )

    assert rows(sql) == rows(python)
    assert any(measure[3] for cell in sql.cells for measure in cell.measures)  # some flagged
    exact = [None] * len(rules)
    assert rows(_histogram_sql(rules, job, NOW, exact)) == rows(
        _histogram_python(rules, job, NOW, exact)
    )


@pytest.mark.postgres
@pytest.mark.parametrize(
    "metric",
    ["influence", "vendor:klout", "vendor.klout", "vendor:percentiles", "vendor:kred",
     "metric:followers", "reputation"],
)  # fmt: skip
def test_the_flags_read_in_sql_are_those_flag_applies_names(org_a: Any, metric: str) -> None:
    from hiring.fairness.histograms import _flagged_ids
    from hiring.screening.evaluation import RuleSpec
    from hiring.screening.metrics import flagged_ids_query
    from scoring.models import AnomalyFlag

    assert connection.vendor == "postgresql"
    job = factories.JobFactory(organization=org_a)
    people = skewed(job)
    evidence = [
        {"influence": 1, "klout": 2, "percentiles": [1, 99]},
        {"influence": 1, "kred": 2},
        {"percentiles": [1, 99]},
        {},
    ]
    for index, person in enumerate(people[:40]):
        AnomalyFlag.objects.create(
            candidate=person,
            kind=["disagreement", "follower_jump", "low_engagement"][index % 3],
            detail="test",
            evidence=evidence[index % 4],
            observed_on=(NOW - timedelta(days=index * 3)).date(),  # some before the lookback
            detected_at=NOW,
        )
    spec = RuleSpec(metric=metric, operator="gte", threshold=Decimal(40))
    since = (NOW - timedelta(days=spec.lookback_days)).date()
    query = flagged_ids_query(metric=metric, since=since, until=NOW.date())
    in_sql: set[int] = set()
    if query is not None:
        with connection.cursor() as cursor:
            cursor.execute(query[0], query[1])
            in_sql = {row[0] for row in cursor.fetchall()}
    assert in_sql == _flagged_ids(spec, [p.pk for p in people], NOW)
    assert in_sql or metric in ("vendor:percentiles", "reputation")
