"""Lever webhooks in: signed deliveries name an opportunity, read from Lever's API; others 401.

Deliveries and API answers are recorded in Lever's documented shapes
(tests/ats/fixtures/lever/README.md); Lever's API is mocked with aioresponses at the
default RENOWN_ATS_API_URL_LEVER.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses

from candidates.models import Candidate, SocialAccount
from hiring.ats import services as ats_services
from hiring.ats.base import BadPayload
from hiring.ats.lever import link_kind, parse, signature
from hiring.ats.models import CandidateLink, InboundDelivery
from hiring.models import Application, Job
from renown.models import AuditEvent

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures" / "lever"
URL = "/api/v1/ats/lever/{slug}/"
ROOT = "https://api.lever.co/v1"
OPPORTUNITY = "8f3b2c1d-6e5a-4b7c-9d0e-1f2a3b4c5d6e"
CONTACT = "2a9e7c41-d3b8-4f06-a5e2-7c1b9d4f8e03"
POSTING = "6c2e8b4d-1a7f-4e93-8d05-b3f9a1c7e2d6"
OPPORTUNITY_URL = f"{ROOT}/opportunities/{OPPORTUNITY}?expand=applications"
POSTING_URL = f"{ROOT}/postings/{POSTING}"
API_KEY = "lever-api-key-0001"
DAY_MS = 86_400_000


def fixture(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return found


def now_ms() -> int:
    return int(time.time() * 1000)


def signed(
    document: dict[str, Any], secret: str, *, token: str | None = None, at: int | None = None
) -> dict[str, Any]:
    """``document`` as Lever would send it now: its token, triggeredAt and signature."""
    copy = json.loads(json.dumps(document))
    copy["token"] = token or copy["token"]
    copy["triggeredAt"] = now_ms() if at is None else at
    copy["signature"] = signature(secret, copy["token"], copy["triggeredAt"])
    return copy


def encoded(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def post(client: Any, body: bytes, *, slug: str = "acme") -> Any:
    return client.post(URL.format(slug=slug), data=body, content_type="application/json")


@pytest.fixture
def tokens(org_a: Any) -> dict[str, str]:
    """Lever's signature token of each webhook, stored as the admin does (one per label)."""
    found = {
        "applicationCreated": "sig-token-application-created-7f1c",
        "candidateStageChange": "sig-token-stage-change-2b9e",
    }
    for label, token in found.items():
        ats_services.ats_secret_set(organization=org_a, ats="lever", value=token, label=label)
    return found


@pytest.fixture
def connected(org_a: Any) -> None:
    ats_services.ats_connect(organization=org_a, ats="lever", credentials={"api_key": API_KEY})


@pytest.fixture
def lever_api() -> Iterator[aioresponses]:
    with aioresponses() as mocked:
        yield mocked


def answer_opportunity(mocked: aioresponses, document: dict[str, Any] | None = None) -> None:
    mocked.get(OPPORTUNITY_URL, payload=document or fixture("opportunity.json"))


def answer_posting(mocked: aioresponses, document: dict[str, Any] | None = None) -> None:
    mocked.get(POSTING_URL, payload=document or fixture("posting.json"))


def applied_events() -> int:
    return AuditEvent.objects.filter(event_type="ats.delivery_applied").count()


def nothing_stored() -> bool:
    return not (Candidate.objects.exists() or InboundDelivery.objects.exists() or applied_events())


def test_a_signed_stage_change_creates_the_candidate_from_what_lever_answers(
    client: Any, org_a: Any, tokens: dict[str, str], connected: None, lever_api: aioresponses
) -> None:
    answer_opportunity(lever_api)
    answer_posting(lever_api)
    body = encoded(signed(fixture("candidateStageChange.json"), tokens["candidateStageChange"]))
    response = post(client, body)
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["status"], result["action"], result["created"]) == (
        "processed",
        "candidateStageChange",
        True,
    )
    assert result["fetched"] == ["opportunity"]
    candidate = Candidate.objects.get(organization=org_a, ats_source="lever")
    assert candidate.external_id == CONTACT  # the person, not the opportunity
    assert candidate.name == "Åsa Lindqvist"
    assert candidate.email == "asa.lindqvist@example.com"
    assert result["candidate"] == str(candidate.public_id)
    accounts = set(
        SocialAccount.objects.filter(candidate=candidate).values_list(
            "network", "handle", "verification"
        )
    )
    assert accounts == {
        ("github", "asa-lindqvist", "claimed"),
        ("bluesky", "asa.bsky.social", "claimed"),
        ("mastodon", "asal@mastodon.social", "claimed"),
    }
    links = set(CandidateLink.objects.filter(candidate=candidate).values_list("kind", "url"))
    assert links == {
        ("social", "linkedin.com/in/asa-lindqvist"),
        ("website", "https://lindqvist.example/"),
    }
    job = Job.objects.get(organization=org_a)
    assert (job.external_id, job.title) == ("REQ-2026-031", "Developer Advocate")
    assert result["jobs"] == ["REQ-2026-031"]
    application = Application.objects.get(job=job, candidate=candidate)
    assert application.external_id == OPPORTUNITY
    assert result["rejected"] == []
    assert applied_events() == 1
    record = InboundDelivery.objects.get()
    assert record.event_id == fixture("candidateStageChange.json")["token"]
    assert record.candidate == candidate


def test_lever_is_read_with_the_api_key_as_basic_user_and_the_application_expanded(
    client: Any, tokens: dict[str, str], connected: None, lever_api: aioresponses
) -> None:
    answer_opportunity(lever_api)
    answer_posting(lever_api)
    body = encoded(signed(fixture("applicationCreated.json"), tokens["applicationCreated"]))
    assert post(client, body).json()["status"] == "processed"
    sent = {str(url): calls for (_, url), calls in lever_api.requests.items()}
    assert set(sent) == {OPPORTUNITY_URL, POSTING_URL}
    expected = "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()
    for calls in sent.values():
        assert len(calls) == 1
        assert calls[0].kwargs["headers"]["Authorization"] == expected


@pytest.mark.parametrize(
    "event",
    ["applicationCreated", "candidateStageChange", "candidateHired", "candidateArchiveChange"],
)
def test_each_candidate_event_reads_the_opportunity(
    client: Any, tokens: dict[str, str], connected: None, lever_api: aioresponses, event: str
) -> None:
    answer_opportunity(lever_api)
    answer_posting(lever_api)
    document = fixture("candidateStageChange.json") | {"event": event}
    result = post(client, encoded(signed(document, tokens["applicationCreated"]))).json()
    assert (result["status"], result["action"]) == ("processed", event)
    assert Candidate.objects.get().external_id == CONTACT


def _no_signature(tokens: dict[str, str], other: str) -> tuple[dict[str, Any], str]:
    document = signed(fixture("candidateStageChange.json"), tokens["applicationCreated"])
    del document["signature"]
    return document, "acme"


def _case(
    change: Callable[[dict[str, Any], dict[str, str], str], dict[str, Any]], slug: str = "acme"
) -> Callable[[dict[str, str], str], tuple[dict[str, Any], str]]:
    def build(tokens: dict[str, str], other: str) -> tuple[dict[str, Any], str]:
        return change(fixture("candidateStageChange.json"), tokens, other), slug

    return build


def _tampered(key: str, value: object) -> Callable[[dict[str, Any], dict[str, str], str], dict[str, Any]]:  # fmt: skip
    def change(document: dict[str, Any], tokens: dict[str, str], other: str) -> dict[str, Any]:
        found = signed(document, tokens["applicationCreated"])
        found[key] = value(found[key]) if callable(value) else value
        return found

    return change


def _without(key: str) -> Callable[[dict[str, Any], dict[str, str], str], dict[str, Any]]:
    def change(document: dict[str, Any], tokens: dict[str, str], other: str) -> dict[str, Any]:
        found = signed(document, tokens["applicationCreated"])
        del found[key]
        return found

    return change


Build = Callable[[dict[str, str], str], tuple[Any, str]]
UNAUTHENTICATED: dict[str, Build] = {
    "no signature": _no_signature,
    "empty signature": _case(_tampered("signature", "")),
    "zeros for a signature": _case(_tampered("signature", "0" * 64)),
    "signature not a string": _case(_tampered("signature", 12345)),
    "no token": _case(_without("token")),
    "no triggeredAt": _case(_without("triggeredAt")),
    "signed with a token the organisation never stored": _case(
        lambda d, t, o: signed(d, "sig-token-of-someone-else-0000")
    ),
    "signed with another organisation's token": _case(lambda d, t, o: signed(d, o)),
    "token changed after signing": _case(_tampered("token", lambda v: v[:-1] + "0")),
    "triggeredAt changed after signing": _case(_tampered("triggeredAt", lambda v: v + 1)),
    "triggeredAt as a float": _case(_tampered("triggeredAt", lambda v: v + 0.5)),
    "triggeredAt negative": _case(lambda d, t, o: signed(d, t["applicationCreated"], at=-1)),
    "older than the replay window": _case(
        lambda d, t, o: signed(d, t["applicationCreated"], at=now_ms() - 31 * DAY_MS)
    ),
    "an hour from now": _case(
        lambda d, t, o: signed(d, t["applicationCreated"], at=now_ms() + 3_600_000)
    ),
    "unknown organisation": _case(lambda d, t, o: signed(d, t["applicationCreated"]), "nope"),
    "the other organisation's endpoint": _case(
        lambda d, t, o: signed(d, t["applicationCreated"]), "globex"
    ),
    "not an object": lambda t, o: (["not", "a", "delivery"], "acme"),
}


@pytest.mark.parametrize("case", list(UNAUTHENTICATED), ids=list(UNAUTHENTICATED))
def test_a_delivery_not_signed_by_a_stored_token_is_401_and_stores_nothing(
    client: Any,
    org_a: Any,
    org_b: Any,
    tokens: dict[str, str],
    connected: None,
    lever_api: aioresponses,
    case: str,
) -> None:
    other = ats_services.ats_secret_set(
        organization=org_b, ats="lever", value="sig-token-globex-9d3a", label="candidateStageChange"
    )
    document, slug = UNAUTHENTICATED[case](tokens, other)
    response = post(client, json.dumps(document).encode(), slug=slug)
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert "WWW-Authenticate" in response
    assert nothing_stored()
    assert lever_api.requests == {}  # nothing was read from Lever either


def test_a_body_that_is_not_json_is_401(client: Any, tokens: dict[str, str]) -> None:
    assert post(client, b"not json").status_code == 401
    assert nothing_stored()


def test_a_delivery_a_day_old_is_still_taken(
    client: Any, tokens: dict[str, str], connected: None, lever_api: aioresponses
) -> None:
    # Lever sends a failed delivery again, waiting longer each time, and an admin can
    # rerun one from the past two weeks: old is not refused, only older than the window.
    answer_opportunity(lever_api)
    answer_posting(lever_api)
    document = signed(
        fixture("candidateStageChange.json"), tokens["applicationCreated"], at=now_ms() - DAY_MS
    )
    assert post(client, encoded(document)).json()["status"] == "processed"


def test_a_replay_changes_nothing_even_with_other_data(
    client: Any, tokens: dict[str, str], connected: None, lever_api: aioresponses
) -> None:
    answer_opportunity(lever_api)
    answer_posting(lever_api)
    document = signed(fixture("candidateStageChange.json"), tokens["candidateStageChange"])
    assert post(client, encoded(document)).json()["status"] == "processed"
    candidate = Candidate.objects.get()
    candidate.name = "Åsa L. (edited in Renown)"
    candidate.save()
    # Lever signs only token and triggeredAt: a captured delivery replayed with another
    # opportunity in its data still carries a token Renown has seen.
    other = json.loads(json.dumps(document))
    other["data"]["opportunityId"] = "0badc0de-0000-4000-8000-000000000000"
    for body in (encoded(document), json.dumps(document, indent=1).encode(), encoded(other)):
        response = post(client, body)
        assert response.status_code == 200
        assert response.json()["status"] == "duplicate"
    candidate.refresh_from_db()
    assert candidate.name == "Åsa L. (edited in Renown)"
    assert InboundDelivery.objects.count() == 1
    assert applied_events() == 1
    assert sum(len(calls) for calls in lever_api.requests.values()) == 2  # the first only


def test_another_opportunity_of_the_same_contact_is_the_same_candidate(
    client: Any, org_a: Any, tokens: dict[str, str], connected: None, lever_api: aioresponses
) -> None:
    answer_opportunity(lever_api)
    answer_posting(lever_api)
    first = signed(fixture("applicationCreated.json"), tokens["applicationCreated"])
    assert post(client, encoded(first)).json()["created"] is True
    second_id, second_posting = (
        "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6",
        "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    )
    opportunity = fixture("opportunity.json")
    opportunity["data"]["id"] = second_id
    opportunity["data"]["emails"] = ["asa@new.example"]
    opportunity["data"]["applications"][0]["posting"] = second_posting
    lever_api.get(f"{ROOT}/opportunities/{second_id}?expand=applications", payload=opportunity)
    posting = fixture("posting.json")
    posting["data"] |= {"id": second_posting, "text": "Staff Engineer", "requisitionCodes": []}
    lever_api.get(f"{ROOT}/postings/{second_posting}", payload=posting)
    document = fixture("applicationCreated.json")
    document["data"]["opportunityId"] = second_id
    later = signed(document, tokens["applicationCreated"], token="f" * 48)
    result = post(client, encoded(later)).json()
    assert (result["status"], result["created"]) == ("processed", False)
    # No single requisition behind the posting: the posting is the job.
    assert result["jobs"] == [f"lever-job-{second_posting}"]
    candidate = Candidate.objects.get()
    assert candidate.email == "asa@new.example"
    assert sorted(Application.objects.values_list("external_id", flat=True)) == sorted(
        [OPPORTUNITY, second_id]
    )
    assert SocialAccount.objects.count() == 3


FAILURES = {
    "500 three times": (
        lambda m: [m.get(OPPORTUNITY_URL, status=500) for _ in range(3)],
        "60",
    ),
    "429 asking to wait longer than the budget": (
        lambda m: m.get(OPPORTUNITY_URL, status=429, headers={"Retry-After": "120"}),
        "120",
    ),
    "an answer without data": (lambda m: m.get(OPPORTUNITY_URL, payload={"code": "x"}), "60"),
    "an opportunity without contact": (
        lambda m: m.get(
            OPPORTUNITY_URL,
            payload={"data": fixture("opportunity.json")["data"] | {"contact": None}},
        ),
        "60",
    ),
    "the posting failing": (
        lambda m: [answer_opportunity(m), m.get(POSTING_URL, status=403)],
        "60",
    ),
}


@pytest.mark.parametrize("case", list(FAILURES), ids=list(FAILURES))
def test_lever_failing_is_503_with_retry_after_and_the_same_delivery_later_succeeds(
    client: Any, tokens: dict[str, str], connected: None, lever_api: aioresponses, case: str
) -> None:
    fail, retry_after = FAILURES[case]
    fail(lever_api)
    body = encoded(signed(fixture("candidateStageChange.json"), tokens["applicationCreated"]))
    response = post(client, body)
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == retry_after
    assert response.json()["status"] == 503
    assert nothing_stored()
    lever_api.clear()
    answer_opportunity(lever_api)
    answer_posting(lever_api)
    response = post(client, body)  # Lever sends it again
    assert response.status_code == 200
    assert response.json()["status"] == "processed"
    assert Candidate.objects.get().external_id == CONTACT


def test_an_opportunity_deleted_in_lever_since_is_ignored_and_not_asked_for_again(
    client: Any, tokens: dict[str, str], connected: None, lever_api: aioresponses
) -> None:
    lever_api.get(OPPORTUNITY_URL, status=404)
    body = encoded(signed(fixture("candidateStageChange.json"), tokens["applicationCreated"]))
    response = post(client, body)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ignored"
    assert "no longer has it" in response.json()["reason"]
    assert not Candidate.objects.exists()
    assert post(client, body).json()["status"] == "duplicate"  # Lever stops retrying it


def test_without_credentials_the_delivery_is_503_naming_ats_connect(
    client: Any, tokens: dict[str, str], lever_api: aioresponses
) -> None:
    body = encoded(signed(fixture("candidateStageChange.json"), tokens["applicationCreated"]))
    response = post(client, body)
    assert response.status_code == 503
    assert "ats_connect --org acme --ats lever" in response.json()["detail"]
    assert nothing_stored()
    assert lever_api.requests == {}


def test_the_test_request_from_lever_settings_answers_ok(
    client: Any, tokens: dict[str, str], lever_api: aioresponses
) -> None:
    document = signed(fixture("test_request.json"), tokens["candidateStageChange"])
    response = post(client, encoded(document))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "action": "candidateHired"}
    assert nothing_stored()
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    assert post(client, encoded(unsigned)).status_code == 401


@pytest.mark.parametrize("event", ["candidateDeleted", "interviewCreated", "contactUpdated"])
def test_events_renown_does_not_read_are_ignored_and_read_nothing(
    client: Any, tokens: dict[str, str], lever_api: aioresponses, event: str
) -> None:
    document = fixture("candidateDeleted.json") | {"event": event}
    result = post(client, encoded(signed(document, tokens["applicationCreated"]))).json()
    assert (result["status"], result["action"]) == ("ignored", event)
    assert ("erasing them" in result["reason"]) == (event == "candidateDeleted")
    assert lever_api.requests == {}
    assert not Candidate.objects.exists()
    assert InboundDelivery.objects.count() == 1  # a replay of it is a duplicate too


def test_bad_fields_in_lever_answer_are_reported_by_field_and_the_rest_kept(
    client: Any, tokens: dict[str, str], connected: None, lever_api: aioresponses
) -> None:
    opportunity = fixture("opportunity.json")
    data = opportunity["data"]
    data["name"] = "Åsa\u202eLindqvist"
    data["emails"] = ["not-an-email", 42, "asa@lindqvist.example"]
    data["links"] += [{"url": "https://example.com"}, "https://bsky.app/profile/bad handle"]
    data["applications"].append("4d7c1e9a-not-expanded")
    answer_opportunity(lever_api, opportunity)
    answer_posting(lever_api)
    body = encoded(signed(fixture("candidateStageChange.json"), tokens["applicationCreated"]))
    result = post(client, body).json()
    assert result["status"] == "processed"
    assert {e["field"] for e in result["rejected"]} == {
        "opportunity.name",
        "opportunity.emails[0]",  # not valid: the next valid one is kept
        "opportunity.emails[1]",
        "opportunity.links[5]",
        "opportunity.links[6]",
        "opportunity.applications[1]",
    }
    candidate = Candidate.objects.get()
    assert candidate.name == f"Lever candidate {CONTACT}"
    assert candidate.email == "asa@lindqvist.example"
    assert SocialAccount.objects.count() == 3
    assert Job.objects.get().external_id == "REQ-2026-031"


REMOVE = object()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"event": REMOVE}, "event"),
        ({"event": 7}, "event"),
        ({"event": " "}, "event"),
        ({"data": REMOVE}, "data"),
        ({"data": None}, "data"),
        ({"data": OPPORTUNITY}, "data"),
        ({"data": {"contactId": CONTACT}}, "data.opportunityId"),
        ({"data": {"opportunityId": 42}}, "data.opportunityId"),
        ({"data": {"opportunityId": "../postings/x"}}, "data.opportunityId"),
        ({"data": {"opportunityId": "a" * 101}}, "data.opportunityId"),
    ],
)
def test_a_signed_delivery_that_is_not_lever_s_is_400_by_field(
    client: Any,
    tokens: dict[str, str],
    connected: None,
    lever_api: aioresponses,
    changes: dict[str, Any],
    field: str,
) -> None:
    document = fixture("candidateStageChange.json")
    for key, value in changes.items():
        if value is REMOVE:
            del document[key]
        else:
            document[key] = value
    response = post(client, encoded(signed(document, tokens["applicationCreated"])))
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}
    assert nothing_stored()
    assert lever_api.requests == {}


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({}, "event"),
        ({"event": "candidateHired"}, "data"),
        ({"event": "candidateHired", "data": []}, "data"),
        ({"event": "candidateHired", "data": {"opportunityId": True}}, "data.opportunityId"),
        ({"event": "candidateHired", "data": {"opportunityId": "a b"}}, "data.opportunityId"),
    ],
)
def test_parse_names_the_field(document: dict[str, Any], field: str) -> None:
    with pytest.raises(BadPayload) as raised:
        parse(document)
    assert [e["field"] for e in raised.value.errors] == [field]


def test_parse_asks_for_the_opportunity_and_nothing_else() -> None:
    found = parse(fixture("candidateStageChange.json"))
    assert found is not None
    assert dict(found.fetch) == {"opportunity": OPPORTUNITY}
    assert (found.application_id, found.candidate_id, found.emails) == (OPPORTUNITY, "", ())
    assert parse(fixture("candidateDeleted.json")) is None


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://github.com/asa-lindqvist", "social"),
        ("linkedin.com/in/asa-lindqvist", "social"),
        ("https://www.linkedin.com/in/asa", "social"),
        ("https://x.com/asa", "social"),
        ("https://lindqvist.example/", "website"),
        ("indeed.com/r/Asa-Lindqvist/0b7c87f6b246d2bc", "website"),
        ("http://[::1", "website"),
    ],
)
def test_link_kind(url: str, kind: str) -> None:
    assert link_kind(url) == kind


def test_the_signature_is_lever_s_hmac_of_token_and_triggered_at() -> None:
    # Lever's JavaScript sample: createHmac('sha256', SIGNATURE_TOKEN).update(token + triggeredAt)
    import hashlib
    import hmac

    expected = hmac.new(
        b"sig-token",
        b"be58f711f349c7780e4579cd7c63341ac6f881e4dccc31541431454330072",
        hashlib.sha256,
    ).hexdigest()
    token = "be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154"
    assert signature("sig-token", token, 1431454330072) == expected
    assert signature("sig-token", token, "1431454330072") == expected
