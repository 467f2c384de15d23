"""The OpenAPI schema is accurate: schemathesis against the live app finds nothing.

A live server on a throwaway test database holding a small demo (``renown_site.demo``
with a dozen candidates: verified accounts, jobs, screenings) plus one world of
every kind of object (``tests/api/world.py``) and a job a Greenhouse delivery
created (no jurisdictions), a write token, and every check schemathesis has but
``negative_data_rejection`` (run by hand; what it finds is in docs/api.md). All
four phases run, the stateful one included (links inferred from the schema),
from a fixed seed with a bounded number of examples, so the run takes about four
minutes on a busy two-core machine. ``RENOWN_SCHEMATHESIS_EXAMPLES`` raises the count.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from hiring.ats import services as ats_services
from hiring.ats.base import Delivery
from hiring.ats.greenhouse import signature as greenhouse_signature
from renown.api.tokens import api_token_create
from renown.models import Membership, Role
from renown_site.demo import demo_build
from tests.api.world import build_world
from tests.webhooks.test_greenhouse import fixture

EXCLUDED_CHECKS = "negative_data_rejection"

CONFIG = """\
[parameters]
candidate_id = "{candidate}"
job_id = {job}
screening_id = {screening}
subscription_id = {subscription}
delivery_id = {delivery}
rule_id = {rule}
account_id = {account}
evidence_id = {evidence}
notice_id = {notice}
score_id = {score}
cycle_id = {cycle}
org_slug = "{org_slug}"

[phases.stateful]
max-steps = 6

# Schema-valid requests the API refuses: a repeated Idempotency-Key with another body
# (422), and on the operations below checks JSON Schema cannot state (400), each
# listed with its reason in docs/api.md ("What the schema cannot say").
[checks.positive_data_acceptance]
expected-statuses = ["2XX", "401", "403", "404", "409", "422"]
{semantic}"""

# Operations whose validation goes past the schema (docs/api.md lists why for each).
SEMANTIC_VALIDATION = [
    ("POST", "/candidates/"),
    ("PATCH", "/candidates/{candidate_id}/"),
    ("PUT", "/candidates/by-external-id/{source}/{external_id}/"),
    ("POST", "/candidates/bulk/"),
    ("POST", "/candidates/{candidate_id}/accounts/"),
    ("POST", "/candidates/{candidate_id}/evidence/"),
    ("PATCH", "/candidates/{candidate_id}/evidence/{evidence_id}/"),
    ("POST", "/candidates/{candidate_id}/notices/"),
    ("POST", "/candidates/{candidate_id}/notices/{notice_id}/withdraw/"),
    ("POST", "/candidates/{candidate_id}/vendor-scores/"),
    ("POST", "/jobs/"),
    ("PATCH", "/jobs/{job_id}/"),
    ("POST", "/jobs/{job_id}/applications/"),
    ("POST", "/screenings/run/"),
    ("POST", "/screenings/{screening_id}/decisions/"),
    ("POST", "/webhook-subscriptions/"),
    ("PATCH", "/webhook-subscriptions/{subscription_id}/"),
    # ordering beside updated_after; a leap second in updated_after
    ("GET", "/candidates/"),
    ("GET", "/screenings/"),
    ("GET", "/candidates/{candidate_id}/scores/"),
]
SEMANTIC = "".join(
    f"""
[[operations]]
include-method = "{method}"
include-path = "/api/v1{path}"
checks.positive_data_acceptance.expected-statuses = ["2XX", "400", "401", "403", "404", "409", "422"]
"""
    for method, path in SEMANTIC_VALIDATION
)


@pytest.mark.django_db(transaction=True)
@override_settings(RENOWN_API_THROTTLE_RATE="1000000/min")
def test_schemathesis_finds_nothing(live_server: Any, tmp_path: Path) -> None:
    demo = demo_build(candidates=12)
    organization = demo.organization
    author = Membership.objects.filter(organization=organization, role=Role.HR_ADMIN).first()
    assert author is not None
    _, token = api_token_create(organization=organization, name="schemathesis", scope="write")
    world = build_world(organization, author=author.user, marker="st")
    # A job as a Greenhouse delivery makes it: where it hires is not in the payload.
    secret = ats_services.ats_secret_set(organization=organization, ats="greenhouse")
    body = fixture("new_candidate_application.json")
    ats_services.ats_receive(
        ats="greenhouse",
        org_slug=organization.slug,
        delivery=Delivery(body, {"Signature": greenhouse_signature(secret, body)}),
    )
    assert organization.jobs.filter(jurisdictions=[]).exists()
    assert world.delivery is not None
    (tmp_path / "schemathesis.toml").write_text(
        CONFIG.format(
            candidate=world.candidate.public_id,
            job=world.job.pk,
            screening=world.screening.pk,
            subscription=world.subscription.pk,
            delivery=world.delivery.pk,
            rule=world.live_rule.pk,
            account=world.account.pk,
            evidence=world.evidence.pk,
            notice=world.notice.pk,
            score=world.score.pk,
            cycle=world.cycle.pk,
            org_slug=organization.slug,
            semantic=SEMANTIC,
        )
    )
    # RENOWN_SCHEMATHESIS_CHECKS=negative_data_rejection: the by-hand run of docs/api.md.
    only = os.environ.get("RENOWN_SCHEMATHESIS_CHECKS")
    checks = (
        ["--checks", only] if only else ["--checks", "all", "--exclude-checks", EXCLUDED_CHECKS]
    )
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{live_server.url.replace('localhost', '127.0.0.1')}/api/schema/",
        *checks,
        "--header", f"Authorization: Bearer {token}",
        "--max-examples", os.environ.get("RENOWN_SCHEMATHESIS_EXAMPLES", "2"),
        "--phases", "examples,coverage,fuzzing,stateful",
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
    print(output[-2500:])  # the summary: operations, phases, cases, time (pytest -s shows it)
    failures = output[output.find("FAILURES") :] if "FAILURES" in output else output[-20000:]
    assert result.returncode == 0, failures[:80000]
    assert "Selected:" in output, output[-5000:]
    assert "✅ Stateful" in output, output[-5000:]  # the stateful phase ran, and passed
