"""The portal's gate: a link opens its one candidate, and nothing when it is altered,
expired, revoked or its candidate erased (table-driven)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from hiring.portal import links
from hiring.portal.links import LinkRefused, portal_link_create, portal_links_revoke, portal_open
from hiring.portal.models import PortalLink
from renown.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(org_a: Any) -> Any:
    return factories.CandidateFactory(organization=org_a, name="Ada Example")


def _altered(token: str, index: int) -> str:
    """``token`` with the character at ``index`` changed to another of the same alphabet."""
    char = token[index]
    swap = "B" if char != "B" else "C"
    if char == ":":
        swap = "."
    return token[:index] + swap + token[index + 1 :]


def test_a_new_link_opens_its_candidate_and_is_audited(candidate: Any, recruiter_a: Any) -> None:
    link, token = portal_link_create(candidate=candidate, actor=recruiter_a)
    visit = portal_open(token)
    assert visit.candidate == candidate
    assert visit.link == link
    assert link.expires_at - link.created_at == timedelta(days=30)
    event = AuditEvent.objects.get(event_type="portal.link_created")
    assert event.after["candidate"] == str(candidate.public_id)
    assert token not in str(event.after)
    # Only the nonce's hash is stored: the token's text is nowhere in the row.
    stored = PortalLink.objects.filter(pk=link.pk).values().get()
    assert all(token not in str(value) for value in stored.values())


def _made_up_nonce(token: str, other: str) -> str:
    # A valid signature (as if the key had leaked) over a nonce no link has: refused.
    return signing.dumps({"n": "made-up"}, salt=links.SALT)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("empty", lambda token, other: ""),
        ("truncated", lambda token, other: token[:-1]),
        ("extended", lambda token, other: token + "A"),
        ("first character", lambda token, other: _altered(token, 0)),
        ("middle character", lambda token, other: _altered(token, len(token) // 2)),
        ("last character", lambda token, other: _altered(token, len(token) - 1)),
        ("unsigned payload", lambda token, other: token.split(":")[0]),
        ("wrong salt", lambda token, other: signing.dumps(signing.loads(token, salt=links.SALT))),
        ("a nonce no link has", _made_up_nonce),
        ("not a string", lambda token, other: signing.dumps({"n": 7}, salt=links.SALT)),
        ("garbage", lambda token, other: "../../admin/"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_an_altered_link_opens_nothing(
    candidate: Any, recruiter_a: Any, org_a: Any, name: str, make: Any
) -> None:
    _, token = portal_link_create(candidate=candidate, actor=recruiter_a)
    someone_else = factories.CandidateFactory(organization=org_a, name="Bo Other")
    _, other = portal_link_create(candidate=someone_else, actor=recruiter_a)
    with pytest.raises(LinkRefused) as refused:
        portal_open(make(token, other))
    assert refused.value.reason == "invalid"


def test_every_single_character_change_is_refused(candidate: Any, recruiter_a: Any) -> None:
    _, token = portal_link_create(candidate=candidate, actor=recruiter_a)
    for index in range(len(token)):
        altered = _altered(token, index)
        with pytest.raises(LinkRefused):
            portal_open(altered)


def test_an_expired_link_opens_nothing(candidate: Any, recruiter_a: Any) -> None:
    link, token = portal_link_create(candidate=candidate, actor=recruiter_a)
    with pytest.raises(LinkRefused) as refused:
        portal_open(token, now=link.expires_at)
    assert refused.value.reason == "expired"
    assert portal_open(token, now=link.expires_at - timedelta(seconds=1)).candidate == candidate


@override_settings(RENOWN_PORTAL_LINK_DAYS=2)
def test_the_lifetime_is_a_setting(candidate: Any, recruiter_a: Any) -> None:
    link, _ = portal_link_create(candidate=candidate, actor=recruiter_a)
    assert link.expires_at - link.created_at == timedelta(days=2)


def test_revoking_closes_every_open_link_and_is_audited(candidate: Any, recruiter_a: Any) -> None:
    _, first = portal_link_create(candidate=candidate, actor=recruiter_a)
    _, second = portal_link_create(candidate=candidate, actor=recruiter_a)
    assert portal_links_revoke(candidate=candidate, actor=recruiter_a) == 2
    for token in (first, second):
        with pytest.raises(LinkRefused) as refused:
            portal_open(token)
        assert refused.value.reason == "revoked"
    assert AuditEvent.objects.filter(event_type="portal.links_revoked").count() == 1
    # A new link after the revocation opens.
    _, third = portal_link_create(candidate=candidate, actor=recruiter_a)
    assert portal_open(third).candidate == candidate


def test_an_erased_candidates_link_opens_nothing(candidate: Any, recruiter_a: Any) -> None:
    _, token = portal_link_create(candidate=candidate, actor=recruiter_a)
    candidate.erased_at = timezone.now()
    candidate.save(update_fields=["erased_at"])
    with pytest.raises(LinkRefused) as refused:
        portal_open(token)
    assert refused.value.reason == "invalid"
    with pytest.raises(ValueError, match="erased"):
        portal_link_create(candidate=candidate, actor=recruiter_a)


@pytest.mark.parametrize(
    ("state", "status", "says"),
    [
        ("altered", 404, "does not open a page"),
        ("expired", 410, "has expired"),
        ("revoked", 410, "was withdrawn"),
    ],
)
def test_a_refused_link_shows_a_plain_page_and_no_data(
    candidate: Any, recruiter_a: Any, state: str, status: int, says: str
) -> None:
    factories.ReputationEvidenceFactory(candidate=candidate, title="Keynote at PyCon")
    link, token = portal_link_create(candidate=candidate, actor=recruiter_a)
    if state == "altered":
        token = _altered(token, len(token) // 2)
    elif state == "expired":
        PortalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    else:
        portal_links_revoke(candidate=candidate, actor=recruiter_a)
    response = Client().get(reverse("renown:portal", kwargs={"token": token}))
    assert response.status_code == status
    body = response.content.decode()
    assert says in body
    assert "Ada Example" not in body
    assert "Keynote" not in body
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


@override_settings(RENOWN_PORTAL_RATE="3/min")
def test_requests_are_rate_limited_per_address(candidate: Any, recruiter_a: Any) -> None:
    _, token = portal_link_create(candidate=candidate, actor=recruiter_a)
    client = Client()
    url = reverse("renown:portal", kwargs={"token": token})
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get(url)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "Ada Example" not in limited.content.decode()
    # Guessing other links from the same address is limited alike.
    assert client.get(url + "x/").status_code in (404, 429)
    assert client.get(reverse("renown:portal", kwargs={"token": "guess"})).status_code == 429
    # Another address is not held up.
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_opening_is_counted_on_the_link(candidate: Any, recruiter_a: Any) -> None:
    link, token = portal_link_create(candidate=candidate, actor=recruiter_a)
    Client().get(reverse("renown:portal", kwargs={"token": token}))
    link.refresh_from_db()
    assert link.times_opened == 1
    assert link.last_opened_at is not None
