"""Workable webhooks in: signed deliveries upsert candidates (completed from the SPI); others 401.

Deliveries and API answers are recorded in tests/ats/fixtures/workable/ in the shapes
Workable documents (README.md there names each source). Workable's API is mocked with
aioresponses at the default RENOWN_ATS_API_URL_WORKABLE for the subdomain ``acme``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses

from candidates.models import Candidate, SocialAccount
from hiring.ats import services as ats_services
from hiring.ats.base import NotConnected
from hiring.ats.connectors import connector_for
from hiring.ats.models import CandidateLink, InboundDelivery
from hiring.ats.workable import parse, signature
from hiring.models import Application, Job
from renown.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures" / "workable"
URL = "/api/v1/ats/workable/{slug}/"
API = "https://acme.workable.com/spi/v3"
CANDIDATE_URL = f"{API}/candidates/3f9c2a17"
ANY_URL = re.compile(r".*")
TOKEN = "wk-acme-token-0001"  # Workable signs with the account's API access token


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def answer(name: str) -> Any:
    return json.loads(fixture(name))


@pytest.fixture(autouse=True)
def _no_rate_wait(settings: Any) -> None:
    # Workable's 10 requests per 10 s would make the suite wait; the rate itself is the
    # client's (tests/ats of AtsApi), not this connector's.
    settings.RENOWN_ATS_RATE_WORKABLE = ""


@pytest.fixture
def secret(org_a: Any) -> str:
    return ats_services.ats_secret_set(organization=org_a, ats="workable", value=TOKEN)


@pytest.fixture
def connected(org_a: Any, secret: str) -> str:
    ats_services.ats_connect(
        organization=org_a, ats="workable", credentials={"token": TOKEN, "subdomain": "acme"}
    )
    return secret


def post(client: Any, body: bytes, sig: str | None, *, slug: str = "acme") -> Any:
    headers = {} if sig is None else {"HTTP_X_WORKABLE_SIGNATURE": sig}
    return client.post(URL.format(slug=slug), data=body, content_type="application/json", **headers)


def nothing_stored() -> bool:
    return not (
        Candidate.objects.exists()
        or InboundDelivery.objects.exists()
        or AuditEvent.objects.filter(event_type=AuditEventType.ATS_DELIVERY_APPLIED).exists()
    )


def requests_made(mocked: aioresponses) -> list[tuple[str, str]]:
    return [(method, str(url)) for (method, url) in mocked.requests]


# --- a delivery in ------------------------------------------------------------------------


def test_a_created_candidate_is_completed_from_the_api_and_stored(
    client: Any, org_a: Any, connected: str
) -> None:
    body = fixture("candidate_created.json")
    with aioresponses() as mocked:
        mocked.get(CANDIDATE_URL, payload=answer("candidate_api.json"))
        response = post(client, body, signature(connected, body))
        [(_, sent)] = mocked.requests.items()
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["status"], result["action"], result["created"]) == (
        "processed",
        "candidate_created",
        True,
    )
    assert result["fetched"] == ["candidate"]
    assert sent[0].kwargs["headers"]["Authorization"] == f"Bearer {TOKEN}"
    candidate = Candidate.objects.get(organization=org_a, ats_source="workable")
    assert candidate.external_id == "3f9c2a17"
    assert candidate.name == "Mei-Ling Haraldsen"
    assert candidate.email == "mei.haraldsen@example.com"
    assert result["candidate"] == str(candidate.public_id)
    accounts = set(
        SocialAccount.objects.filter(candidate=candidate).values_list(
            "network", "handle", "verification"
        )
    )
    assert accounts == {
        ("github", "meiling-h", "claimed"),
        ("bluesky", "meiling.bsky.social", "claimed"),
        ("mastodon", "meiling@mastodon.social", "claimed"),
    }
    links = set(
        CandidateLink.objects.filter(candidate=candidate).values_list("kind", "label", "url")
    )
    assert links == {
        ("social", "LinkedIn", "https://www.linkedin.com/in/meiling-haraldsen"),
        ("social", "Twitter", "https://twitter.com/meiling_h"),
        ("social", "WordPress", "https://meiling-haraldsen.example.org"),
    }
    job = Job.objects.get(organization=org_a)
    assert (job.external_id, job.title) == ("workable-job-ACMEDEV07", "Developer Advocate")
    application = Application.objects.get(job=job, candidate=candidate)
    assert application.external_id == "3f9c2a17"
    assert result["rejected"] == []
    applied = AuditEvent.objects.filter(
        organization=org_a, event_type=AuditEventType.ATS_DELIVERY_APPLIED
    )
    assert applied.count() == 1
    after = applied.get().after
    assert isinstance(after, dict)
    assert after["fetched"] == ["candidate"]


def test_a_delivery_carrying_the_social_profiles_fetches_nothing(
    client: Any, org_a: Any, secret: str
) -> None:
    # No ats_connect: a delivery that lacks nothing needs no API credentials.
    body = fixture("candidate_moved.json")
    with aioresponses() as mocked:
        result = post(client, body, signature(secret, body)).json()
        assert requests_made(mocked) == []
    assert (result["status"], result["fetched"]) == ("processed", [])
    candidate = Candidate.objects.get()
    assert (candidate.name, candidate.email) == ("Tomasz Wróbel", "tomasz.wrobel@example.net")
    assert set(SocialAccount.objects.values_list("network", "handle")) == {
        ("stackexchange", "stackoverflow:22656"),
    }
    assert set(CandidateLink.objects.values_list("url", flat=True)) == {
        "https://twitter.com/twrobel_sre"
    }
    assert result["jobs"] == ["workable-job-ACMESRE02"]


def test_a_target_with_a_query_string_is_the_same_endpoint(
    client: Any, org_a: Any, secret: str
) -> None:
    # Workable registers a target URL once: docs/integrations.md gives each event its own
    # with ?event=..., which Renown ignores (the signature covers the body only).
    body = fixture("candidate_moved.json")
    response = client.post(
        URL.format(slug="acme") + "?event=candidate_moved",
        data=body,
        content_type="application/json",
        HTTP_X_WORKABLE_SIGNATURE=signature(secret, body),
    )
    assert response.status_code == 200
    assert response.json()["status"] == "processed"


# --- refused deliveries --------------------------------------------------------------------


def _signed_by_another_organisation(body: bytes, org_b: Any) -> str:
    other = ats_services.ats_secret_set(organization=org_b, ats="workable", value="globex-tok-9")
    return signature(other, body)


BAD_SIGNATURES: dict[str, Callable[[bytes, Any], str | None]] = {
    "missing": lambda body, org_b: None,
    "empty": lambda body, org_b: "",
    "not hex": lambda body, org_b: "z" * 64,
    "too short": lambda body, org_b: signature(TOKEN, body)[:40],
    "zeros": lambda body, org_b: "0" * 64,
    "prefixed like GitHub's": lambda body, org_b: "sha256=" + signature(TOKEN, body),
    "another secret": lambda body, org_b: signature("not-the-token", body),
    "another organisation's secret": _signed_by_another_organisation,
    "the body with other whitespace": lambda body, org_b: signature(
        TOKEN, json.dumps(json.loads(body)).encode()
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SIGNATURES))
def test_a_delivery_not_signed_with_this_organisations_token_is_401_and_stores_nothing(
    client: Any, org_a: Any, org_b: Any, connected: str, case: str
) -> None:
    body = fixture("candidate_created.json")
    with aioresponses() as mocked:
        mocked.get(ANY_URL, payload=answer("candidate_api.json"), repeat=True)
        response = post(client, body, BAD_SIGNATURES[case](body, org_b))
        assert requests_made(mocked) == []
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Signature")
    assert nothing_stored()


@pytest.mark.parametrize("slug", ["globex", "nope", "ACME"])
def test_a_good_signature_for_another_or_unknown_organisation_is_401(
    client: Any, org_a: Any, org_b: Any, connected: str, slug: str
) -> None:
    body = fixture("candidate_created.json")
    assert post(client, body, signature(connected, body), slug=slug).status_code == 401
    assert nothing_stored()


def test_a_tampered_body_is_401(client: Any, org_a: Any, connected: str) -> None:
    body = fixture("candidate_created.json")
    tampered = body.replace(b"mei.haraldsen@example.com", b"mallory@example.com")
    assert post(client, tampered, signature(connected, body)).status_code == 401
    assert nothing_stored()


# --- replays and later events -----------------------------------------------------------


def test_a_replayed_delivery_changes_nothing(client: Any, org_a: Any, secret: str) -> None:
    body = fixture("candidate_moved.json")
    sig = signature(secret, body)
    assert post(client, body, sig).json()["status"] == "processed"
    candidate = Candidate.objects.get()
    candidate.name = "Tomasz W. (edited in Renown)"
    candidate.save()
    SocialAccount.objects.all().delete()
    # Workable sends the same event again with the state at the time of the request: a
    # different body, the same event, resource and time fired.
    resent = body.replace(b"Keeps services up", b"Keeps most services up")
    for again in (body, resent):
        response = post(client, again, signature(secret, again))
        assert response.status_code == 200
        assert response.json()["status"] == "duplicate"
    candidate.refresh_from_db()
    assert candidate.name == "Tomasz W. (edited in Renown)"
    assert not SocialAccount.objects.exists()
    assert InboundDelivery.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.ATS_DELIVERY_APPLIED).count() == 1


def test_a_later_move_of_the_same_candidate_updates_them(
    client: Any, org_a: Any, secret: str
) -> None:
    first = fixture("candidate_moved.json")
    post(client, first, signature(secret, first))
    later = first.replace(b"2026-06-03T15:02:11.907Z", b"2026-06-09T08:30:00.001Z").replace(
        b"tomasz.wrobel@example.net", b"tomasz@new.example"
    )
    result = post(client, later, signature(secret, later)).json()
    assert (result["status"], result["created"]) == ("processed", False)
    assert Candidate.objects.get().email == "tomasz@new.example"
    assert Job.objects.count() == 1
    assert InboundDelivery.objects.count() == 2


# --- the API failing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "attempts", "retry_after"),
    [
        ([{"status": 500}] * 3, 3, "60"),
        # Workable's documented 429: X-Rate-Limit-* headers, no Retry-After.
        (
            [
                {
                    "status": 429,
                    "headers": {
                        "X-Rate-Limit-Limit": "10",
                        "X-Rate-Limit-Remaining": "0",
                        "X-Rate-Limit-Reset": "1780390500",
                    },
                }
            ]
            * 3,
            3,
            "60",
        ),
        # A 429 asking to wait longer than RENOWN_ATS_API_MAX_WAIT_SECONDS: not waited for.
        ([{"status": 429, "headers": {"Retry-After": "30"}}], 1, "30"),
    ],
    ids=["500 three times", "429 as documented", "429 asking for 30 s"],
)
def test_when_the_api_fails_the_delivery_is_503_and_stored_only_when_sent_again(
    client: Any,
    org_a: Any,
    connected: str,
    answers: list[dict[str, Any]],
    attempts: int,
    retry_after: str,
) -> None:
    body = fixture("candidate_created.json")
    sig = signature(connected, body)
    with aioresponses() as mocked:
        for given in answers:
            mocked.get(CANDIDATE_URL, **given)
        response = post(client, body, sig)
        assert len(requests_made(mocked)) == 1  # one URL...
        assert len(next(iter(mocked.requests.values()))) == attempts  # ...asked this often
    assert response.status_code == 503
    assert response["Retry-After"] == retry_after
    assert response["Content-Type"] == "application/problem+json"
    assert nothing_stored()
    with aioresponses() as mocked:
        mocked.get(CANDIDATE_URL, payload=answer("candidate_api.json"))
        result = post(client, body, sig).json()
    assert result["status"] == "processed"
    assert SocialAccount.objects.count() == 3


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"candidates": []}, "no candidate object"),
        ({"candidate": "3f9c2a17"}, "no candidate object"),
        ({"candidate": {"id": "99999999", "social_profiles": []}}, "another candidate"),
    ],
)
def test_an_api_answer_that_is_not_the_candidate_is_503(
    client: Any, org_a: Any, connected: str, payload: Any, message: str
) -> None:
    body = fixture("candidate_created.json")
    with aioresponses() as mocked:
        mocked.get(CANDIDATE_URL, payload=payload)
        response = post(client, body, signature(connected, body))
    assert response.status_code == 503
    assert message in response.json()["detail"]
    assert nothing_stored()


def test_without_api_credentials_the_delivery_is_503_naming_ats_connect(
    client: Any, org_a: Any, secret: str
) -> None:
    body = fixture("candidate_created.json")
    with aioresponses() as mocked:
        response = post(client, body, signature(secret, body))
        assert requests_made(mocked) == []
    assert response.status_code == 503
    assert "ats_connect --org acme --ats workable" in response.json()["detail"]
    assert nothing_stored()


def test_the_candidate_id_cannot_steer_the_api_path(
    client: Any, org_a: Any, connected: str
) -> None:
    document = json.loads(fixture("candidate_created.json"))
    document["data"]["id"] = "../jobs/ACMEDEV07?x="
    body = json.dumps(document).encode()
    with aioresponses() as mocked:
        mocked.get(ANY_URL, status=404, repeat=True)
        response = post(client, body, signature(connected, body))
        [(_, url)] = requests_made(mocked)
    assert response.status_code == 200  # Workable has no such candidate: ignored
    assert response.json()["status"] == "ignored"
    assert url == f"{API}/candidates/..%2Fjobs%2FACMEDEV07%3Fx="  # one path segment, no query


# --- the account's subdomain -----------------------------------------------------------

GOOD_SUBDOMAINS = {
    "acme": "https://acme.workable.com/spi/v3",
    "acme-corp": "https://acme-corp.workable.com/spi/v3",
    "ACME2": "https://acme2.workable.com/spi/v3",
    "a": "https://a.workable.com/spi/v3",
    "a" * 63: f"https://{'a' * 63}.workable.com/spi/v3",
}
BAD_SUBDOMAINS = [
    "",
    "evil.com#",
    "evil.com/",
    "acme.evil.com",
    "acme@evil.com",
    "evil.com?",
    "acme:8443",
    "127.0.0.1",
    "-acme",
    "acme-",
    "a" * 64,
    "acme\u212a",  # KELVIN SIGN, which a case-insensitive [a-z] would take for a "k"
    "\u00e1cme",
    "xn--cme-ioa.evil",
    "acme\n",
    "acme ",
    "%2e%2e",
    "..",
]


@pytest.mark.parametrize(("subdomain", "root"), sorted(GOOD_SUBDOMAINS.items()))
def test_the_api_root_is_the_accounts_subdomain_of_workable_com(subdomain: str, root: str) -> None:
    connector = connector_for("workable")
    setting = "https://{subdomain}.workable.com/spi/v3"
    assert connector.api_root({"token": TOKEN, "subdomain": subdomain}, setting) == root


@pytest.mark.parametrize("subdomain", BAD_SUBDOMAINS)
def test_a_subdomain_that_could_name_another_host_is_refused(subdomain: str) -> None:
    connector = connector_for("workable")
    with pytest.raises(NotConnected, match="not one"):
        connector.api_root(
            {"token": TOKEN, "subdomain": subdomain}, "https://{subdomain}.workable.com/spi/v3"
        )


@pytest.mark.parametrize("subdomain", ["evil.com#", "acme.evil.com", "acme@evil.com"])
def test_a_stored_bad_subdomain_makes_no_request_and_answers_503(
    client: Any, org_a: Any, secret: str, subdomain: str
) -> None:
    ats_services.ats_connect(
        organization=org_a, ats="workable", credentials={"token": TOKEN, "subdomain": subdomain}
    )
    body = fixture("candidate_created.json")
    with aioresponses() as mocked:
        mocked.get(ANY_URL, payload=answer("candidate_api.json"), repeat=True)
        response = post(client, body, signature(secret, body))
        assert requests_made(mocked) == []
    assert response.status_code == 503
    assert "ats_connect" in response.json()["detail"]
    assert nothing_stored()


# --- events Renown does not take, and malformed bodies -----------------------------------


@pytest.mark.parametrize(
    "body",
    [
        fixture("employee_created.json"),
        b'{"id": "5d07b8e1", "resource_type": "candidate", "event_type": "candidate_deleted",'
        b' "fired_at": "2026-06-05T10:00:00.000Z", "data": {"id": "5d07b8e1"}}',
    ],
    ids=["employee_created", "candidate_deleted"],
)
def test_an_event_without_a_candidate_to_add_is_ignored_and_says_so(
    client: Any, org_a: Any, secret: str, body: bytes
) -> None:
    result = post(client, body, signature(secret, body)).json()
    assert result["status"] == "ignored"
    assert "no candidate" in result["reason"]
    assert not Candidate.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"[]", "body"),
        (b"{}", "event_type"),
        (b'{"event_type": 3}', "event_type"),
        (b'{"event_type": "candidate_created"}', "data"),
        (b'{"event_type": "candidate_created", "data": []}', "data"),
        (b'{"event_type": "candidate_moved", "data": {"name": "No Id"}}', "data.id"),
        (b'{"event_type": "candidate_moved", "data": {"id": null}}', "data.id"),
        (b'{"event_type": "candidate_moved", "data": {"id": {"x": 1}}}', "data.id"),
        (b'{"event_type": "candidate_moved", "data": {"id": true}}', "data.id"),
        (b'{"event_type": "candidate_moved", "data": {"id": "' + b"x" * 101 + b'"}}', "data.id"),
    ],
)
def test_a_signed_body_that_is_not_a_workable_candidate_event_is_400_by_field(
    client: Any, org_a: Any, secret: str, body: bytes, field: str
) -> None:
    response = post(client, body, signature(secret, body))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}
    assert nothing_stored()


def test_bad_fields_are_reported_by_field_and_the_rest_is_kept(
    client: Any, org_a: Any, secret: str
) -> None:
    document = json.loads(fixture("candidate_moved.json"))
    person = document["data"]
    person["email"] = 42
    person["lastname"] = "\u200b"
    person["job"] = "ACMESRE02"
    person["social_profiles"] += [
        {"type": "bluesky", "url": "https://bsky.app/profile/bad handle"},
        {"type": "github"},
        "https://github.com/not-an-object",
    ]
    body = json.dumps(document).encode()
    result = post(client, body, signature(secret, body)).json()
    assert result["status"] == "processed"
    assert {entry["field"] for entry in result["rejected"]} == {
        "data.email",
        "data.lastname",
        "data.job",
        "data.social_profiles[2].url",
        "data.social_profiles[3].url",
        "data.social_profiles[4].url",
    }
    candidate = Candidate.objects.get()
    assert (candidate.name, candidate.email) == ("Tomasz", "")
    assert result["jobs"] == []
    assert SocialAccount.objects.filter(network="stackexchange").exists()


def test_parse_asks_to_fetch_only_what_the_delivery_lacks() -> None:
    created = parse(answer("candidate_created.json"))
    moved = parse(answer("candidate_moved.json"))
    assert created is not None
    assert moved is not None
    assert dict(created.fetch) == {"candidate": "3f9c2a17"}
    assert created.addresses == ()
    assert dict(moved.fetch) == {}
    # An empty list is the delivery saying there are none: nothing to fetch either.
    document = answer("candidate_created.json")
    document["data"]["social_profiles"] = []
    empty = parse(document)
    assert empty is not None
    assert dict(empty.fetch) == {}
