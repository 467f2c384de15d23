"""The audit trail: one gapless hash chain per organisation, append-only, verifiable."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import threading
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.db.models import ProtectedError
from django.test import Client

from renown.api.tokens import api_token_create
from renown.models import (
    AUDIT_GENESIS_HASH,
    AuditEvent,
    AuditEventImmutable,
    Organization,
    audit_canonical_json,
)
from renown.trail import audit_record, audit_trail_verify
from tests import factories
from tests.test_tenancy import (
    MARKER,
    org_b_world,  # noqa: F401 - the fixture, reused below
)
from tests.test_tenancy import (
    test_every_url_hides_organisation_b_from_organisation_a as walk_every_url,
)

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


def record(organization: Any, **kwargs: Any) -> AuditEvent:
    event: AuditEvent = factories.AuditEventFactory(organization=organization, **kwargs)
    return event


def chain(organization: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(organization=organization).order_by("sequence"))


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_audit_trail", *args, stdout=out)
    return out.getvalue()


def verify_fails(*args: str) -> str:
    with pytest.raises(CommandError) as excinfo:
        verify(*args)
    assert excinfo.value.returncode == 1
    return str(excinfo.value)


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_audit_trail", *args, stdout=out)
    return out.getvalue()


def raw_sql(sql: str, params: list[Any]) -> None:
    """Change the table behind the model's back, as someone with database access could."""
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{table}", connection.ops.quote_name(TABLE)), params)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the chain -------------------------------------------------------------------------


def test_each_organisation_and_the_deployment_has_its_own_gapless_chain(
    org_a: Any, org_b: Any
) -> None:
    for organization in (org_a, org_b, None, org_a, org_a, None, org_b):
        record(organization)
    for organization, length in ((org_a, 3), (org_b, 2), (None, 2)):
        events = chain(organization)
        assert [event.sequence for event in events] == list(range(1, length + 1))
        assert events[0].prev_hash == AUDIT_GENESIS_HASH
        for previous, event in itertools.pairwise(events):
            assert event.prev_hash == previous.hash


def test_hash_is_sha256_over_canonical_json_of_the_fields_and_prev_hash(
    org_a: Any, hr_admin_a: Any
) -> None:
    rule = factories.ScreeningRuleFactory(job__organization=org_a)
    berlin = ZoneInfo("Europe/Berlin")
    with time_machine.travel(datetime(2026, 6, 1, 12, 0, 0, 123456, tzinfo=UTC), tick=False):
        first = record(org_a)
        event = audit_record(
            organization=org_a,
            actor=hr_admin_a,
            event_type="rule.changed",
            subject=rule,
            before={
                "threshold": Decimal("35.00"),
                "since": datetime(2026, 1, 1, 13, tzinfo=berlin),
            },
            after={"threshold": Decimal("40.00"), "near_band": 1.5, "active": True, "days": 30},
            note="Acknowledged: 12% of candidates have no online presence — é",
        )
    expected = {
        "organization": org_a.pk,
        "sequence": 2,
        "occurred_at": "2026-06-01T12:00:00.123456Z",
        "actor": f"alice-hr (#{hr_admin_a.pk})",
        "event_type": "rule.changed",
        "subject_type": "renown_hiring.screeningrule",
        "subject_id": str(rule.pk),
        "before": {"since": "2026-01-01T12:00:00.000000Z", "threshold": "35.00"},
        "after": {"active": True, "days": 30, "near_band": "1.5", "threshold": "40.00"},
        "note": "Acknowledged: 12% of candidates have no online presence — é",
        "prev_hash": first.hash,
        # Format 2: the actor's immutable id as recorded at write time, and the format.
        "actor_ref": f"user:{hr_admin_a.pk}",
        "format": 2,
    }
    canonical = json.dumps(expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert event.hash == hashlib.sha256(canonical.encode()).hexdigest()
    # What comes back from the database hashes the same: the stored JSON is plain data.
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.before == expected["before"]
    assert stored.after == expected["after"]
    assert stored.compute_hash() == stored.hash


def test_the_acting_user_is_not_hashed_so_deleting_them_keeps_the_chain(org_a: Any) -> None:
    user = factories.UserFactory(username="leaving-lee")
    event = record(org_a, actor=user)
    record(org_a)
    user.delete()
    event.refresh_from_db()
    assert event.actor_id is None
    assert event.actor_label.startswith("leaving-lee (#")
    assert "intact" in verify()


def test_events_written_in_format_1_still_verify_and_their_hash_leaves_out_the_ref(
    org_a: Any, hr_admin_a: Any
) -> None:
    # An event written before actor_ref existed: the migration gave it format 1 and no
    # ref. Its hash covers what format 1 covered, so the chain verifies as written.
    legacy = record(org_a, actor=hr_admin_a)
    payload = legacy.hash_payload()
    legacy_payload = {k: v for k, v in payload.items() if k not in ("actor_ref", "format")}
    legacy_hash = hashlib.sha256(audit_canonical_json(legacy_payload).encode()).hexdigest()
    # What the 0003 migration leaves on an old row.
    raw_sql(
        "UPDATE {table} SET format_version = 1, actor_ref = '', hash = %s WHERE id = %s",
        [legacy_hash, legacy.pk],
    )
    record(org_a, actor=hr_admin_a)  # chains on the stored hash
    assert "intact" in verify()
    stored = AuditEvent.objects.get(pk=legacy.pk)
    assert "actor_ref" not in stored.hash_payload()
    # Format 2 hashes the ref: changing it is detected.
    newer = AuditEvent.objects.order_by("-sequence").first()
    assert newer is not None
    assert newer.hash_payload()["actor_ref"] == f"user:{hr_admin_a.pk}"
    raw_sql("UPDATE {table} SET actor_ref = %s WHERE id = %s", ["user:999999", newer.pk])
    assert "hash mismatch" in verify_fails()


def test_a_token_acts_as_itself_with_an_immutable_ref(org_a: Any) -> None:
    token, _secret = api_token_create(organization=org_a, name="ats-sync", scope="write")
    event = record(org_a, actor=token)
    assert event.actor_label == f"API token ats-sync (#{token.pk})"
    assert event.actor_ref == f"token:{token.pk}"
    assert event.actor_id is None
    assert "intact" in verify()


def test_non_user_actors_are_labelled(org_a: Any) -> None:
    assert record(org_a, actor="ats:greenhouse").actor_label == "ats:greenhouse"
    assert record(org_a, actor=None).actor_label == "system"
    assert record(org_a, actor=AnonymousUser()).actor_label == "anonymous"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"event_type": "rule.renamed"}, ValueError),
        ({"before": {"at": datetime(2026, 1, 1)}}, ValueError),  # noqa: DTZ001 - the point
        ({"after": {"blob": b"bytes"}}, TypeError),
    ],
)
def test_bad_events_are_refused(org_a: Any, kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        record(org_a, **kwargs)
    assert not AuditEvent.objects.exists()


def test_an_unsaved_subject_is_refused(org_a: Any) -> None:
    with pytest.raises(ValueError, match="unsaved"):
        record(org_a, subject=factories.JobFactory.build(organization=org_a))


def test_an_event_rolled_back_with_its_transaction_leaves_no_gap(org_a: Any) -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            record(org_a)
            raise RuntimeError("the change failed")

    record(org_a)
    with pytest.raises(RuntimeError):
        change_that_fails()
    assert record(org_a).sequence == 2
    assert "intact" in verify()


# --- append-only --------------------------------------------------------------------------


def test_events_cannot_be_changed_or_deleted_through_django(org_a: Any) -> None:
    event = record(org_a, note="as it was")
    event.note = "as it should have been"
    with pytest.raises(AuditEventImmutable):
        event.save()
    with pytest.raises(AuditEventImmutable):
        event.save(update_fields=["note"])
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.bulk_create([AuditEvent(organization=org_a, sequence=2)])
    assert AuditEvent.objects.get(pk=event.pk).note == "as it was"


def test_an_organisation_with_an_audit_trail_cannot_be_deleted(org_a: Any) -> None:
    record(org_a)
    with pytest.raises(ProtectedError):
        org_a.delete()


# --- verify_audit_trail ------------------------------------------------------------------


def test_verify_reports_an_intact_trail_in_one_line(org_a: Any, org_b: Any) -> None:
    for organization in (org_a, org_a, org_b, None):
        record(organization)
    output = verify()
    assert output.strip() == "Audit trail intact: 4 events in 3 chains."
    assert verify("--org", "acme").strip() == "Audit trail intact: 2 events in 1 chains."
    detailed = verify("--verbosity", "2")
    assert f"acme: 2 events, head #2 {chain(org_a)[-1].hash}" in detailed


def test_verify_an_empty_trail() -> None:
    assert verify().strip() == "Audit trail intact: 0 events in 0 chains."


def test_verify_names_an_event_edited_behind_the_models_back(org_a: Any) -> None:
    events = [record(org_a) for _ in range(3)]
    raw_sql("UPDATE {table} SET note = %s WHERE id = %s", ["nothing to see", events[1].pk])
    message = verify_fails()
    assert f"BROKEN in acme at #2 (id {events[1].pk})" in message
    assert "hash mismatch" in message
    assert "edited" in message


def test_verify_names_an_edited_before_value(org_a: Any) -> None:
    events = [record(org_a) for _ in range(2)]
    raw_sql("UPDATE {table} SET after = %s WHERE id = %s", ['{"threshold": "20"}', events[0].pk])
    assert "BROKEN in acme at #1" in verify_fails()


def test_verify_names_the_gap_left_by_a_deleted_event(org_a: Any) -> None:
    events = [record(org_a) for _ in range(3)]
    raw_sql("DELETE FROM {table} WHERE id = %s", [events[1].pk])
    message = verify_fails()
    assert "BROKEN in acme at #3" in message
    assert "sequence gap: expected #2, found #3" in message


def test_verify_notices_that_the_first_event_was_deleted(org_a: Any) -> None:
    events = [record(org_a) for _ in range(2)]
    raw_sql("DELETE FROM {table} WHERE id = %s", [events[0].pk])
    assert "sequence gap: expected #1, found #2" in verify_fails()


def test_verify_names_the_successor_of_an_edited_and_rehashed_event(org_a: Any) -> None:
    events = [record(org_a) for _ in range(3)]
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.note = "approved by nobody"
    raw_sql(
        "UPDATE {table} SET note = %s, hash = %s WHERE id = %s",
        [forged.note, forged.compute_hash(), forged.pk],
    )
    message = verify_fails()
    assert "BROKEN in acme at #3" in message
    assert "prev_hash mismatch" in message


def test_verify_names_each_broken_chain_and_honours_org(org_a: Any, org_b: Any) -> None:
    record(org_a)
    theirs = record(org_b)
    raw_sql("UPDATE {table} SET subject_id = %s WHERE id = %s", ["999", theirs.pk])
    message = verify_fails()
    assert "globex" in message
    assert "acme" not in message
    assert "intact" in verify("--org", "acme")
    assert "globex" in verify_fails("--org", "globex")


def test_verify_an_unknown_organisation_is_a_usage_error() -> None:
    with pytest.raises(CommandError) as excinfo:
        verify("--org", "nobody")
    assert excinfo.value.returncode == 2


def test_verify_service_reports_heads(org_a: Any) -> None:
    events = [record(org_a) for _ in range(2)]
    (status,) = audit_trail_verify(organization=org_a)
    assert status.intact
    assert (status.chain, status.events, status.head_sequence) == ("acme", 2, 2)
    assert status.head_hash == events[-1].hash


# --- export_audit_trail ------------------------------------------------------------------


def test_export_jsonl_can_be_verified_without_renown(org_a: Any, org_b: Any) -> None:
    for organization in (org_a, None, org_b, org_a):
        record(organization, note="naïve café")
    rows = [json.loads(line) for line in export().splitlines()]
    assert [(row["organization_slug"], row["sequence"]) for row in rows] == [
        (None, 1),
        ("acme", 1),
        ("acme", 2),
        ("globex", 1),
    ]
    for row in rows:
        payload = {
            key: value
            for key, value in row.items()
            if key not in {"hash", "organization_slug", "actor_id"}
        }
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(canonical.encode()).hexdigest() == row["hash"]
    assert rows[1]["before"] == {"threshold": "35"}


def test_export_csv_for_one_organisation(org_a: Any, org_b: Any) -> None:
    record(org_a)
    record(org_b)
    record(org_a, before=None)
    rows = list(csv.DictReader(io.StringIO(export("--org", "acme", "--format", "csv"))))
    assert [row["sequence"] for row in rows] == ["1", "2"]
    assert {row["organization_slug"] for row in rows} == {"acme"}
    assert rows[0]["before"] == '{"threshold":"35"}'
    assert rows[1]["before"] == ""
    assert rows[1]["prev_hash"] == rows[0]["hash"]


@pytest.mark.parametrize(
    "note",
    [
        '=HYPERLINK("http://evil.example","click")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        "'=already quoted",
    ],
)
def test_export_csv_defuses_formulas_and_stays_verifiable(org_a: Any, note: str) -> None:
    record(org_a, note=note, subject=("renown_hiring.screeningrule", "-7"))
    plain = json.loads(export("--org", "acme"))
    text = export("--org", "acme", "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(text, newline="")))
    assert row["note"] == "'" + note
    assert row["subject_id"] == "'-7"
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    # Dropping one leading ' gives back exactly what the hash covers.
    for key in ("note", "subject_id", "event_type", "occurred_at", "hash", "prev_hash"):
        assert row[key].removeprefix("'") == str(plain[key])


@pytest.mark.parametrize("note", ["threshold raised; see ticket 42", "two\rlines", "two\nlines"])
def test_export_csv_reads_back_every_note(org_a: Any, note: str) -> None:
    record(org_a, note=note)
    text = export("--org", "acme", "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(text, newline="")))
    assert row["note"] == note


def test_export_csv_of_an_empty_trail_is_its_header() -> None:
    assert export("--format", "csv").startswith("organization,organization_slug,sequence,")


# --- admin --------------------------------------------------------------------------------


def test_auditor_and_hr_admin_read_only_their_organisations_trail(
    org_a: Any, org_b: Any, auditor_a: Any, hr_admin_a: Any
) -> None:
    ours = record(org_a, note="our-own-event")
    theirs = record(org_b, note="their-secret-event")
    deployment = record(None, note="deployment-event")
    for user in (auditor_a, hr_admin_a):
        client = login(user)
        body = client.get("/admin/renown/auditevent/").content.decode()
        assert f"/admin/renown/auditevent/{ours.pk}/change/" in body
        assert f"/admin/renown/auditevent/{theirs.pk}/change/" not in body
        assert f"/admin/renown/auditevent/{deployment.pk}/change/" not in body
        page = client.get(f"/admin/renown/auditevent/{ours.pk}/change/")
        assert page.status_code == 200
        assert "our-own-event" in page.content.decode()
        for other in (theirs, deployment):
            for view in ("change", "history"):
                response = client.get(f"/admin/renown/auditevent/{other.pk}/{view}/")
                assert response.status_code == 404


def test_a_staff_recruiter_does_not_read_the_trail(org_a: Any) -> None:
    recruiter = factories.UserFactory(username="staff-recruiter", is_staff=True)
    factories.MembershipFactory(user=recruiter, organization=org_a, role="recruiter")
    event = record(org_a)
    client = login(recruiter)
    assert client.get("/admin/renown/auditevent/").status_code == 403
    assert client.get(f"/admin/renown/auditevent/{event.pk}/change/").status_code in {
        403,
        404,
    }


def test_a_recruiter_member_elsewhere_reads_only_where_they_audit(org_a: Any, org_b: Any) -> None:
    user = factories.UserFactory(username="two-hats", is_staff=True)
    factories.MembershipFactory(user=user, organization=org_a, role="auditor")
    factories.MembershipFactory(user=user, organization=org_b, role="recruiter")
    record(org_a)
    theirs = record(org_b)
    client = login(user)
    body = client.get("/admin/renown/auditevent/").content.decode()
    assert f"/admin/renown/auditevent/{theirs.pk}/change/" not in body
    assert client.get(f"/admin/renown/auditevent/{theirs.pk}/change/").status_code == 404


@pytest.mark.parametrize("persona", ["hr_admin_a", "superuser"])
def test_nobody_adds_changes_or_deletes_events_in_the_admin(
    persona: str, org_a: Any, request: pytest.FixtureRequest
) -> None:
    if persona == "superuser":
        user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    else:
        user = request.getfixturevalue(persona)
    event = record(org_a, note="as recorded")
    client = login(user)
    assert client.get("/admin/renown/auditevent/add/").status_code == 403
    assert client.post("/admin/renown/auditevent/add/", {"note": "forged"}).status_code == 403
    response = client.post(f"/admin/renown/auditevent/{event.pk}/change/", {"note": "changed"})
    assert response.status_code == 403
    assert (
        client.post(f"/admin/renown/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    client.post(
        "/admin/renown/auditevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert AuditEvent.objects.get(pk=event.pk).note == "as recorded"
    assert AuditEvent.objects.count() == 1
    assert "intact" in verify()


def test_the_tenancy_walk_never_shows_organisation_bs_trail(
    request: pytest.FixtureRequest, org_a: Any, hr_admin_a: Any, recruiter_a: Any, auditor_a: Any
) -> None:
    world = request.getfixturevalue("org_b_world")
    record(org_a, note="ours")
    theirs = record(world[Organization], actor=f"{MARKER}-actor", note=f"{MARKER} acknowledged")
    walk_every_url({**world, AuditEvent: theirs}, hr_admin_a, recruiter_a, auditor_a)


# --- concurrency --------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_a_chain() -> None:
    organization = factories.OrganizationFactory(slug="busy")
    writers, per_writer = 8, 10
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    # Some work before the event, as a real use case has.
                    factories.JobFactory(organization=organization, title=f"job {n}-{i}")
                    audit_record(
                        organization=organization if i % 3 else None,
                        actor=f"writer-{n}",
                        event_type="rule.created",
                        subject=("renown_hiring.job", f"{n}-{i}"),
                    )
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    total = writers * per_writer
    deployment = writers * len(range(0, per_writer, 3))
    assert [e.sequence for e in chain(organization)] == list(range(1, total - deployment + 1))
    assert [e.sequence for e in chain(None)] == list(range(1, deployment + 1))
    assert all(status.intact for status in audit_trail_verify())
