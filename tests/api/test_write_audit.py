"""Every write operation of the API leaves exactly its audit event, and the trail holds.

``WRITES`` has one row per write operation (POST, PUT, PATCH, DELETE) of the
generated schema, keyed by its operationId: who calls, how to fill the request,
and the audit events the call must add. The test reads the schema and fails when
a write operation has no row (or a row names none), so a new write path cannot
escape: it needs a row, and its row needs the event. Each call must add exactly
the events of its row, of documented types (``AuditEventType``), by the caller,
and leave every chain intact (``audit_trail_verify``).

A call adds one event. A Greenhouse delivery changes several objects (candidate,
accounts, application, job) and records them in one event with their counts and a
digest (``renown.trail.audit_batch``); a rule write that also makes the rule live
says so in its one event (``went_live``); a rule preview changes nothing and adds
none. (An acknowledgement in words given with a rule write is its own
``warning.acknowledged`` event: it is a person's statement, read back from the trail.)
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from candidates.models import EvidenceVerification
from hiring.api.schema import openapi_schema
from renown.api.tokens import api_token_create
from renown.models import ApiToken, AuditEvent, AuditEventType
from renown.trail import audit_actor_label, audit_trail_verify
from tests import factories
from tests.api.conftest import token_client
from tests.api.world import World, build_world

pytestmark = pytest.mark.django_db

R, H, WT, GH = "recruiter", "hr_admin", "write_token", "greenhouse"
WRITE_METHODS = {"post", "put", "patch", "delete"}
GREENHOUSE_FIXTURE = (
    Path(__file__).parent.parent / "webhooks" / "fixtures" / "greenhouse"
) / "new_candidate_application.json"

Body = dict[str, Any] | Callable[[World], dict[str, Any]] | None


@dataclass(frozen=True)
class Write:
    method: str
    path: str
    caller: str
    events: tuple[str, ...]
    body: Body = None
    status: int = 200
    # Which object fills {rule_id}.
    rule: str = "live_rule"
    extra: dict[str, str] = field(default_factory=dict)


def _iso(delta: timedelta = timedelta(0)) -> str:
    return (datetime.now(tz=UTC) - timedelta(days=1) + delta).isoformat()


T = AuditEventType
C = "/api/v1/candidates/{candidate_id}"
W = "/api/v1/webhook-subscriptions/{subscription_id}"
WRITES: dict[str, Write] = {
    "candidates_create": Write(
        "POST", "/api/v1/candidates/", WT, (T.CANDIDATE_CREATED,), {"name": "New"}, 201
    ),
    "candidates_partial_update": Write(
        "PATCH", f"{C}/", WT, (T.CANDIDATE_CHANGED,), {"name": "Renamed"}
    ),
    "candidates_destroy": Write("DELETE", f"{C}/", WT, (T.CANDIDATE_ERASED,), status=204),
    "candidates_portal_link_create": Write(
        "POST", f"{C}/portal-link/", WT, (T.PORTAL_LINK_CREATED,), status=201
    ),
    "candidates_portal_link_revoke": Write(
        "DELETE", f"{C}/portal-link/", WT, (T.PORTAL_LINKS_REVOKED,), status=204
    ),
    "candidates_accounts_create": Write(
        "POST",
        f"{C}/accounts/",
        WT,
        (T.ACCOUNT_ADDED,),
        {"network": "github", "handle": "octocat"},
        201,
    ),
    "candidates_accounts_destroy": Write(
        "DELETE", f"{C}/accounts/{{account_id}}/", WT, (T.ACCOUNT_REMOVED,), status=204
    ),
    "candidates_evidence_create": Write(
        "POST", f"{C}/evidence/", WT, (T.EVIDENCE_ADDED,), {"kind": "talk", "title": "A talk"}, 201
    ),
    "candidates_evidence_partial_update": Write(
        "PATCH", f"{C}/evidence/{{evidence_id}}/", WT, (T.EVIDENCE_CHANGED,), {"title": "Retitled"}
    ),
    "candidates_evidence_destroy": Write(
        "DELETE", f"{C}/evidence/{{evidence_id}}/", WT, (T.EVIDENCE_REMOVED,), status=204
    ),
    "candidates_notices_create": Write(
        "POST",
        f"{C}/notices/",
        WT,
        (T.NOTICE_RECORDED,),
        lambda w: {"kind": "fcra_disclosure", "given_at": _iso()},
        201,
    ),
    "candidates_notices_withdraw_create": Write(
        "POST",
        f"{C}/notices/{{notice_id}}/withdraw/",
        WT,
        (T.NOTICE_WITHDRAWN,),
        lambda w: {"withdrawn_at": _iso(timedelta(hours=23))},
    ),
    "candidates_vendor_scores_create": Write(
        "POST",
        f"{C}/vendor-scores/",
        WT,
        (T.VENDOR_SCORE_RECORDED,),
        {"vendor": "kred", "value": "500", "as_of": "2020-01-01"},
        201,
    ),
    "candidates_bulk_create": Write(
        "POST",
        "/api/v1/candidates/bulk/",
        WT,
        (T.CANDIDATES_BULK_UPSERTED,),
        {"items": [{"name": "Bulk One"}, {"name": "Bulk Two"}, {"name": ""}]},
    ),
    "candidates_by_external_id_update": Write(
        "PUT",
        "/api/v1/candidates/by-external-id/{source}/{external_id}/",
        WT,
        (T.CANDIDATE_CREATED,),
        {"name": "Upserted"},
        201,
    ),
    "jobs_create": Write(
        "POST",
        "/api/v1/jobs/",
        WT,
        ("job.created",),
        {"title": "Engineer", "jurisdictions": ["US-CA"]},
        201,
    ),
    "jobs_partial_update": Write(
        "PATCH",
        "/api/v1/jobs/{job_id}/",
        WT,
        ("job.changed",),
        {"title": "Lead"},
    ),
    "jobs_applications_create": Write(
        "POST",
        "/api/v1/jobs/{job_id}/applications/",
        WT,
        (T.APPLICATION_ADDED,),
        lambda w: {"candidate": str(w.other_candidate.public_id)},
        201,
    ),
    # A rule that needs no second approval goes live in the same call: one event says so.
    "jobs_rules_create": Write(
        "POST",
        "/api/v1/jobs/{job_id}/rules/",
        H,
        (T.RULE_CREATED,),
        {"metric": "influence", "threshold": "40"},
        201,
    ),
    # A preview evaluates a rule that is not saved: it changes nothing, records nothing.
    "jobs_rules_preview_create": Write(
        "POST",
        "/api/v1/jobs/{job_id}/rules/preview/",
        H,
        (),
        {"metric": "influence", "threshold": "40"},
    ),
    "rules_partial_update": Write(
        "PATCH",
        "/api/v1/rules/{rule_id}/",
        H,
        (T.RULE_CHANGED,),
        {"threshold": "45"},
        201,
    ),
    "rules_activate_create": Write(
        "POST", "/api/v1/rules/{rule_id}/activate/", H, (T.RULE_ACTIVATED,), rule="draft_rule"
    ),
    "rules_approve_create": Write(
        "POST",
        "/api/v1/rules/{rule_id}/approve/",
        H,
        (T.RULE_APPROVED,),
        {"statement": "Reviewed; approved."},
        rule="screen_out_draft",
    ),
    "rules_acknowledge_create": Write(
        "POST",
        "/api/v1/rules/{rule_id}/acknowledge/",
        H,
        (T.WARNING_ACKNOWLEDGED,),
        {"statement": "Reviewed with legal."},
        rule="klout_draft",
    ),
    "rules_deactivate_create": Write(
        "POST", "/api/v1/rules/{rule_id}/deactivate/", H, (T.RULE_DEACTIVATED,), {"note": "x"}
    ),
    "rules_rollback_create": Write(
        "POST",
        "/api/v1/rules/{rule_id}/rollback/",
        H,
        (T.RULE_ROLLED_BACK,),
        {"to_version": 1},
        201,
    ),
    "screenings_decisions_create": Write(
        "POST",
        "/api/v1/screenings/{screening_id}/decisions/",
        R,
        (T.DECISION_RECORDED,),
        {"kind": "hold", "reason": "Need to look at the talks."},
        201,
    ),
    "screenings_run_create": Write(
        "POST", "/api/v1/screenings/run/", WT, (T.SCREENING_RUN,), lambda w: {"job": w.job.pk}, 202
    ),
    "webhook_subscriptions_create": Write(
        "POST",
        "/api/v1/webhook-subscriptions/",
        WT,
        (T.WEBHOOK_SUBSCRIPTION_CREATED,),
        {"name": "ATS", "url": "https://ats.example/hook", "events": ["decision.recorded"]},
        201,
    ),
    "webhook_subscriptions_partial_update": Write(
        "PATCH", f"{W}/", WT, (T.WEBHOOK_SUBSCRIPTION_CHANGED,), {"events": ["decision.recorded"]}
    ),
    "webhook_subscriptions_destroy": Write(
        "DELETE", f"{W}/", WT, (T.WEBHOOK_SUBSCRIPTION_DELETED,), status=204
    ),
    "webhook_subscriptions_rotate_secret_create": Write(
        "POST", f"{W}/rotate-secret/", WT, (T.WEBHOOK_SUBSCRIPTION_SECRET_ROTATED,)
    ),
    "webhook_subscriptions_switch_scheme_create": Write(
        "POST",
        f"{W}/switch-scheme/",
        WT,
        (T.WEBHOOK_SUBSCRIPTION_SECRET_ROTATED,),
        body={"signature_scheme": "standard"},
    ),
    "webhook_subscriptions_deliveries_redeliver_create": Write(
        "POST",
        f"{W}/deliveries/{{delivery_id}}/redeliver/",
        WT,
        (T.WEBHOOK_DELIVERY_REDELIVERED,),
        status=202,
    ),
    # Several objects, one event each: the candidate, three accounts Renown reads, the
    # application (the job exists already, so no job is created).
    "ats_webhook": Write(
        "POST",
        "/api/v1/ats/{ats}/{org_slug}/",
        GH,
        # One delivery, one event: the candidate, its three accounts and the application
        # are counted in it (audit_batch).
        (T.ATS_DELIVERY_APPLIED,),
    ),
}


def schema_writes() -> dict[str, tuple[str, str]]:
    """{operationId: (method, path)} of every write operation of the generated schema."""
    return {
        operation["operationId"]: (method.upper(), path)
        for path, item in openapi_schema()["paths"].items()
        for method, operation in item.items()
        if method in WRITE_METHODS
    }


def test_every_write_operation_has_a_row() -> None:
    operations = schema_writes()
    missing = sorted(set(operations) - set(WRITES))
    stale = sorted(set(WRITES) - set(operations))
    assert not missing, f"write operations without a row in WRITES: {missing}"
    assert not stale, f"rows for operations the schema does not have: {stale}"
    for operation_id, row in WRITES.items():
        assert operations[operation_id] == (row.method, row.path), operation_id
        for event_type in row.events:
            assert event_type in AuditEventType.values, (operation_id, event_type)
    assert len(operations) >= 32


def _params(world: World, row: Write) -> dict[str, str]:
    return {
        "candidate_id": str(world.candidate.public_id),
        "account_id": str(world.account.pk),
        "evidence_id": str(world.evidence.pk),
        "notice_id": str(world.notice.pk),
        "job_id": str(world.job.pk),
        "rule_id": str(getattr(world, row.rule).pk),
        "screening_id": str(world.screening.pk),
        "subscription_id": str(world.subscription.pk),
        "delivery_id": str(world.delivery.pk),
        "org_slug": world.job.organization.slug,
        "ats": "greenhouse",  # the ATS endpoint: a Greenhouse delivery stands for all four
        "source": "greenhouse",
        "external_id": "gh-1",
        **row.extra,
    }


@pytest.mark.parametrize("operation_id", sorted(WRITES))
def test_a_write_adds_exactly_its_audit_events(
    operation_id: str, org_a: Any, recruiter_a: Any, hr_admin_a: Any
) -> None:
    row = WRITES[operation_id]
    plaintext = api_token_create(organization=org_a, name="ats-write", scope="write")[1]
    token = ApiToken.objects.get(organization=org_a, name="ats-write")
    author = factories.UserFactory(username="second-hr")
    factories.MembershipFactory(user=author, organization=org_a, role="hr_admin")
    world = build_world(org_a, author=author)
    url = row.path.format(**_params(world, row))
    body: Any = row.body(world) if callable(row.body) else row.body
    actor = {
        WT: f"API token {token.name} (#{token.pk})",
        H: audit_actor_label(hr_admin_a),
        R: audit_actor_label(recruiter_a),
        GH: "ats:greenhouse",
    }[row.caller]
    before = AuditEvent.objects.count()
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    if row.caller == GH:
        from hiring.ats.greenhouse import signature as greenhouse_signature
        from hiring.ats.services import ats_secret_set

        factories.JobFactory(organization=org_a, external_id="REQ-2026-014")
        secret = ats_secret_set(organization=org_a, ats="greenhouse")
        before = AuditEvent.objects.count()
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        raw = GREENHOUSE_FIXTURE.read_bytes()
        response = APIClient().generic(
            row.method, url, raw, "application/json",
            HTTP_SIGNATURE=greenhouse_signature(secret, raw),
        )  # fmt: skip
    else:
        if row.caller == WT:
            client = token_client(plaintext)
        else:
            client = APIClient()
            client.force_login(recruiter_a if row.caller == R else hr_admin_a)
        if row.method == "DELETE":
            response = client.delete(url)
        else:
            response = getattr(client, row.method.lower())(url, body or {}, format="json")

    assert response.status_code == row.status, response.content
    added = list(AuditEvent.objects.filter(pk__gt=last).order_by("pk"))
    assert AuditEvent.objects.count() - before == len(row.events), [e.event_type for e in added]
    assert Counter(str(e.event_type) for e in added) == Counter(str(t) for t in row.events)
    assert all(e.actor_label == actor for e in added), [e.actor_label for e in added]
    assert all(e.organization_id == org_a.pk for e in added)
    assert all(chain.intact for chain in audit_trail_verify())


# --- the acceptance test of issue 15, as written ----------------------------------------


def test_each_api_write_adds_one_event_and_patching_verified_evidence_unverifies_it(
    org_a: Any, recruiter_a: Any, write_client: APIClient
) -> None:
    from hiring.services.evidence import evidence_decide

    candidate = factories.CandidateFactory(organization=org_a)
    base = f"/api/v1/candidates/{candidate.public_id}"
    given = (datetime.now(tz=UTC) - timedelta(days=3)).isoformat()

    def one_event(method: str, url: str, body: dict[str, Any] | None, status: int) -> Any:
        count = AuditEvent.objects.count()
        call = getattr(write_client, method)
        response = call(url) if body is None else call(url, body, format="json")
        assert response.status_code == status, response.content
        assert AuditEvent.objects.count() == count + 1, (method, url)
        return response

    evidence = one_event(
        "post", f"{base}/evidence/", {"kind": "other", "title": "Minor blog post"}, 201
    ).json()
    evidence_decide(
        evidence=candidate.evidence.get(pk=evidence["id"]), actor=recruiter_a, verified=True
    )
    assert candidate.evidence.get(pk=evidence["id"]).verification == "verified"
    patched = one_event(
        "patch",
        f"{base}/evidence/{evidence['id']}/",
        {"kind": "award", "title": "Nobel Prize in Physics"},
        200,
    ).json()
    assert patched["verification"] == EvidenceVerification.UNVERIFIED
    stored = candidate.evidence.get(pk=evidence["id"])
    assert (stored.verification, stored.verified_at, stored.verified_by_id) == (
        EvidenceVerification.UNVERIFIED,
        None,
        None,
    )
    change = AuditEvent.objects.order_by("-pk").first()
    assert change is not None
    assert change.event_type == AuditEventType.EVIDENCE_CHANGED
    assert change.before is not None
    assert change.after is not None
    assert (change.before["verification"], change.after["verification"]) == (
        "verified",
        "unverified",
    )
    assert (change.before["title"], change.after["title"]) == (
        "Minor blog post",
        "Nobel Prize in Physics",
    )

    account = one_event(
        "post", f"{base}/accounts/", {"network": "github", "handle": "octocat"}, 201
    ).json()
    one_event("delete", f"{base}/accounts/{account['id']}/", None, 204)
    notice = one_event(
        "post", f"{base}/notices/", {"kind": "fcra_disclosure", "given_at": given}, 201
    ).json()
    one_event(
        "post",
        f"{base}/notices/{notice['id']}/withdraw/",
        {"withdrawn_at": (datetime.now(tz=UTC) - timedelta(days=1)).isoformat()},
        200,
    )
    one_event(
        "post",
        f"{base}/vendor-scores/",
        {"vendor": "kred", "value": "500", "as_of": "2020-01-01"},
        201,
    )
    # The same vendor and date again: a replacement, recorded with what it replaced.
    one_event(
        "post",
        f"{base}/vendor-scores/",
        {"vendor": "kred", "value": "600", "as_of": "2020-01-01"},
        200,
    )
    replaced = AuditEvent.objects.order_by("-pk").first()
    assert replaced is not None
    assert replaced.before is not None
    assert replaced.after is not None
    assert (replaced.before["value"], replaced.after["value"]) == ("500.00", "600.00")
    assert all(chain.intact for chain in audit_trail_verify())


def test_a_bulk_upsert_records_one_event_with_counts_and_a_digest_of_the_ids(
    org_a: Any, write_client: APIClient
) -> None:
    from candidates.services import ids_digest

    factories.CandidateFactory(organization=org_a, ats_source="ats", external_id="k1", name="Old")
    items = [
        {"name": "New One"},
        {"name": "Renamed", "ats_source": "ats", "external_id": "k1"},
        {"name": ""},
    ]
    count = AuditEvent.objects.count()
    response = write_client.post("/api/v1/candidates/bulk/", {"items": items}, format="json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "updated", "error"]
    assert AuditEvent.objects.count() == count + 1
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None
    assert event.after is not None
    assert event.event_type == AuditEventType.CANDIDATES_BULK_UPSERTED
    assert {k: event.after[k] for k in ("items", "created", "updated", "changed", "rejected")} == {
        "items": 3,
        "created": 1,
        "updated": 1,
        "changed": 1,
        "rejected": 1,
    }
    assert event.after["created_ids_sha256"] == ids_digest([results[0]["id"]])
    assert event.after["changed_ids_sha256"] == ids_digest([results[1]["id"]])
    # No name or e-mail address enters the append-only trail.
    assert "Renamed" not in json.dumps(event.after)
