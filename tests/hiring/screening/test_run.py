"""Screening a candidate against a job's active rules, on stored scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from hiring import services
from hiring.models import Screening
from hiring.services import screening_evaluate
from renown.models import AuditEvent
from scoring.models import AnomalyFlag
from tests import factories

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def score(candidate: object, value: str, days_ago: float) -> None:
    factories.ScoreFactory(
        candidate=candidate, value=Decimal(value), as_of=NOW - timedelta(days=days_ago)
    )


@pytest.mark.parametrize(
    ("history", "outcome"),
    [
        ([("50", 1)], "meets"),
        ([("20", 1)], "below"),
        ([], "insufficient_data"),
        ([("80", 40)], "insufficient_data"),  # stale
    ],
)
def test_influence_at_least_35(history: list[tuple[str, int]], outcome: str) -> None:
    rule = factories.ScreeningRuleFactory(metric="influence", threshold=Decimal(35))
    candidate = factories.CandidateFactory(organization=rule.job.organization)
    for value, days in history:
        score(candidate, value, days)
    screening = screening_evaluate(candidate=candidate, job=rule.job, now=NOW)
    assert screening is not None
    assert screening.outcome == outcome
    assert screening.rule_versions == {str(rule.id): 1}
    assert screening.reasons[0]["rule"] == rule.id


def test_reasons_record_the_value_used_so_the_decision_can_be_explained_later() -> None:
    rule = factories.ScreeningRuleFactory(threshold=Decimal(35))
    candidate = factories.CandidateFactory(organization=rule.job.organization)
    score(candidate, "41.5", 2)
    screening = screening_evaluate(candidate=candidate, job=rule.job, now=NOW)
    assert screening is not None
    assert screening.reasons[0]["value"] == "41.50"
    assert "meets" in screening.reasons[0]["reason"]


def test_vendor_score_rule_reads_the_native_scale() -> None:
    rule = factories.ScreeningRuleFactory(
        metric="vendor:klout", threshold=Decimal(35), max_data_age_days=36500
    )
    candidate = factories.CandidateFactory(organization=rule.job.organization)
    factories.VendorScoreFactory(candidate=candidate, value=Decimal(30))
    screening = screening_evaluate(candidate=candidate, job=rule.job, now=NOW)
    assert screening is not None
    assert screening.outcome == "below"


def test_re_evaluation_updates_the_one_screening() -> None:
    rule = factories.ScreeningRuleFactory(threshold=Decimal(35))
    candidate = factories.CandidateFactory(organization=rule.job.organization)
    screening_evaluate(candidate=candidate, job=rule.job, now=NOW)
    score(candidate, "60", 1)
    screening_evaluate(candidate=candidate, job=rule.job, now=NOW)
    assert Screening.objects.get().outcome == "meets"


def test_inactive_rules_do_not_screen() -> None:
    rule = factories.ScreeningRuleFactory(active=False)
    candidate = factories.CandidateFactory(organization=rule.job.organization)
    assert screening_evaluate(candidate=candidate, job=rule.job, now=NOW) is None
    assert not Screening.objects.exists()


def test_a_candidate_is_never_screened_for_another_organisations_job() -> None:
    rule = factories.ScreeningRuleFactory()
    stranger = factories.CandidateFactory()
    with pytest.raises(ValueError, match="different organisations"):
        screening_evaluate(candidate=stranger, job=rule.job, now=NOW)


# --- a job's whole population ---------------------------------------------------------


def applicant(job: object, **kwargs: object) -> object:
    candidate = factories.CandidateFactory(organization=job.organization, **kwargs)
    factories.ApplicationFactory(job=job, candidate=candidate)
    return candidate


def test_a_run_screens_every_applicant_and_only_them() -> None:
    rule = factories.ScreeningRuleFactory(threshold=Decimal(35))
    job = rule.job
    strong, weak, unmeasured = (applicant(job) for _ in range(3))
    bystander = factories.CandidateFactory(organization=job.organization)
    score(strong, "50", 1)
    score(weak, "20", 1)
    score(bystander, "90", 1)
    run = services.screening_run_for_job(job=job, now=NOW)
    assert run is not None
    outcomes = dict(job.screenings.values_list("candidate_id", "outcome"))
    assert outcomes == {strong.pk: "meets", weak.pk: "below", unmeasured.pk: "insufficient_data"}
    assert run.counts == {"below": 1, "insufficient_data": 1, "meets": 1}
    assert run.rule_versions == {str(rule.pk): 1}
    assert len(run.digest) == 64
    assert job.screenings.filter(run=run).count() == 3


def test_a_run_is_one_audit_event_with_its_digest() -> None:
    rule = factories.ScreeningRuleFactory()
    applicant(rule.job)
    run = services.screening_run_for_job(job=rule.job, actor="ats:test", now=NOW)
    assert run is not None
    event = AuditEvent.objects.get(event_type="screening.run")
    assert event.subject_id == str(run.pk)
    assert event.after["digest"] == run.digest
    assert event.actor_label == "ats:test"


def test_running_again_updates_each_screening_in_place() -> None:
    rule = factories.ScreeningRuleFactory(threshold=Decimal(35))
    candidate = applicant(rule.job)
    services.screening_run_for_job(job=rule.job, now=NOW)
    first = Screening.objects.get()
    score(candidate, "70", 1)
    services.screening_run_for_job(job=rule.job, now=NOW)
    again = Screening.objects.get()
    assert (again.pk, first.outcome, again.outcome) == (first.pk, "insufficient_data", "meets")


def test_a_job_without_live_rules_is_not_screened() -> None:
    rule = factories.ScreeningRuleFactory(active=False)
    applicant(rule.job)
    assert services.screening_run_for_job(job=rule.job, now=NOW) is None
    assert not Screening.objects.exists()


def test_reasons_tell_stale_from_never_measured() -> None:
    rule = factories.ScreeningRuleFactory(threshold=Decimal(35), max_data_age_days=30)
    stale, never = applicant(rule.job), applicant(rule.job)
    score(stale, "80", 200)
    services.screening_run_for_job(job=rule.job, now=NOW)
    reasons = {s.candidate_id: s.reasons[0]["reason"] for s in Screening.objects.all()}
    assert "no data from the last 30 days" in reasons[stale.pk]
    assert "newest from" in reasons[stale.pk]
    assert reasons[never.pk].endswith("no data; missing-data policy 'review'.")


def test_the_issues_example_with_groups() -> None:
    """influence 90-day median ≥ 40 OR offline reputation ≥ 30, both screen-out."""
    job = factories.JobFactory()
    group = factories.RuleGroupFactory(job=job, combinator="any")
    for metric, threshold, aggregation in (
        ("influence", 40, "median"),
        ("reputation", 30, "latest"),
    ):
        factories.ScreeningRuleFactory(
            job=job,
            group=group,
            metric=metric,
            threshold=Decimal(threshold),
            aggregation=aggregation,
            action="screen_out",
            max_data_age_days=365,
        )
    online, offline, neither, unknown = (applicant(job) for _ in range(4))
    for days in range(0, 90, 10):
        score(online, "45", days)
        score(offline, "10", days)
        score(neither, "10", days)
        score(unknown, "10", days)
    factories.ScoreFactory(candidate=offline, scorer="reputation", value=Decimal(60), as_of=NOW)
    factories.ScoreFactory(candidate=neither, scorer="reputation", value=Decimal(5), as_of=NOW)
    services.screening_run_for_job(job=job, now=NOW)
    found = {s.candidate_id: (s.outcome, s.suggestion) for s in job.screenings.all()}
    assert found == {
        online.pk: ("meets", "advance"),
        offline.pk: ("meets", "advance"),
        neither.pk: ("below", "reject"),
        unknown.pk: ("insufficient_data", "review"),
    }


def test_flags_send_the_candidate_to_a_person() -> None:
    rule = factories.ScreeningRuleFactory(threshold=Decimal(35))
    candidate = applicant(rule.job)
    score(candidate, "90", 1)
    AnomalyFlag.objects.create(
        candidate=candidate,
        kind="follower_jump",
        detail="5x in a day",
        observed_on=(NOW - timedelta(days=3)).date(),
        detected_at=NOW,
    )
    services.screening_run_for_job(job=rule.job, now=NOW)
    screening = Screening.objects.get()
    assert (screening.outcome, screening.suggestion) == ("flagged", "review")
    assert "follower jump" in screening.reasons[0]["reason"].lower()


def test_a_canonical_metric_sums_each_accounts_last_value_of_the_day() -> None:
    rule = factories.ScreeningRuleFactory(metric="metric:followers", threshold=Decimal(1000))
    candidate = applicant(rule.job)
    bluesky = factories.SocialAccountFactory(candidate=candidate, network="bluesky")
    mastodon = factories.SocialAccountFactory(
        candidate=candidate, network="mastodon", handle="someone@social.example"
    )
    youtube = factories.SocialAccountFactory(candidate=candidate, network="youtube", handle="UCx")
    day = NOW - timedelta(days=1)
    for account, provider, followers, at in (
        (bluesky, "bluesky", 400, day),
        (bluesky, "bluesky", 700, day + timedelta(hours=2)),  # later the same day: counts
        (mastodon, "mastodon", 350, day),
        (youtube, "youtube", 10_000, day),  # YouTube's data may not be blended
    ):
        factories.MetricSnapshotFactory(
            account=account, provider=provider, observed_at=at, metrics={"followers": followers}
        )
    services.screening_run_for_job(job=rule.job, now=NOW)
    screening = Screening.objects.get()
    assert (screening.outcome, screening.reasons[0]["value"]) == ("meets", "1050")


def test_scores_that_move_rescreen_the_candidates_jobs() -> None:
    rule = factories.ScreeningRuleFactory(threshold=Decimal(35))
    candidate = applicant(rule.job)
    services.screening_run_for_job(job=rule.job)
    factories.ScoreFactory(candidate=candidate, value=Decimal(60))
    from scoring.tasks import score_candidates_task

    score_candidates_task(candidate_ids=[candidate.pk])  # scoring's hook re-screens
    assert Screening.objects.get().outcome == "meets"


def test_a_new_application_is_screened_after_commit(
    django_capture_on_commit_callbacks: object,
) -> None:
    rule = factories.ScreeningRuleFactory(threshold=Decimal(35))
    candidate = factories.CandidateFactory(organization=rule.job.organization)
    factories.ScoreFactory(candidate=candidate, value=Decimal(50))
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.application_add(job=rule.job, candidate=candidate)
    assert Screening.objects.get().outcome == "meets"
    with pytest.raises(ValueError, match="different organisations"):
        services.application_add(job=rule.job, candidate=factories.CandidateFactory())


def test_screening_one_candidate_considers_them_for_the_job() -> None:
    rule = factories.ScreeningRuleFactory()
    candidate = factories.CandidateFactory(organization=rule.job.organization)
    screening_evaluate(candidate=candidate, job=rule.job, now=NOW)
    assert rule.job.applications.filter(candidate=candidate).exists()


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("plain", "plain"),
        ("a\\b", "a\\\\b"),  # the escape character itself
        ("a\tb", "a\\tb"),  # would end the column
        ("a\nb", "a\\nb"),  # would end the row
        ("a\rb", "a\\rb"),
        ("\\N", "\\\\N"),  # COPY's NULL, as text
        ('{"reason":"\\"quoted\\" – ≥ 35"}', '{"reason":"\\\\"quoted\\\\" – ≥ 35"}'),
    ],
)
def test_copy_text_escapes_what_would_end_a_column_or_a_row(value: str, line: str) -> None:
    from hiring.screening.run import copy_text

    assert copy_text(value) == line


@pytest.mark.postgres
@pytest.mark.parametrize("first", [True, False])
def test_the_copy_lines_arrive_as_the_rows_were(first: bool) -> None:
    """Each screening's line of COPY text reads back as the row it was written from,
    straight into the table (a job's first screening) or through the upsert."""
    import json

    from django.db import transaction

    from hiring.models import ScreeningRun
    from hiring.screening.run import _Row, _write_postgresql

    job = factories.JobFactory()
    candidates = factories.CandidateFactory.create_batch(3, organization=job.organization)
    hostile = [
        {"reason": 'tab\there, newline\nthere, "quotes", back\\slash, \\N, ≥ é 漢'},
        {"reason": "\r\n\t\\"},
        {"reason": "plain"},
    ]
    if not first:
        for candidate in candidates:  # screened before: the rows are updated
            Screening.objects.create(
                candidate=candidate, job=job, outcome="meets", suggestion="advance",
                reasons=[], rule_versions={}, evaluated_at=NOW - timedelta(days=1),
            )  # fmt: skip
    run = ScreeningRun.objects.create(job=job, started_at=NOW, evaluated_at=NOW)
    rows = [
        _Row(c.pk, "below", "review", json.dumps([reason], ensure_ascii=False))
        for c, reason in zip(candidates, hostile, strict=True)
    ]
    with transaction.atomic():
        _write_postgresql(job, run, rows, {"7": 2}, first)
    stored = {s.candidate_id: s for s in Screening.objects.filter(job=job)}
    assert len(stored) == 3
    for candidate, reason in zip(candidates, hostile, strict=True):
        screening = stored[candidate.pk]
        assert screening.reasons == [reason]
        assert (screening.outcome, screening.suggestion) == ("below", "review")
        assert screening.rule_versions == {"7": 2}
        assert screening.evaluated_at == NOW
        assert screening.run_id == run.pk


def test_deleting_a_job_deletes_its_screenings() -> None:
    """The database does not check a screening's job (the run's own row does, once):
    Django's cascade still removes a deleted job's screenings, and only those."""
    rule = factories.ScreeningRuleFactory()
    other = factories.ScreeningRuleFactory(job__organization=rule.job.organization)
    applicant(rule.job)
    applicant(other.job)
    services.screening_run_for_job(job=rule.job, now=NOW)
    services.screening_run_for_job(job=other.job, now=NOW)
    rule.job.delete()
    assert list(Screening.objects.values_list("job_id", flat=True)) == [other.job_id]
