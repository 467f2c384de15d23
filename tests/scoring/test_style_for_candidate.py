"""The style selector reads what the scorers read: active accounts, successful snapshots,
providers whose data may be blended, the lookback; two queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from scoring.selectors import style_for_candidate
from scoring.styles import STYLES_NAME, STYLES_VERSION
from tests import factories

pytestmark = pytest.mark.django_db


def daily(account: Any, *, days: int = 20, per_day: int = 6, status: str = "ok") -> None:
    """A broadcaster's readings: ``per_day`` new posts a day, few replies."""
    now = timezone.now()
    for day in range(days + 1):
        factories.MetricSnapshotFactory(
            account=account,
            provider=account.network,
            status=status,
            observed_at=now - timedelta(days=days - day, hours=1),
            metrics={
                "followers": 500,
                "posts": 100 + per_day * day,
                "engagement": {"posts_sampled": 30, "likes_per_post": 3.0,
                               "reposts_per_post": 0.5, "replies_per_post": 0.2},
            },
        )  # fmt: skip


def test_a_candidates_snapshots_give_an_explained_versioned_style(
    org_a: Any, django_assert_num_queries: Any
) -> None:
    person = factories.CandidateFactory(organization=org_a)
    daily(factories.SocialAccountFactory(candidate=person, network="bluesky"))
    with django_assert_num_queries(2):
        style = style_for_candidate(candidate_id=person.pk, now=timezone.now())
    assert (style.name, style.version, style.style) == (STYLES_NAME, STYLES_VERSION, "broadcaster")
    assert "6.0 posts on a typical active day" in style.reason


@pytest.mark.parametrize(
    "case", ["no accounts", "rejected account", "disowned account", "failed fetches", "youtube"]
)
def test_what_the_scorers_do_not_read_gives_no_style(org_a: Any, case: str) -> None:
    person = factories.CandidateFactory(organization=org_a)
    if case == "rejected account":
        daily(factories.SocialAccountFactory(candidate=person, status="rejected"))
    elif case == "disowned account":  # the candidate says it is a namesake's
        daily(factories.SocialAccountFactory(candidate=person, status="disowned"))
    elif case == "failed fetches":
        daily(factories.SocialAccountFactory(candidate=person), status="transient_error")
    elif case == "youtube":  # its terms forbid blending it into cross-platform figures
        daily(factories.SocialAccountFactory(candidate=person, network="youtube"))
    style = style_for_candidate(candidate_id=person.pk, now=timezone.now())
    assert (style.style, style.label) == (None, "Not enough data")
