"""docs/integrations.md's Lever example works as written (curl against a live Renown).

curl reaches the live server over a real loopback socket; the server reads the
opportunity and the posting from Lever's API, which aioresponses answers in this process
(it patches aiohttp's client, not the server's handling of curl's request).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses

from candidates.models import Candidate
from hiring.ats import services as ats_services
from tests.ats.doc import run_example

FIXTURES = Path(__file__).parent / "fixtures" / "lever"
ROOT = "https://api.lever.co/v1"


@pytest.mark.django_db(transaction=True)
def test_the_lever_curl_example_creates_the_candidate(
    live_server: Any, org_a: Any, tmp_path: Path
) -> None:
    token = "sig-token-stage-change-doc-0042"
    ats_services.ats_secret_set(
        organization=org_a, ats="lever", value=token, label="candidateStageChange"
    )
    ats_services.ats_connect(
        organization=org_a, ats="lever", credentials={"api_key": "lever-doc-key"}
    )
    opportunity = json.loads((FIXTURES / "opportunity.json").read_text(encoding="utf-8"))
    posting = json.loads((FIXTURES / "posting.json").read_text(encoding="utf-8"))
    with aioresponses(passthrough=[live_server.url]) as lever:
        lever.get(
            f"{ROOT}/opportunities/{opportunity['data']['id']}?expand=applications",
            payload=opportunity,
        )
        lever.get(f"{ROOT}/postings/{posting['data']['id']}", payload=posting)
        answer = run_example("lever", renown_url=live_server.url, secret=token, workdir=tmp_path)
    assert isinstance(answer, dict)
    assert (answer["status"], answer["action"]) == ("processed", "candidateStageChange")
    candidate = Candidate.objects.get(organization=org_a, ats_source="lever")
    assert candidate.external_id == opportunity["data"]["contact"]
    assert answer["jobs"] == ["REQ-2026-031"]
