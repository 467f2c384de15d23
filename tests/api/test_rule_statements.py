"""Acknowledge and approve through the API (issue 18, part 3): ``{"statement": "..."}``,
422 when it is missing or empty, 409 when the rule is not a draft or the approver wrote
it, 200 with the rule otherwise; the statements are on the audit trail."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from hiring.api.schema import openapi_schema
from hiring.models import ScreeningRule
from renown.models import AuditEvent, Organization
from tests import factories
from tests.api.world import build_world

pytestmark = pytest.mark.django_db

WORDS = "Pilot for four weeks, reviewed with legal."


def test_the_demos_klout_draft_goes_live_with_both_statements_on_the_trail(
    user_client: Any,
) -> None:
    call_command("demo", candidates=40, stdout=StringIO())
    org = Organization.objects.get(slug="demo")
    users = get_user_model().objects
    draft = ScreeningRule.objects.get(job__organization=org, metric="vendor:klout")
    assert (draft.status, draft.created_by.username) == ("draft", "hr-admin")
    author, approver = (
        user_client(users.get(username="hr-admin")),
        user_client(users.get(username="hr-admin-2")),
    )
    mine = "Klout closed in 2018: approved only to show the demo's four eyes."

    acknowledged = author.post(
        f"/api/v1/rules/{draft.pk}/acknowledge/", {"statement": WORDS}, format="json"
    )
    assert acknowledged.status_code == 200, acknowledged.content
    assert acknowledged.json()["status"] == "draft"
    approved = approver.post(
        f"/api/v1/rules/{draft.pk}/approve/", {"statement": mine}, format="json"
    )

    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert (body["id"], body["status"], body["active"]) == (draft.pk, "live", True)
    assert body["approval_statement"] == mine
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by.username, draft.approval_statement) == (
        "live",
        "hr-admin-2",
        mine,
    )
    trail = AuditEvent.objects.filter(
        organization=org, subject_id=str(draft.pk), event_type__in=[
            "warning.acknowledged", "rule.approved"
        ],
    ).order_by("sequence")  # fmt: skip
    assert [(e.event_type, e.actor.username, e.note) for e in trail] == [
        ("warning.acknowledged", "hr-admin", WORDS),
        ("rule.approved", "hr-admin-2", mine),
    ]
    assert trail[1].after["statement"] == mine
    assert "metric.discontinued" in {w["code"] for w in trail[0].after["warnings"]}


@pytest.fixture
def world(org_a: Any, hr_admin_a: Any) -> Any:
    return build_world(org_a, author=hr_admin_a)


@pytest.fixture
def people(org_a: Any, org_b: Any, hr_admin_a: Any, recruiter_a: Any, auditor_a: Any) -> Any:
    second = factories.UserFactory(username="hanna-hr", is_staff=True)
    factories.MembershipFactory(user=second, organization=org_a, role="hr_admin")
    other = factories.UserFactory(username="bob-hr", is_staff=True)
    factories.MembershipFactory(user=other, organization=org_b, role="hr_admin")
    return {
        "author": hr_admin_a,
        "second": second,
        "recruiter": recruiter_a,
        "auditor": auditor_a,
        "other_org": other,
    }


# (action, who, which rule, body, status, problem type)
CASES = [
    ("acknowledge", "author", "klout_draft", {"statement": WORDS}, 200, None),
    ("acknowledge", "author", "klout_draft", {"acknowledgement": WORDS}, 200, None),
    ("acknowledge", "author", "klout_draft", {}, 422, "statement-required"),
    ("acknowledge", "author", "klout_draft", {"statement": ""}, 422, "statement-required"),
    ("acknowledge", "author", "klout_draft", {"statement": " \n\t "}, 422, "statement-required"),
    ("acknowledge", "author", "klout_draft", {"statement": None}, 422, "statement-required"),
    # statement is the contract: an empty one is not made up by the former name
    ("acknowledge", "author", "klout_draft",
     {"statement": "", "acknowledgement": WORDS}, 422, "statement-required"),
    ("acknowledge", "author", "klout_draft", {"statement": "x" * 2001}, 400, "validation-error"),
    ("acknowledge", "author", "klout_draft", {"statement": ["a"]}, 400, "validation-error"),
    ("acknowledge", "author", "live_rule", {"statement": WORDS}, 409, "refused"),
    ("acknowledge", "author", "draft_rule", {"statement": WORDS}, 409, "refused"),  # no warning
    ("acknowledge", "recruiter", "klout_draft", {"statement": WORDS}, 403, None),
    ("acknowledge", "auditor", "klout_draft", {"statement": WORDS}, 403, None),
    ("acknowledge", "other_org", "klout_draft", {"statement": WORDS}, 404, None),
    ("approve", "second", "screen_out_draft", {"statement": WORDS}, 200, None),
    ("approve", "second", "screen_out_draft", {"acknowledgement": WORDS}, 200, None),
    ("approve", "second", "screen_out_draft", {}, 422, "statement-required"),
    ("approve", "second", "screen_out_draft", {"statement": ""}, 422, "statement-required"),
    ("approve", "second", "screen_out_draft", {"statement": "   "}, 422, "statement-required"),
    ("approve", "second", "screen_out_draft", {"statement": None}, 422, "statement-required"),
    ("approve", "second", "live_rule", {"statement": WORDS}, 409, "refused"),
    ("approve", "author", "screen_out_draft", {"statement": WORDS}, 409, "refused"),
    ("approve", "recruiter", "screen_out_draft", {"statement": WORDS}, 403, None),
    ("approve", "auditor", "screen_out_draft", {"statement": WORDS}, 403, None),
    ("approve", "other_org", "screen_out_draft", {"statement": WORDS}, 404, None),
]  # fmt: skip


@pytest.mark.parametrize(("action", "who", "which", "body", "status", "problem"), CASES)
def test_statement_status_codes(
    world: Any,
    people: dict[str, Any],
    user_client: Any,
    action: str,
    who: str,
    which: str,
    body: dict[str, Any],
    status: int,
    problem: str | None,
) -> None:
    rule = getattr(world, which)
    before = rule.status
    events = AuditEvent.objects.count()

    response = user_client(people[who]).post(
        f"/api/v1/rules/{rule.pk}/{action}/", body, format="json"
    )

    assert response.status_code == status, response.content
    rule.refresh_from_db()
    if status != 200:
        assert response["Content-Type"] == "application/problem+json"
        if problem is not None:
            assert response.json()["type"] == f"urn:renown:problem:{problem}"
        if problem == "statement-required":
            assert [e["field"] for e in response.json()["errors"]] == ["statement"]
        assert rule.status == before
        assert AuditEvent.objects.count() == events  # a refusal records nothing
        return
    assert response.json()["id"] == rule.pk
    said = body.get("statement") or body["acknowledgement"]
    if action == "approve":
        assert (rule.status, rule.approved_by, rule.approval_statement) == (
            "live", people[who], said,
        )  # fmt: skip
        event = AuditEvent.objects.get(event_type="rule.approved", subject_id=str(rule.pk))
    else:
        assert rule.status == "draft"
        event = AuditEvent.objects.get(event_type="warning.acknowledged", subject_id=str(rule.pk))
    assert (event.actor, event.note) == (people[who], said)


def test_a_statement_with_new_warnings_lists_them_on_422_and_acknowledges_them(
    world: Any, people: dict[str, Any], user_client: Any
) -> None:
    klout = world.klout_draft
    ScreeningRule.objects.filter(pk=klout.pk).update(action="screen_out")
    approver = user_client(people["second"])
    refused = approver.post(f"/api/v1/rules/{klout.pk}/approve/", {}, format="json")
    assert refused.status_code == 422
    assert "metric.discontinued" in {w["code"] for w in refused.json()["warnings"]}
    approved = approver.post(
        f"/api/v1/rules/{klout.pk}/approve/", {"statement": WORDS}, format="json"
    )
    assert approved.status_code == 200, approved.content
    events = AuditEvent.objects.filter(subject_id=str(klout.pk)).order_by("sequence")
    assert [(e.event_type, e.actor, e.note) for e in events] == [
        ("warning.acknowledged", people["second"], WORDS),
        ("rule.approved", people["second"], WORDS),
    ]


@pytest.mark.parametrize("action", ["acknowledge", "approve"])
def test_the_schema_shows_the_statement_and_the_answers(action: str) -> None:
    schema = openapi_schema()
    operation = schema["paths"][f"/api/v1/rules/{{rule_id}}/{action}/"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert body["required"] == ["statement"]
    assert body["properties"]["statement"]["minLength"] == 1
    responses = operation["responses"]
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Rule")
    for code in ("409", "422"):
        problem = responses[code]["content"]["application/problem+json"]["schema"]["$ref"]
        assert problem.endswith("/Problem")
    assert "statement-required" in responses["422"]["description"]
    assert "not a draft" in responses["409"]["description"]
    assert ref.endswith(f"/Rule{action.capitalize()}Request")
