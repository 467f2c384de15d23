"""A candidate claims an account through their link and proves it is theirs with a public
proof code, read through the provider from a loopback stand-in of the instance (issue 21)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from candidates.models import SocialAccount
from hiring.portal import proofs
from hiring.portal.links import portal_link_create, portal_open
from hiring.portal.models import AccountProof, PortalAction
from renown.models import AuditEvent, WebhookDelivery
from renown.trail import audit_trail_verify
from renown.webhooks import services as webhook_services
from tests import factories
from tests.scoring.providers.replay import FIXTURES, replay_server

pytestmark = pytest.mark.django_db

LOOKUP = json.loads((FIXTURES / "mastodon" / "lookup.json").read_text())


@pytest.fixture
def ada(org_a: Any) -> Any:
    return factories.CandidateFactory(
        organization=org_a, name="Ada Example", ats_source="lever", external_id="opp-1"
    )


@pytest.fixture
def token(ada: Any, recruiter_a: Any) -> str:
    return portal_link_create(candidate=ada, actor=recruiter_a)[1]


@pytest.fixture
def hook(org_a: Any) -> None:
    webhook_services.subscription_create(
        organization=org_a,
        name="ATS",
        url="https://ats.example/hook",
        events=["candidate.portal_action"],
    )


def instance(note: str = "<p>Compilers.</p>", fields: list[dict[str, Any]] | None = None) -> Any:
    """A stand-in Mastodon instance on 127.0.0.1 whose ada has this bio and these fields."""
    account = {**LOOKUP, "username": "ada", "acct": "ada", "note": note, "fields": fields or []}
    routes = [
        {"path": "/api/v1/accounts/lookup", "params": {"acct": "ada"}, "body": json.dumps(account)},
    ]
    return replay_server("mastodon", routes)


def portal(token: str) -> str:
    return reverse("renown:portal", kwargs={"token": token})


def claim(client: Client, token: str, network: str, handle: str) -> Any:
    return client.post(
        reverse("renown:portal-account-claim", kwargs={"token": token}),
        {"network": network, "handle": handle},
    )


def prove(client: Client, token: str, account: SocialAccount) -> Any:
    return client.post(
        reverse("renown:portal-account-prove", kwargs={"token": token}),
        {"account": account.pk},
        follow=True,
    )


def test_a_mastodon_profile_carrying_the_code_makes_the_account_verified_by_proof(
    ada: Any, token: str, org_a: Any, hook: None, settings: Any, recruiter_a: Any
) -> None:
    """The acceptance line: with the code in the profile, verified by proof; without, not."""
    client = Client()
    assert claim(client, token, "mastodon", "@ada@mastodon.example").status_code == 302
    account = SocialAccount.objects.get(candidate=ada)
    assert account.verification == "claimed"
    page = client.get(portal(token)).content.decode()
    code = AccountProof.objects.get(account=account).code
    assert code in page
    assert token not in code
    assert code.startswith("renown-")
    assert "Check now" in page

    with instance(note="<p>Compilers and long walks.</p>") as base:
        settings.RENOWN_PROVIDER_URL_MASTODON = base
        answer = prove(client, token, account).content.decode()
    account.refresh_from_db()
    assert account.verification == "claimed"
    assert account.verified_at is None
    assert "Not found: Renown read the bio of ada@mastodon.example" in answer
    assert not AuditEvent.objects.filter(event_type="account.verified").exists()
    assert not PortalAction.objects.filter(kind="account_proved").exists()
    proof = AccountProof.objects.get(account=account)
    assert proof.checked_at is not None
    assert proof.verified_at is None

    field = {
        "name": "Renown",
        "value": f'<a href="https://renown.example/proof/{code}/" rel="nofollow noopener me">'
        f'<span class="invisible">https://</span><span class="ellipsis">renown.example/proof/'
        f'</span><span class="invisible">{code}/</span></a>',
        "verified_at": None,
    }
    with instance(fields=[field]) as base:
        settings.RENOWN_PROVIDER_URL_MASTODON = base
        answer = prove(client, token, account).content.decode()
    account.refresh_from_db()
    assert account.verification == "verified"
    assert account.verified_at is not None
    assert "is now verified by proof" in answer
    proof.refresh_from_db()
    assert proof.method == "mastodon_field"
    assert proof.verified_at is not None
    assert proof.handle_proved == "ada@mastodon.example"
    event = AuditEvent.objects.get(event_type="account.verified")
    assert event.actor_label == f"candidate, through portal link #{portal_open(token).link.pk}"
    assert event.actor_id is None
    assert event.after["proof"] == "mastodon_field"
    assert all(status.intact for status in audit_trail_verify(organization=org_a))
    kinds = list(PortalAction.objects.order_by("occurred_at").values_list("kind", flat=True))
    assert kinds == ["account_claimed", "account_proved"]
    sent = [
        json.loads(d.body)["data"]["action"]["kind"]
        for d in WebhookDelivery.objects.filter(event_type="candidate.portal_action").order_by("pk")
    ]
    assert sent == ["account_claimed", "account_proved"]
    # The page now says so; the code may go.
    assert "Verified by proof</strong> on" in client.get(portal(token)).content.decode()
    # The recruiter reads how: a proof, not a recruiter's word.
    recruiter = Client()
    recruiter.force_login(recruiter_a)
    seen = recruiter.get(f"/candidates/{ada.public_id}/").content.decode()
    assert "Verified by proof: the code in a mastodon profile field" in seen


def test_a_field_linking_to_the_proof_page_that_mastodon_verified_is_a_rel_me_proof(
    ada: Any, token: str, settings: Any
) -> None:
    account = factories.SocialAccountFactory(
        candidate=ada, network="mastodon", handle="ada@mastodon.example"
    )
    visit = portal_open(token)
    code = proofs.portal_proof_code(visit=visit, account=account).code
    page = reverse("renown:proof-page", kwargs={"code": code})
    field = {
        "name": "Renown",
        "value": f'<a href="https://renown.example{page}" rel="me">renown.example{page}</a>',
        "verified_at": "2026-12-07T17:02:11.482+00:00",
    }
    with instance(fields=[field]) as base:
        settings.RENOWN_PROVIDER_URL_MASTODON = base
        check = proofs.portal_account_prove(visit=visit, account=account)
    assert check.proved
    assert AccountProof.objects.get(account=account).method == "mastodon_rel_me"


def test_the_public_proof_page_links_back_to_the_profile_and_names_nobody(
    ada: Any, token: str
) -> None:
    account = factories.SocialAccountFactory(
        candidate=ada, network="mastodon", handle="ada@mastodon.example"
    )
    code = proofs.portal_proof_code(visit=portal_open(token), account=account).code
    response = Client().get(reverse("renown:proof-page", kwargs={"code": code}))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a rel="me" href="https://mastodon.example/@ada">ada@mastodon.example</a>' in html
    assert "Ada Example" not in html
    assert ada.organization.name not in html
    assert token not in html
    assert (
        Client().get(reverse("renown:proof-page", kwargs={"code": "renown-aaaaaaaaaa"})).status_code
        == 404
    )


def test_another_candidates_account_cannot_be_proved_or_coded(
    ada: Any, token: str, org_a: Any
) -> None:
    other = factories.SocialAccountFactory(
        candidate=factories.CandidateFactory(organization=org_a),
        network="mastodon",
        handle="bo@mastodon.example",
    )
    response = Client().post(
        reverse("renown:portal-account-prove", kwargs={"token": token}), {"account": other.pk}
    )
    assert response.status_code == 404
    with pytest.raises(proofs.AccountNotYours):
        proofs.portal_proof_code(visit=portal_open(token), account=other)
    assert not AccountProof.objects.exists()
    other.refresh_from_db()
    assert other.verification == "claimed"


def test_a_provider_failure_is_said_in_words_and_changes_nothing(
    ada: Any, token: str, settings: Any
) -> None:
    account = factories.SocialAccountFactory(
        candidate=ada, network="mastodon", handle="nobody@mastodon.example"
    )
    with replay_server("mastodon") as base:  # its nobody is a 404
        settings.RENOWN_PROVIDER_URL_MASTODON = base
        response = prove(Client(), token, account)
    assert response.status_code == 200
    assert "Mastodon says there is no account nobody@mastodon.example" in response.content.decode()
    account.refresh_from_db()
    assert account.verification == "claimed"
    assert not PortalAction.objects.exists()


def test_a_network_without_proofs_is_refused_in_words(ada: Any, token: str) -> None:
    account = factories.SocialAccountFactory(candidate=ada, network="hackernews", handle="ada")
    response = prove(Client(), token, account)
    assert response.status_code == 200
    assert "Renown cannot check a proof on Hacker News" in response.content.decode()
    assert not AccountProof.objects.exists()


def test_a_bad_claim_is_refused_naming_what_is_wrong(ada: Any, token: str) -> None:
    followed = Client().post(
        reverse("renown:portal-account-claim", kwargs={"token": token}),
        {"network": "mastodon", "handle": "not a handle"},
        follow=True,
    )
    assert "Not added: a Mastodon account is user@instance" in followed.content.decode()
    assert not SocialAccount.objects.exists()
    assert not PortalAction.objects.exists()


def test_claiming_an_account_already_held_records_nothing_new(ada: Any, token: str) -> None:
    factories.SocialAccountFactory(candidate=ada, network="github", handle="ada-example")
    claim(Client(), token, "github", "@Ada-Example")
    assert SocialAccount.objects.filter(candidate=ada).count() == 1
    assert not PortalAction.objects.exists()


def test_a_refused_link_claims_nothing(ada: Any, token: str) -> None:
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert claim(Client(), altered, "github", "someone").status_code == 404
    assert not SocialAccount.objects.exists()
