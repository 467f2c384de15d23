"""LatestReading: each candidate's newest vendor score and raw metric, kept by every writer."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates.models import AccountStatus
from hiring.privacy import services as privacy_services
from hiring.screening.metrics import metric_point_rows
from scoring import readings, services, window_stats
from scoring.models import LatestReading, MetricSnapshot
from scoring.services.vendors import vendor_score_record, vendor_scores_import
from tests import factories
from tests.hiring.screening.test_engines import build_population

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "providers" / "fixtures" / "bluesky"
PROFILE = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.actor\.getProfile\?.*$")
FEED = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.feed\.getAuthorFeed\?.*$")


def kept(candidate: Any) -> dict[str, tuple[Decimal, datetime]]:
    return {
        metric: (value, as_of)
        for metric, value, as_of in LatestReading.objects.filter(candidate=candidate).values_list(
            "metric", "value", "as_of"
        )
    }


def midnight(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC)


def imported(org: Any, *rows: dict[str, str]) -> None:
    report = vendor_scores_import(
        organization=org, rows=list(enumerate(rows, start=2)), source="test.csv"
    )
    assert not report.rejected, report.rejected


# --- vendor scores -----------------------------------------------------------------------


def test_the_import_keeps_the_newest_and_a_backfill_never_hides_it() -> None:
    org = factories.OrganizationFactory()
    person = factories.CandidateFactory(organization=org, external_id="p-1")
    imported(org, {"external_id": "p-1", "vendor": "klout", "value": "40", "as_of": "2017-06-30"})
    assert kept(person) == {"vendor:klout": (Decimal(40), midnight("2017-06-30"))}
    # An older score arrives later (a backfill): the newer stays.
    imported(org, {"external_id": "p-1", "vendor": "klout", "value": "70", "as_of": "2016-01-01"})
    assert kept(person) == {"vendor:klout": (Decimal(40), midnight("2017-06-30"))}
    # A new value for the same day replaces it; a newer day takes over.
    imported(org, {"external_id": "p-1", "vendor": "klout", "value": "55", "as_of": "2017-06-30"})
    assert kept(person)["vendor:klout"] == (Decimal(55), midnight("2017-06-30"))
    imported(
        org,
        {"external_id": "p-1", "vendor": "klout", "value": "12", "as_of": "2018-02-02"},
        {"external_id": "p-1", "vendor": "kred", "value": "600", "as_of": "2019-05-05"},
    )
    assert kept(person) == {
        "vendor:klout": (Decimal(12), midnight("2018-02-02")),
        "vendor:kred": (Decimal(600), midnight("2019-05-05")),
    }
    row = LatestReading.objects.get(candidate=person, metric="vendor:kred")
    assert row.organization_id == org.pk


def test_a_custom_vendor_is_kept_under_its_name() -> None:
    org = factories.OrganizationFactory()
    person = factories.CandidateFactory(organization=org, external_id="p-1")
    imported(
        org,
        {
            "external_id": "p-1", "vendor": "acme_rank", "value": "7.5", "as_of": "2017-06-30",
            "scale_min": "0", "scale_max": "10",
        },
    )  # fmt: skip
    assert kept(person) == {"vendor:acme_rank": (Decimal("7.5"), midnight("2017-06-30"))}
    factories.VendorScoreFactory(
        candidate=person, vendor="custom", vendor_name="other", as_of=date(2020, 1, 1)
    )
    assert set(kept(person)) == {"vendor:acme_rank", "vendor:other"}


def test_a_recorded_vendor_score_keeps_the_row() -> None:
    person = factories.CandidateFactory()

    def record(value: int, day: str) -> None:
        vendor_score_record(
            candidate=person, vendor="klout", as_of=date.fromisoformat(day),
            value=Decimal(value), scale_min=Decimal(1), scale_max=Decimal(100),
        )  # fmt: skip

    record(30, "2017-01-01")
    assert kept(person) == {"vendor:klout": (Decimal(30), midnight("2017-01-01"))}
    record(90, "2016-01-01")  # a backfill
    assert kept(person) == {"vendor:klout": (Decimal(30), midnight("2017-01-01"))}
    record(35, "2017-01-01")  # the same day again: replaced
    assert kept(person) == {"vendor:klout": (Decimal(35), midnight("2017-01-01"))}


def test_an_import_keeps_the_rows_in_one_statement_whatever_its_length() -> None:
    org = factories.OrganizationFactory()
    people = [factories.CandidateFactory(organization=org) for _ in range(120)]
    rows = [
        {"email": person.email, "vendor": "kred", "value": str(100 + n), "as_of": "2017-06-30"}
        for n, person in enumerate(people)
    ]
    with CaptureQueriesContext(connection) as queries:
        imported(org, *rows)
    touching = [q for q in queries.captured_queries if LatestReading._meta.db_table in q["sql"]]
    assert len(touching) == 1
    assert LatestReading.objects.filter(metric="vendor:kred").count() == 120


# --- raw metrics ------------------------------------------------------------------------


def snapshot(account: Any, at: datetime, **metrics: object) -> Any:
    return factories.MetricSnapshotFactory(
        account=account, provider=account.network, observed_at=at, metrics=metrics
    )


def test_a_raw_metric_is_the_newest_days_sum_over_the_accounts() -> None:
    person = factories.CandidateFactory()
    sky = factories.SocialAccountFactory(candidate=person, network="bluesky", handle="p.test")
    hub = factories.SocialAccountFactory(candidate=person, network="github", handle="p")
    snapshot(sky, NOW - timedelta(days=2), followers=100, following=3)
    assert kept(person) == {
        "metric:followers": (Decimal(100), NOW - timedelta(days=2)),
        "metric:following": (Decimal(3), NOW - timedelta(days=2)),
    }
    # A newer day: its own sum, the other account's last value that day only.
    snapshot(sky, NOW - timedelta(hours=2), followers=120)
    snapshot(hub, NOW - timedelta(hours=5), followers=30, note="not a number", flag=True)
    snapshot(hub, NOW - timedelta(hours=4), followers=40)
    assert kept(person)["metric:followers"] == (Decimal(160), NOW - timedelta(hours=2))
    assert kept(person)["metric:following"] == (Decimal(3), NOW - timedelta(days=2))
    assert "metric:note" not in kept(person)
    assert "metric:flag" not in kept(person)
    # A backfill of an older day never hides the newer one.
    snapshot(hub, NOW - timedelta(days=9), followers=999, following=7)
    assert kept(person)["metric:followers"] == (Decimal(160), NOW - timedelta(hours=2))
    assert kept(person)["metric:following"] == (Decimal(3), NOW - timedelta(days=2))


def test_an_account_leaving_the_active_ones_leaves_the_sum(settings: Any) -> None:
    settings.RENOWN_PROVIDER_URL_BLUESKY = "https://appview.test"
    person = factories.CandidateFactory()
    sky = factories.SocialAccountFactory(candidate=person, network="bluesky", handle="alice.test")
    hub = factories.SocialAccountFactory(candidate=person, network="github", handle="p")
    snapshot(hub, datetime.now(tz=UTC) - timedelta(minutes=5), followers=40)
    cycle, _ = services.refresh_start(account_ids=[sky.pk])
    profile = json.loads((FIXTURES / "get_profile.json").read_text())
    with aioresponses() as mocked:
        mocked.get(PROFILE, payload=profile)
        mocked.get(FEED, payload=json.loads((FIXTURES / "get_author_feed.json").read_text()))
        services.snapshot_fetch_batch(cycle_id=cycle.pk, account_ids=[sky.pk])
    fetched = MetricSnapshot.objects.get(account=sky, cycle=cycle)
    followers = fetched.metrics["followers"]
    assert kept(person)["metric:followers"] == (Decimal(40 + followers), fetched.observed_at)
    # The next refresh finds the account gone: the raw metrics are the other account's.
    cycle, _ = services.refresh_start(account_ids=[sky.pk])
    with aioresponses() as mocked:
        mocked.get(PROFILE, status=400, payload={"error": "InvalidRequest", "message": "not found"})
        services.snapshot_fetch_batch(cycle_id=cycle.pk, account_ids=[sky.pk])
    sky.refresh_from_db()
    assert sky.status == AccountStatus.NOT_FOUND
    assert kept(person)["metric:followers"][0] == Decimal(40)


def test_a_rejected_or_removed_account_leaves_the_sum_and_a_verified_one_rejoins() -> None:
    from candidates import services as candidate_services

    person = factories.CandidateFactory()
    sky = factories.SocialAccountFactory(candidate=person, network="bluesky", handle="p.test")
    hub = factories.SocialAccountFactory(candidate=person, network="github", handle="p")
    snapshot(sky, NOW, followers=100)
    snapshot(hub, NOW, followers=7)
    assert kept(person)["metric:followers"][0] == Decimal(107)
    candidate_services.account_set_verification(account=sky, verified=False)
    assert kept(person)["metric:followers"][0] == Decimal(7)
    candidate_services.account_set_verification(account=sky, verified=True)
    assert kept(person)["metric:followers"][0] == Decimal(107)
    candidate_services.account_remove(account=hub)
    assert kept(person)["metric:followers"][0] == Decimal(100)
    candidate_services.account_remove(account=sky)
    assert kept(person) == {}


def test_a_refresh_batch_keeps_the_rows_in_one_statement_on_postgresql() -> None:
    cycle = factories.RefreshCycleFactory(started_at=NOW)
    accounts = [factories.SocialAccountFactory(network="github", handle=f"u{n}") for n in range(30)]
    MetricSnapshot.objects.bulk_create(
        MetricSnapshot(
            account=a, cycle=cycle, provider="github", observed_at=NOW, metrics={"followers": n}
        )
        for n, a in enumerate(accounts)
    )
    with CaptureQueriesContext(connection) as queries:
        readings.snapshot_readings_upsert(cycle_id=cycle.pk, account_ids=[a.pk for a in accounts])
    statements = [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    # PostgreSQL: one statement; elsewhere the touched candidates are folded in a few.
    assert len(statements) == (1 if connection.vendor == "postgresql" else 4)
    assert LatestReading.objects.filter(metric="metric:followers").count() == 30


def test_the_purge_takes_the_rows_whose_snapshots_went(settings: Any) -> None:
    settings.RENOWN_SNAPSHOT_RETENTION_DAYS = 30
    person = factories.CandidateFactory()
    account = factories.SocialAccountFactory(candidate=person, network="github", handle="p")
    snapshot(account, NOW - timedelta(days=40), followers=10, stars=1)
    snapshot(account, NOW - timedelta(days=2), followers=12)
    privacy_services.snapshots_purge(now=NOW)
    assert kept(person) == {"metric:followers": (Decimal(12), NOW - timedelta(days=2))}


# --- history, rebuild, erasure ------------------------------------------------------------


def from_history(candidate_ids: list[int], metric: str, now: datetime) -> dict[int, Any]:
    found = {}
    for candidate_id, point in metric_point_rows(
        metric=metric, population=candidate_ids, since=now - timedelta(days=3000), until=now
    ):
        found[candidate_id] = (point.value, point.at)  # the last point per candidate wins
    return found


@pytest.mark.parametrize("seed", [11, 12])
def test_the_rows_are_what_the_history_gives_and_a_rebuild_restores_them(seed: int) -> None:
    now = datetime.now(tz=UTC)
    job = build_population(seed, 40, now)
    ids = list(job.applications.values_list("candidate_id", flat=True))
    metrics = ["vendor:klout", "metric:followers", "metric:following"]

    def table() -> dict[str, dict[int, Any]]:
        rows = LatestReading.objects.filter(candidate_id__in=ids)
        return {
            metric: {
                c: (value, at)
                for c, value, at in rows.filter(metric=metric).values_list(
                    "candidate_id", "value", "as_of"
                )
            }
            for metric in metrics
        }

    expected = {metric: from_history(ids, metric, now) for metric in metrics}
    assert all(expected.values())
    assert table() == expected
    if connection.vendor == "postgresql":  # the scale too: the screening's shape exactly
        texts = {str(v) for found in table().values() for v, _ in found.values()}
        assert texts == {str(v) for found in expected.values() for v, _ in found.values()}
    LatestReading.objects.all().delete()
    window_stats.window_stats_rebuild(organization=job.organization)
    assert table() == expected


def test_the_rebuild_command_restores_deleted_rows() -> None:
    import io

    from django.core.management import call_command

    person = factories.CandidateFactory()
    factories.VendorScoreFactory(candidate=person, value=Decimal("33.50"))
    account = factories.SocialAccountFactory(candidate=person, network="github", handle="p")
    snapshot(account, NOW, followers=5)
    expected = kept(person)
    assert set(expected) == {"vendor:klout", "metric:followers"}
    LatestReading.objects.all().delete()
    call_command(
        "window_stats", "--org", person.organization.slug, stdout=io.StringIO(),
        stderr=io.StringIO(),
    )  # fmt: skip
    assert kept(person) == expected


def test_the_erasure_takes_the_rows(org_a: Any, recruiter_a: Any) -> None:
    person = factories.CandidateFactory(organization=org_a)
    factories.VendorScoreFactory(candidate=person)
    account = factories.SocialAccountFactory(candidate=person, network="github", handle="p")
    snapshot(account, NOW, followers=5)
    assert len(kept(person)) == 2
    result = privacy_services.candidate_erase(candidate=person, actor=recruiter_a, now=NOW)
    assert result.deleted["latest_readings"] == 2
    assert not LatestReading.objects.filter(candidate_id=person.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_builds_the_rows_of_the_history_already_held() -> None:
    from django.db.migrations.executor import MigrationExecutor

    from scoring.models import VendorScore

    executor = MigrationExecutor(connection)
    executor.migrate([("renown_scoring", "0004_window_stats_one_row_per_pair")])
    try:
        person = factories.CandidateFactory(notices=False)
        account = factories.SocialAccountFactory(candidate=person, network="github", handle="p")
        cycle = factories.RefreshCycleFactory(started_at=NOW)
        # Written before the upgrade, with no table to keep yet (no factories' upkeep).
        VendorScore.objects.bulk_create(
            VendorScore(
                candidate=person,
                vendor="klout",
                value=Decimal(value),
                scale_min=1,
                scale_max=100,
                as_of=date(2017, 1, day),
            )
            for day, value in ((1, 30), (9, 45))
        )
        MetricSnapshot.objects.bulk_create(
            [
                MetricSnapshot(
                    account=account,
                    cycle=cycle,
                    provider="github",
                    observed_at=NOW,
                    metrics={"followers": 12},
                )
            ]
        )
    finally:
        # Forward to the newest migration again: later tests need every table.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("renown_scoring"))
    assert kept(person) == {
        "vendor:klout": (Decimal(45), midnight("2017-01-09")),
        "metric:followers": (Decimal(12), NOW),
    }
