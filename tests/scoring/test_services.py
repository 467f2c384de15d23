"""Fetching batches into snapshots, and scoring a candidate from snapshots."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses

from scoring import services
from scoring.models import FetchStatus, MetricSnapshot, Score
from scoring.selectors import refresh_progress
from tests import factories

FIXTURES = Path(__file__).parent / "providers" / "fixtures" / "bluesky"
PROFILE = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.actor\.getProfile\?.*$")
FEED = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.feed\.getAuthorFeed\?.*$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def _appview(settings: Any) -> None:
    settings.RENOWN_PROVIDER_URL_BLUESKY = "https://appview.test"


@pytest.fixture
def account(db: None) -> Any:
    return factories.SocialAccountFactory(handle="alice.test")


def start(*accounts: Any) -> Any:
    cycle, _ = services.refresh_start(account_ids=[a.id for a in accounts])
    return cycle


def batch(cycle: Any, *accounts: Any, attempt: int = 0) -> services.BatchResult:
    return services.snapshot_fetch_batch(
        cycle_id=cycle.id, account_ids=[a.id for a in accounts], attempt=attempt
    )


def test_batch_records_one_snapshot_per_cycle_and_never_refetches(account: Any) -> None:
    cycle = start(account)
    with aioresponses() as mocked:
        mocked.get(PROFILE, payload=fixture("get_profile.json"))
        mocked.get(FEED, payload=fixture("get_author_feed.json"))
        first = batch(cycle, account)
        # Nothing more is registered: a second HTTP call would fail the test.
        second = batch(cycle, account)
    assert first.scored_candidates == [account.candidate_id]
    assert second.scored_candidates == []
    snapshot = MetricSnapshot.objects.get(account=account, cycle=cycle)
    assert snapshot.status == FetchStatus.OK
    assert snapshot.metrics["followers"] == 1520
    account.refresh_from_db()
    assert account.last_fetched_at is not None
    cycle.refresh_from_db()
    assert cycle.status == "finished"


def test_not_found_is_recorded_and_marks_the_account(account: Any) -> None:
    cycle = start(account)
    with aioresponses() as mocked:
        mocked.get(PROFILE, status=400, payload=fixture("profile_not_found.json"))
        batch(cycle, account)
    snapshot = MetricSnapshot.objects.get(account=account)
    assert snapshot.status == FetchStatus.NOT_FOUND
    assert "Profile not found" in snapshot.error
    account.refresh_from_db()
    assert account.status == "not_found"


def test_malformed_body_is_recorded_as_permanent_error(account: Any) -> None:
    cycle = start(account)
    with aioresponses() as mocked:
        mocked.get(PROFILE, body="<html>oops</html>", content_type="text/html")
        batch(cycle, account)
    assert MetricSnapshot.objects.get(account=account).status == FetchStatus.PERMANENT_ERROR


def test_transient_failures_come_back_for_retry_then_are_recorded(
    account: Any, settings: Any
) -> None:
    settings.RENOWN_FETCH_MAX_RETRIES = 1
    cycle = start(account)
    with aioresponses() as mocked:
        mocked.get(PROFILE, status=503, payload=fixture("upstream_failure.json"), repeat=True)
        first = batch(cycle, account, attempt=0)
        assert first.retry == [account.id]
        assert not MetricSnapshot.objects.exists()
        last = batch(cycle, account, attempt=1)
    assert last.retry == []
    snapshot = MetricSnapshot.objects.get(account=account)
    assert snapshot.status == FetchStatus.TRANSIENT_ERROR
    assert "after 2 tries" in snapshot.error
    progress = refresh_progress(cycle=cycle)
    assert (progress.done, progress.failed, progress.total) == (0, 1, 1)


def test_rate_limit_retry_waits_as_long_as_the_provider_asks(account: Any) -> None:
    cycle = start(account)
    with aioresponses() as mocked:
        mocked.get(
            PROFILE, status=429, payload=fixture("rate_limited.json"), headers={"Retry-After": "42"}
        )
        result = batch(cycle, account)
    assert result.retry == [account.id]
    assert result.retry_after == 42


def test_a_wait_longer_than_the_broker_allows_is_recorded_not_retried(
    account: Any, settings: Any
) -> None:
    settings.RENOWN_FETCH_MAX_RETRY_DELAY_SECONDS = 60
    cycle = start(account)
    with aioresponses() as mocked:
        mocked.get(
            PROFILE,
            status=429,
            payload=fixture("rate_limited.json"),
            headers={"Retry-After": "86400"},
        )
        result = batch(cycle, account)
    assert result.retry == []
    assert MetricSnapshot.objects.get(account=account).status == FetchStatus.RATE_LIMITED


def test_candidates_without_notices_are_skipped_and_recorded(db: None) -> None:
    uncovered = factories.SocialAccountFactory(candidate__notices=False)
    cycle = start(uncovered)
    with aioresponses():  # any request would fail: none may be made
        batch(cycle, uncovered)
    snapshot = MetricSnapshot.objects.get(account=uncovered)
    assert snapshot.status == FetchStatus.SKIPPED
    assert "FCRA disclosure" in snapshot.error
    progress = refresh_progress(cycle=cycle)
    assert (progress.done, progress.skipped, progress.failed) == (1, 1, 0)


def test_a_withdrawn_authorisation_stops_fetching(account: Any) -> None:
    account.candidate.notices.filter(kind="fcra_authorization").update(
        withdrawn_at=datetime.now(tz=UTC)
    )
    cycle = start(account)
    with aioresponses():
        batch(cycle, account)
    assert MetricSnapshot.objects.get(account=account).status == FetchStatus.SKIPPED


def test_an_nyc_job_asks_for_the_ll144_notice(account: Any) -> None:
    job = factories.JobFactory(
        organization=account.candidate.organization, jurisdictions=["US-NY-NYC"]
    )
    from hiring.models import Screening

    Screening.objects.create(
        candidate=account.candidate, job=job, outcome="meets", evaluated_at=datetime.now(tz=UTC)
    )
    cycle = start(account)
    with aioresponses():
        batch(cycle, account)
    snapshot = MetricSnapshot.objects.get(account=account)
    assert snapshot.status == FetchStatus.SKIPPED
    assert "Local Law 144" in snapshot.error


def test_demo_accounts_are_never_sent_to_the_public_api(settings: Any, db: None) -> None:
    settings.RENOWN_PROVIDER_URL_BLUESKY = "https://public.api.bsky.app"
    demo = factories.OrganizationFactory(slug="demo-x", is_demo=True)
    account = factories.SocialAccountFactory(candidate__organization=demo, handle="x.demo.invalid")
    cycle = start(account)
    with aioresponses():  # any request would fail: none may be made
        batch(cycle, account)
    snapshot = MetricSnapshot.objects.get(account=account)
    assert snapshot.status == FetchStatus.PERMANENT_ERROR
    assert "demo" in snapshot.error


def test_disabled_provider_is_recorded_not_called(settings: Any, account: Any) -> None:
    cycle = start(account)
    settings.RENOWN_DISABLED_PROVIDERS = ["bluesky"]
    with aioresponses():
        batch(cycle, account)
    snapshot = MetricSnapshot.objects.get(account=account)
    assert snapshot.status == FetchStatus.PERMANENT_ERROR
    assert "disabled" in snapshot.error


def test_due_accounts_come_stalest_first_and_skip_disabled_and_missing(
    db: None, settings: Any
) -> None:
    now = datetime.now(tz=UTC)
    old = factories.SocialAccountFactory(last_fetched_at=now - timedelta(days=9))
    never = factories.SocialAccountFactory(last_fetched_at=None)
    fresh = factories.SocialAccountFactory(last_fetched_at=now - timedelta(hours=1))
    factories.SocialAccountFactory(status="not_found")
    factories.SocialAccountFactory(network="github", handle="octocat")
    settings.RENOWN_DISABLED_PROVIDERS = ["github"]
    assert services.accounts_due() == [never.id, old.id, fresh.id]
    assert services.accounts_due(due_before=now - timedelta(days=1)) == [never.id, old.id]


def snapshot_for(account: Any, *, days_ago: float, followers: int) -> Any:
    return factories.MetricSnapshotFactory(
        account=account,
        provider=account.network,
        observed_at=datetime.now(tz=UTC) - timedelta(days=days_ago),
        metrics={
            "followers": followers,
            "posts": 100,
            "engagement": {
                "posts_sampled": 10,
                "likes_per_post": 4.0,
                "reposts_per_post": 1.0,
                "replies_per_post": 0.0,
            },
        },
    )


def influence(*, candidate_id: int) -> Score | None:
    """The candidate's influence score as the production path computes it (none if none)."""
    services.score_compute_many(candidate_ids=[candidate_id])
    return Score.objects.filter(candidate_id=candidate_id, scorer="influence").first()


def test_score_uses_each_accounts_latest_fresh_snapshot(db: None) -> None:
    candidate = factories.CandidateFactory()
    bluesky = factories.SocialAccountFactory(candidate=candidate, network="bluesky")
    mastodon = factories.SocialAccountFactory(
        candidate=candidate, network="mastodon", handle="a@social.example"
    )
    snapshot_for(bluesky, days_ago=5, followers=10)
    newest = snapshot_for(bluesky, days_ago=1, followers=900)
    masto = snapshot_for(mastodon, days_ago=2, followers=100)
    snapshot_for(mastodon, days_ago=60, followers=1_000_000)  # stale: ignored

    score = influence(candidate_id=candidate.id)

    assert score is not None
    assert score.snapshot_ids == sorted([newest.id, masto.id])
    assert score.components_total == score.value
    reach = next(c for c in score.components if c["name"] == "reach")
    assert "1,000 followers" in reach["detail"]
    assert Decimal(1) <= score.value <= Decimal(100)


def test_scoring_the_same_snapshots_twice_stores_one_score(db: None) -> None:
    account = factories.SocialAccountFactory()
    snapshot_for(account, days_ago=1, followers=50)
    first = influence(candidate_id=account.candidate_id)
    second = influence(candidate_id=account.candidate_id)
    assert first is not None
    assert second is not None
    assert first.pk == second.pk
    assert Score.objects.count() == 1


def test_no_fresh_data_means_no_score_not_a_low_one(db: None) -> None:
    account = factories.SocialAccountFactory()
    snapshot_for(account, days_ago=45, followers=50)
    assert influence(candidate_id=account.candidate_id) is None
    assert not Score.objects.exists()


@pytest.mark.parametrize("network", ["mastodon", "youtube"])
def test_disabled_or_terms_restricted_data_never_flows_into_the_score(
    settings: Any, db: None, network: str
) -> None:
    account = factories.SocialAccountFactory(
        network=network, handle="b@social.example" if network == "mastodon" else "@somebody"
    )
    snapshot_for(account, days_ago=1, followers=50)
    if network == "mastodon":
        settings.RENOWN_DISABLED_PROVIDERS = ["mastodon"]
    # YouTube needs no switch: its terms forbid blending its data with other platforms'.
    assert influence(candidate_id=account.candidate_id) is None


def test_recomputing_many_writes_each_score_once(db: None) -> None:
    # On PostgreSQL this goes through COPY and ON CONFLICT DO NOTHING.
    accounts = [factories.SocialAccountFactory() for _ in range(3)]
    for account in accounts:
        snapshot_for(account, days_ago=1, followers=500)
    factories.ReputationEvidenceFactory(
        candidate=accounts[0].candidate, verification="verified", verified_at=datetime.now(tz=UTC)
    )
    factories.VendorScoreFactory(candidate=accounts[1].candidate, value=Decimal(35))
    ids = [a.candidate_id for a in accounts]
    assert services.score_compute_many(candidate_ids=ids) == 5
    services.score_compute_many(candidate_ids=ids)
    assert Score.objects.filter(scorer="influence").count() == 3
    assert Score.objects.filter(scorer="reputation").count() == 1
    klout = Score.objects.get(scorer="vendor.klout")
    assert klout.value == Decimal("34.34")
    assert klout.components_total == klout.value
