"""Open Library adapter against recorded author and works-list responses."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses

from renown.http import HttpClient
from scoring.providers.base import (
    ProviderNotFound,
    ProviderPermanent,
    ProviderRateLimited,
    ProviderTransient,
)
from scoring.providers.openlibrary import OpenLibrary

FIXTURES = Path(__file__).parent / "fixtures" / "openlibrary"
BASE = "https://openlibrary.test"
AUTHOR = re.compile(r"^https://openlibrary\.test/authors/OL23919A\.json$")
WORKS = re.compile(r"^https://openlibrary\.test/authors/OL23919A/works\.json\?.*$")
MERGED = re.compile(r"^https://openlibrary\.test/authors/OL10000001A\.json$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def fetch(handle: str = "OL23919A") -> Any:
    async def run() -> Any:
        async with HttpClient() as client:
            return await OpenLibrary(base_url=BASE, client=client).fetch(handle)

    return asyncio.run(run())


def test_found_author_maps_to_books() -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, payload=fixture("author.json"))
        mocked.get(WORKS, payload=fixture("works.json"))
        observation = fetch()
    assert observation.metrics == {"books": 361}
    assert observation.observed_at.tzinfo is not None


def test_works_list_asks_for_one_entry_only() -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, payload=fixture("author.json"))
        mocked.get(WORKS, payload=fixture("works.json"))
        fetch()
        urls = [str(url) for (_, url) in mocked.requests]
    assert urls == [
        "https://openlibrary.test/authors/OL23919A.json",
        "https://openlibrary.test/authors/OL23919A/works.json?limit=1",
    ]


def test_merged_author_follows_the_redirect_stub() -> None:
    with aioresponses() as mocked:
        mocked.get(MERGED, payload=fixture("redirect.json"))
        mocked.get(AUTHOR, payload=fixture("author.json"))
        mocked.get(WORKS, payload=fixture("works.json"))
        observation = fetch("OL10000001A")
    assert observation.metrics == {"books": 361}


def test_redirect_loops_are_bounded() -> None:
    loop = {"type": {"key": "/type/redirect"}, "location": "/authors/OL10000001A"}
    with aioresponses() as mocked:
        mocked.get(MERGED, payload=loop, repeat=True)
        with pytest.raises(ProviderPermanent, match="redirect hops"):
            fetch("OL10000001A")
        assert len(next(iter(mocked.requests.values()))) == 3  # the first ask and two hops


@pytest.mark.parametrize(
    "location", [None, "/works/OL82563W", "https://elsewhere.test/authors/OL1A", 42]
)
def test_redirect_to_anything_but_an_author_is_permanent(location: object) -> None:
    with aioresponses() as mocked:
        mocked.get(MERGED, payload={"type": {"key": "/type/redirect"}, "location": location})
        with pytest.raises(ProviderPermanent, match="redirect location"):
            fetch("OL10000001A")


def test_unknown_author_is_404_notfound() -> None:
    with aioresponses() as mocked:
        mocked.get(
            re.compile(r"^https://openlibrary\.test/authors/OL99999999A\.json$"),
            status=404,
            payload=fixture("not_found.json"),
        )
        with pytest.raises(ProviderNotFound):
            fetch("OL99999999A")


def test_deleted_author_is_not_found() -> None:
    with aioresponses() as mocked:
        mocked.get(
            re.compile(r"^https://openlibrary\.test/authors/OL10000002A\.json$"),
            payload=fixture("deleted.json"),
        )
        with pytest.raises(ProviderNotFound, match="deleted"):
            fetch("OL10000002A")


def test_works_list_404_is_not_found() -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, payload=fixture("author.json"))
        mocked.get(WORKS, status=404, payload=fixture("works_not_found.json"))
        with pytest.raises(ProviderNotFound):
            fetch()


def test_rate_limited_uses_retry_after() -> None:
    with aioresponses() as mocked:
        mocked.get(
            AUTHOR,
            status=429,
            body="Too Many Requests",
            content_type="text/plain",
            headers={"Retry-After": "30"},
        )
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 30


def test_rate_limited_without_headers_waits_a_minute() -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, status=429, body="Too Many Requests", content_type="text/plain")
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 60


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(status: int) -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, status=status, body="<html>Service Unavailable</html>")
        with pytest.raises(ProviderTransient):
            fetch()


def test_timeout_is_transient() -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, exception=TimeoutError())
        with pytest.raises(ProviderTransient, match="timed out"):
            fetch()


def test_timeout_on_the_works_list_is_transient() -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, payload=fixture("author.json"))
        mocked.get(WORKS, exception=TimeoutError())
        with pytest.raises(ProviderTransient, match="timed out"):
            fetch()


@pytest.mark.parametrize(
    "body",
    [
        "<html>Open Library</html>",
        json.dumps(["not", "an", "object"]),
        json.dumps({"key": "/authors/OL23919A", "name": "no type"}),
        json.dumps({"type": {"key": "/type/work"}, "key": "/works/OL82563W"}),
        json.dumps({"type": "/type/author", "key": "/authors/OL23919A"}),
    ],
)
def test_malformed_author_record_is_permanent(body: str) -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, status=200, body=body, content_type="application/json")
        with pytest.raises(ProviderPermanent):
            fetch()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps([]),
        json.dumps({"links": {}, "entries": []}),
        json.dumps({"size": "many", "entries": []}),
        json.dumps({"size": -1, "entries": []}),
        json.dumps({"size": 3, "entries": {"0": {}}}),
    ],
)
def test_malformed_works_list_is_permanent(body: str) -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, payload=fixture("author.json"))
        mocked.get(WORKS, status=200, body=body, content_type="application/json")
        with pytest.raises(ProviderPermanent):
            fetch()


def test_terms_allow_commercial_use_and_blending() -> None:
    assert OpenLibrary.terms.commercial_use is True
    assert OpenLibrary.terms.may_blend is True
