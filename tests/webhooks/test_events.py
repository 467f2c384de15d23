"""The four events come from the services that make the changes, in the same transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from hiring import services as hiring
from hiring.models import Screening
from renown.models import WebhookDelivery, WebhookSubscription
from renown.webhooks import services
from scoring import services as scoring
from tests import factories

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def subscribed(org: Any, *events: str) -> None:
    services.subscription_create(
        organization=org, name="ATS", url="https://ats.example/hook", events=list(events)
    )


def sent(event_type: str) -> list[dict[str, Any]]:
    rows = WebhookDelivery.objects.filter(event_type=event_type).order_by("id")
    return [json.loads(row.body) for row in rows]


def screened_job(org: Any, people: int = 1) -> Any:
    job = factories.JobFactory(organization=org, external_id="REQ-7")
    factories.ScreeningRuleFactory(job=job, threshold=Decimal(35), action="screen_out")
    for n in range(people):
        person = factories.CandidateFactory(
            organization=org, ats_source="greenhouse", external_id=f"gh-{n}"
        )
        factories.ApplicationFactory(job=job, candidate=person)
        factories.ScoreFactory(candidate=person, value=Decimal(20), as_of=NOW - timedelta(days=1))
    return job


def test_a_screening_run_emits_screening_completed_with_each_outcome(org_a: Any) -> None:
    subscribed(org_a, "screening.completed")
    job = screened_job(org_a, people=2)
    run = hiring.screening_run_for_job(job=job, now=NOW)
    (event,) = sent("screening.completed")
    data = event["data"]
    assert data["job"] == {"id": job.pk, "external_id": "REQ-7", "title": job.title}
    assert data["run"]["id"] == run.pk
    assert (data["part"], data["parts"]) == (1, 1)
    assert {s["candidate"]["external_id"] for s in data["screenings"]} == {"gh-0", "gh-1"}
    assert {(s["outcome"], s["suggestion"]) for s in data["screenings"]} == {("below", "reject")}
    assert all("name" not in s["candidate"] for s in data["screenings"])  # ids, never names


@override_settings(RENOWN_WEBHOOK_SCREENINGS_PER_EVENT=2)
def test_a_large_run_is_sent_in_parts_and_nothing_is_left_out(org_a: Any) -> None:
    subscribed(org_a, "screening.completed")
    hiring.screening_run_for_job(job=screened_job(org_a, people=5), now=NOW)
    events = sent("screening.completed")
    assert [(e["data"]["part"], e["data"]["parts"]) for e in events] == [(1, 3), (2, 3), (3, 3)]
    ids = [s["candidate"]["external_id"] for e in events for s in e["data"]["screenings"]]
    assert sorted(ids) == [f"gh-{n}" for n in range(5)]


def test_without_a_subscription_a_run_costs_one_extra_query_and_emits_nothing(
    org_a: Any,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    job = screened_job(org_a, people=3)
    with CaptureQueriesContext(connection) as queries:
        hiring.screening_run_for_job(job=job, now=NOW)
    webhook_queries = [
        q["sql"] for q in queries.captured_queries if WebhookSubscription._meta.db_table in q["sql"]
    ]
    assert len(webhook_queries) == 1  # "does anyone subscribe?"
    assert not WebhookDelivery.objects.exists()


def test_a_decision_emits_decision_recorded(org_a: Any, recruiter_a: Any) -> None:
    subscribed(org_a, "decision.recorded")
    job = screened_job(org_a)
    hiring.screening_run_for_job(job=job, now=NOW)
    screening = Screening.objects.get(job=job)
    decision = hiring.decision_record(
        screening=screening, reviewer=recruiter_a, kind="hold", reason="Ask for a portfolio."
    )
    (event,) = sent("decision.recorded")
    assert event["data"]["decision"]["id"] == decision.pk
    assert event["data"]["decision"]["kind"] == "hold"
    assert event["data"]["candidate"]["external_id"] == "gh-0"
    assert WebhookDelivery.objects.get().candidate_public_id == screening.candidate.public_id


def test_a_refused_decision_emits_nothing(org_a: Any, recruiter_a: Any) -> None:
    from django.core.exceptions import ValidationError

    subscribed(org_a, "decision.recorded")
    job = screened_job(org_a)
    hiring.screening_run_for_job(job=job, now=NOW)
    with pytest.raises(ValidationError):
        hiring.decision_record(
            screening=Screening.objects.get(job=job), reviewer=recruiter_a, kind="hold", reason=""
        )
    assert sent("decision.recorded") == []


def test_new_scores_emit_score_updated_once(org_a: Any, org_b: Any) -> None:
    subscribed(org_a, "score.updated")
    mine = factories.CandidateFactory(organization=org_a, external_id="gh-1", ats_source="gh")
    theirs = factories.CandidateFactory(organization=org_b)
    for person in (mine, theirs):
        account = factories.SocialAccountFactory(candidate=person, network="bluesky")
        factories.MetricSnapshotFactory(account=account, observed_at=NOW - timedelta(hours=1))
    scoring.score_compute_many(candidate_ids=[mine.pk, theirs.pk], as_of=NOW)
    (event,) = sent("score.updated")
    assert event["data"]["candidate"] == {
        "id": str(mine.public_id),
        "ats_source": "gh",
        "external_id": "gh-1",
    }
    (score,) = event["data"]["scores"]
    assert score["scorer"] == "influence"
    stored = mine.scores.get()
    assert Decimal(score["value"]) == stored.value
    # The same inputs again: no new score, no new event.
    scoring.score_compute_many(candidate_ids=[mine.pk, theirs.pk], as_of=NOW)
    assert len(sent("score.updated")) == 1
