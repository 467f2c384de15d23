"""The candidate services record their audit events; substance edits undo a verification."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from candidates import services
from candidates.models import AccountVerification, EvidenceVerification
from renown.models import AuditEvent, AuditEventType
from renown.trail import audit_trail_verify
from tests import factories

pytestmark = pytest.mark.django_db


def _events(org: Any) -> list[str]:
    return [str(e.event_type) for e in AuditEvent.objects.filter(organization=org)]


def test_a_candidate_change_lists_fields_but_never_records_a_name_or_email() -> None:
    org = factories.OrganizationFactory()
    candidate = services.candidate_create(
        organization=org, name="Ada Lovelace", email="ada@example.test", actor="ats:test"
    )
    services.candidate_update(
        candidate=candidate, changes={"name": "Ada King", "country": "GB"}, actor="ats:test"
    )
    services.candidate_update(candidate=candidate, changes={"name": "Ada King"}, actor="x")
    created, changed = AuditEvent.objects.filter(organization=org).order_by("sequence")
    assert (created.event_type, changed.event_type) == ("candidate.created", "candidate.changed")
    assert changed.after is not None
    assert changed.after["fields"] == ["country", "name"]
    assert changed.after["country"] == "GB"
    for event in (created, changed):
        text = str(event.before) + str(event.after)
        assert "Ada" not in text
        assert "example.test" not in text
    assert all(chain.intact for chain in audit_trail_verify())


def test_rewriting_verified_evidence_unverifies_it_and_an_unchanged_write_records_nothing() -> None:
    evidence = factories.ReputationEvidenceFactory(
        verification=EvidenceVerification.VERIFIED,
        verified_at=datetime.now(tz=UTC),
        title="Minor blog post",
    )
    org = evidence.candidate.organization
    services.evidence_update(evidence=evidence, changes={"title": "Minor blog post"}, actor="x")
    assert _events(org) == []
    assert evidence.verification == EvidenceVerification.VERIFIED
    services.evidence_update(
        evidence=evidence, changes={"title": "Nobel Prize", "kind": "award"}, actor="x"
    )
    evidence.refresh_from_db()
    assert (evidence.verification, evidence.verified_at) == (EvidenceVerification.UNVERIFIED, None)
    (event,) = AuditEvent.objects.filter(organization=org)
    assert event.event_type == AuditEventType.EVIDENCE_CHANGED
    assert event.before is not None
    assert event.after is not None
    assert (event.before["verification"], event.after["verification"]) == ("verified", "unverified")
    assert "verification undone" in event.note


@pytest.mark.parametrize(
    ("network", "handle", "events"),
    [("github", "octocat", []), ("github", "someone-else", ["account.changed"])],
)
def test_changing_a_verified_accounts_handle_unverifies_it(
    network: str, handle: str, events: list[str]
) -> None:
    account = factories.SocialAccountFactory(
        network="github", handle="octocat", verification=AccountVerification.VERIFIED
    )
    services.account_update(account=account, network=network, handle=handle, actor="x")
    account.refresh_from_db()
    assert _events(account.candidate.organization) == events
    expected = AccountVerification.CLAIMED if events else AccountVerification.VERIFIED
    assert account.verification == expected


def test_attaching_an_account_twice_records_one_event_and_removing_it_one() -> None:
    candidate = factories.CandidateFactory()
    first = services.account_attach(candidate=candidate, network="github", handle="Octocat")
    again = services.account_attach(candidate=candidate, network="github", handle="octocat")
    assert first.pk == again.pk
    services.account_remove(account=first, actor="x")
    assert _events(candidate.organization) == ["account.added", "account.removed"]


@pytest.mark.parametrize(
    ("make", "remove", "event", "said"),
    [
        (
            lambda: factories.ReputationEvidenceFactory(title="A talk"),
            lambda obj: services.evidence_remove(evidence=obj, actor="x"),
            "evidence.removed",
            ("title", "A talk"),
        ),
        (
            lambda: factories.SocialAccountFactory(network="github", handle="octocat"),
            lambda obj: services.account_remove(account=obj, actor="x"),
            "account.removed",
            ("handle", "octocat"),
        ),
    ],
    ids=["evidence", "account"],
)
def test_removing_deletes_the_row_and_records_what_it_said(
    make: Any, remove: Any, event: str, said: tuple[str, str]
) -> None:
    obj = make()
    model, pk, candidate = type(obj), obj.pk, obj.candidate
    remove(obj)
    assert not model.objects.filter(pk=pk).exists()
    (recorded,) = AuditEvent.objects.filter(organization=candidate.organization)
    assert recorded.event_type == event
    assert recorded.before is not None
    assert recorded.before[said[0]] == said[1]
    assert recorded.before["candidate"] == str(candidate.public_id)
