"""OpenAlex adapter against recorded /authors/{id} responses in the documented shapes."""

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
from scoring.providers.openalex import OpenAlex

FIXTURES = Path(__file__).parent / "fixtures" / "openalex"
BASE = "https://openalex.test"
AUTHOR = re.compile(r"^https://openalex\.test/authors/A5023888391(\?.*)?$")
MERGED = re.compile(r"^https://openalex\.test/authors/A2208157607(\?.*)?$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def fetch(handle: str = "A5023888391") -> Any:
    async def run() -> Any:
        async with HttpClient() as client:
            return await OpenAlex(base_url=BASE, client=client).fetch(handle)

    return asyncio.run(run())


def requested(mocked: aioresponses) -> list[str]:
    return [str(url) for (_, url) in mocked.requests]


def test_found_author_maps_to_canonical_metrics() -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, payload=fixture("author.json"))
        observation = fetch()
    # created_date is the record's creation, not the person's: no account_created
    assert observation.metrics == {"works": 53, "citations": 1882, "h_index": 14}
    assert observation.observed_at.tzinfo is not None


def test_request_selects_fields_and_sends_no_key_by_default() -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, payload=fixture("author.json"))
        fetch()
        (url,) = requested(mocked)
    assert url.startswith("https://openalex.test/authors/A5023888391?")
    assert "select=id,display_name,works_count,cited_by_count,summary_stats" in url
    assert "api_key" not in url
    assert "mailto" not in url


def test_api_key_and_mailto_are_sent_when_configured(settings: Any) -> None:
    settings.RENOWN_OPENALEX_API_KEY = "oa-test-key"
    settings.RENOWN_CONTACT_EMAIL = "ops@renown.example"
    with aioresponses() as mocked:
        mocked.get(AUTHOR, payload=fixture("author.json"))
        fetch()
        (url,) = requested(mocked)
    assert "api_key=oa-test-key" in url
    assert "mailto=ops@renown.example" in url


def test_missing_h_index_is_left_out() -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, payload=fixture("author_no_stats.json"))
        observation = fetch()
    assert observation.metrics == {"works": 1, "citations": 0}


def test_merged_author_follows_the_301() -> None:
    with aioresponses() as mocked:
        mocked.get(
            MERGED,
            status=301,
            headers={"Location": "https://openalex.test/authors/A5023888391"},
        )
        mocked.get(AUTHOR, payload=fixture("author.json"))
        observation = fetch("A2208157607")
    assert observation.metrics["works"] == 53


def test_unknown_author_is_404() -> None:
    with aioresponses() as mocked:
        mocked.get(
            re.compile(r"^https://openalex\.test/authors/A9999999999(\?.*)?$"),
            status=404,
            payload=fixture("not_found.json"),
        )
        with pytest.raises(ProviderNotFound):
            fetch("A9999999999")


def test_daily_limit_waits_until_the_reset() -> None:
    with aioresponses() as mocked:
        mocked.get(
            AUTHOR,
            status=429,
            payload=fixture("daily_limit.json"),
            headers={
                "X-RateLimit-Limit": "100000",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Credits-Used": "0",
                "X-RateLimit-Reset": "43200",  # seconds until midnight UTC
            },
        )
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 43200


def test_too_fast_is_a_403_with_a_short_wait() -> None:
    with aioresponses() as mocked:
        mocked.get(
            AUTHOR,
            status=403,
            payload=fixture("too_fast.json"),
            # the daily reset must not turn a per-second limit into a half-day wait
            headers={"X-RateLimit-Reset": "43200"},
        )
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 1.0


def test_too_fast_honours_retry_after() -> None:
    with aioresponses() as mocked:
        mocked.get(
            AUTHOR, status=403, payload=fixture("too_fast.json"), headers={"Retry-After": "3"}
        )
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 3


def test_invalid_api_key_is_permanent(settings: Any) -> None:
    settings.RENOWN_OPENALEX_API_KEY = "wrong"
    with aioresponses() as mocked:
        mocked.get(AUTHOR, status=401, payload=fixture("invalid_key.json"))
        with pytest.raises(ProviderPermanent, match="RENOWN_OPENALEX_API_KEY"):
            fetch()


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(status: int) -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, status=status, payload=fixture("server_error.json"))
        with pytest.raises(ProviderTransient):
            fetch()


def test_timeout_is_transient() -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, exception=TimeoutError())
        with pytest.raises(ProviderTransient, match="timed out"):
            fetch()


@pytest.mark.parametrize(
    "body",
    [
        "<html>Bad gateway</html>",
        json.dumps(["not", "an", "object"]),
        json.dumps({"display_name": "no id", "works_count": 3, "cited_by_count": 1}),
        json.dumps({"id": "https://openalex.org/A5023888391", "cited_by_count": 1}),
        json.dumps(
            {"id": "https://openalex.org/A5023888391", "works_count": -1, "cited_by_count": 1}
        ),
        json.dumps(
            {
                "id": "https://openalex.org/A5023888391",
                "works_count": 3,
                "cited_by_count": 1,
                "summary_stats": {"h_index": "high"},
            }
        ),
        json.dumps(
            {
                "id": "https://openalex.org/A5023888391",
                "works_count": 3,
                "cited_by_count": 1,
                "summary_stats": [14],
            }
        ),
    ],
)
def test_malformed_author_body_is_permanent(body: str) -> None:
    with aioresponses() as mocked:
        mocked.get(AUTHOR, status=200, body=body, content_type="application/json")
        with pytest.raises(ProviderPermanent):
            fetch()


def test_terms_allow_commercial_use_and_blending() -> None:
    assert OpenAlex.terms.commercial_use is True
    assert OpenAlex.terms.may_blend is True
