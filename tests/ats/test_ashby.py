"""Ashby webhooks in: signed deliveries, the candidate's social links read from candidate.info.

Ashby's API is mocked (aioresponses) at RENOWN_ATS_API_URL_ASHBY's default with the
recorded answers in tests/ats/fixtures/ashby/ (sources in its README.md).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses
from yarl import URL

from candidates.models import Candidate, SocialAccount
from hiring.ats import services as ats_services
from hiring.ats.ashby import parse, signature
from hiring.ats.base import BadPayload
from hiring.ats.models import CandidateLink, InboundDelivery
from hiring.models import Application, Job
from renown.models import AuditEvent

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures" / "ashby"
URL_PATH = "/api/v1/ats/ashby/{slug}/"
CANDIDATE_INFO = "https://api.ashbyhq.com/candidate.info"
API_KEY = "ashby-api-key-0123"
CANDIDATE_ID = "3e8d1f27-64b9-4a0c-8f15-d2c7a9e04b36"
APPLIED = "ats.delivery_applied"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def answer(name: str) -> Any:
    return json.loads(fixture(name))


@pytest.fixture
def secret(org_a: Any) -> str:
    return ats_services.ats_secret_set(organization=org_a, ats="ashby")


@pytest.fixture
def connected(org_a: Any) -> None:
    ats_services.ats_connect(organization=org_a, ats="ashby", credentials={"api_key": API_KEY})


@pytest.fixture
def ashby_api() -> Iterator[aioresponses]:
    with aioresponses() as mocked:
        yield mocked


def post(client: Any, body: bytes, sig: str | None, *, slug: str = "acme") -> Any:
    headers = {} if sig is None else {"HTTP_ASHBY_SIGNATURE": sig}
    return client.post(
        URL_PATH.format(slug=slug), data=body, content_type="application/json", **headers
    )


def stored_nothing() -> bool:
    return (
        not Candidate.objects.exists()
        and not InboundDelivery.objects.exists()
        and not AuditEvent.objects.filter(event_type=APPLIED).exists()
    )


def calls(mocked: aioresponses) -> list[Any]:
    return mocked.requests.get(("POST", URL(CANDIDATE_INFO)), [])


# --- signatures ----------------------------------------------------------------------

BODY = fixture("application_submit.json")


def _bad_signatures(right: str, other_org: str) -> dict[str, tuple[bytes, str | None, str]]:
    """name -> (body, Ashby-Signature header, organisation slug)."""
    return {
        "missing": (BODY, None, "acme"),
        "empty": (BODY, "", "acme"),
        "no algorithm": (BODY, signature(right, BODY).removeprefix("sha256="), "acme"),
        "another algorithm": (BODY, "sha1=" + signature(right, BODY)[7:], "acme"),
        "Greenhouse's form": (BODY, signature(right, BODY).replace("=", " ", 1), "acme"),
        "zeros": (BODY, "sha256=" + "0" * 64, "acme"),
        "another secret": (BODY, signature("not-the-secret-at-all", BODY), "acme"),
        "another organisation's secret": (BODY, signature(other_org, BODY), "acme"),
        "tampered body": (
            BODY.replace("Tomás".encode(), b"Mallory"),
            signature(right, BODY),
            "acme",
        ),
        "unknown organisation": (BODY, signature(right, BODY), "nope"),
    }


@pytest.mark.parametrize("case", list(_bad_signatures("a", "b")))
def test_a_delivery_not_signed_with_the_organisations_secret_is_401_and_stores_nothing(
    client: Any,
    org_a: Any,
    org_b: Any,
    secret: str,
    connected: None,
    ashby_api: aioresponses,
    case: str,
) -> None:
    other = ats_services.ats_secret_set(organization=org_b, ats="ashby")
    ashby_api.post(CANDIDATE_INFO, payload=answer("candidate_info.json"), repeat=True)
    body, sig, slug = _bad_signatures(secret, other)[case]
    response = post(client, body, sig, slug=slug)
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert stored_nothing()
    assert calls(ashby_api) == []


# --- a delivery ------------------------------------------------------------------------


def test_a_signed_application_creates_the_candidate_from_candidate_info(
    client: Any, org_a: Any, secret: str, connected: None, ashby_api: aioresponses
) -> None:
    ashby_api.post(CANDIDATE_INFO, payload=answer("candidate_info.json"))
    response = post(client, BODY, signature(secret, BODY))
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["status"], result["created"], result["action"]) == (
        "processed",
        True,
        "applicationSubmit",
    )
    assert result["fetched"] == ["candidate"]
    assert result["rejected"] == []
    # What Renown asked Ashby: candidate.info for this candidate, HTTP Basic with the key.
    [call] = calls(ashby_api)
    assert json.loads(call.kwargs["data"]) == {"id": CANDIDATE_ID}
    expected = "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()
    assert call.kwargs["headers"]["Authorization"] == expected
    candidate = Candidate.objects.get(organization=org_a, ats_source="ashby")
    assert candidate.external_id == CANDIDATE_ID
    assert candidate.name == "Tomás Ferreira"
    assert candidate.email == "tomas.ferreira@example.com"
    assert result["candidate"] == str(candidate.public_id)
    accounts = set(
        SocialAccount.objects.filter(candidate=candidate).values_list(
            "network", "handle", "verification"
        )
    )
    assert accounts == {
        ("github", "tferreira-example", "claimed"),
        ("stackexchange", "stackoverflow:4815162", "claimed"),
        ("bluesky", "tferreira.bsky.social", "claimed"),
        ("mastodon", "tferreira@mastodon.social", "claimed"),
    }
    links = set(
        CandidateLink.objects.filter(candidate=candidate).values_list("kind", "label", "url")
    )
    assert links == {
        ("social", "LinkedIn", "https://www.linkedin.com/in/tomas-ferreira-example"),
        ("social", "Twitter", "https://twitter.com/tferreira_example"),
        ("website", "Website", "https://tomas-ferreira.example"),
    }
    job = Job.objects.get(organization=org_a)
    assert (job.external_id, job.title) == (
        "ashby-job-4071538b-3cac-4fbf-ac76-f78ed250ffdd",
        "Developer Advocate",
    )
    application = Application.objects.get(job=job, candidate=candidate)
    assert application.external_id == "b6f3c2a8-1d4e-4c7b-9a25-7e0f1c3d5a92"
    [event] = AuditEvent.objects.filter(organization=org_a, event_type=APPLIED)
    assert event.actor_label == "ats:ashby"
    assert event.after is not None
    assert event.after["fetched"] == ["candidate"]
    # The API key is never on the trail or in the answer.
    assert API_KEY not in json.dumps(event.hash_payload())
    assert API_KEY not in response.content.decode()


def test_a_replay_is_a_duplicate_and_changes_nothing(
    client: Any, org_a: Any, secret: str, connected: None, ashby_api: aioresponses
) -> None:
    ashby_api.post(CANDIDATE_INFO, payload=answer("candidate_info.json"), repeat=True)
    sig = signature(secret, BODY)
    assert post(client, BODY, sig).json()["status"] == "processed"
    candidate = Candidate.objects.get()
    candidate.name = "Tomás F. (edited in Renown)"
    candidate.save()
    SocialAccount.objects.filter(network="github").delete()
    # Ashby's retry: the same body; and the same event id with another body.
    retried = json.loads(BODY)
    retried["data"]["application"]["updatedAt"] = "2026-09-14T08:15:00.000Z"
    again = json.dumps(retried).encode()
    for body in (BODY, again):
        response = post(client, body, signature(secret, body))
        assert response.status_code == 200
        assert response.json()["status"] == "duplicate"
    candidate.refresh_from_db()
    assert candidate.name == "Tomás F. (edited in Renown)"
    assert not SocialAccount.objects.filter(network="github").exists()
    assert InboundDelivery.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=APPLIED).count() == 1
    assert len(calls(ashby_api)) == 1


def test_a_later_event_updates_the_same_candidate_and_job(
    client: Any, org_a: Any, secret: str, connected: None, ashby_api: aioresponses
) -> None:
    ashby_api.post(CANDIDATE_INFO, payload=answer("candidate_info.json"))
    post(client, BODY, signature(secret, BODY))
    info = answer("candidate_info.json")
    info["results"]["primaryEmailAddress"]["value"] = "tomas@new.example"
    ashby_api.post(CANDIDATE_INFO, payload=info)
    later = fixture("candidate_stage_change.json")
    result = post(client, later, signature(secret, later)).json()
    assert (result["status"], result["created"], result["action"]) == (
        "processed",
        False,
        "candidateStageChange",
    )
    assert Candidate.objects.get().email == "tomas@new.example"
    assert Job.objects.count() == 1
    assert Application.objects.count() == 1
    assert SocialAccount.objects.count() == 4


def test_what_candidate_info_holds_that_renown_cannot_store_is_reported_by_field(
    client: Any, org_a: Any, secret: str, connected: None, ashby_api: aioresponses
) -> None:
    info = answer("candidate_info.json")
    info["results"]["primaryEmailAddress"] = {"value": "not-an-email", "type": "Personal"}
    info["results"]["emailAddresses"] = [{"value": 42}]
    info["results"]["socialLinks"] += [
        {"type": "Website", "url": "https://bsky.app/profile/bad handle"},
        {"type": "GitHub"},
    ]
    ashby_api.post(CANDIDATE_INFO, payload=info)
    result = post(client, BODY, signature(secret, BODY)).json()
    assert result["status"] == "processed"
    assert {entry["field"] for entry in result["rejected"]} == {
        "candidate.info.results.primaryEmailAddress.value",
        "candidate.info.results.emailAddresses[0].value",
        "candidate.info.results.socialLinks[7].url",
        "candidate.info.results.socialLinks[8].url",
    }
    # The delivery's own address is used when Ashby's answer has no usable one.
    assert Candidate.objects.get().email == "tomas.ferreira@example.com"


# --- Ashby's API failing ---------------------------------------------------------------


def _fail_500(mocked: aioresponses) -> None:
    for _ in range(3):
        mocked.post(CANDIDATE_INFO, status=500)


def _fail_429(mocked: aioresponses) -> None:
    mocked.post(CANDIDATE_INFO, status=429, headers={"Retry-After": "120"})


def _fail_success_false(mocked: aioresponses) -> None:
    mocked.post(CANDIDATE_INFO, payload=answer("candidate_info_error.json"))


def _fail_403(mocked: aioresponses) -> None:
    mocked.post(CANDIDATE_INFO, status=403, payload={"success": False})


@pytest.mark.parametrize(
    ("failure", "retry_after", "said"),
    [
        (_fail_500, "60", "HTTP 500 (after 3 attempts)"),
        (_fail_429, "120", "HTTP 429 (the ATS asks to wait)"),
        (_fail_success_false, "60", "invalid_input"),
        (_fail_403, "60", "HTTP 403"),
    ],
)
def test_when_ashbys_api_fails_the_delivery_is_503_and_succeeds_when_sent_again(
    client: Any,
    org_a: Any,
    secret: str,
    connected: None,
    ashby_api: aioresponses,
    failure: Callable[[aioresponses], None],
    retry_after: str,
    said: str,
) -> None:
    failure(ashby_api)
    response = post(client, BODY, signature(secret, BODY))
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == retry_after
    assert said in response.json()["detail"]
    assert stored_nothing()
    ashby_api.post(CANDIDATE_INFO, payload=answer("candidate_info.json"))
    again = post(client, BODY, signature(secret, BODY))
    assert again.status_code == 200
    assert again.json()["status"] == "processed"
    assert Candidate.objects.filter(ats_source="ashby").count() == 1


def test_without_stored_credentials_the_delivery_is_503_naming_ats_connect(
    client: Any, org_a: Any, secret: str, ashby_api: aioresponses
) -> None:
    response = post(client, BODY, signature(secret, BODY))
    assert response.status_code == 503
    assert "ats_connect --org acme --ats ashby" in response.json()["detail"]
    assert stored_nothing()
    assert calls(ashby_api) == []


# --- ping and other events ---------------------------------------------------------------


def test_ping_answers_200_without_credentials_or_api_calls(
    client: Any, org_a: Any, secret: str, ashby_api: aioresponses
) -> None:
    body = fixture("ping.json")
    response = post(client, body, signature(secret, body))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "action": "ping"}
    assert post(client, body, None).status_code == 401
    assert post(client, body, signature("another-secret", body)).status_code == 401
    assert stored_nothing()
    assert calls(ashby_api) == []


def test_an_event_without_an_application_is_ignored_and_says_so(
    client: Any, org_a: Any, secret: str, connected: None, ashby_api: aioresponses
) -> None:
    body = fixture("candidate_delete.json")
    result = post(client, body, signature(secret, body)).json()
    assert (result["status"], result["action"]) == ("ignored", "candidateDelete")
    assert "no candidate" in result["reason"]
    assert not Candidate.objects.exists()
    assert calls(ashby_api) == []


# --- malformed bodies --------------------------------------------------------------------


def _document(**changes: Any) -> bytes:
    document = json.loads(BODY)
    application = document["data"]["application"]
    for path, value in changes.items():
        where = application
        *parents, last = path.split("__")
        for key in parents:
            where = where[key]
        where[last] = value
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"[]", "body"),
        (b'{"data": {}}', "action"),
        (b'{"action": 7, "data": {}}', "action"),
        (b'{"action": "applicationSubmit", "data": 3}', "data"),
        (b'{"action": "applicationSubmit"}', "data"),
        (b'{"action": "applicationSubmit", "data": {"application": []}}', "data.application"),
        (_document(candidate=None), "data.application.candidate"),
        (_document(candidate="3e8d1f27"), "data.application.candidate"),
        (_document(candidate__id=None), "data.application.candidate.id"),
        (_document(candidate__id=True), "data.application.candidate.id"),
        (_document(candidate__id=""), "data.application.candidate.id"),
        (_document(candidate__id="x" * 101), "data.application.candidate.id"),
    ],
)
def test_a_signed_body_that_is_not_an_ashby_application_is_400_by_field(
    client: Any,
    org_a: Any,
    secret: str,
    connected: None,
    ashby_api: aioresponses,
    body: bytes,
    field: str,
) -> None:
    response = post(client, body, signature(secret, body))
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}
    assert stored_nothing()
    assert calls(ashby_api) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"candidate__name": "Ada\u202eregnaL"}, "data.application.candidate.name"),
        ({"candidate__name": ["Tomás"]}, "data.application.candidate.name"),
        (
            {"candidate__primaryEmailAddress": "tomas@example.com"},
            "data.application.candidate.primaryEmailAddress.value",
        ),
        ({"job": "Developer Advocate"}, "data.application.job"),
        ({"job__id": None}, "data.application.job.id"),
        ({"job__title": {"en": "Developer Advocate"}}, "data.application.job.title"),
        ({"id": 12.5}, "data.application.id"),
    ],
)
def test_parse_keeps_the_candidate_and_reports_what_is_malformed(
    changes: dict[str, Any], field: str
) -> None:
    parsed = parse(json.loads(_document(**changes)))
    assert parsed is not None
    assert parsed.candidate_id == CANDIDATE_ID
    assert parsed.fetch == {"candidate": CANDIDATE_ID}
    assert field in {problem["field"] for problem in parsed.problems}


def test_parse_reads_the_documented_fields() -> None:
    parsed = parse(json.loads(BODY))
    assert parsed is not None
    assert (parsed.action, parsed.candidate_id, parsed.name) == (
        "applicationSubmit",
        CANDIDATE_ID,
        "Tomás Ferreira",
    )
    assert [e.value for e in parsed.emails] == ["tomas.ferreira@example.com"]
    assert [(j.id, j.name, j.requisition_id) for j in parsed.jobs] == [
        ("4071538b-3cac-4fbf-ac76-f78ed250ffdd", "Developer Advocate", "")
    ]
    assert parsed.application_id == "b6f3c2a8-1d4e-4c7b-9a25-7e0f1c3d5a92"
    assert parsed.addresses == ()
    assert parsed.problems == ()


def test_parse_raises_with_every_problem_when_there_is_no_candidate_id() -> None:
    with pytest.raises(BadPayload) as raised:
        parse(json.loads(_document(candidate__id=None, job__id=None)))
    assert {e["field"] for e in raised.value.errors} == {
        "data.application.candidate.id",
        "data.application.job.id",
    }
