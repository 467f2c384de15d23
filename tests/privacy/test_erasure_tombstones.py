"""Erasure tombstones: one per erasure, the public id integrations held, kept for a while."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.apps import apps

from candidates.models import Candidate
from hiring.models import ErasedCandidateTombstone, Screening
from hiring.privacy import services as privacy_services
from hiring.privacy.tasks import purge_task
from tests import factories

pytestmark = pytest.mark.django_db

T = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _held(org: Any) -> Any:
    """A candidate whose screening must be kept: erased, they stay pseudonymised."""
    job = factories.JobFactory(organization=org)
    person = factories.CandidateFactory(organization=org)
    Screening.objects.create(candidate=person, job=job, outcome="meets", evaluated_at=T, reasons=[])
    return person


def test_every_erasure_leaves_the_public_id_integrations_held(org_a: Any) -> None:
    gone, held = factories.CandidateFactory(organization=org_a), _held(org_a)
    privacy_services.candidate_erase(candidate=gone, actor="dpo", now=T)
    privacy_services.candidate_erase(candidate=held, actor="dpo", now=T + timedelta(seconds=1))
    assert not Candidate.objects.filter(pk=gone.pk).exists()
    kept = Candidate.objects.get(pk=held.pk)
    assert kept.public_id != held.public_id  # the kept record's new id is in no tombstone
    assert sorted(
        ErasedCandidateTombstone.objects.values_list("public_id", "erased_at", "organization")
    ) == sorted(
        [(gone.public_id, T, org_a.pk), (held.public_id, T + timedelta(seconds=1), org_a.pk)]
    )
    # Nothing but the id and the time: no name, e-mail or ATS id to hold on to.
    names = {f.name for f in ErasedCandidateTombstone._meta.concrete_fields}
    assert names == {"id", "organization", "public_id", "erased_at"}


def test_tombstones_go_after_the_configured_days(org_a: Any, settings: Any) -> None:
    settings.RENOWN_ERASURE_TOMBSTONE_DAYS = 10
    for days in (11, 9):
        person = factories.CandidateFactory(organization=org_a)
        privacy_services.candidate_erase(
            candidate=person, actor="dpo", now=T - timedelta(days=days)
        )
    assert privacy_services.tombstones_purge(now=T) == 1
    [left] = ErasedCandidateTombstone.objects.all()
    assert left.erased_at == T - timedelta(days=9)


def test_the_periodic_purge_purges_tombstones(org_a: Any, settings: Any) -> None:
    settings.RENOWN_ERASURE_TOMBSTONE_DAYS = 0
    person = factories.CandidateFactory(organization=org_a)
    privacy_services.candidate_erase(candidate=person, actor="dpo")
    assert ErasedCandidateTombstone.objects.count() == 1
    purge_task()
    assert not ErasedCandidateTombstone.objects.exists()


def test_erasing_twice_leaves_one_tombstone(org_a: Any) -> None:
    person = _held(org_a)
    privacy_services.candidate_erase(candidate=person, actor="dpo", now=T)
    again = privacy_services.candidate_erase(candidate=person, actor="dpo", now=T)
    assert again.already_erased
    assert list(ErasedCandidateTombstone.objects.values_list("public_id", flat=True)) == [
        person.public_id
    ]


def test_erasures_before_the_upgrade_get_tombstones_from_the_audit_trail(org_a: Any) -> None:
    upgrade = importlib.import_module("hiring.migrations.0009_erased_candidate_tombstone")
    now = datetime.now(tz=UTC)
    recent, old = (factories.CandidateFactory(organization=org_a) for _ in range(2))
    with time_machine.travel(now - timedelta(days=91)):
        privacy_services.candidate_erase(candidate=old, actor="dpo")
    with time_machine.travel(now - timedelta(days=2)):
        privacy_services.candidate_erase(candidate=recent, actor="dpo")
    held = _held(org_a)
    privacy_services.candidate_erase(candidate=held, actor="dpo", now=now - timedelta(days=400))
    privacy_services.retention_purge(now=now)  # its event names the kept record's new id
    ErasedCandidateTombstone.objects.all().delete()  # as before the upgrade

    upgrade.tombstones_from_the_trail(apps, None)
    upgrade.tombstones_from_the_trail(apps, None)  # twice: nothing more
    assert sorted(ErasedCandidateTombstone.objects.values_list("public_id", flat=True)) == sorted(
        [recent.public_id, held.public_id]
    )
    assert ErasedCandidateTombstone.objects.get(public_id=recent.public_id).organization == org_a
