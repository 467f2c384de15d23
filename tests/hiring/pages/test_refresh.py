"""Bulk refresh from the web UI: start, follow the progress (JSON and no-JS), roles, tenancy."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses
from django.test import Client

from candidates.services import ids_digest
from renown.models import AuditEvent
from scoring.models import FetchStatus, LatestScore, MetricSnapshot, RefreshCycle
from tests import factories

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parents[2] / "scoring" / "providers" / "fixtures" / "bluesky"
PROFILE = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.actor\.getProfile\?.*$")
FEED = re.compile(r"^https://appview\.test/xrpc/app\.bsky\.feed\.getAuthorFeed\?.*$")


@pytest.fixture(autouse=True)
def _appview(settings: Any) -> None:
    settings.RENOWN_PROVIDER_URL_BLUESKY = "https://appview.test"
    settings.RENOWN_FETCH_MAX_RETRIES = 1


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def login(user: Any, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def accounts(org: Any, count: int) -> list[Any]:
    return [
        factories.SocialAccountFactory(
            candidate=factories.CandidateFactory(organization=org), handle=f"p{i}.test"
        )
        for i in range(count)
    ]


def test_page_offers_the_organisation_or_a_job(recruiter_a: Any, org_a: Any) -> None:
    factories.JobFactory(organization=org_a, title="Developer Advocate")
    body = login(recruiter_a).get("/refresh/").content.decode()
    assert '<label for="id_job">Candidates to refresh</label>' in body
    assert "Every candidate of the organisation" in body
    assert "Candidates of: Developer Advocate" in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_eager_refresh_of_the_organisation_completes_and_shows_100_percent(
    recruiter_a: Any, org_a: Any, org_b: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mine = accounts(org_a, 3)
    theirs = accounts(org_b, 1)
    client = login(recruiter_a)
    with aioresponses() as mocked, django_capture_on_commit_callbacks(execute=True):
        mocked.get(PROFILE, payload=fixture("get_profile.json"), repeat=True)
        mocked.get(FEED, payload=fixture("get_author_feed.json"), repeat=True)
        response = client.post("/refresh/", {"job": ""})
    assert response.status_code == 302
    cycle = RefreshCycle.objects.get(organization=org_a)
    assert response["Location"] == f"/refresh/{cycle.pk}/"
    assert cycle.total == 3
    assert MetricSnapshot.objects.filter(cycle=cycle, status=FetchStatus.OK).count() == 3
    assert not MetricSnapshot.objects.filter(account__in=theirs).exists()
    assert LatestScore.objects.filter(candidate__in=[a.candidate for a in mine]).count() >= 3
    progress = client.get(f"/refresh/{cycle.pk}/progress.json").json()
    assert progress == {
        "cycle": cycle.pk, "status": "finished", "total": 3, "done": 3, "failed": 0,
        "skipped": 0, "remaining": 0, "percent": 100, "finished": True,
    }  # fmt: skip
    page = client.get(f"/refresh/{cycle.pk}/").content.decode()
    assert 'value="100"' in page
    assert 'http-equiv="refresh"' not in page  # finished: nothing to reload
    assert "Finished." in page
    event = AuditEvent.objects.get(event_type="refresh.started")
    assert event.after == {
        "label": "Organisation (by rita-recruiter)",
        "accounts": 3,
        "accounts_sha256": ids_digest(a.pk for a in mine),
        "job": None,
    }


def test_a_job_refresh_covers_only_that_jobs_candidates(
    recruiter_a: Any, org_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = factories.JobFactory(organization=org_a)
    inside, outside = accounts(org_a, 2)
    factories.ApplicationFactory(job=job, candidate=inside.candidate)
    with aioresponses() as mocked, django_capture_on_commit_callbacks(execute=True):
        mocked.get(PROFILE, payload=fixture("get_profile.json"), repeat=True)
        mocked.get(FEED, payload=fixture("get_author_feed.json"), repeat=True)
        login(recruiter_a).post("/refresh/", {"job": str(job.pk)})
    cycle = RefreshCycle.objects.get()
    assert cycle.total == 1
    assert list(MetricSnapshot.objects.values_list("account_id", flat=True)) == [inside.pk]
    assert outside.pk not in set(MetricSnapshot.objects.values_list("account_id", flat=True))


def test_a_running_refresh_reloads_itself_without_js_and_polls_with_it(
    recruiter_a: Any, org_a: Any
) -> None:
    account = accounts(org_a, 1)[0]
    cycle = factories.RefreshCycleFactory(organization=org_a, total=4, label="running")
    factories.MetricSnapshotFactory(account=account, cycle=cycle)
    client = login(recruiter_a)
    body = client.get(f"/refresh/{cycle.pk}/").content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in body
    assert 'value="25"' in body
    assert "Reload to update" in body
    assert re.search(r'<script src="/static/renown/progress\.js" defer></script>', body)
    assert f'data-progress-url="/refresh/{cycle.pk}/progress.json"' in body
    data = client.get(f"/refresh/{cycle.pk}/progress.json").json()
    assert (data["percent"], data["finished"], data["remaining"]) == (25, False, 3)


def test_failed_fetches_count_toward_the_progress_and_are_listed(
    recruiter_a: Any, org_a: Any
) -> None:
    first, second = accounts(org_a, 2)
    cycle = factories.RefreshCycleFactory(organization=org_a, total=2)
    factories.MetricSnapshotFactory(account=first, cycle=cycle)
    factories.MetricSnapshotFactory(
        account=second, cycle=cycle, status="transient_error", error="HTTP 503", metrics={}
    )
    client = login(recruiter_a)
    data = client.get(f"/refresh/{cycle.pk}/progress.json").json()
    assert (data["done"], data["failed"], data["percent"]) == (1, 1, 100)
    assert "HTTP 503" in client.get(f"/refresh/{cycle.pk}/").content.decode()


def test_only_recruiters_and_hr_admins_refresh(auditor_a: Any, org_a: Any) -> None:
    cycle = factories.RefreshCycleFactory(organization=org_a)
    client = login(auditor_a)
    assert client.get("/refresh/").status_code == 403
    assert client.post("/refresh/", {"job": ""}).status_code == 403
    assert client.get(f"/refresh/{cycle.pk}/progress.json").status_code == 403
    assert not RefreshCycle.objects.exclude(pk=cycle.pk).exists()


def test_another_organisations_refresh_and_job_are_404(recruiter_a: Any, org_b: Any) -> None:
    theirs = factories.RefreshCycleFactory(organization=org_b)
    their_job = factories.JobFactory(organization=org_b)
    client = login(recruiter_a)
    assert client.get(f"/refresh/{theirs.pk}/").status_code == 404
    assert client.get(f"/refresh/{theirs.pk}/progress.json").status_code == 404
    response = client.post("/refresh/", {"job": str(their_job.pk)})
    assert response.status_code == 200  # not a choice: the form says so
    assert "Select a valid choice" in response.content.decode()
    assert not RefreshCycle.objects.exclude(pk=theirs.pk).exists()


def test_starting_a_refresh_needs_csrf(recruiter_a: Any) -> None:
    assert login(recruiter_a, csrf=True).post("/refresh/", {"job": ""}).status_code == 403
    assert not RefreshCycle.objects.exists()


def history_row(body: str, label: str) -> list[str]:
    """The figures of one refresh in the page's history: accounts, fetched, not found,
    skipped, failed."""
    row = re.search(rf"<td>{label}</td>.*?</tr>", body, re.DOTALL)
    assert row is not None, label
    return re.findall(r'<td class="num">(\d+)</td>', row.group(0))


def test_the_history_counts_add_up_to_the_accounts(recruiter_a: Any, org_a: Any) -> None:
    ok, gone, skipped, failed, waiting = accounts(org_a, 5)
    finished = factories.RefreshCycleFactory(
        organization=org_a, total=4, label="finished", status="finished"
    )
    factories.MetricSnapshotFactory(account=ok, cycle=finished)
    factories.MetricSnapshotFactory(account=gone, cycle=finished, status="not_found", metrics={})
    factories.MetricSnapshotFactory(account=skipped, cycle=finished, status="skipped", metrics={})
    factories.MetricSnapshotFactory(
        account=failed, cycle=finished, status="rate_limited", metrics={}
    )
    running = factories.RefreshCycleFactory(organization=org_a, total=2, label="running")
    factories.MetricSnapshotFactory(account=waiting, cycle=running)
    body = login(recruiter_a).get("/refresh/").content.decode()
    assert '<th scope="col" class="num">Not found</th>' in body
    # Accounts, then how each ended: fetched + not found + skipped + failed = accounts.
    assert history_row(body, "finished") == ["4", "1", "1", "1", "1"]
    assert history_row(body, "running") == ["2", "1", "0", "0", "0"]  # one still to go


def test_the_history_reads_a_constant_number_of_queries(
    recruiter_a: Any, org_a: Any, django_assert_num_queries: Any
) -> None:
    client = login(recruiter_a)
    client.get("/refresh/")  # the session, warmed

    def cycles(count: int) -> None:
        for _ in range(count):
            cycle = factories.RefreshCycleFactory(organization=org_a, total=2, status="finished")
            for account in accounts(org_a, 2):
                factories.MetricSnapshotFactory(account=account, cycle=cycle)

    cycles(1)
    with django_assert_num_queries(9):
        client.get("/refresh/")
    cycles(11)  # more than the page lists
    with django_assert_num_queries(9):
        body = client.get("/refresh/").content.decode()
    assert body.count('<td class="num">2</td>') == 20  # 10 rows: 2 accounts, 2 fetched
