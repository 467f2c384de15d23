"""docs/integrations.md's Ashby example works as written (curl against a live Renown).

curl reaches the live server over a real socket; only Ashby's API is mocked
(aioresponses patches aiohttp's client session, which the live server's request thread
uses for candidate.info; curl and the WSGI server use no aiohttp, so nothing else is
intercepted and no passthrough is needed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses
from yarl import URL

from candidates.models import Candidate, SocialAccount
from hiring.ats import services as ats_services
from tests.ats.doc import run_example

CANDIDATE_INFO = "https://api.ashbyhq.com/candidate.info"
FIXTURES = Path(__file__).parent / "fixtures" / "ashby"


@pytest.mark.django_db(transaction=True)
def test_the_ashby_curl_example_creates_the_candidate_with_what_candidate_info_says(
    live_server: Any, org_a: Any, tmp_path: Path
) -> None:
    secret = ats_services.ats_secret_set(organization=org_a, ats="ashby")
    ats_services.ats_connect(
        organization=org_a, ats="ashby", credentials={"api_key": "ashby-doc-key"}
    )
    info = json.loads((FIXTURES / "candidate_info.json").read_bytes())
    with aioresponses() as ashby_api:
        ashby_api.post(CANDIDATE_INFO, payload=info)
        answer = run_example("ashby", renown_url=live_server.url, secret=secret, workdir=tmp_path)
        [call] = ashby_api.requests[("POST", URL(CANDIDATE_INFO))]
    assert isinstance(answer, dict)
    assert (answer["status"], answer["fetched"]) == ("processed", ["candidate"])
    assert json.loads(call.kwargs["data"]) == {"id": info["results"]["id"]}
    candidate = Candidate.objects.get(organization=org_a, ats_source="ashby")
    assert SocialAccount.objects.filter(candidate=candidate, network="github").exists()
