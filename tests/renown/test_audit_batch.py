"""``renown.trail.audit_batch``: one event per bulk call, with counts and a digest of the ids."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from renown.models import AuditEvent
from renown.trail import audit_batch, audit_record, audit_trail_verify
from tests import factories

pytestmark = pytest.mark.django_db


def _record(organization: Any, event_type: str, subject_id: str) -> Any:
    return audit_record(
        organization=organization,
        actor="ats:greenhouse",
        event_type=event_type,
        subject=("renown_candidates.candidate", subject_id),
        after={"name": "changed"},
    )


def _digest(*ids: str) -> str:
    lines = sorted(f"renown_candidates.candidate:{i}" for i in ids)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_a_batch_records_one_event_per_organisation_with_counts_and_a_digest() -> None:
    acme, globex = factories.OrganizationFactory(), factories.OrganizationFactory()
    with audit_batch(actor="command:import", event_type="refresh.started") as batch:
        batch.after["rows"] = 3
        assert _record(acme, "account.added", "1") is None
        _record(acme, "account.added", "2")
        _record(acme, "evidence.added", "2")
        _record(globex, "account.added", "9")
    (acme_event,) = AuditEvent.objects.filter(organization=acme)
    (globex_event,) = AuditEvent.objects.filter(organization=globex)
    assert (acme_event.event_type, acme_event.actor_label) == ("refresh.started", "command:import")
    assert acme_event.after == {
        "rows": 3,
        "counts": {"account.added": 2, "evidence.added": 1},
        "objects": 2,
        "objects_sha256": _digest("1", "2"),
    }
    assert globex_event.after["counts"] == {"account.added": 1}
    assert globex_event.after["objects_sha256"] == _digest("9")
    assert all(status.intact for status in audit_trail_verify())


def test_decisions_about_people_stay_one_event_per_person_inside_a_batch() -> None:
    acme = factories.OrganizationFactory()
    with audit_batch(actor="command:import", event_type="refresh.started"):
        _record(acme, "decision.recorded", "1")
        _record(acme, "decision.recorded", "2")
        _record(acme, "account.added", "3")
    assert list(
        AuditEvent.objects.filter(organization=acme)
        .order_by("sequence")
        .values_list("event_type", "subject_id")
    ) == [("decision.recorded", "1"), ("decision.recorded", "2"), ("refresh.started", "")]


def test_a_failed_batch_leaves_neither_its_changes_nor_an_event() -> None:
    acme = factories.OrganizationFactory()

    def bulk_call_failing_at_row_3() -> None:
        with audit_batch(actor="command:import", event_type="refresh.started"):
            _record(acme, "decision.recorded", "1")  # written, then rolled back with the batch
            _record(acme, "account.added", "2")
            raise RuntimeError("row 3 is bad")

    with pytest.raises(RuntimeError, match="row 3"):
        bulk_call_failing_at_row_3()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("inner_changes", [0, 2])
def test_a_nested_batch_joins_the_outer_one_and_an_empty_batch_records_nothing(
    inner_changes: int,
) -> None:
    acme = factories.OrganizationFactory()
    with (
        audit_batch(actor="command:outer", event_type="refresh.started"),
        audit_batch(actor="command:inner", event_type="screening.run"),
    ):
        for i in range(inner_changes):
            _record(acme, "account.added", str(i))
    events = list(AuditEvent.objects.filter(organization=acme))
    if inner_changes:
        (event,) = events
        assert (event.event_type, event.actor_label) == ("refresh.started", "command:outer")
        assert event.after["counts"] == {"account.added": inner_changes}
    else:
        assert events == []
