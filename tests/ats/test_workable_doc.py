"""docs/integrations.md's Workable example works as written (curl against a live Renown).

curl reaches the live server over a real socket; Workable's API, which the server calls
for the candidate's social profiles, is mocked with aioresponses in this process (the
server's thread runs here too). aioresponses only replaces aiohttp's client: the live
server (WSGI) and curl are untouched, and ``passthrough`` lets any aiohttp call to the
live server itself through.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses

from candidates.models import Candidate, SocialAccount
from hiring.ats import services as ats_services
from tests.ats.doc import run_example

FIXTURES = Path(__file__).parent / "fixtures" / "workable"


@pytest.mark.django_db(transaction=True)
def test_the_workable_curl_example_creates_the_candidate_with_the_fetched_profiles(
    live_server: Any, org_a: Any, tmp_path: Path, settings: Any
) -> None:
    settings.RENOWN_ATS_RATE_WORKABLE = ""
    token = "wk-doc-example-token"
    secret = ats_services.ats_secret_set(organization=org_a, ats="workable", value=token)
    ats_services.ats_connect(
        organization=org_a, ats="workable", credentials={"token": token, "subdomain": "acme"}
    )
    api_answer = json.loads((FIXTURES / "candidate_api.json").read_text())
    with aioresponses(passthrough=[live_server.url]) as mocked:
        mocked.get("https://acme.workable.com/spi/v3/candidates/3f9c2a17", payload=api_answer)
        answer = run_example(
            "workable", renown_url=live_server.url, secret=secret, workdir=tmp_path
        )
        assert len(mocked.requests) == 1
    assert isinstance(answer, dict)
    assert (answer["status"], answer["fetched"]) == ("processed", ["candidate"])
    candidate = Candidate.objects.get(organization=org_a, ats_source="workable")
    assert candidate.external_id == "3f9c2a17"
    assert SocialAccount.objects.filter(candidate=candidate).count() == 3
