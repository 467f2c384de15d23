"""docs/integrations.md's Greenhouse example works as written (curl against a live Renown)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from candidates.models import Candidate
from hiring.ats import services as ats_services
from tests.ats.doc import run_example


@pytest.mark.django_db(transaction=True)
def test_the_greenhouse_curl_example_creates_the_candidate(
    live_server: Any, org_a: Any, tmp_path: Path
) -> None:
    secret = ats_services.ats_secret_set(organization=org_a, ats="greenhouse")
    answer = run_example("greenhouse", renown_url=live_server.url, secret=secret, workdir=tmp_path)
    assert isinstance(answer, dict)
    assert answer["status"] == "processed"
    assert Candidate.objects.filter(organization=org_a, ats_source="greenhouse").count() == 1
