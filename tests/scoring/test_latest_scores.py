"""LatestScore: the newest value per candidate and scorer, kept in step by the scoring service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from scoring import services
from scoring.models import LatestScore, Score
from tests import factories

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def row(candidate: Any, value: str, days_ago: int, scorer: str = "influence") -> Score:
    return Score(
        candidate=candidate, scorer=scorer, scorer_version=1, value=Decimal(value),
        scale_min=0, scale_max=100, components=[], inputs_digest=f"{value}-{days_ago}",
        as_of=NOW - timedelta(days=days_ago), computed_at=NOW,
    )  # fmt: skip


def test_an_older_score_never_hides_a_newer_one(db: None) -> None:
    candidate = factories.CandidateFactory()
    services.score_latest_upsert(rows=[row(candidate, "40", 1)])
    services.score_latest_upsert(rows=[row(candidate, "90", 5)])  # a backfill of older data
    latest = LatestScore.objects.get(candidate=candidate)
    assert latest.value == Decimal(40)
    assert latest.organization_id == candidate.organization_id
    services.score_latest_upsert(rows=[row(candidate, "55", 0)])
    assert LatestScore.objects.get(candidate=candidate).value == Decimal(55)


def test_one_row_per_candidate_and_scorer_from_a_batch(db: None) -> None:
    first, second = factories.CandidateFactory(), factories.CandidateFactory()
    services.score_latest_upsert(
        rows=[
            row(first, "10", 3), row(first, "30", 1), row(first, "20", 2),
            row(first, "70", 1, scorer="reputation"), row(second, "5", 9),
        ]
    )  # fmt: skip
    found = set(LatestScore.objects.values_list("candidate_id", "scorer", "value"))
    assert found == {
        (first.pk, "influence", Decimal(30)),
        (first.pk, "reputation", Decimal(70)),
        (second.pk, "influence", Decimal(5)),
    }


def test_score_compute_many_keeps_it_in_step(db: None) -> None:
    candidate = factories.CandidateFactory()
    factories.ReputationEvidenceFactory(
        candidate=candidate, verification="verified", verified_at=NOW
    )
    services.score_compute_many(candidate_ids=[candidate.pk], as_of=NOW)
    newest = Score.objects.filter(candidate=candidate, scorer="reputation").latest("as_of")
    assert LatestScore.objects.get(candidate=candidate, scorer="reputation").value == newest.value


class LatestIsTheNewest(TestCase):
    @given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 100)), min_size=1, max_size=12))
    @settings(max_examples=40, deadline=None)
    def test_whatever_the_order_of_writes_the_newest_wins(
        self, writes: list[tuple[int, int]]
    ) -> None:
        candidate = factories.CandidateFactory()
        for index, (days_ago, value) in enumerate(writes):
            score = row(candidate, str(value), days_ago)
            score.inputs_digest = f"w{index}"
            services.score_latest_upsert(rows=[score])
        newest_day = min(days for days, _ in writes)
        # Among writes of the newest day, the last written wins (as the score history sorts ties).
        expected = [value for days, value in writes if days == newest_day][-1]
        assert LatestScore.objects.get(candidate=candidate).value == Decimal(expected)
