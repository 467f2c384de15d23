"""The endpoints' behaviour beyond access: validation, services, aggregates, query counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hiring.api.schema import openapi_schema
from hiring.fairness.bias_audit import audit_report
from hiring.fairness.live_bias_audit import job_audit
from hiring.models import Decision, Screening, ScreeningRule
from scoring.models import LatestScore, Score, VendorScore
from tests import factories
from tests.api.world import build_world

pytestmark = pytest.mark.django_db


def _fields(response: Any) -> set[str]:
    assert response.status_code == 400, response.content
    return {e["field"] for e in response.json()["errors"]}


def test_list_shows_latest_scores_and_outcome(write_client: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    old = datetime.now(tz=UTC) - timedelta(days=3)
    factories.ScoreFactory(candidate=candidate, value=Decimal(20), as_of=old)
    factories.ScoreFactory(candidate=candidate, value=Decimal("61.5"))
    factories.ScoreFactory(candidate=candidate, scorer="reputation", value=Decimal(7))
    job = factories.JobFactory(organization=org_a)
    Screening.objects.create(
        candidate=candidate, job=job, outcome="meets", suggestion="advance",
        evaluated_at=datetime.now(tz=UTC),
    )  # fmt: skip
    row = write_client.get("/api/v1/candidates/").json()["results"][0]
    assert row["latest_scores"] == {"influence": "61.50", "reputation": "7.00"}
    assert row["latest_screening"]["outcome"] == "meets"
    assert row["latest_screening"]["job"] == job.pk


def test_list_query_count_does_not_grow_with_page_size(write_client: Any, org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    for index in range(60):
        candidate = factories.CandidateFactory(organization=org_a, notices=False)
        factories.ScoreFactory(candidate=candidate, value=Decimal(index % 90 + 1))
        Screening.objects.create(
            candidate=candidate, job=job, outcome="below", suggestion="review",
            evaluated_at=datetime.now(tz=UTC),
        )  # fmt: skip
    write_client.get("/api/v1/candidates/?page_size=1")  # records the token's use
    counts = {}
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = write_client.get(f"/api/v1/candidates/?page_size={size}")
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)
    assert counts[5] == counts[50]
    assert counts[50] <= 2  # the token and the page


def test_list_scores_read_the_kept_latest_row_not_the_history(
    write_client: Any, org_a: Any
) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    factories.ScoreFactory(candidate=candidate, value=Decimal(20))
    # The kept row says otherwise than the history: the list shows the kept row.
    LatestScore.objects.filter(candidate=candidate, scorer="influence").update(value=Decimal(33))
    with CaptureQueriesContext(connection) as queries:
        row = write_client.get("/api/v1/candidates/").json()["results"][0]
    assert row["latest_scores"] == {"influence": "33.00", "reputation": None}
    history = connection.ops.quote_name(Score._meta.db_table)
    assert not [q["sql"] for q in queries if history in q["sql"]]


def test_cursor_pagination_walks_every_candidate_once(write_client: Any, org_a: Any) -> None:
    made = {str(factories.CandidateFactory(organization=org_a).public_id) for _ in range(7)}
    seen: list[str] = []
    url: str | None = "/api/v1/candidates/?page_size=3&ordering=name"
    while url:
        page = write_client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(made)


def test_filters(write_client: Any, org_a: Any) -> None:
    factories.CandidateFactory(organization=org_a, name="Ada", country="GB", region="GB-LND")
    factories.CandidateFactory(organization=org_a, name="Grace")
    rows = write_client.get("/api/v1/candidates/?country=GB").json()["results"]
    assert [r["name"] for r in rows] == ["Ada"]
    assert write_client.get("/api/v1/candidates/?created_after=not-a-date").status_code == 400


def test_filterset_is_built_only_for_a_parameter_it_reads(
    write_client: Any, org_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hiring.api.views.candidates import CandidateFilter

    factories.CandidateFactory(organization=org_a, name="Ada", country="GB", region="GB-LND")
    factories.CandidateFactory(organization=org_a, name="Grace")
    built: list[object] = []
    original = CandidateFilter.__init__

    def spy(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(kwargs.get("data"))
        original(self, *args, **kwargs)

    monkeypatch.setattr(CandidateFilter, "__init__", spy)
    page = write_client.get("/api/v1/candidates/?page_size=5&ordering=name&unknown=1")
    assert [r["name"] for r in page.json()["results"]] == ["Ada", "Grace"]
    assert built == []
    rows = write_client.get("/api/v1/candidates/?page_size=5&country=GB").json()["results"]
    assert [r["name"] for r in rows] == ["Ada"]
    assert len(built) == 1
    assert write_client.get("/api/v1/candidates/?created_after=x").status_code == 400


@pytest.mark.parametrize(
    ("network", "handle", "ok"),
    [
        ("github", "Octo-Cat", True),
        ("github", "bad--login", False),
        ("mastodon", "alice@mastodon.social", True),
        ("mastodon", "alice", False),
        ("orcid", "0000-0002-1825-0097", True),
        ("orcid", "0000-0002-1825-0098", False),
        ("myspace", "tom", False),
    ],
)
def test_account_handles_are_checked_per_network(
    write_client: Any, org_a: Any, network: str, handle: str, ok: bool
) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    url = f"/api/v1/candidates/{candidate.public_id}/accounts/"
    response = write_client.post(url, {"network": network, "handle": handle}, format="json")
    if ok:
        assert response.status_code == 201, response.content
    else:
        assert _fields(response) & {"handle", "network"}


def test_account_handle_is_normalised(write_client: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    url = f"/api/v1/candidates/{candidate.public_id}/accounts/"
    response = write_client.post(url, {"network": "github", "handle": "@Octo"}, format="json")
    assert response.json()["handle"] == "octo"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"vendor": "klout", "value": "101", "as_of": "2017-01-01"}, "value"),
        ({"vendor": "klout", "value": "50", "as_of": "2019-01-01"}, "as_of"),
        ({"vendor": "kred", "value": "50", "as_of": "2020-01-01", "scale_max": "100"}, "scale_max"),
        ({"vendor": "custom", "value": "5", "as_of": "2020-01-01"}, "vendor_name"),
        (
            {
                "vendor": "custom",
                "vendor_name": "X",
                "value": "5",
                "as_of": "2020-01-01",
                "scale_min": "10",
                "scale_max": "20",
            },
            "value",
        ),
        ({"vendor": "kred", "value": "50", "as_of": "2999-01-01"}, "as_of"),
    ],
)
def test_vendor_scores_are_checked_against_their_scale(
    write_client: Any, org_a: Any, body: dict[str, str], field: str
) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    url = f"/api/v1/candidates/{candidate.public_id}/vendor-scores/"
    assert field in _fields(write_client.post(url, body, format="json"))
    assert not VendorScore.objects.exists()


def test_vendor_score_push_replaces_the_same_day(write_client: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    url = f"/api/v1/candidates/{candidate.public_id}/vendor-scores/"
    body = {"vendor": "kred", "value": "500", "as_of": "2020-01-01"}
    assert write_client.post(url, body, format="json").status_code == 201
    again = write_client.post(url, {**body, "value": "600"}, format="json")
    assert again.status_code == 200
    score = VendorScore.objects.get()
    assert (score.value, score.scale_min, score.scale_max) == (600, 1, 1000)
    assert score.source == "API token ats-write"


def test_dates_must_be_sane(write_client: Any, org_a: Any) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    base = f"/api/v1/candidates/{candidate.public_id}"
    future = (datetime.now(tz=UTC) + timedelta(days=2)).isoformat()
    assert "given_at" in _fields(
        write_client.post(
            f"{base}/notices/", {"kind": "fcra_disclosure", "given_at": future}, format="json"
        )
    )
    assert "date" in _fields(
        write_client.post(
            f"{base}/evidence/", {"kind": "talk", "title": "T", "date": "1850-01-01"}, format="json"
        )
    )
    assert "lawful_basis" in _fields(
        write_client.post(
            f"{base}/notices/",
            {"kind": "gdpr_notice", "given_at": "2024-01-01T00:00:00Z"},
            format="json",
        )
    )


def test_rules_go_through_the_services(hr_admin_a: Any, org_a: Any, user_client: Any) -> None:
    client = user_client(hr_admin_a)
    job = factories.JobFactory(organization=org_a)
    created = client.post(
        f"/api/v1/jobs/{job.pk}/rules/",
        {"metric": "influence", "threshold": "35", "action": "screen_out"},
        format="json",
    )
    assert created.status_code == 201, created.content
    rule = created.json()
    assert rule["status"] == "draft"  # a screen-out rule waits for a second HR admin
    own = client.post(f"/api/v1/rules/{rule['id']}/approve/")
    assert own.status_code == 409
    assert "second HR admin" in own.json()["detail"]
    failing = client.post(
        f"/api/v1/jobs/{job.pk}/rules/",
        {"metric": "influence", "threshold": "35", "missing_data_policy": "fail"},
        format="json",
    )
    assert failing.status_code == 422  # the serious warning needs an acknowledgement
    assert failing["Content-Type"] == "application/problem+json"
    assert isinstance(failing.json().get("warnings", []), list)
    bad_metric = client.post(
        f"/api/v1/jobs/{job.pk}/rules/", {"metric": "shoe-size", "threshold": "1"}, format="json"
    )
    assert "metric" in _fields(bad_metric)
    new = client.patch(f"/api/v1/rules/{rule['id']}/", {"threshold": "40"}, format="json")
    assert new.status_code == 201
    assert new.json()["version"] == 2
    versions = client.get(f"/api/v1/rules/{rule['id']}/versions/").json()
    assert [v["version"] for v in versions] == [2, 1]
    assert ScreeningRule.objects.filter(job=job).count() == 2


def test_a_draft_is_acknowledged_as_it_stands_and_approved_with_the_approvers_words(
    hr_admin_a: Any, org_a: Any, user_client: Any
) -> None:
    author = user_client(hr_admin_a)
    second_admin = factories.UserFactory(username="hanna-hr")
    factories.MembershipFactory(user=second_admin, organization=org_a, role="hr_admin")
    approver = user_client(second_admin)
    job = factories.JobFactory(organization=org_a)
    created = author.post(
        f"/api/v1/jobs/{job.pk}/rules/",
        {"metric": "vendor:klout", "threshold": "35", "max_data_age_days": 3650,
         "action": "screen_out", "activate": False},
        format="json",
    )  # fmt: skip
    rule = created.json()
    assert rule["status"] == "draft"
    missing = author.post(f"/api/v1/rules/{rule['id']}/acknowledge/", {}, format="json")
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["statement"]
    acknowledged = author.post(
        f"/api/v1/rules/{rule['id']}/acknowledge/",
        {"acknowledgement": "Pilot, reviewed with legal."},  # the former name still works
        format="json",
    )
    assert acknowledged.status_code == 200, acknowledged.content
    assert (acknowledged.json()["version"], acknowledged.json()["status"]) == (1, "draft")
    job.influence_relevance = "none"  # a serious warning appears since
    job.save()
    refused = approver.post(f"/api/v1/rules/{rule['id']}/approve/", {}, format="json")
    assert refused.status_code == 422
    assert "job_relatedness.not_relevant" in {w["code"] for w in refused.json()["warnings"]}
    approved = approver.post(
        f"/api/v1/rules/{rule['id']}/approve/",
        {"statement": "Relevance is being re-assessed."},
        format="json",
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "live"
    assert ScreeningRule.objects.filter(job=job).count() == 1


def test_rule_preview_warns_and_saves_nothing(
    hr_admin_a: Any, org_a: Any, user_client: Any
) -> None:
    job = factories.JobFactory(organization=org_a, jurisdictions=["US-NY-NYC"])
    for value in (10, 30, 50, 70):
        candidate = factories.CandidateFactory(organization=org_a)
        factories.ApplicationFactory(job=job, candidate=candidate)
        factories.VendorScoreFactory(candidate=candidate, value=Decimal(value))
    response = user_client(hr_admin_a).post(
        f"/api/v1/jobs/{job.pk}/rules/preview/",
        {"metric": "vendor:klout", "threshold": "40", "action": "screen_out"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rule"] == "vendor:klout ≥ 40.00"
    codes = {w["code"] for w in body["warnings"]}
    assert codes, "a closed vendor in New York City must warn"
    assert all(w["severity"] in {"serious", "warning", "info"} for w in body["warnings"])
    assert body["candidates"] == 4
    assert sum(body["outcomes"].values()) == 4
    assert body["as_drafted"]["rules"] == ["vendor:klout ≥ 40.00"]
    assert isinstance(body["alternatives"], list)
    assert not ScreeningRule.objects.exists()


def test_write_token_never_changes_rules(write_client: Any, org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    response = write_client.post(
        f"/api/v1/jobs/{job.pk}/rules/", {"metric": "influence", "threshold": "1"}, format="json"
    )
    assert response.status_code == 403
    assert not ScreeningRule.objects.exists()


def test_decisions_go_through_the_review_service(
    recruiter_a: Any, org_a: Any, user_client: Any
) -> None:
    author = factories.UserFactory(username="hr-two")
    world = build_world(org_a, author=author)
    client = user_client(recruiter_a)
    url = f"/api/v1/screenings/{world.screening.pk}/decisions/"
    refused = client.post(url, {"kind": "reject", "reason": "Too low."}, format="json")
    assert refused.status_code == 409  # no approved screen-out rule suggests a rejection
    held = client.post(url, {"kind": "hold", "reason": "Look at the talks."}, format="json")
    assert held.status_code == 201
    assert held.json()["follows_machine"] is None or isinstance(
        held.json()["follows_machine"], bool
    )
    assert Decision.objects.get().reviewer_id == recruiter_a.pk
    assert [d["kind"] for d in client.get(url).json()["results"]] == ["hold"]


def test_screening_retrieve_has_reasons(write_client: Any, org_a: Any) -> None:
    world = build_world(org_a, author=factories.UserFactory(username="x"))
    body = write_client.get(f"/api/v1/screenings/{world.screening.pk}/").json()
    assert body["reasons"] == [{"rule": world.live_rule.pk, "outcome": "below"}]
    assert body["candidate"] == str(world.screening.candidate.public_id)


def test_screening_run_for_a_candidate_and_job(write_client: Any, org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    factories.ScreeningRuleFactory(job=job, metric="influence", threshold=Decimal(30))
    candidate = factories.CandidateFactory(organization=org_a)
    factories.ScoreFactory(candidate=candidate, value=Decimal(50))
    response = write_client.post(
        "/api/v1/screenings/run/",
        {"job": job.pk, "candidate": str(candidate.public_id)},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "meets"
    queued = write_client.post("/api/v1/screenings/run/", {"job": job.pk}, format="json")
    assert queued.status_code == 202
    assert queued.json()["status"] == "queued"


def test_bias_audit_gives_aggregates_only(auditor_a: Any, org_a: Any, user_client: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    now = datetime.now(tz=UTC)
    people = []
    for index in range(10):
        candidate = factories.CandidateFactory(organization=org_a, notices=False)
        people.append(candidate)
        factories.SelfIdentificationFactory(
            candidate=candidate, sex="female" if index < 5 else "male"
        )
        Screening.objects.create(
            candidate=candidate, job=job, evaluated_at=now,
            outcome="meets" if index in (0, 5, 6, 7, 8) else "below",
        )  # fmt: skip
    response = user_client(auditor_a).get(f"/api/v1/jobs/{job.pk}/bias-audit/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["screened"] == 10
    sex = {row["category"]["sex"]: row for row in body["report"]["tables"]["sex"]}
    assert (sex["Female"]["count"], sex["Female"]["favourable"]) == (5, 1)
    assert (sex["Male"]["count"], sex["Male"]["favourable"]) == (5, 4)
    assert sex["Female"]["below_four_fifths"] is True
    text = response.content.decode()
    assert not any(str(p.public_id) in text for p in people)


def _screened_job(org: Any, meets: set[int]) -> Any:
    job = factories.JobFactory(organization=org)
    now = datetime.now(tz=UTC)
    for index in range(10):
        candidate = factories.CandidateFactory(organization=org, notices=False)
        factories.SelfIdentificationFactory(
            candidate=candidate, sex="female" if index < 5 else "male"
        )
        Screening.objects.create(
            candidate=candidate, job=job, evaluated_at=now,
            outcome="meets" if index in meets else "below",
        )  # fmt: skip
    return job


def test_bias_audit_is_the_live_bias_audit_of_the_job(
    auditor_a: Any, org_a: Any, user_client: Any
) -> None:
    job = _screened_job(org_a, {0, 5, 6, 7, 8})
    response = user_client(auditor_a).get(f"/api/v1/jobs/{job.pk}/bias-audit/")
    assert response.status_code == 200, response.content
    expected = json.loads(json.dumps(audit_report(job_audit(job).result)))
    assert response.json()["report"] == expected


def test_bias_audit_never_counts_a_handful_of_selected_people(
    auditor_a: Any, org_a: Any, user_client: Any
) -> None:
    job = _screened_job(org_a, {0, 5, 6})  # three selected: their answers, not aggregates
    response = user_client(auditor_a).get(f"/api/v1/jobs/{job.pk}/bias-audit/")
    assert response.status_code == 403, response.content


def test_screenings_filter_by_candidate(write_client: Any, org_a: Any) -> None:
    world = build_world(org_a, author=factories.UserFactory(username="y"))
    url = f"/api/v1/screenings/?candidate={world.candidate.public_id}"
    rows = write_client.get(url).json()["results"]
    assert [r["id"] for r in rows] == [world.screening.pk]
    assert write_client.get("/api/v1/screenings/?outcome=nonsense").status_code == 400


@pytest.mark.parametrize(
    "handle", ["alice@2130706433", "alice@0x7f.1", "alice@[::1]", "https://127.1/@alice"]
)
def test_a_mastodon_handle_naming_an_address_is_refused_by_field(
    write_client: Any, org_a: Any, handle: str
) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    url = f"/api/v1/candidates/{candidate.public_id}/accounts/"
    response = write_client.post(url, {"network": "mastodon", "handle": handle}, format="json")
    assert _fields(response) == {"handle"}
    assert "DNS name" in response.content.decode()
    assert not candidate.accounts.exists()


def test_a_rule_window_is_one_renown_keeps_and_an_older_one_stays_until_changed(
    hr_admin_a: Any, org_a: Any, user_client: Any
) -> None:
    client = user_client(hr_admin_a)
    job = factories.JobFactory(organization=org_a)
    rules = f"/api/v1/jobs/{job.pk}/rules/"
    median = {"metric": "influence", "threshold": "35", "aggregation": "median"}
    for days in (7, 30, 90, 180, 365):
        created = client.post(rules, {**median, "window_days": days}, format="json")
        assert created.status_code == 201, created.content
        assert created.json()["window_days"] == days
    refused = client.post(rules, {**median, "window_days": 60}, format="json")
    assert refused.status_code == 400
    assert "7, 30, 90, 180 or 365 days" in str(refused.json())
    assert ScreeningRule.objects.filter(job=job, window_days=60).count() == 0
    # A rule from before the fixed windows keeps its own through a new version...
    older = factories.ScreeningRuleFactory(job=job, aggregation="median", window_days=60)
    kept = client.patch(f"/api/v1/rules/{older.pk}/", {"threshold": "41"}, format="json")
    assert kept.status_code == 201, kept.content
    assert kept.json()["window_days"] == 60
    # ... and moves to a kept one only when asked.
    moved = client.patch(f"/api/v1/rules/{kept.json()['id']}/", {"window_days": 90}, format="json")
    assert moved.json()["window_days"] == 90
    schema = openapi_schema()["components"]["schemas"]
    window = schema["RuleWriteRequest"]["properties"]["window_days"]["allOf"][0]["$ref"]
    assert schema[window.rsplit("/", 1)[1]]["enum"] == [7, 30, 90, 180, 365]
