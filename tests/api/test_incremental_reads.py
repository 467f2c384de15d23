"""``updated_after`` on the candidate, score and screening lists: exact, paged, with tombstones."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates.models import Candidate
from hiring.models import Screening
from hiring.privacy import services as privacy_services
from scoring.models import Score
from tests import factories
from tests.api.test_base import assert_problem

pytestmark = pytest.mark.django_db

T = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)


def _changed_at(candidate: Any, when: datetime) -> Any:
    Candidate.objects.filter(pk=candidate.pk).update(updated_at=when)
    return candidate


def _candidate(org: Any, when: datetime, **fields: Any) -> Any:
    return _changed_at(factories.CandidateFactory(organization=org, **fields), when)


def _walk(client: Any, url: str) -> tuple[list[dict[str, Any]], list[Any]]:
    """Every row of every page, following ``next``; and each page's response."""
    rows: list[dict[str, Any]] = []
    pages: list[Any] = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.content
        pages.append(response)
        body = response.json()
        rows += body["results"]
        next_url = body["next"]
        assert len(pages) < 50, "the cursor does not advance"
    return rows, pages


def _order_key(row: dict[str, Any]) -> tuple[datetime, UUID]:
    return datetime.fromisoformat(row["updated_at"]), UUID(row["id"])


def test_exactly_the_candidates_changed_at_or_after_t_across_pages_with_ties(
    write_client: Any, org_a: Any, org_b: Any
) -> None:
    _candidate(org_a, T - TICK)  # a microsecond before: not changed at or after T
    _candidate(org_a, T - timedelta(days=3))
    _candidate(org_b, T + timedelta(seconds=1))  # another organisation's
    at_t = {str(_candidate(org_a, T).public_id) for _ in range(7)}  # seven share the instant
    later = {str(_candidate(org_a, T + timedelta(seconds=s)).public_id) for s in (1, 1, 2)}
    rows, pages = _walk(
        write_client, "/api/v1/candidates/?updated_after=2026-03-02T12:00:00Z&page_size=3"
    )
    ids = [row["id"] for row in rows]
    assert sorted(ids) == sorted(at_t | later)  # none skipped, none repeated
    assert len(ids) == len(set(ids))
    assert rows == sorted(rows, key=_order_key)  # (updated_at, id)
    assert {row["updated_at"] for row in rows[:7]} == {"2026-03-02T12:00:00Z"}
    assert len(pages) == 4
    assert all(row.get("erased") is None for row in rows)
    # A Link header on each page that has a next one, naming the same URL as the body.
    for page in pages[:-1]:
        assert page["Link"] == f'<{page.json()["next"]}>; rel="next"'
        assert page.json()["next"].startswith("http://testserver/api/v1/candidates/?")
        assert page.json()["previous"] is None
    assert "Link" not in pages[-1]
    assert pages[-1].json()["next"] is None


def test_a_row_that_changes_while_a_client_pages_is_read_again_and_none_is_skipped(
    write_client: Any, org_a: Any
) -> None:
    tied = sorted((_candidate(org_a, T) for _ in range(4)), key=lambda c: c.public_id)
    first = write_client.get("/api/v1/candidates/?updated_after=2026-03-02T12:00:00Z&page_size=2")
    assert [r["id"] for r in first.json()["results"]] == [str(c.public_id) for c in tied[:2]]
    # Between the pages one row already read changes: an offset over the tie would now
    # skip tied[2]; the keyset does not, and the changed row comes again at the end.
    _changed_at(tied[0], T + timedelta(seconds=5))
    rest, _ = _walk(write_client, first.json()["next"])
    assert [r["id"] for r in rest] == [str(c.public_id) for c in (tied[2], tied[3], tied[0])]


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-02T12:00:00Z",
        "2026-03-02T12:00:00+00:00",
        "2026-03-02T13:30:00+01:30",
        "2026-03-02T07:00:00-05:00",
        "2026-03-02T12:00:00.000000Z",
        "2026-03-02T12:00:00.0000009Z",  # past microseconds: cut, never later
        "2026-03-02T12:00Z",
        "2026-03-02t12:00:00z",
        "2026-03-02T13:30+0130",
        "2026-03-02T12:00:00",  # no offset: UTC
        "2026-03-02 12:00:00Z",
        " 2026-03-02T12:00:00Z ",
    ],
)
def test_the_same_instant_written_any_iso_8601_way(
    write_client: Any, org_a: Any, value: str
) -> None:
    _candidate(org_a, T - TICK)
    kept = _candidate(org_a, T)
    response = write_client.get("/api/v1/candidates/", {"updated_after": value})
    assert response.status_code == 200, response.content
    assert [r["id"] for r in response.json()["results"]] == [str(kept.public_id)]


def test_a_date_alone_is_its_midnight_utc(write_client: Any, org_a: Any) -> None:
    _candidate(org_a, datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC))
    morning = _candidate(org_a, datetime(2026, 3, 2, 0, 0, tzinfo=UTC))
    rows = write_client.get("/api/v1/candidates/?updated_after=2026-03-02").json()["results"]
    assert [r["id"] for r in rows] == [str(morning.public_id)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Before the first instant Python holds in UTC: everything; after the last: nothing.
        ("0001-01-01T00:00:00+14:00", 1),
        ("9999-12-31T23:59:59-14:00", 0),
    ],
)
def test_times_past_what_utc_can_hold_are_the_first_or_last_instant(
    write_client: Any, org_a: Any, value: str, expected: int
) -> None:
    _candidate(org_a, T)
    response = write_client.get("/api/v1/candidates/", {"updated_after": value})
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "yesterday",
        "1709380800",
        "2026-13-01T00:00:00Z",
        "2026-02-30",
        "2026-03-02T25:00:00Z",
        "2026-03-02T12:00:00+25:00",
        "2026-03-02T12:00:00Z; DROP TABLE x",
        "2" * 200,
        "2026-03-02T12:00:00\x00Z",
        "2026-03-02x12:00:00Z",
        "2026-03-02T12Z",
        "20260302T120000Z",
        "2026-W10-1",
        "2026-03-02Z",
        "2026-03-02T23:59:60Z",
        "2026-03-02T12:00:00\u0660Z",
        "２０２６-03-02",
    ],
)
@pytest.mark.parametrize(
    "path", ["/api/v1/candidates/", "/api/v1/screenings/", "/api/v1/candidates/{id}/scores/"]
)
def test_a_bad_updated_after_is_400_naming_it(
    write_client: Any, org_a: Any, value: str, path: str
) -> None:
    candidate = factories.CandidateFactory(organization=org_a)
    response = write_client.get(path.format(id=candidate.public_id), {"updated_after": value})
    body = assert_problem(response, 400)
    assert [e["field"] for e in body["errors"]] == ["updated_after"]


def test_ordering_beside_updated_after_is_400_naming_it(write_client: Any, org_a: Any) -> None:
    _candidate(org_a, T)
    response = write_client.get("/api/v1/candidates/?updated_after=2026-03-02&ordering=-name")
    body = assert_problem(response, 400)
    assert [e["field"] for e in body["errors"]] == ["ordering"]


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        _cursor("p=1"),  # DRF's kind of cursor
        _cursor("k1|not a time|0|x"),
        _cursor("k1|2026-03-02T12:00:00|0|" + str(UUID(int=1))),  # a naive time
        _cursor("k1|2026-03-02T12:00:00+00:00|7|" + str(UUID(int=1))),
        _cursor("k1|2026-03-02T12:00:00+00:00|0|not-a-uuid"),
        _cursor("k2|2026-03-02T12:00:00+00:00|0|" + str(UUID(int=1))),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_crafted_cursor_is_404_never_a_500(write_client: Any, org_a: Any, cursor: str) -> None:
    _candidate(org_a, T)
    response = write_client.get(
        "/api/v1/candidates/", {"updated_after": "2026-03-02T12:00:00Z", "cursor": cursor}
    )
    assert_problem(response, 404)


def test_a_screening_cursor_key_must_be_a_number(write_client: Any, org_a: Any) -> None:
    cursor = _cursor("k1|2026-03-02T12:00:00+00:00|0|abc")
    response = write_client.get(
        "/api/v1/screenings/", {"updated_after": "2026-03-02T12:00:00Z", "cursor": cursor}
    )
    assert_problem(response, 404)


# --- tombstones ------------------------------------------------------------------------


def _held(org: Any) -> Any:
    """A candidate whose screening must be kept: erased, they stay pseudonymised."""
    job = factories.JobFactory(organization=org)
    person = factories.CandidateFactory(
        organization=org, name="Held Person", email="held@x.example"
    )
    Screening.objects.create(candidate=person, job=job, outcome="meets", evaluated_at=T, reasons=[])
    return person


def test_erased_candidates_are_tombstones_deleted_or_held_never_their_pseudonym(
    write_client: Any, org_a: Any, org_b: Any
) -> None:
    gone = factories.CandidateFactory(organization=org_a, name="Gone Person")
    held = _held(org_a)
    gone_id, held_id = str(gone.public_id), str(held.public_id)
    privacy_services.candidate_erase(candidate=gone, actor="dpo", now=T + timedelta(seconds=1))
    result = privacy_services.candidate_erase(candidate=held, actor="dpo", now=T)
    assert result.hold_until is not None
    kept = Candidate.objects.get(pk=held.pk)  # pseudonymised, with a new public id
    assert str(kept.public_id) != held_id
    earlier = factories.CandidateFactory(organization=org_a)
    privacy_services.candidate_erase(candidate=earlier, actor="dpo", now=T - TICK)
    elsewhere = factories.CandidateFactory(organization=org_b)
    privacy_services.candidate_erase(candidate=elsewhere, actor="dpo", now=T)
    live = _candidate(org_a, T + timedelta(seconds=2))

    response = write_client.get("/api/v1/candidates/?updated_after=2026-03-02T12:00:00Z")
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": held_id, "erased": True, "updated_at": "2026-03-02T12:00:00Z"},
        {"id": gone_id, "erased": True, "updated_at": "2026-03-02T12:00:01Z"},
        {**response.json()["results"][2], "id": str(live.public_id)},
    ]
    text = response.content.decode()
    assert str(kept.public_id) not in text
    assert kept.name not in text
    assert "Held Person" not in text
    # A plain read of the list never shows them, nor tombstones.
    plain = write_client.get("/api/v1/candidates/").json()["results"]
    assert [r["id"] for r in plain] == [str(live.public_id)]


def test_tombstones_and_rows_of_one_instant_share_the_keyset_order(
    write_client: Any, org_a: Any
) -> None:
    erased = []
    for _ in range(4):
        person = factories.CandidateFactory(organization=org_a)
        erased.append(str(person.public_id))
        privacy_services.candidate_erase(candidate=person, actor="dpo", now=T)
    live = [str(_candidate(org_a, T).public_id) for _ in range(4)]
    rows, pages = _walk(
        write_client, "/api/v1/candidates/?updated_after=2026-03-02T12:00Z&page_size=3"
    )
    assert [r["id"] for r in rows] == sorted(erased + live, key=UUID)
    assert {r["id"] for r in rows if r.get("erased")} == set(erased)
    assert len(pages) == 3


def test_the_screening_list_since_t_and_its_tombstones(write_client: Any, org_a: Any) -> None:
    job = factories.JobFactory(organization=org_a)

    def screening(when: datetime) -> Screening:
        person = factories.CandidateFactory(organization=org_a)
        return Screening.objects.create(
            candidate=person, job=job, outcome="meets", evaluated_at=when, reasons=[]
        )

    screening(T - TICK)
    tied = [screening(T) for _ in range(3)]
    after = screening(T + timedelta(minutes=1))
    held = _held(org_a)
    held_id = str(held.public_id)
    privacy_services.candidate_erase(candidate=held, actor="dpo", now=T)
    rows, pages = _walk(
        write_client, "/api/v1/screenings/?updated_after=2026-03-02T12:00:00Z&page_size=2"
    )
    # The rows of an instant first, by id, then that instant's tombstones.
    assert [r["id"] for r in rows] == [
        *(s.pk for s in tied),
        held_id,
        after.pk,
    ]
    assert rows[3] == {"id": held_id, "erased": True, "updated_at": "2026-03-02T12:00:00Z"}
    assert len(pages) == 3
    # The held candidate's kept screening is in no read.
    assert held_id not in str(write_client.get("/api/v1/screenings/").json())


def test_the_score_list_since_t_and_an_erased_candidates_tombstone(
    write_client: Any, org_a: Any
) -> None:
    person = factories.CandidateFactory(organization=org_a)
    factories.ScoreFactory(candidate=person, computed_at=T - TICK)
    at_t = factories.ScoreFactory(candidate=person, computed_at=T)
    later = factories.ScoreFactory(candidate=person, computed_at=T + timedelta(hours=1))
    url = f"/api/v1/candidates/{person.public_id}/scores/"
    rows = write_client.get(url, {"updated_after": "2026-03-02T12:00:00Z"}).json()["results"]
    assert [r["id"] for r in rows] == [at_t.pk, later.pk]

    privacy_services.candidate_erase(candidate=person, actor="dpo", now=T + timedelta(hours=2))
    assert not Score.objects.exists()
    assert_problem(write_client.get(url), 404)  # a plain read: no such candidate
    tombstone = write_client.get(url, {"updated_after": "2026-03-02T12:00:00Z"})
    assert tombstone.json()["results"] == [
        {"id": str(person.public_id), "erased": True, "updated_at": "2026-03-02T14:00:00Z"}
    ]
    since = write_client.get(url, {"updated_after": "2026-03-02T15:00:00Z"})
    assert since.status_code == 200
    assert since.json()["results"] == []
    unknown = f"/api/v1/candidates/{uuid4()}/scores/"
    assert_problem(write_client.get(unknown, {"updated_after": "2026-03-02"}), 404)


def test_another_organisations_erasure_is_a_404_on_the_score_list(
    write_client: Any, org_b: Any
) -> None:
    person = factories.CandidateFactory(organization=org_b)
    privacy_services.candidate_erase(candidate=person, actor="dpo", now=T)
    url = f"/api/v1/candidates/{person.public_id}/scores/?updated_after=2026-03-01"
    assert_problem(write_client.get(url), 404)


def test_an_update_that_changes_nothing_leaves_updated_at(write_client: Any, org_a: Any) -> None:
    record = {"name": "Ada Quill", "email": "ada@x.example", "country": "US", "region": "US-CA"}
    person = _candidate(org_a, T, ats_source="greenhouse", external_id="7", **record)
    url = "/api/v1/candidates/by-external-id/greenhouse/7/"
    same = write_client.put(url, record, format="json")  # the ATS sends it again
    assert same.status_code == 200
    assert same.json()["updated_at"] == "2026-03-02T12:00:00Z"
    changed = write_client.put(url, {**record, "name": "Ada Quill-Byron"}, format="json")
    assert changed.json()["updated_at"] != "2026-03-02T12:00:00Z"
    rows = write_client.get("/api/v1/candidates/?updated_after=2026-03-02T12:00:01Z").json()
    assert [r["id"] for r in rows["results"]] == [str(person.public_id)]


@pytest.mark.parametrize("size", [5, 50])
def test_an_incremental_page_costs_the_same_few_queries_whatever_its_size(
    write_client: Any, org_a: Any, size: int
) -> None:
    for _ in range(6):
        _candidate(org_a, T)
        gone = factories.CandidateFactory(organization=org_a)
        privacy_services.candidate_erase(candidate=gone, actor="dpo", now=T)
    write_client.get("/api/v1/candidates/")  # the token's first use is written once
    with CaptureQueriesContext(connection) as queries:
        response = write_client.get(
            f"/api/v1/candidates/?updated_after=2026-03-02&page_size={size}"
        )
    assert len(response.json()["results"]) == min(size, 12)
    assert len(queries) <= 3, [q["sql"] for q in queries]  # the token, the rows, the tombstones


# --- the schema ------------------------------------------------------------------------


def test_the_schema_documents_updated_after_tombstones_link_and_rate_limits() -> None:
    from hiring.api.schema import openapi_schema

    schema = openapi_schema()
    with_updated_after = {
        path
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        if any(p["name"] == "updated_after" for p in operation.get("parameters", []))
    }
    assert with_updated_after == {
        "/api/v1/candidates/",
        "/api/v1/screenings/",
        "/api/v1/candidates/{candidate_id}/scores/",
    }
    components = schema["components"]["schemas"]
    for path, row in [
        ("/api/v1/candidates/", "Candidate"),
        ("/api/v1/screenings/", "Screening"),
        ("/api/v1/candidates/{candidate_id}/scores/", "Score"),
    ]:
        ok = schema["paths"][path]["get"]["responses"]["200"]
        page = components[ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
        items = page["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[1]
        assert components[items]["oneOf"] == [
            {"$ref": f"#/components/schemas/{row}"},
            {"$ref": "#/components/schemas/ErasedCandidate"},
        ]
        assert {"Link", "RateLimit-Remaining"} <= set(ok["headers"])
    assert set(components["ErasedCandidate"]["required"]) == {"id", "erased", "updated_at"}
    jobs = schema["paths"]["/api/v1/jobs/"]["get"]["responses"]
    assert "Link" in jobs["200"]["headers"]  # every paged list
    assert {"Retry-After", "RateLimit-Reset"} <= set(jobs["429"]["headers"])
    one = schema["paths"]["/api/v1/candidates/{candidate_id}/"]["get"]["responses"]["200"]
    assert "Link" not in one["headers"]
    assert "RateLimit-Limit" in one["headers"]
