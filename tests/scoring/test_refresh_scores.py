"""`manage.py refresh_scores` against the stand-in: progress, faults, nothing lost or doubled."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from benchmarks.fake_provider import Faults, serve_in_thread
from renown.models import AuditEvent
from scoring.models import FetchStatus, MetricSnapshot, RefreshCycle, Score
from tests import factories

pytestmark = pytest.mark.django_db
NETWORKS = ["bluesky", "mastodon", "github", "hackernews", "stackexchange", "openalex", "orcid"]


def handle(network: str, i: int) -> str:
    return {
        "bluesky": f"p{i}.demo.invalid",
        "mastodon": f"p{i}@social.example",
        "github": f"demo-p{i}",
        "hackernews": f"demo_p{i}",
        "stackexchange": f"stackoverflow:{1000 + i}",
        "openalex": f"A{5000000000 + i}",
        "orcid": "0000-0002-1825-0097",
    }[network]


@pytest.fixture
def population() -> list[Any]:
    org = factories.OrganizationFactory(slug="acme")
    accounts = []
    for i in range(70):
        network = NETWORKS[i % len(NETWORKS)]
        accounts.append(
            factories.SocialAccountFactory(
                candidate__organization=org, network=network, handle=handle(network, i)
            )
        )
    return accounts


def point_at(settings: Any, url: str) -> None:
    settings.RENOWN_ALLOW_PRIVATE_HOSTS = True
    settings.RENOWN_YOUTUBE_API_KEY = "stand-in"
    settings.RENOWN_HTTP_TIMEOUT_SECONDS = 0.5
    settings.RENOWN_FETCH_BATCH_SIZE = 25
    for network in NETWORKS:
        setattr(settings, f"RENOWN_PROVIDER_URL_{network.upper()}", url)


@pytest.fixture
def stand_in(settings: Any) -> Iterator[Faults]:
    faults = Faults()
    with serve_in_thread(faults) as url:
        point_at(settings, url)
        yield faults


def refresh(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("refresh_scores", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_refresh_runs_to_its_end_and_rescores(population: list[Any], stand_in: Faults) -> None:
    code, out, _ = refresh("--org", "acme")
    assert code == 0
    assert "Refresh cycle" in out
    assert "Done: 70 of 70 (0 skipped: notices missing), 0 failed." in out
    cycle = RefreshCycle.objects.get()
    assert cycle.status == RefreshCycle.Status.FINISHED
    assert MetricSnapshot.objects.filter(cycle=cycle, status=FetchStatus.OK).count() == 70
    assert Score.objects.filter(scorer="influence").count() > 0
    # The start is one event on the organisation's trail, with a digest of the accounts.
    (event,) = AuditEvent.objects.filter(event_type="refresh.started")
    assert (event.organization_id, event.actor_label, event.after["accounts"]) == (
        cycle.organization_id,
        "command:refresh_scores",
        70,
    )
    assert len(event.after["accounts_sha256"]) == 64
    code, out, _ = refresh("--progress", str(cycle.pk))
    assert json.loads(out) == {
        "cycle": cycle.pk,
        "status": "finished",
        "total": 70,
        "done": 70,
        "failed": 0,
        "skipped": 0,
    }


def test_under_faults_every_account_gets_exactly_one_snapshot(
    population: list[Any], settings: Any
) -> None:
    faults = Faults(
        error_rate=0.20,
        rate_limit_rate=0.10,
        timeout_rate=0.05,
        malformed_rate=0.02,
        retry_after=1,
        timeout_seconds=2.0,
        seed=7,
    )
    with serve_in_thread(faults) as url:
        point_at(settings, url)
        code, out, _ = refresh("--org", "acme")
    assert code == 0
    cycle = RefreshCycle.objects.get()
    duplicates = (
        MetricSnapshot.objects.filter(cycle=cycle)
        .values("account_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert set(MetricSnapshot.objects.filter(cycle=cycle).values_list("account_id", flat=True)) == {
        a.id for a in population
    }
    failed = MetricSnapshot.objects.filter(cycle=cycle, status__in=FetchStatus.failures()).count()
    assert f"{failed} failed." in out
    assert out.count("  failed ") == failed
    # The faults really happened, and were counted by the stand-in.
    assert faults.counts["errors"] > 0
    assert faults.counts["rate_limited"] > 0
    assert faults.counts["timeouts"] > 0
    cycle.refresh_from_db()
    assert cycle.status == RefreshCycle.Status.FINISHED


def test_accounts_without_notices_are_counted_as_skipped(stand_in: Faults) -> None:
    org = factories.OrganizationFactory(slug="acme")
    factories.SocialAccountFactory(
        candidate__organization=org, candidate__notices=False, handle="x.demo.invalid"
    )
    code, out, _ = refresh("--org", "acme")
    assert code == 0
    assert "(1 skipped: notices missing)" in out


def test_a_crashed_batch_means_the_refresh_did_not_run_to_its_end(
    population: list[Any], stand_in: Faults, monkeypatch: pytest.MonkeyPatch
) -> None:
    from renown_site.celery import app

    def crash(**kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr("scoring.services.snapshot_fetch_batch", crash)
    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False  # as in the embedded default
    try:
        code, _, err = refresh("--org", "acme")
    finally:
        app.conf.task_eager_propagates = previous
    assert code == 1
    assert "crashed" in err


def test_bad_input_is_a_usage_error(db: None) -> None:
    with pytest.raises(CommandError, match="No organisation") as caught:
        call_command("refresh_scores", "--org", "nope")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="No refresh cycle"):
        call_command("refresh_scores", "--progress", "999")
