"""A namesake's account, disowned through the portal: out of fetching and scoring at once,
audited, announced, and a recruiter confirms (rejects) or restores (verifies) it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from candidates.models import SocialAccount
from hiring.portal.links import portal_link_create
from hiring.portal.models import PortalAction
from renown.models import AuditEvent
from scoring.services.refresh import accounts_due
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(org_a: Any) -> Any:
    return factories.CandidateFactory(organization=org_a, name="Ada Example")


def _disown(token: str, account: Any) -> Any:
    return Client().post(
        reverse("renown:portal-account-disown", kwargs={"token": token}),
        {"account": account.pk},
        follow=True,
    )


def test_a_disowned_account_stops_counting_at_once(ada: Any, recruiter_a: Any) -> None:
    namesake = factories.SocialAccountFactory(candidate=ada, network="github", handle="ada-x")
    mine = factories.SocialAccountFactory(candidate=ada, network="github", handle="ada-real")
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    response = _disown(token, namesake)
    assert response.status_code == 200
    assert "no longer counts" in response.content.decode()
    namesake.refresh_from_db()
    assert namesake.status == "disowned"
    event = AuditEvent.objects.get(event_type="account.disowned")
    assert event.actor_label.startswith("candidate, through portal link #")
    assert PortalAction.objects.get().kind == "account_disowned"
    # Fetching skips it from now on; the other account is still fetched.
    due = set(accounts_due(organization=ada.organization))
    assert namesake.pk not in due
    assert mine.pk in due
    # Disowning twice changes nothing and says so.
    again = _disown(token, namesake).content.decode()
    assert "Nothing changed" in again
    assert AuditEvent.objects.filter(event_type="account.disowned").count() == 1


def test_another_candidates_account_cannot_be_disowned(
    ada: Any, recruiter_a: Any, org_a: Any
) -> None:
    other = factories.SocialAccountFactory(
        candidate=factories.CandidateFactory(organization=org_a), handle="someone"
    )
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    assert _disown(token, other).status_code == 404
    other.refresh_from_db()
    assert other.status == "active"


@pytest.mark.parametrize(("decision", "status"), [("reject", "rejected"), ("verify", "active")])
def test_a_recruiter_confirms_or_restores_it(
    ada: Any, recruiter_a: Any, decision: str, status: str
) -> None:
    namesake = factories.SocialAccountFactory(candidate=ada, network="github", handle="ada-x")
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    _disown(token, namesake)
    recruiter = Client()
    recruiter.force_login(recruiter_a)
    page = recruiter.get(f"/candidates/{ada.public_id}/").content.decode()
    assert "Not theirs, the candidate says (a recruiter confirms)" in page
    assert "Said GitHub: ada-x is not theirs" in page
    recruiter.post(
        f"/candidates/{ada.public_id}/accounts/{namesake.pk}/verify/", {"decision": decision}
    )
    assert SocialAccount.objects.get(pk=namesake.pk).status == status
    if decision == "verify":  # a recruiter's word, not a proof: the page says which
        page = recruiter.get(f"/candidates/{ada.public_id}/").content.decode()
        assert "Verified by a recruiter" in page


def test_an_account_disowned_after_it_was_queued_is_not_fetched(ada: Any, recruiter_a: Any) -> None:
    from scoring.services.refresh import refresh_start, snapshot_fetch_batch

    namesake = factories.SocialAccountFactory(candidate=ada, network="github", handle="ada-x")
    cycle, batches = refresh_start(organization=ada.organization, account_ids=[namesake.pk])
    _, token = portal_link_create(candidate=ada, actor=recruiter_a)
    _disown(token, namesake)
    snapshot_fetch_batch(cycle_id=cycle.pk, account_ids=batches[0])  # no HTTP is attempted
    namesake.refresh_from_db()
    assert namesake.status == "disowned"
    # Recorded as skipped, with why, and never fetched (the test has no network).
    (snapshot,) = namesake.snapshots.all()
    assert (snapshot.status, snapshot.error) == (
        "skipped",
        "Not theirs, the candidate says (a recruiter confirms)",
    )
