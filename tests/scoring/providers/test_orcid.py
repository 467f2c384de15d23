"""ORCID adapter against recorded Public API v3.0 responses in the documented shapes."""

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
from scoring.providers.orcid import Orcid

FIXTURES = Path(__file__).parent / "fixtures" / "orcid"
BASE = "https://orcid.test"
RECORD = re.compile(r"^https://orcid\.test/v3\.0/0000-0002-1825-0097/record$")
MISSING = re.compile(r"^https://orcid\.test/v3\.0/0000-0000-0000-0001/record$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def fetch(handle: str = "0000-0002-1825-0097") -> Any:
    async def run() -> Any:
        async with HttpClient() as client:
            return await Orcid(base_url=BASE, client=client).fetch(handle)

    return asyncio.run(run())


def test_found_record_maps_to_canonical_metrics() -> None:
    with aioresponses() as mocked:
        mocked.get(RECORD, payload=fixture("record.json"))
        observation = fetch()
    # two groups (the first holds the same DOI from Crossref and from the researcher): two works
    assert observation.metrics == {
        "works": 2,
        "account_created": "2012-10-31T16:00:00+00:00",
    }
    assert observation.observed_at.tzinfo is not None


def test_one_call_asks_for_json() -> None:
    with aioresponses() as mocked:
        mocked.get(RECORD, payload=fixture("record.json"))
        fetch()
        ((_, url), calls) = next(iter(mocked.requests.items()))
    assert str(url) == "https://orcid.test/v3.0/0000-0002-1825-0097/record"
    assert len(mocked.requests) == 1
    assert len(calls) == 1
    assert calls[0].kwargs["headers"]["Accept"] == "application/json"


def test_record_without_works_or_history() -> None:
    record = fixture("record.json")
    record["activities-summary"]["works"]["group"] = []
    record["history"] = None
    with aioresponses() as mocked:
        mocked.get(RECORD, payload=record)
        observation = fetch()
    assert observation.metrics == {"works": 0}


def test_unreadable_submission_date_is_left_out() -> None:
    record = fixture("record.json")
    record["history"]["submission-date"] = {"value": "yesterday"}
    with aioresponses() as mocked:
        mocked.get(RECORD, payload=record)
        observation = fetch()
    assert observation.metrics == {"works": 2}


def test_deprecated_id_follows_the_301() -> None:
    old = re.compile(r"^https://orcid\.test/v3\.0/0000-0001-5109-3700/record$")
    with aioresponses() as mocked:
        mocked.get(
            old,
            status=301,
            headers={"Location": "https://orcid.test/v3.0/0000-0002-1825-0097/record"},
        )
        mocked.get(RECORD, payload=fixture("record.json"))
        observation = fetch("0000-0001-5109-3700")
    assert observation.metrics["works"] == 2


def test_unknown_id_is_404_error_code_9016() -> None:
    with aioresponses() as mocked:
        mocked.get(MISSING, status=404, payload=fixture("not_found.json"))
        with pytest.raises(ProviderNotFound, match="9016"):
            fetch("0000-0000-0000-0001")


def test_404_without_an_orcid_body_is_still_not_found() -> None:
    with aioresponses() as mocked:
        mocked.get(MISSING, status=404, body="Not Found", content_type="text/plain")
        with pytest.raises(ProviderNotFound):
            fetch("0000-0000-0000-0001")


def test_unrouted_path_is_permanent_not_missing() -> None:
    with aioresponses() as mocked:
        mocked.get(RECORD, status=404, payload=fixture("unrouted.json"))
        with pytest.raises(ProviderPermanent, match="9001"):
            fetch()


@pytest.mark.parametrize("name", ["deactivated.json", "locked.json"])
def test_deactivated_and_locked_records_are_not_found(name: str) -> None:
    with aioresponses() as mocked:
        mocked.get(RECORD, status=409, payload=fixture(name))
        with pytest.raises(ProviderNotFound):
            fetch()


def test_other_conflicts_are_permanent() -> None:
    with aioresponses() as mocked:
        mocked.get(RECORD, status=409, payload=fixture("unclaimed.json"))
        with pytest.raises(ProviderPermanent, match="9036"):
            fetch()


def test_bad_request_is_permanent() -> None:
    with aioresponses() as mocked:
        mocked.get(RECORD, status=400, payload=fixture("bad_request.json"))
        with pytest.raises(ProviderPermanent):
            fetch()


def test_burst_503_is_rate_limited_with_a_short_wait() -> None:
    with aioresponses() as mocked:
        mocked.get(RECORD, status=503, body="<html>503 Service Temporarily Unavailable</html>")
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 4.0


def test_burst_503_honours_retry_after() -> None:
    with aioresponses() as mocked:
        mocked.get(RECORD, status=503, body="", headers={"Retry-After": "2"})
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 2


def test_daily_quota_429_waits_an_hour() -> None:
    message = (
        "Too Many Requests. You have exceeded the daily quota for anonymous usage of this API. \n"
        "You can increase your daily quota by registering for and using Public API client "
        "credentials (https://info.orcid.org/documentation/integration-guide/"
        "registering-a-public-api-client/)"
    )
    with aioresponses() as mocked:
        mocked.get(RECORD, status=429, body=message, content_type="text/plain")
        with pytest.raises(ProviderRateLimited) as caught:
            fetch()
    assert caught.value.retry_after == 3600


@pytest.mark.parametrize("status", [500, 502, 504])
def test_server_errors_are_transient(status: int) -> None:
    with aioresponses() as mocked:
        mocked.get(RECORD, status=status, payload=fixture("server_error.json"))
        with pytest.raises(ProviderTransient):
            fetch()


def test_timeout_is_transient() -> None:
    with aioresponses() as mocked:
        mocked.get(RECORD, exception=TimeoutError())
        with pytest.raises(ProviderTransient, match="timed out"):
            fetch()


@pytest.mark.parametrize(
    "body",
    [
        '<?xml version="1.0" encoding="UTF-8"?><record:record/>',
        json.dumps(["not", "an", "object"]),
        json.dumps({}),
        json.dumps({"activities-summary": None}),
        json.dumps({"activities-summary": {"works": None}}),
        json.dumps({"activities-summary": {"works": {"group": {"0": {}}}}}),
    ],
)
def test_malformed_record_is_permanent(body: str) -> None:
    with aioresponses() as mocked:
        mocked.get(RECORD, status=200, body=body, content_type="application/json")
        with pytest.raises(ProviderPermanent):
            fetch()


def test_terms_forbid_commercial_use() -> None:
    assert Orcid.terms.commercial_use is False
    assert any("Member API" in note for note in Orcid.terms.notes)
