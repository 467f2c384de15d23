"""Access and erasure (GDPR Art. 15, 17), retention holds, and the purges."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import models

from candidates.models import Candidate, CandidateView, SelfIdentification, SocialAccount
from hiring import services as hiring
from hiring.ats.models import CandidateLink
from hiring.models import AdverseAction, AdverseActionNotice, Decision, Screening
from hiring.portal.links import portal_link_create, portal_open
from hiring.portal.services import portal_evidence_add
from hiring.privacy import services
from hiring.privacy.models import RetentionHold
from renown import privacy
from renown.models import AuditEvent, WebhookDelivery
from renown.trail import audit_trail_verify
from renown.webhooks import services as webhook_services
from scoring.models import MetricSnapshot, Score
from tests import factories

pytestmark = pytest.mark.django_db
# Records get created_at "now": the decisions are dated now too.
NOW = datetime.now(tz=UTC).replace(microsecond=0)


def person_with_everything(org: Any, recruiter: Any) -> Candidate:
    """A candidate with a profile, a screening, a rejection with its FCRA notice."""
    job = factories.JobFactory(organization=org)
    factories.ScreeningRuleFactory(job=job, threshold=Decimal(35), action="screen_out")
    person = factories.CandidateFactory(
        organization=org, name="Ada Quill", email="ada.quill@example.com", country="US",
        ats_source="greenhouse", external_id="gh-77",
    )  # fmt: skip
    factories.ApplicationFactory(job=job, candidate=person, external_id="app-77")
    account = factories.SocialAccountFactory(candidate=person, handle="adaquill.bsky.social")
    factories.MetricSnapshotFactory(account=account)
    factories.ScoreFactory(candidate=person, value=Decimal(20), as_of=NOW - timedelta(days=1))
    factories.VendorScoreFactory(candidate=person)
    factories.ReputationEvidenceFactory(candidate=person, title="Ada's talk")
    factories.SelfIdentificationFactory(candidate=person, sex="female")
    factories.CandidateNoticeFactory(candidate=person)
    CandidateLink.objects.create(candidate=person, kind="website", url="https://ada.example")
    _, token = portal_link_create(candidate=person, actor=recruiter)
    portal_evidence_add(visit=portal_open(token), kind="talk", title="Ada's meetup talk")
    hiring.screening_run_for_job(job=job, now=NOW)
    screening = Screening.objects.get(candidate=person)
    decision = hiring.decision_record(
        screening=screening, reviewer=recruiter, kind="reject",
        reason="Ada Quill is below the line.", now=NOW,
    )  # fmt: skip
    hiring.adverse_action_send_pre_adverse(
        adverse_action=decision.adverse_action, actor=recruiter, now=NOW
    )
    return person


def test_the_export_holds_every_piece_of_data_on_the_candidate(
    org_a: Any, recruiter_a: Any
) -> None:
    person = person_with_everything(org_a, recruiter_a)
    export = services.candidate_export(person)
    json.dumps(export)  # JSON-ready
    assert export["candidate"]["name"] == "Ada Quill"
    for section in (
        "accounts", "snapshots", "scores", "window_statistics", "vendor_scores", "evidence",
        "self_identification",
        "notices", "applications", "screenings", "decisions", "adverse_actions",
        "adverse_action_notices", "links", "portal_links", "portal_actions",
    ):  # fmt: skip
        assert export[section], f"{section} is empty"
    assert "nonce_sha256" not in export["portal_links"][0]
    assert export["snapshots"][0]["metrics"] == {"followers": 100, "following": 10, "posts": 50}
    assert export["self_identification"][0]["sex"] == "female"
    types = {event["event_type"] for event in export["audit_events"]}
    assert {"decision.recorded", "notice.sent"} <= types


def test_the_export_of_one_candidate_holds_nothing_of_another(org_a: Any, recruiter_a: Any) -> None:
    person_with_everything(org_a, recruiter_a)
    other = factories.CandidateFactory(organization=org_a)
    export = services.candidate_export(other)
    # The factory gives every candidate their notices; nothing else exists for this one.
    assert {s.name for s in privacy.sections() if export[s.name]} == {"notices"}
    assert {row["candidate_id"] for row in export["notices"]} == {other.pk}
    assert export["audit_events"] == []


def _points_at(model: type[models.Model], targets: set[type[models.Model]]) -> bool:
    return any(
        isinstance(f, models.ForeignKey | models.OneToOneField) and f.related_model in targets
        for f in model._meta.concrete_fields
    )


def test_every_model_about_a_candidate_is_in_the_export() -> None:
    """Fails when a model pointing at a candidate (or their rows) is in no section of its app."""
    registered = {(s.model, s.app_label) for s in privacy.sections()}
    # Rows that belong to a candidate: those pointing at Candidate, then at those.
    owned: set[type[models.Model]] = {Candidate}
    for _ in range(3):
        owned |= {
            m
            for m in apps.get_models()
            if m not in owned and _points_at(m, owned - {m}) and m is not Candidate
        }
    missing = {
        m._meta.label for m in owned - {Candidate} if (m, m._meta.app_label) not in registered
    }
    assert missing == set(), f"register these in their own app's privacy module: {missing}"
    # And no app registers another's rows: each knows only its own.
    foreign = {
        s.name: (s.app_label, s.model._meta.app_label)
        for s in privacy.sections()
        if s.app_label != s.model._meta.app_label
    }
    assert foreign == {}


def test_the_export_lists_each_apps_sections_in_layer_order_and_the_base_last(
    org_a: Any,
) -> None:
    export = services.candidate_export(factories.CandidateFactory(organization=org_a))
    names = list(export)
    assert names[:2] == ["exported_at", "candidate"]
    assert names[2:] == [s.name for s in privacy.sections()]
    layers = ["renown_candidates", "renown_scoring", "renown_hiring", "renown"]
    owners = [privacy.section(name).app_label for name in names[2:]]
    assert owners == sorted(owners, key=layers.index)
    assert names[-2:] == ["webhook_deliveries", "audit_events"]


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry as the apps left it; what a test registers is gone after it."""
    monkeypatch.setattr(privacy, "_registry", dict(privacy._registry))


def _section(name: str, erase: Any = "delete") -> privacy.DataSection:
    return privacy.DataSection(
        name=name,
        model=CandidateView,
        query=lambda c: CandidateView.objects.filter(candidate_id=c.pk, viewer_label="extra"),
        erase=erase,
    )


@pytest.mark.usefixtures("registry")
def test_registering_a_section_name_twice_fails_loudly() -> None:
    with pytest.raises(ImproperlyConfigured, match="'accounts' is registered twice: by renown_candidates and by tests_extra"):  # fmt: skip
        privacy.register("tests_extra", _section("accounts"))
    assert privacy.section("accounts").model is SocialAccount
    privacy.register("tests_extra", _section("extra_views"))
    with pytest.raises(ImproperlyConfigured, match="by tests_extra and by tests_extra"):
        privacy.register("tests_extra", _section("extra_views"))
    # Names the export uses for itself, and erasures that mean nothing, fail as loudly.
    with pytest.raises(ImproperlyConfigured, match="reserved"):
        privacy.register("tests_extra", _section("candidate"))
    with pytest.raises(ImproperlyConfigured, match="erase must be"):
        privacy.register("tests_extra", _section("extra_bad", erase="forget"))


@pytest.mark.usefixtures("registry")
def test_a_section_registered_by_another_app_is_exported_and_erased(
    org_a: Any, recruiter_a: Any
) -> None:
    person = person_with_everything(org_a, recruiter_a)
    for label in ("extra", "rita"):
        CandidateView.objects.create(candidate=person, viewer_label=label, viewed_at=NOW)
    privacy.register("tests_extra", _section("extra_views"))
    export = services.candidate_export(person)
    assert [row["viewer_label"] for row in export["extra_views"]] == ["extra"]
    assert list(export)[-3:] == ["extra_views", "webhook_deliveries", "audit_events"]
    result = services.candidate_erase(candidate=person, actor=recruiter_a, now=NOW)
    assert result.hold_until is not None  # the candidate stays: the section did the deleting
    assert result.deleted["extra_views"] == 1
    # Its own rows went; the page views the candidates app keeps under the hold stayed.
    views = CandidateView.objects.filter(candidate=person)
    assert list(views.values_list("viewer_label", flat=True)) == ["rita"]
    event = AuditEvent.objects.get(event_type="candidate.erased")
    assert event.after["deleted"]["extra_views"] == 1


def test_erasure_deletes_the_profile_and_holds_the_decision_records_pseudonymised(
    org_a: Any, recruiter_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    webhook_services.subscription_create(
        organization=org_a, name="ATS", url="https://ats.example/h",
        events=["candidate.erased", "decision.recorded"],
    )  # fmt: skip
    person = person_with_everything(org_a, recruiter_a)
    public_id = person.public_id
    assert WebhookDelivery.objects.filter(event_type="decision.recorded").exists()
    result = services.candidate_erase(candidate=person, actor=recruiter_a, now=NOW)
    assert result.deleted["accounts"] == 1
    assert result.deleted["snapshots"] == 1
    for model in (SocialAccount, MetricSnapshot, Score, SelfIdentification, CandidateLink):
        assert not model.objects.filter(**_candidate_filter(model, person)).exists(), model
    # Kept under a hold: one year from the decision (29 CFR 1602.14).
    hold = RetentionHold.objects.get(candidate=person)
    decided = Decision.objects.get(candidate=person).decided_at  # not NOW: midnight may pass
    assert hold.hold_until.date() == (decided + timedelta(days=365)).date()
    person.refresh_from_db()
    assert person.erased_at is not None
    assert (person.email, person.external_id, person.ats_source) == ("", "", "")
    assert "Ada" not in person.name
    decision = Decision.objects.get(candidate=person)
    assert "Ada Quill" not in decision.reason
    notice = AdverseActionNotice.objects.get(adverse_action__candidate=person)
    assert "ada.quill@example.com" not in notice.recipient + notice.body_text + notice.body_html
    assert "Ada Quill" not in notice.body_text
    report = json.dumps(AdverseAction.objects.get(candidate=person).report)
    assert "adaquill.bsky.social" not in report
    # Webhooks about the person are gone; the erasure itself is announced.
    assert not WebhookDelivery.objects.filter(event_type="decision.recorded").exists()
    (erased,) = WebhookDelivery.objects.filter(event_type="candidate.erased")
    data = json.loads(erased.body)["data"]
    assert data["candidate"] == {
        "id": str(public_id), "ats_source": "greenhouse", "external_id": "gh-77",
    }  # fmt: skip
    # The audit trail gained an event and still verifies.
    event = AuditEvent.objects.filter(event_type="candidate.erased").get()
    assert event.after["candidate"] == str(public_id)
    assert all(status.intact for status in audit_trail_verify())
    # An erased candidate is no longer listed.
    from candidates.selectors import candidate_list

    assert not candidate_list(user=recruiter_a, organization=org_a).filter(pk=person.pk).exists()


def _candidate_filter(model: type[models.Model], person: Candidate) -> dict[str, Any]:
    if model is MetricSnapshot:
        return {"account__candidate_id": person.pk}
    return {"candidate_id": person.pk}


def test_erasing_twice_changes_nothing(org_a: Any, recruiter_a: Any) -> None:
    person = person_with_everything(org_a, recruiter_a)
    services.candidate_erase(candidate=person, actor=recruiter_a, now=NOW)
    again = services.candidate_erase(candidate=person, actor=recruiter_a, now=NOW)
    assert again.already_erased
    assert AuditEvent.objects.filter(event_type="candidate.erased").count() == 1


def test_a_candidate_with_nothing_to_keep_is_deleted_entirely(org_a: Any) -> None:
    person = factories.CandidateFactory(organization=org_a, name="Bo Lee")
    factories.SocialAccountFactory(candidate=person)
    result = services.candidate_erase(candidate=person, actor="dpo:jane", now=NOW)
    assert result.hold_until is None
    assert not Candidate.objects.filter(pk=person.pk).exists()
    assert all(status.intact for status in audit_trail_verify())


def test_screenings_alone_are_held_six_months(org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)
    factories.ScreeningRuleFactory(job=job)
    person = factories.CandidateFactory(organization=org_a)
    Screening.objects.create(
        candidate=person, job=job, outcome="meets", evaluated_at=NOW, reasons=[]
    )
    result = services.candidate_erase(candidate=person, actor="dpo:jane", now=NOW)
    assert result.hold_until == NOW + timedelta(days=183)
    (basis,) = RetentionHold.objects.get().basis
    assert "26(6)" in basis["rule"]


def test_the_purge_deletes_held_records_when_the_hold_ends(org_a: Any, recruiter_a: Any) -> None:
    person = person_with_everything(org_a, recruiter_a)
    services.candidate_erase(candidate=person, actor=recruiter_a, now=NOW)
    assert services.retention_purge(now=NOW + timedelta(days=364)) == 0
    assert Candidate.objects.filter(pk=person.pk).exists()
    assert services.retention_purge(now=NOW + timedelta(days=366)) == 1
    assert not Candidate.objects.filter(pk=person.pk).exists()
    assert not Decision.objects.exists()
    assert not RetentionHold.objects.exists()
    assert AuditEvent.objects.filter(event_type="candidate.erased").count() == 2
    assert all(status.intact for status in audit_trail_verify())


def test_old_raw_snapshots_are_purged_after_the_configured_period(
    org_a: Any, settings: Any
) -> None:
    settings.RENOWN_SNAPSHOT_RETENTION_DAYS = 30
    account = factories.SocialAccountFactory(
        candidate=factories.CandidateFactory(organization=org_a)
    )
    old = factories.MetricSnapshotFactory(account=account, observed_at=NOW - timedelta(days=31))
    new = factories.MetricSnapshotFactory(account=account, observed_at=NOW - timedelta(days=29))
    assert services.snapshots_purge(now=NOW, batch=1) == 1
    assert list(MetricSnapshot.objects.values_list("pk", flat=True)) == [new.pk]
    assert old.pk != new.pk


def test_the_periodic_purge_is_scheduled() -> None:
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"privacy.purge", "webhooks.sweep", "webhooks.purge"} <= tasks


def test_the_commands_export_and_erase(org_a: Any, recruiter_a: Any, capsys: Any) -> None:
    person = person_with_everything(org_a, recruiter_a)
    call_command("export_candidate", "--org", "acme", "--candidate", str(person.public_id))
    assert json.loads(capsys.readouterr().out)["candidate"]["email"] == "ada.quill@example.com"
    call_command(
        "erase_candidate", "--org", "acme", "--candidate", str(person.public_id),
        "--actor", "dpo:jane",
    )  # fmt: skip
    assert "retention hold" in capsys.readouterr().out
    person.refresh_from_db()
    assert person.erased_at is not None


def test_held_records_are_never_screened_again_nor_queued_for_review(
    org_a: Any, recruiter_a: Any
) -> None:
    from hiring import selectors

    person = person_with_everything(org_a, recruiter_a)
    screening = Screening.objects.get(candidate=person)
    job = screening.job
    bystander = factories.CandidateFactory(organization=org_a)
    factories.ApplicationFactory(job=job, candidate=bystander)
    services.candidate_erase(candidate=person, actor=recruiter_a, now=NOW)
    hiring.screening_run_for_job(job=job, now=NOW + timedelta(days=1))
    kept = Screening.objects.get(candidate=person)
    assert (kept.evaluated_at, kept.outcome, kept.reasons) == (
        screening.evaluated_at, screening.outcome, screening.reasons,
    )  # fmt: skip
    assert Screening.objects.filter(candidate=bystander).exists()
    assert not selectors.review_queue(job=job).filter(candidate=person).exists()


def test_the_replay_record_forgets_what_it_said_about_the_person(org_a: Any) -> None:
    from hiring.ats.models import InboundDelivery

    person = factories.CandidateFactory(organization=org_a)
    record = InboundDelivery.objects.create(
        organization=org_a, ats="greenhouse", body_sha256="a" * 64, candidate=person,
        result={"accounts": [{"network": "github", "handle": "ada"}]},
    )  # fmt: skip
    services.candidate_erase(candidate=person, actor="dpo:jane", now=NOW)
    record.refresh_from_db()
    assert (record.candidate_id, record.result, record.body_sha256) == (None, {}, "a" * 64)


def test_the_export_does_not_hand_over_other_candidates_in_shared_events(org_a: Any) -> None:
    webhook_services.subscription_create(
        organization=org_a, name="ATS", url="https://ats.example/h", events=["score.updated"]
    )
    person = factories.CandidateFactory(organization=org_a)
    other = factories.CandidateFactory(organization=org_a, external_id="other-77")
    own = {"candidate": str(person.public_id)}
    shared = {"candidates": [str(person.public_id), str(other.public_id), "other-77"]}
    webhook_services.event_emit(org_a, "score.updated", own, candidate=person)
    webhook_services.event_emit(org_a, "score.updated", shared)
    rows = services.candidate_export(person)["webhook_deliveries"]
    assert len(rows) == 2
    assert str(person.public_id) in rows[0]["body"]
    assert rows[1]["body"] is None
    assert "other-77" not in json.dumps(rows)
