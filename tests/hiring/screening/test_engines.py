"""The SQL engine (PostgreSQL aggregates) and the streamed fold give the same screenings.

Random histories for every kind of metric (scores, vendor scores, canonical
snapshot metrics), every aggregation, fixed and volatility bands, stale and
missing data, flags: both engines must write the same outcome, suggestion and
reasons, to the character.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from hiring import services
from hiring.models import Screening, ScreeningRule
from hiring.screening import kept
from hiring.screening import reads as screening_module
from hiring.screening.spec import rule_spec
from scoring.models import AnomalyFlag
from tests import factories

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)

RULES = [
    # metric, aggregation, window, max age, band, band source, action, group
    ("influence", "median", 90, 30, "2", "volatility", "screen_out", "reach"),
    ("reputation", "latest", 90, 365, "0", "fixed", "screen_out", "reach"),
    ("influence", "max", 30, 30, "1", "fixed", "needs_review", None),
    ("influence", "min", 60, 45, "0", "fixed", "needs_review", None),
    ("vendor:klout", "latest", 90, 400, "0", "fixed", "advisory", None),
    ("metric:followers", "median", 30, 30, "50", "fixed", "needs_review", None),
    ("metric:followers", "latest", 90, 30, "0", "volatility", "advisory", None),
]


def build_population(seed: int, size: int, now: datetime = NOW) -> Any:
    rng = random.Random(seed)
    NOW = now  # noqa: N806 - the module's fixed time, or today's for the statistics
    job = factories.JobFactory()
    group = factories.RuleGroupFactory(job=job, combinator="any")
    for metric, aggregation, window, age, band, source, action, grouped in RULES:
        factories.ScreeningRuleFactory(
            job=job,
            metric=metric,
            aggregation=aggregation,
            window_days=window,
            max_data_age_days=age,
            near_band=Decimal(band),
            near_band_source=source,
            action=action,
            group=group if grouped else None,
            threshold=Decimal(rng.choice([20, 35, 40])) if "followers" not in metric else 900,
            missing_data_policy=rng.choice(["review", "review", "pass", "fail"]),
        )
    cycle = factories.RefreshCycleFactory(started_at=NOW)
    for i in range(size):
        candidate = factories.CandidateFactory(organization=job.organization, notices=False)
        factories.ApplicationFactory(job=job, candidate=candidate)
        kind = rng.random()
        if kind < 0.15:
            continue  # no footprint at all
        last_day = 0 if kind < 0.8 else rng.randint(31, 400)  # some only stale data
        for day in range(last_day, last_day + rng.randint(1, 120), rng.choice([1, 1, 2, 7])):
            factories.ScoreFactory(
                candidate=candidate,
                value=Decimal(rng.randint(100, 9000)) / 100,
                as_of=NOW - timedelta(days=day, hours=rng.choice([0, 0, 3])),
            )
        if rng.random() < 0.4:
            factories.ScoreFactory(
                candidate=candidate,
                scorer="reputation",
                value=Decimal(rng.randint(1, 100)),
                as_of=NOW - timedelta(days=rng.randint(0, 500)),
            )
        if rng.random() < 0.3:
            factories.VendorScoreFactory(
                candidate=candidate,
                value=Decimal(rng.randint(10, 80)),
                as_of=(NOW - timedelta(days=rng.randint(0, 800))).date(),
            )
        if rng.random() < 0.5:
            for network in rng.sample(["bluesky", "mastodon", "github"], k=rng.randint(1, 2)):
                account = factories.SocialAccountFactory(
                    candidate=candidate,
                    network=network,
                    handle=f"p{i}-{network}@social.example"
                    if network == "mastodon"
                    else f"p{i}{network}",
                )
                for day in range(0, rng.randint(1, 40), rng.choice([1, 3])):
                    followers: int | float | bool = rng.randint(0, 2000)
                    if rng.random() < 0.05:
                        followers = rng.choice([True, 12.5, "many"])  # not a number: ignored
                    factories.MetricSnapshotFactory(
                        account=account,
                        cycle=factories.RefreshCycleFactory(started_at=NOW) if day else cycle,
                        provider=network,
                        observed_at=NOW - timedelta(days=day, hours=rng.randint(0, 20)),
                        metrics={"followers": followers, "following": 1},
                    )
        if rng.random() < 0.05:
            AnomalyFlag.objects.create(
                candidate=candidate,
                kind=rng.choice(["follower_jump", "disagreement"]),
                detail="test",
                evidence={"influence": 1, "klout": 2, "percentiles": [1, 99]},
                observed_on=(NOW - timedelta(days=rng.randint(0, 100))).date(),
                detected_at=NOW,
            )
    return job


def screenings(job: Any) -> dict[int, tuple[str, str, list[Any]]]:
    return {
        s.candidate_id: (s.outcome, s.suggestion, s.reasons)
        for s in Screening.objects.filter(job=job)
    }


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_and_python_engines_agree(seed: int) -> None:
    job = build_population(seed, 60)
    services.screening_run_for_job(job=job, now=NOW, engine="python")
    by_python = screenings(job)
    services.screening_run_for_job(job=job, now=NOW, engine="sql")
    by_sql = screenings(job)
    assert len(by_sql) == 60
    for candidate_id, expected in by_python.items():
        assert by_sql[candidate_id] == expected, candidate_id
    outcomes = {reason["outcome"] for _, _, reasons in by_sql.values() for reason in reasons}
    assert {"meets", "below", "insufficient_data", "near_threshold"} <= outcomes  # all cases


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.parametrize("seed", [4, 5, 6])
def test_today_the_statistics_give_what_the_history_gives(seed: int) -> None:
    """Screened today, the SQL engine reads the window statistics kept at scoring time
    (for the scorer rules over a kept window); the streamed fold reduces the history."""
    now = datetime.now(tz=UTC)
    job = build_population(seed, 60, now)
    rules = [rule_spec(rule) for rule in ScreeningRule.objects.filter(job=job)]
    assert any(kept.statistics_apply(spec, [0], now) for spec in rules)
    assert not all(kept.statistics_apply(spec, [0], now) for spec in rules)
    services.screening_run_for_job(job=job, now=now, engine="python")
    by_history = screenings(job)
    services.screening_run_for_job(job=job, now=now, engine="sql")
    by_statistics = screenings(job)
    assert by_statistics == by_history
    with override_settings(RENOWN_WINDOW_STATS=False):
        assert not any(kept.statistics_apply(spec, [0], now) for spec in rules)
        services.screening_run_for_job(job=job, now=now, engine="sql")
    assert screenings(job) == by_history


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_outside_a_transaction_reads_run_concurrently_in_parts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = build_population(7, 40)
    services.screening_run_for_job(job=job, now=NOW, engine="python")
    by_python = screenings(job)
    monkeypatch.setattr(screening_module, "PARTITION_MIN_CANDIDATES", 10)
    opened: list[int] = []
    real = screening_module._in_own_connection

    def spy(read: Any) -> Any:
        opened.append(1)
        return real(read)

    monkeypatch.setattr(screening_module, "_in_own_connection", spy)
    assert not connection.in_atomic_block
    services.screening_run_for_job(job=job, now=NOW, engine="sql")
    assert opened, "the reads ran on their own connections"
    assert screenings(job) == by_python


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.parametrize("seed", [4, 5])
def test_today_the_preview_reads_from_the_statistics_what_the_history_gives(seed: int) -> None:
    """The preview's histogram joins the kept statistics as tables (``joined``); without
    them it reduces the history: the same rows, the same judgements."""
    from collections import Counter

    from hiring.fairness.histograms import _histogram_sql, judging_points
    from hiring.fairness.preview import preview_rule

    now = datetime.now(tz=UTC)
    job = build_population(seed, 60, now)
    rules = [preview_rule(rule) for rule in ScreeningRule.objects.filter(job=job)]
    assert any(kept.statistics_apply(entry.spec, None, now) for entry in rules)

    def cells(points: list[Any]) -> Counter[Any]:
        found = _histogram_sql(rules, job, now, points)
        return Counter((c.measures, c.sex, c.race_ethnicity, c.no_footprint, c.count)
                       for c in found.cells)  # fmt: skip

    for points in ([judging_points([entry.spec]) for entry in rules], [None] * len(rules)):
        by_statistics = cells(points)
        with override_settings(RENOWN_WINDOW_STATS=False):
            by_history = cells(points)
        assert by_statistics == by_history


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.parametrize("seed", [8, 9])
def test_today_a_vendor_or_raw_metric_latest_rule_reads_the_kept_row(seed: int) -> None:
    """``vendor:klout`` and ``metric:followers`` as "latest", evaluated today, read
    ``LatestReading`` (one join per person) and give exactly the history's rows, scale
    included, for a job's population and for the preview's joined form; a past ``now``
    still reduces the history."""
    from hiring.screening.metrics import metric_aggregates_query
    from hiring.selectors import application_population
    from scoring.models import LatestReading

    now = datetime.now(tz=UTC)
    job = build_population(seed, 60, now)
    # Someone measured only long ago: the history's "stale" row (no value), the same here.
    old = factories.CandidateFactory(organization=job.organization, notices=False)
    factories.ApplicationFactory(job=job, candidate=old)
    factories.MetricSnapshotFactory(
        account=factories.SocialAccountFactory(candidate=old, network="github", handle="old"),
        provider="github",
        observed_at=now - timedelta(days=200),
        metrics={"followers": 5},
    )
    population = application_population(job=job)
    specs = [
        rule_spec(rule)
        for rule in ScreeningRule.objects.filter(
            job=job, aggregation="latest", metric__contains=":"
        )
    ]
    assert {spec.metric for spec in specs} == {"vendor:klout", "metric:followers"}

    def rows(spec: Any, when: datetime, *, joined: bool = False) -> tuple[str, set[Any]]:
        sql, params = metric_aggregates_query(
            rule=spec, population=population, now=when, joined=joined
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = {
                (c, at, str(first), second, used)
                for c, at, first, second, used in cursor.fetchall()
                if not joined or c in set(population.values_list("candidate_id", flat=True))
            }
        return sql, found

    for spec in specs:
        assert kept.statistics_apply(spec, None, now)
        sql, by_row = rows(spec, now)
        assert LatestReading._meta.db_table in sql
        _, by_joined_row = rows(spec, now, joined=True)
        with override_settings(RENOWN_WINDOW_STATS=False):
            history_sql, by_history = rows(spec, now)
        assert LatestReading._meta.db_table not in history_sql
        assert by_history, spec.metric
        if spec.metric == "metric:followers":
            assert any(used is None for *_, used in by_history)
        assert by_row == by_history == by_joined_row
        past_sql, _ = rows(spec, now - timedelta(days=3))
        assert LatestReading._meta.db_table not in past_sql
