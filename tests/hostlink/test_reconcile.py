"""``renown_link_host`` links every host record and reconciles what bypassed the signals."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from candidates.models import Candidate, HostLink
from hiring import hostlink
from hiring.tasks import host_reconcile_task
from renown import RENOWN_BEAT_SCHEDULE
from renown.models import AuditEvent
from tests.hostapp.models import Applicant


def _link_host(*args: str) -> str:
    out = StringIO()
    call_command("renown_link_host", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip().splitlines()[-1]


def _bulk(n: int, start: int = 0) -> None:
    """Host records loaded without signals (bulk_create), as a migration or import would."""
    Applicant.objects.bulk_create(
        Applicant(full_name=f"Person {i}", email=f"p{i}@example.com", country="DE")
        for i in range(start, start + n)
    )


def test_the_command_links_bulk_loads_reconciles_updates_and_a_second_run_changes_nothing(
    linked: Any,
) -> None:
    _bulk(5)
    assert _link_host("--batch", "2") == ("5 created, 0 updated, 0 unchanged, 0 erased, 0 failed")
    assert Candidate.objects.filter(organization=linked, ats_source="host").count() == 5
    # Bypassing the signals: QuerySet.update and a deletion Renown never heard of.
    first, second, *_ = Applicant.objects.order_by("pk")
    Applicant.objects.filter(pk=first.pk).update(full_name="Renamed Person")
    Applicant.objects.filter(pk=second.pk)._raw_delete(Applicant.objects.db)
    assert _link_host("--batch", "2") == ("0 created, 1 updated, 3 unchanged, 1 erased, 0 failed")
    assert HostLink.objects.get(object_id=str(first.pk)).candidate.name == "Renamed Person"
    assert not HostLink.objects.filter(object_id=str(second.pk)).exists()
    assert AuditEvent.objects.filter(event_type="candidate.erased").count() == 1
    updated_at = list(Candidate.objects.order_by("pk").values_list("updated_at", flat=True))
    assert _link_host() == (
        "0 created, 0 updated, 4 unchanged, 0 erased, 0 failed (nothing changed)"
    )
    assert list(Candidate.objects.order_by("pk").values_list("updated_at", flat=True)) == updated_at


def test_a_record_that_fails_is_counted_and_the_run_goes_on(linked: Any) -> None:
    _bulk(2)
    Applicant.objects.create(full_name="Bad Country", country="XX")
    with pytest.raises(CommandError, match="1 record"):
        _link_host()
    assert Candidate.objects.count() == 2


def test_without_a_host_model_the_command_and_the_nightly_task_do_nothing(db: None) -> None:
    _bulk(2)
    assert _link_host() == (
        "No host candidate model (RENOWN_HOST_CANDIDATE_MODEL): nothing to link."
    )
    host_reconcile_task.delay()
    assert not Candidate.objects.exists()
    assert RENOWN_BEAT_SCHEDULE["renown-link-host"]["task"] == host_reconcile_task.name


def test_the_nightly_task_reconciles(linked: Any) -> None:
    _bulk(3)
    host_reconcile_task.delay()
    assert Candidate.objects.count() == 3


# What one host record costs when it is created (a savepoint, the organisation, the
# services' validation, the candidate and its link; its audit event is folded into the
# batch's one event) and what a batch costs besides (its transaction, the batch's
# reads, its one audit event: the chain's last event and the new one).
CREATE_QUERIES_PER_RECORD = 10
QUERIES_PER_BATCH = 10


class QueryCounter:
    """Counts every statement (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def test_ten_thousand_records_are_linked_with_bounded_queries_per_batch(linked: Any) -> None:
    _bulk(10_000)
    batch = 1000
    counter = QueryCounter()
    per_batch: list[int] = []

    def progress(n: int) -> None:
        per_batch.append(counter.count - sum(per_batch))

    with connection.execute_wrapper(counter):
        result = hostlink.host_reconcile(batch=batch, progress=progress)
    assert (result.created, result.failed) == (10_000, 0)
    assert len(per_batch) == 10
    assert max(per_batch) <= batch * CREATE_QUERIES_PER_RECORD + QUERIES_PER_BATCH
    assert Candidate.objects.filter(ats_source="host").count() == 10_000
    # One event per batch, not one per person: counts and a digest of the candidates.
    events = list(AuditEvent.objects.filter(event_type="host_link.reconciled"))
    assert len(events) == 10
    assert {e.after["counts"]["candidate.created"] for e in events} == {batch}
    assert all(len(e.after["objects_sha256"]) == 64 for e in events)
    assert not AuditEvent.objects.filter(event_type="candidate.created").exists()
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    # The second run reads, a batch at a time, and writes nothing.
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        again = hostlink.host_reconcile(batch=batch)
    assert (again.unchanged, again.changed) == (10_000, 0)
    # Host records + their links per batch and the empty last page; then the links' ids
    # and the host records still there per batch of links, and the empty last page;
    # each batch's transaction (begin, commit), which records no event: nothing changed.
    assert counter.count <= 2 * 10 + 1 + 2 * 10 + 1 + 2 * 10 + QUERIES_PER_BATCH
    assert not AuditEvent.objects.filter(event_type="host_link.reconciled", pk__gt=last).exists()


@pytest.mark.parametrize("way", ["api", "command"])
def test_a_person_erased_through_renown_is_not_linked_again_until_relinked(
    linked: Any, way: str, django_capture_on_commit_callbacks: Any
) -> None:
    """The host keeps its record; the person asked Renown to forget them."""
    from renown.api.tokens import api_token_create
    from tests.api.conftest import token_client

    _bulk(2)
    assert _link_host().startswith("2 created")
    kept, erased = Applicant.objects.order_by("pk")
    candidate = HostLink.objects.get(object_id=str(erased.pk)).candidate
    if way == "api":
        client = token_client(api_token_create(organization=linked, name="t", scope="write")[1])
        assert client.delete(f"/api/v1/candidates/{candidate.public_id}/").status_code == 204
    else:
        call_command(
            "erase_candidate",
            f"--org={linked.slug}",
            f"--candidate={candidate.public_id}",
            "--actor=dpo:test",
            stdout=StringIO(),
        )
    assert not HostLink.objects.filter(object_id=str(erased.pk)).exists()

    # Neither the record's next save nor the nightly reconcile builds a new profile.
    with django_capture_on_commit_callbacks(execute=True):
        erased.full_name = "Person 1, renamed"
        erased.save()
    assert _link_host() == (
        "0 created, 0 updated, 1 unchanged, 0 erased, 1 withheld (erased through Renown), "
        "0 failed (nothing changed)"
    )
    assert not HostLink.objects.filter(object_id=str(erased.pk)).exists()
    assert Candidate.objects.filter(erased_at__isnull=True).count() == 1

    # The person asks to be screened again: the host relinks the record.
    assert _link_host("--relink", str(erased.pk)).startswith("1 created")
    assert HostLink.objects.get(object_id=str(erased.pk)).candidate.name == "Person 1, renamed"
    with pytest.raises(CommandError, match="not erased through Renown"):
        _link_host("--relink", str(kept.pk))


def test_deleting_the_host_record_forgets_that_it_was_erased(
    linked: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from candidates.models import HostLinkErasure

    _bulk(1)
    _link_host()
    applicant = Applicant.objects.get()
    call_command(
        "erase_candidate",
        f"--org={linked.slug}",
        f"--candidate={HostLink.objects.get().candidate.public_id}",
        "--actor=dpo:test",
        stdout=StringIO(),
    )
    assert HostLinkErasure.objects.filter(object_id=str(applicant.pk)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        applicant.delete()
    assert not HostLinkErasure.objects.exists()
