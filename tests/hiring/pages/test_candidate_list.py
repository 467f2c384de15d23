"""The candidate list: search, filters, sort by any score, pages, CSV export, query count."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from hiring.listing import csv_cell
from hiring.models import Screening, ScreeningRun
from scoring.models import AnomalyFlag, LatestScore
from tests import factories

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def names(response: Any) -> list[str]:
    return [row.candidate.name for row in response.context["rows"]]


def scored(org: Any, name: str, **scores: float) -> Any:
    candidate = factories.CandidateFactory(organization=org, name=name)
    for scorer, value in scores.items():
        factories.ScoreFactory(
            candidate=candidate,
            scorer=scorer.replace("_", "."),
            value=Decimal(str(value)),
            scale_min=0,
        )
    return candidate


def screen(candidate: Any, job: Any, outcome: str, suggestion: str = "review") -> Screening:
    now = datetime.now(tz=UTC)
    run = ScreeningRun.objects.filter(job=job).first() or ScreeningRun.objects.create(
        job=job, started_at=now, evaluated_at=now, reason="test", actor_label="test"
    )
    factories.ApplicationFactory(job=job, candidate=candidate)  # as screening records one
    return Screening.objects.create(
        candidate=candidate,
        job=job,
        outcome=outcome,
        suggestion=suggestion,
        reasons=[],
        rule_versions={},
        evaluated_at=now,
        run=run,
    )


def test_sorting_by_a_score_both_ways_puts_the_unscored_last(recruiter_a: Any, org_a: Any) -> None:
    scored(org_a, "Low", influence=10)
    scored(org_a, "High", influence=90)
    scored(org_a, "Mid", influence=50)
    scored(org_a, "Unmeasured")
    client = login(recruiter_a)
    assert names(client.get("/", {"sort": "-influence"})) == ["High", "Mid", "Low", "Unmeasured"]
    assert names(client.get("/", {"sort": "influence"})) == ["Low", "Mid", "High", "Unmeasured"]
    body = client.get("/", {"sort": "influence"}).content.decode()
    assert "no data is not a low score" in body


def test_sorting_by_reputation_and_a_vendor_score(recruiter_a: Any, org_a: Any) -> None:
    scored(org_a, "A", reputation=5, vendor_klout=70)
    scored(org_a, "B", reputation=60, vendor_klout=20)
    client = login(recruiter_a)
    assert names(client.get("/", {"sort": "-reputation"})) == ["B", "A"]
    response = client.get("/", {"sort": "-vendor.klout"})
    assert names(response) == ["A", "B"]
    assert "Klout (on 0–100)" in response.content.decode()


def test_the_latest_score_is_the_one_sorted_by(recruiter_a: Any, org_a: Any) -> None:
    now = datetime.now(tz=UTC)
    fell = factories.CandidateFactory(organization=org_a, name="Fell")
    factories.ScoreFactory(candidate=fell, value=Decimal(20), as_of=now)
    factories.ScoreFactory(candidate=fell, value=Decimal(95), as_of=now - timedelta(days=3))
    scored(org_a, "Steady", influence=50)
    assert LatestScore.objects.get(candidate=fell).value == Decimal(20)
    assert names(login(recruiter_a).get("/", {"sort": "-influence"})) == ["Steady", "Fell"]


def test_filters_by_job_outcome_and_flags(recruiter_a: Any, org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a, title="Advocate")
    other_job = factories.JobFactory(organization=org_a, title="Writer")
    near = factories.CandidateFactory(organization=org_a, name="Near")
    below = factories.CandidateFactory(organization=org_a, name="Below")
    elsewhere = factories.CandidateFactory(organization=org_a, name="Elsewhere")
    factories.CandidateFactory(organization=org_a, name="Nobody")
    screen(near, job, "near_threshold")
    screen(below, job, "below", "reject")
    screen(elsewhere, other_job, "near_threshold")
    now = datetime.now(tz=UTC)
    AnomalyFlag.objects.create(
        candidate=below, kind="follower_jump", detail="x", observed_on=now.date(), detected_at=now
    )
    client = login(recruiter_a)
    assert sorted(names(client.get("/", {"job": job.pk}))) == ["Below", "Near"]
    response = client.get("/", {"job": job.pk, "outcome": "near_threshold"})
    assert names(response) == ["Near"]
    assert "Advocate: outcome" in response.content.decode()
    assert sorted(names(client.get("/", {"outcome": "near_threshold"}))) == ["Elsewhere", "Near"]
    assert names(client.get("/", {"flags": "any"})) == ["Below"]
    assert names(client.get("/", {"flags": "follower_jump"})) == ["Below"]
    assert names(client.get("/", {"flags": "low_engagement"})) == []
    assert "Below" not in names(client.get("/", {"flags": "none"}))


def test_unknown_filters_are_reported_not_silently_dropped(
    recruiter_a: Any, org_a: Any, org_b: Any
) -> None:
    theirs = factories.JobFactory(organization=org_b)
    factories.CandidateFactory(organization=org_a, name="Ann")
    response = login(recruiter_a).get(
        "/", {"job": theirs.pk, "outcome": "bogus", "flags": "nope", "sort": "-salary"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    for message in ("Unknown job", "Unknown outcome", "Unknown flag", "Unknown sort"):
        assert message in body
    assert names(response) == ["Ann"]


def test_search_finds_names_emails_and_handles(recruiter_a: Any, org_a: Any, org_b: Any) -> None:
    handle_owner = factories.CandidateFactory(organization=org_a, name="Handle Owner")
    factories.SocialAccountFactory(candidate=handle_owner, handle="zebra.bsky.social")
    factories.CandidateFactory(organization=org_a, name="Mail", email="zebra@example.test")
    factories.CandidateFactory(organization=org_a, name="Other")
    theirs = factories.CandidateFactory(organization=org_b, name="Zebra Elsewhere")
    factories.SocialAccountFactory(candidate=theirs, handle="zebra2.bsky.social")
    assert sorted(names(login(recruiter_a).get("/", {"q": "ZEBRA"}))) == ["Handle Owner", "Mail"]


def test_pages_keep_the_filters_and_cross_from_scored_to_unscored(
    recruiter_a: Any, org_a: Any
) -> None:
    for i in range(40):
        scored(org_a, f"S{i:02d}", influence=i + 1)
    for i in range(30):
        scored(org_a, f"U{i:02d}")
    client = login(recruiter_a)
    first = client.get("/", {"sort": "-influence"})
    assert first.context["page"].paginator.count == 70
    assert names(first)[:2] == ["S39", "S38"]
    assert "sort=-influence&amp;page=2" in first.content.decode()
    second = names(client.get("/", {"sort": "-influence", "page": 2}))
    assert second == [f"U{i:02d}" for i in range(10, 30)]
    everything = names(first) + second
    assert len(set(everything)) == 70


@pytest.mark.parametrize(
    "params",
    [{}, {"sort": "-influence"}, {"sort": "vendor.klout", "flags": "any"}, {"q": "cand"}],
)
def test_query_count_is_constant_in_the_page_size(
    recruiter_a: Any, org_a: Any, django_assert_max_num_queries: Any, params: dict[str, str]
) -> None:
    job = factories.JobFactory(organization=org_a)
    now = datetime.now(tz=UTC)
    for i in range(60):
        candidate = scored(org_a, f"Candidate {i}", influence=i, reputation=i, vendor_klout=i)
        screen(candidate, job, "below")
        AnomalyFlag.objects.create(
            candidate=candidate, kind="follower_jump", detail="x", observed_on=now.date(),
            detected_at=now,
        )  # fmt: skip
    client = login(recruiter_a)
    with django_assert_max_num_queries(13):
        response = client.get("/", {**params, "job": str(job.pk)})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 50


def test_csv_export_is_the_filtered_list_with_formulas_defused(
    recruiter_a: Any, org_a: Any
) -> None:
    scored(org_a, '=HYPERLINK("http://evil.example","x")', influence=80)
    scored(org_a, "+1 Plus", influence=60)
    scored(org_a, "@SUM(A1)", influence=40)
    scored(org_a, "Plain", influence=20)
    scored(org_a, "-minus")
    response = login(recruiter_a).get("/candidates.csv", {"sort": "-influence"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["public_id", "name", "email", "influence", "reputation", "vendor.klout"]
    assert [r[1] for r in body] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+1 Plus",
        "'@SUM(A1)",
        "Plain",
        "'-minus",
    ]
    assert [r[3] for r in body] == ["80.00", "60.00", "40.00", "20.00", ""]
    for line in body:
        assert not line[1].startswith(("=", "+", "-", "@"))


def test_csv_export_follows_the_filters_and_shows_no_demographics(
    recruiter_a: Any, org_a: Any
) -> None:
    job = factories.JobFactory(organization=org_a)
    chosen = factories.CandidateFactory(organization=org_a, name="Chosen")
    factories.SelfIdentificationFactory(candidate=chosen, sex="female", race_ethnicity="asian")
    screen(chosen, job, "near_threshold")
    factories.CandidateFactory(organization=org_a, name="Left out")
    text = b"".join(
        login(recruiter_a).get("/candidates.csv", {"job": job.pk}).streaming_content
    ).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[1] for r in rows[1:]] == ["Chosen"]
    assert rows[1][-2:] == ["near_threshold", "review"]
    for word in ("sex", "race", "ethnicity", "female", "asian"):
        assert word not in text.lower()


@given(st.text(max_size=30))
@settings(max_examples=200)
def test_no_csv_cell_starts_like_a_formula(text: str) -> None:
    cell = csv_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    # Reversible: one leading ' is dropped from exactly the cells that have one.
    assert (cell[1:] if cell.startswith("'") else cell) == text


def test_another_organisations_list_and_export_show_nothing_of_it(
    recruiter_a: Any, org_b: Any
) -> None:
    factories.CandidateFactory(organization=org_b, name="Hidden Person")
    client = login(recruiter_a)
    assert "Hidden Person" not in client.get("/").content.decode()
    text = b"".join(client.get("/candidates.csv").streaming_content).decode()
    assert "Hidden Person" not in text


def test_the_export_needs_a_login(client: Client) -> None:
    response = client.get("/candidates.csv")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_near_the_line_on_any_rule_counts_as_near(recruiter_a: Any, org_a: Any) -> None:
    # "influence near 40 OR no reputation on record" combines to insufficient data; the
    # recruiter looking for people near the line still finds them.
    job = factories.JobFactory(organization=org_a, title="Advocate")
    hidden = screen(
        factories.CandidateFactory(organization=org_a, name="Hidden"), job, "insufficient_data"
    )
    hidden.reasons = [
        {"rule": 1, "outcome": "near_threshold", "reason": "influence ≥ 40: 39.5 is within ±2"},
        {"rule": 2, "outcome": "insufficient_data", "reason": "reputation ≥ 30: no data"},
    ]
    hidden.save()
    unknown = screen(
        factories.CandidateFactory(organization=org_a, name="Unknown"), job, "insufficient_data"
    )
    unknown.reasons = [{"rule": 2, "outcome": "insufficient_data", "reason": "no data"}]
    unknown.save()
    client = login(recruiter_a)
    assert names(client.get("/", {"job": job.pk, "outcome": "near_threshold"})) == ["Hidden"]
