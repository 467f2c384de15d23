"""Constraints that keep the data honest, enforced by the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from candidates import services
from tests import factories

pytestmark = pytest.mark.django_db


def test_external_id_is_unique_per_organisation_and_source() -> None:
    org = factories.OrganizationFactory()
    factories.CandidateFactory(organization=org, ats_source="greenhouse", external_id="42")
    factories.CandidateFactory(organization=org, ats_source="lever", external_id="42")
    factories.CandidateFactory(ats_source="greenhouse", external_id="42")  # another organisation
    factories.CandidateFactory(organization=org, external_id="")  # blanks never collide
    factories.CandidateFactory(organization=org, external_id="")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.CandidateFactory(organization=org, ats_source="greenhouse", external_id="42")


def test_account_added_twice_in_two_spellings_is_one_account() -> None:
    candidate = factories.CandidateFactory()
    first = services.account_attach(
        candidate=candidate, network="bluesky", handle="@Alice.bsky.social"
    )
    second = services.account_attach(
        candidate=candidate, network="bluesky", handle="alice.bsky.social"
    )
    assert first.pk == second.pk
    assert first.handle == "alice.bsky.social"


def test_account_attach_names_the_bad_field() -> None:
    candidate = factories.CandidateFactory()
    with pytest.raises(ValidationError) as caught:
        services.account_attach(candidate=candidate, network="mastodon", handle="alice")
    assert "handle" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.account_attach(candidate=candidate, network="friendster", handle="alice")
    assert "network" in caught.value.message_dict


def test_candidate_create_validates_fields() -> None:
    org = factories.OrganizationFactory()
    with pytest.raises(ValidationError) as caught:
        services.candidate_create(organization=org, name="", email="not-an-email")
    assert {"name", "email"} <= set(caught.value.message_dict)
    created = services.candidate_create(
        organization=org, name="Ada", country="us", region="us-ny-nyc"
    )
    assert (created.country, created.region) == ("US", "US-NY-NYC")


def test_notice_cannot_be_withdrawn_before_it_was_given() -> None:
    now = datetime.now(tz=UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.CandidateNoticeFactory(given_at=now, withdrawn_at=now - timedelta(days=1))


def test_gdpr_notice_needs_a_lawful_basis() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.CandidateNoticeFactory(kind="gdpr_notice", lawful_basis="")
    factories.CandidateNoticeFactory(kind="gdpr_notice", lawful_basis="consent")


def test_vendor_score_must_lie_within_its_native_scale() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.VendorScoreFactory(value=Decimal(101))
    factories.VendorScoreFactory(vendor="kred", value=Decimal(950), scale_max=Decimal(1000))


def test_score_must_lie_within_its_scale() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ScoreFactory(value=Decimal(0))


def test_one_snapshot_per_account_and_cycle() -> None:
    snapshot = factories.MetricSnapshotFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.MetricSnapshotFactory(account=snapshot.account, cycle=snapshot.cycle)


def test_job_jurisdictions_are_validated() -> None:
    job = factories.JobFactory(jurisdictions=["US-NY-NYC", "DE", "US-CA"])
    job.full_clean()
    job.jurisdictions = ["New York"]
    with pytest.raises(ValidationError, match="not a jurisdiction code"):
        job.full_clean()
