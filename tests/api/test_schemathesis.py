"""The OpenAPI schema is accurate: schemathesis against the live app finds nothing.

A live server on a throwaway test database, a write token, one organisation's worth
of objects, and the checks the issue names. Examples per operation are limited so
the run stays within a couple of minutes (``RENOWN_SCHEMATHESIS_EXAMPLES`` raises it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from api.services import api_token_create
from tests import factories
from tests.api.world import build_world

CHECKS = (
    "not_a_server_error",
    "response_schema_conformance",
    "status_code_conformance",
    "content_type_conformance",
    "ignored_auth",
)


@pytest.mark.django_db(transaction=True)
@override_settings(RENOWN_API_THROTTLE_RATE="1000000/min")
def test_schemathesis_finds_nothing(live_server: Any, org_a: Any, tmp_path: Path) -> None:
    author = factories.UserFactory(username="second-hr")
    factories.MembershipFactory(user=author, organization=org_a, role="hr_admin")
    build_world(org_a, author=author)
    _, token = api_token_create(organization=org_a, name="schemathesis", scope="write")
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{live_server.url.replace('localhost', '127.0.0.1')}/api/schema/",
        "--checks", ",".join(CHECKS),
        "--header", f"Authorization: Bearer {token}",
        "--max-examples", os.environ.get("RENOWN_SCHEMATHESIS_EXAMPLES", "4"),
        "--phases", "coverage,fuzzing",
        "--workers", "1",
        "--seed", "7",
        "--request-timeout", "30",
        "--report", "junit",
        "--report-dir", str(tmp_path),
    ]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=540, check=False, cwd=tmp_path
    )
    output = result.stdout + result.stderr
    print(output[-1500:])  # the summary: operations, cases, time (pytest -s shows it)
    assert result.returncode == 0, output[-20000:]
    assert "48/48" in output or "Selected:" in output, output[-5000:]
