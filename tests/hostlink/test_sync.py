"""Saving and deleting a host record keeps its Renown candidate in step (hiring.hostlink)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate, CandidateNotice, HostLink, SocialAccount
from hiring import hostlink
from hiring.ats.models import CandidateLink
from hiring.models import Screening
from hiring.privacy.models import RetentionHold
from renown.api.tokens import api_token_create
from renown.models import AuditEvent, WebhookDelivery
from renown.webhooks import services as webhook_services
from tests import factories
from tests.api.conftest import token_client
from tests.hostapp.adapters import AGREED_AT
from tests.hostapp.models import Applicant


def _candidate_of(applicant: Applicant) -> Candidate:
    return (
        HostLink.objects.select_related("candidate")
        .get(content_type=ContentType.objects.get_for_model(Applicant), object_id=str(applicant.pk))
        .candidate
    )


def test_a_new_applicant_appears_in_the_api_and_an_update_reaches_it(
    linked: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        applicant = Applicant.objects.create(
            full_name="Ada Quill", email="ada@example.com", country="de"
        )
    candidate = _candidate_of(applicant)
    assert (candidate.name, candidate.email, candidate.country) == (
        "Ada Quill",
        "ada@example.com",
        "DE",
    )
    assert (candidate.ats_source, candidate.external_id) == ("host", str(applicant.pk))
    assert candidate.organization == linked
    client = token_client(api_token_create(organization=linked, name="t", scope="read")[1])
    listed = client.get("/api/v1/candidates/").json()["results"]
    assert [c["name"] for c in listed] == ["Ada Quill"]

    with django_capture_on_commit_callbacks(execute=True):
        applicant.full_name = "Ada Lovelace Quill"
        applicant.save()
    candidate.refresh_from_db()
    assert candidate.name == "Ada Lovelace Quill"
    assert Candidate.objects.count() == 1


def test_nothing_reaches_renown_before_the_hosts_transaction_commits(linked: Any) -> None:
    # pytest-django's test transaction never commits: the callbacks stay pending.
    Applicant.objects.create(full_name="Ada Quill", email="ada@example.com", country="DE")
    assert not Candidate.objects.exists()


def test_a_rolled_back_save_creates_no_candidate(
    linked: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def host_view() -> None:
        with transaction.atomic():
            Applicant.objects.create(full_name="Ada Quill", country="DE")
            raise RuntimeError("host rolls back")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        host_view()
    assert not Candidate.objects.exists()


def test_a_renown_failure_neither_breaks_nor_rolls_back_the_hosts_save(
    linked: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(**kwargs: Any) -> Candidate:
        raise RuntimeError("renown is down")

    monkeypatch.setattr(hostlink, "candidate_create", broken)
    with (
        caplog.at_level(logging.ERROR, logger="hiring.hostlink"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        applicant = Applicant.objects.create(full_name="Ada Quill", country="DE")
    assert Applicant.objects.filter(pk=applicant.pk).exists()
    assert not Candidate.objects.exists()
    (record,) = caplog.records
    assert f"hostapp.Applicant pk={applicant.pk}" in record.getMessage()
    assert "renown is down" in record.exc_text


def test_an_applicant_renown_cannot_take_is_logged_with_the_host_object_and_field(
    linked: Any, django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="hiring.hostlink"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        applicant = Applicant.objects.create(full_name="Ada Quill", country="XX")
    assert not Candidate.objects.exists()
    (record,) = caplog.records
    assert "country" in record.exc_text
    assert f"hostapp.Applicant pk={applicant.pk}" in record.exc_text


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"full_name": "", "country": "DE"}, "name"),
        ({"full_name": "Ada Quill", "country": "XX"}, "country"),
        ({"full_name": "Ada Quill", "email": "not-an-address", "country": "DE"}, "email"),
    ],
)
def test_validation_errors_name_the_host_object_and_field(
    linked: Any, values: dict[str, str], field: str
) -> None:
    applicant = Applicant(pk=41, **values)
    with pytest.raises(ValidationError) as caught:
        hostlink.host_sync(applicant)
    messages = caught.value.message_dict[field]
    assert all(m.startswith("hostapp.Applicant pk=41: ") for m in messages), messages


def test_without_an_organisation_nothing_is_linked_and_it_says_why(
    linked: Any, settings: Any
) -> None:
    settings.RENOWN_DEFAULT_ORGANIZATION = "nowhere"
    with pytest.raises(hostlink.HostLinkError, match="no organisation 'nowhere'"):
        hostlink.host_sync(Applicant(pk=3, full_name="Ada Quill", country="DE"))


@pytest.mark.parametrize("held", [True, False], ids=["screened-held", "nothing-to-keep"])
def test_deleting_the_applicant_erases_the_candidate_as_the_api_does(
    linked: Any, held: bool, django_capture_on_commit_callbacks: Any
) -> None:
    webhook_services.subscription_create(
        organization=linked, name="ATS", url="https://ats.example/h", events=["candidate.erased"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        applicant = Applicant.objects.create(
            full_name="Ada Quill", email="ada@example.com", country="DE"
        )
    candidate = _candidate_of(applicant)
    if held:  # a screening the law makes the employer keep six months (EU AI Act 26(6))
        job = factories.JobFactory(organization=linked)
        factories.ScreeningRuleFactory(job=job)
        Screening.objects.create(
            candidate=candidate, job=job, outcome="meets", evaluated_at=timezone.now(), reasons=[]
        )
    with django_capture_on_commit_callbacks(execute=True):
        applicant.delete()
    kept = Candidate.objects.filter(pk=candidate.pk).first()
    if held:
        assert kept is not None
        assert kept.erased_at is not None
        assert "Ada" not in kept.name
        assert kept.email == ""
        assert RetentionHold.objects.filter(candidate=kept).exists()
    else:
        assert kept is None
    assert not HostLink.objects.exists()
    (erased,) = WebhookDelivery.objects.filter(event_type="candidate.erased")
    assert json.loads(erased.body)["data"]["candidate"]["id"] == str(candidate.public_id)
    assert AuditEvent.objects.filter(event_type="candidate.erased").count() == 1
    client = token_client(api_token_create(organization=linked, name="t", scope="read")[1])
    assert client.get("/api/v1/candidates/").json()["results"] == []


def test_an_adapter_brings_accounts_links_and_notices_and_an_update_adds_new_ones(
    linked: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.RENOWN_HOST_CANDIDATE_FIELDS = {}
    settings.RENOWN_HOST_CANDIDATE_ADAPTER = "tests.hostapp.adapters.applicant_to_renown"
    with django_capture_on_commit_callbacks(execute=True):
        applicant = Applicant.objects.create(
            full_name="Ada Quill", country="DE", portfolio="https://ada.example/"
        )
    candidate = _candidate_of(applicant)
    assert list(
        SocialAccount.objects.filter(candidate=candidate).values_list("network", "handle")
    ) == [("github", "octocat")]
    (notice,) = CandidateNotice.objects.filter(candidate=candidate)
    assert (notice.kind, notice.given_at, notice.source) == ("gdpr_notice", AGREED_AT, "host")
    with django_capture_on_commit_callbacks(execute=True):
        applicant.portfolio = "https://ada.example/talks/"
        applicant.save()
    assert sorted(
        CandidateLink.objects.filter(candidate=candidate).values_list("url", flat=True)
    ) == [
        "https://ada.example/",
        "https://ada.example/talks/",
    ]
    assert SocialAccount.objects.filter(candidate=candidate).count() == 1
    assert CandidateNotice.objects.filter(candidate=candidate).count() == 1


def test_other_models_and_an_unconfigured_host_are_left_alone(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Applicant.objects.create(full_name="Ada Quill", country="DE")
        factories.OrganizationFactory(slug="other")
    assert callbacks == []
    assert not Candidate.objects.exists()
