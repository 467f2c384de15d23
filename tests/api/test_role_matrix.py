"""Every operation of the schema × every persona × own or other organisation.

``EXPECTATIONS`` has one row per operation (method and path as the schema names
them): the personas allowed, the status they get, and how to fill the request.
The test reads the generated schema and fails when an operation has no row (or a
row names no operation), so a new endpoint cannot escape the matrix: add its row.

- An allowed persona gets the row's status in its own organisation, and 404 for
  the other organisation's object (every operation with an object in its path).
- Any other persona gets 403; anonymous gets 401.
- A list never shows the other organisation's objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from hiring.api.schema import openapi_schema
from renown.api.tokens import api_token_create
from tests import factories
from tests.api.conftest import token_client
from tests.api.world import World, build_world

pytestmark = pytest.mark.django_db

R, H, A, RT, WT = "recruiter", "hr_admin", "auditor", "read_token", "write_token"
PERSONAS = (R, H, A, RT, WT, "anonymous")
READERS = frozenset({R, H, A, RT, WT})
WRITERS = frozenset({R, H, WT})
MARKER = "otherorgmarker"

Body = dict[str, Any] | Callable[[World], dict[str, Any]] | None


@dataclass(frozen=True)
class Expect:
    allowed: frozenset[str]
    status: int
    body: Body = None
    # Which object fills {rule_id} (the live rule unless said otherwise).
    rule: str = "live_rule"
    extra: dict[str, str] = field(default_factory=dict)
    # Authenticated by an HMAC signature of the body, not by a token or a session: every
    # persona unsigned gets 401; a body signed with the organisation's secret gets status.
    signed: bool = False


def _iso(delta: timedelta = timedelta(0)) -> str:
    return (datetime.now(tz=UTC) - timedelta(days=1) + delta).isoformat()


C = "/api/v1/candidates/{candidate_id}"
W = "/api/v1/webhook-subscriptions/{subscription_id}"
EXPECTATIONS: dict[tuple[str, str], Expect] = {
    ("GET", "/api/v1/candidates/"): Expect(READERS, 200),
    ("POST", "/api/v1/candidates/"): Expect(WRITERS, 201, {"name": "New Person"}),
    ("GET", f"{C}/"): Expect(READERS, 200),
    ("PATCH", f"{C}/"): Expect(WRITERS, 200, {"name": "Renamed"}),
    ("DELETE", f"{C}/"): Expect(frozenset({H, WT}), 204),
    ("GET", f"{C}/accounts/"): Expect(READERS, 200),
    ("POST", f"{C}/accounts/"): Expect(WRITERS, 201, {"network": "github", "handle": "octocat"}),
    ("GET", f"{C}/accounts/{{account_id}}/"): Expect(READERS, 200),
    ("DELETE", f"{C}/accounts/{{account_id}}/"): Expect(WRITERS, 204),
    ("GET", f"{C}/evidence/"): Expect(READERS, 200),
    ("POST", f"{C}/evidence/"): Expect(WRITERS, 201, {"kind": "talk", "title": "A talk"}),
    ("GET", f"{C}/evidence/{{evidence_id}}/"): Expect(READERS, 200),
    ("PATCH", f"{C}/evidence/{{evidence_id}}/"): Expect(WRITERS, 200, {"title": "Retitled"}),
    ("DELETE", f"{C}/evidence/{{evidence_id}}/"): Expect(WRITERS, 204),
    ("GET", f"{C}/notices/"): Expect(READERS, 200),
    ("POST", f"{C}/notices/"): Expect(
        WRITERS, 201, lambda w: {"kind": "fcra_disclosure", "given_at": _iso()}
    ),
    ("GET", f"{C}/notices/{{notice_id}}/"): Expect(READERS, 200),
    ("POST", f"{C}/notices/{{notice_id}}/withdraw/"): Expect(
        WRITERS, 200, lambda w: {"withdrawn_at": _iso(timedelta(hours=23))}
    ),
    ("GET", f"{C}/scores/"): Expect(READERS, 200),
    ("GET", f"{C}/scores/{{score_id}}/"): Expect(READERS, 200),
    ("GET", f"{C}/vendor-scores/"): Expect(READERS, 200),
    ("POST", f"{C}/vendor-scores/"): Expect(
        WRITERS, 201, {"vendor": "kred", "value": "500", "as_of": "2020-01-01"}
    ),
    ("POST", "/api/v1/candidates/bulk/"): Expect(
        WRITERS, 200, {"items": [{"name": "Bulk One"}, {"name": ""}]}
    ),
    ("PUT", "/api/v1/candidates/by-external-id/{source}/{external_id}/"): Expect(
        WRITERS, 201, {"name": "Upserted"}
    ),
    ("GET", "/api/v1/jobs/"): Expect(READERS, 200),
    ("POST", "/api/v1/jobs/"): Expect(
        frozenset({H, WT}), 201, {"title": "Engineer", "jurisdictions": ["US-CA"]}
    ),
    ("GET", "/api/v1/jobs/{job_id}/"): Expect(READERS, 200),
    ("PATCH", "/api/v1/jobs/{job_id}/"): Expect(frozenset({H, WT}), 200, {"title": "Lead"}),
    ("GET", "/api/v1/jobs/{job_id}/applications/"): Expect(READERS, 200),
    ("POST", "/api/v1/jobs/{job_id}/applications/"): Expect(
        WRITERS, 201, lambda w: {"candidate": str(w.other_candidate.public_id)}
    ),
    ("GET", "/api/v1/jobs/{job_id}/bias-audit/"): Expect(frozenset({A}), 200),
    ("GET", "/api/v1/jobs/{job_id}/rules/"): Expect(READERS, 200),
    ("POST", "/api/v1/jobs/{job_id}/rules/"): Expect(
        frozenset({H}), 201, {"metric": "influence", "threshold": "40"}
    ),
    ("POST", "/api/v1/jobs/{job_id}/rules/preview/"): Expect(
        frozenset({H}), 200, {"metric": "influence", "threshold": "40"}
    ),
    ("GET", "/api/v1/refresh-cycles/"): Expect(READERS, 200),
    ("GET", "/api/v1/refresh-cycles/{cycle_id}/"): Expect(READERS, 200),
    ("GET", "/api/v1/rules/{rule_id}/"): Expect(READERS, 200),
    ("PATCH", "/api/v1/rules/{rule_id}/"): Expect(frozenset({H}), 201, {"threshold": "45"}),
    ("POST", "/api/v1/rules/{rule_id}/activate/"): Expect(frozenset({H}), 200, rule="draft_rule"),
    ("POST", "/api/v1/rules/{rule_id}/approve/"): Expect(
        frozenset({H}), 200, {"statement": "Reviewed; approved."}, rule="screen_out_draft"
    ),
    ("POST", "/api/v1/rules/{rule_id}/acknowledge/"): Expect(
        frozenset({H}), 200, {"statement": "Reviewed with legal."}, rule="klout_draft"
    ),
    ("POST", "/api/v1/rules/{rule_id}/deactivate/"): Expect(frozenset({H}), 200, {"note": "x"}),
    ("POST", "/api/v1/rules/{rule_id}/rollback/"): Expect(frozenset({H}), 201, {"to_version": 1}),
    ("GET", "/api/v1/rules/{rule_id}/versions/"): Expect(READERS, 200),
    ("GET", "/api/v1/screenings/"): Expect(READERS, 200),
    ("GET", "/api/v1/screenings/{screening_id}/"): Expect(READERS, 200),
    ("GET", "/api/v1/screenings/{screening_id}/decisions/"): Expect(READERS, 200),
    ("POST", "/api/v1/screenings/{screening_id}/decisions/"): Expect(
        frozenset({R}), 201, {"kind": "hold", "reason": "Need to look at the talks."}
    ),
    ("POST", "/api/v1/screenings/run/"): Expect(WRITERS, 202, lambda w: {"job": w.job.pk}),
    ("GET", f"{C}/export/"): Expect(frozenset({H, WT}), 200),
    ("POST", f"{C}/portal-link/"): Expect(WRITERS, 201),
    ("DELETE", f"{C}/portal-link/"): Expect(WRITERS, 204),
    ("GET", "/api/v1/webhook-subscriptions/"): Expect(frozenset({H, WT}), 200),
    ("POST", "/api/v1/webhook-subscriptions/"): Expect(
        frozenset({H, WT}),
        201,
        {"name": "ATS", "url": "https://ats.example/hook", "events": ["decision.recorded"]},
    ),
    ("GET", f"{W}/"): Expect(frozenset({H, WT}), 200),
    ("PATCH", f"{W}/"): Expect(frozenset({H, WT}), 200, {"events": ["score.updated"]}),
    ("DELETE", f"{W}/"): Expect(frozenset({H, WT}), 204),
    ("POST", f"{W}/rotate-secret/"): Expect(frozenset({H, WT}), 200),
    ("POST", f"{W}/switch-scheme/"): Expect(
        frozenset({H, WT}), 200, {"signature_scheme": "standard"}
    ),
    ("GET", f"{W}/deliveries/"): Expect(frozenset({H, WT}), 200),
    ("GET", f"{W}/deliveries/{{delivery_id}}/"): Expect(frozenset({H, WT}), 200),
    ("POST", f"{W}/deliveries/{{delivery_id}}/redeliver/"): Expect(frozenset({H, WT}), 202),
    ("POST", "/api/v1/ats/{ats}/{org_slug}/"): Expect(frozenset(), 200, signed=True),
}


def schema_operations() -> set[tuple[str, str]]:
    schema = openapi_schema()
    methods = {"get", "post", "put", "patch", "delete"}
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in methods
    }


def test_every_schema_operation_has_a_row() -> None:
    operations = schema_operations()
    missing = sorted(operations - set(EXPECTATIONS))
    stale = sorted(set(EXPECTATIONS) - operations)
    assert not missing, f"operations without a row in EXPECTATIONS: {missing}"
    assert not stale, f"rows for operations the schema does not have: {stale}"
    assert len(operations) >= 48


def _params(world: World, expect: Expect) -> dict[str, str]:
    return {
        "candidate_id": str(world.candidate.public_id),
        "account_id": str(world.account.pk),
        "evidence_id": str(world.evidence.pk),
        "notice_id": str(world.notice.pk),
        "score_id": str(world.score.pk),
        "job_id": str(world.job.pk),
        "rule_id": str(getattr(world, expect.rule).pk),
        "screening_id": str(world.screening.pk),
        "cycle_id": str(world.cycle.pk),
        "subscription_id": str(world.subscription.pk),
        "delivery_id": str(world.delivery.pk),
        "org_slug": world.job.organization.slug,
        "ats": "greenhouse",  # the ATS endpoint: a Greenhouse delivery stands for all four
        "source": "greenhouse",
        "external_id": "gh-1",
        **expect.extra,
    }


def _send(client: APIClient, method: str, url: str, body: dict[str, Any] | None) -> Any:
    if method in {"GET", "DELETE"}:
        return getattr(client, method.lower())(url)
    return getattr(client, method.lower())(url, body or {}, format="json")


@pytest.fixture
def clients(org_a: Any, hr_admin_a: Any, recruiter_a: Any, auditor_a: Any) -> dict[str, Any]:
    made: dict[str, Any] = {"anonymous": APIClient()}
    for persona, user in ((R, recruiter_a), (H, hr_admin_a), (A, auditor_a)):
        client = APIClient()
        client.force_login(user)
        made[persona] = client
    for persona, scope in ((RT, "read"), (WT, "write")):
        made[persona] = token_client(
            api_token_create(organization=org_a, name=persona, scope=scope)[1]
        )
    return made


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTATIONS))
def test_role_matrix(
    method: str,
    path: str,
    org_a: Any,
    org_b: Any,
    hr_admin_b: Any,
    clients: dict[str, Any],
) -> None:
    expect = EXPECTATIONS[(method, path)]
    second_hr_a = factories.UserFactory(username="second-hr")
    factories.MembershipFactory(user=second_hr_a, organization=org_a, role="hr_admin")
    own = build_world(org_a, author=second_hr_a)
    other = build_world(org_b, author=hr_admin_b, marker=MARKER)
    if expect.signed:
        _check_signed(method, path, expect, clients, own, other)
        return
    has_object = "{" in path and not path.startswith("/api/v1/candidates/by-external-id/")
    for persona in PERSONAS:
        client = clients[persona]
        allowed = persona in expect.allowed
        denied_status = 401 if persona == "anonymous" else 403
        for world, is_own in ((own, True), (other, False)):
            if not is_own and not has_object:
                continue
            url = path.format(**_params(world, expect))
            body = expect.body(world) if callable(expect.body) else expect.body
            with transaction.atomic():
                response = _send(client, method, url, body)
                transaction.set_rollback(True)
            wanted = (expect.status if is_own else 404) if allowed else denied_status
            assert response.status_code == wanted, (
                f"{persona} {method} {url} ({'own' if is_own else 'other'} organisation): "
                f"{response.status_code} {response.content[:300]!r}"
            )
            if response.status_code >= 400:
                assert response["Content-Type"] == "application/problem+json"
            elif response.content:
                assert MARKER not in response.content.decode(), f"{persona} saw B at {url}"


def _check_signed(
    method: str, path: str, expect: Expect, clients: dict[str, Any], own: World, other: World
) -> None:
    """Signature-authenticated: no persona gets in unsigned; only the own secret opens it."""
    from hiring.ats.greenhouse import signature as greenhouse_signature
    from hiring.ats.services import ats_secret_set

    secret = ats_secret_set(organization=own.job.organization, ats="greenhouse")
    body = json.dumps({"action": "ping", "payload": {"web_hook_id": 1}}).encode()
    for persona in PERSONAS:
        for world in (own, other):
            url = path.format(**_params(world, expect))
            response = clients[persona].generic(method, url, body, "application/json")
            assert response.status_code == 401, f"{persona} unsigned {url}: {response.status_code}"
            assert response["Content-Type"] == "application/problem+json"
    signed = {"HTTP_SIGNATURE": greenhouse_signature(secret, body)}
    anonymous = clients["anonymous"]
    own_url = path.format(**_params(own, expect))
    other_url = path.format(**_params(other, expect))
    assert anonymous.generic(method, own_url, body, "application/json", **signed).status_code == (
        expect.status
    )
    # Organisation A's secret does not open organisation B's endpoint.
    assert (
        anonymous.generic(method, other_url, body, "application/json", **signed).status_code == 401
    )
