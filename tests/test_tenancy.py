"""No user of organisation A sees anything of organisation B, on any URL.

The walk enumerates every URL pattern of the project, fills its parameters
with organisation B's objects, and requests it as A's users: object URLs
answer 404, and no page shows B's marker. A pattern with a parameter this
test does not know how to fill fails the test, so a new URL cannot escape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories

MARKER = "globexsecret"
# API URL parameters that name an object by primary key: {parameter: (app, model)}.
API_OBJECT_PARAMETERS: dict[str, tuple[str, str]] = {
    "account_id": ("renown_candidates", "SocialAccount"),
    "evidence_id": ("renown_candidates", "ReputationEvidence"),
    "notice_id": ("renown_candidates", "CandidateNotice"),
    "score_id": ("renown_scoring", "Score"),
    "rule_id": ("renown_hiring", "ScreeningRule"),
    "screening_id": ("renown_hiring", "Screening"),
    "cycle_id": ("renown_scoring", "RefreshCycle"),
    "subscription_id": ("renown", "WebhookSubscription"),
    "delivery_id": ("renown", "WebhookDelivery"),
    "dispute_id": ("renown_hiring", "PortalDispute"),
}


@pytest.fixture
def org_b_world(org_b: Any) -> dict[type[Model], Model]:
    """One object of every model, all in organisation B, each carrying the marker."""
    org_b.name = f"Globex {MARKER} Talent"
    org_b.save()
    member = factories.UserFactory(username=f"{MARKER}-user")
    membership = factories.MembershipFactory(user=member, organization=org_b, role="hr_admin")
    candidate = factories.CandidateFactory(
        organization=org_b, name=f"Zed {MARKER}", email=f"{MARKER}@globex.example"
    )
    account = factories.SocialAccountFactory(candidate=candidate, handle=f"{MARKER}.globex.invalid")
    cycle = factories.RefreshCycleFactory(organization=org_b, label=f"{MARKER} cycle")
    snapshot = factories.MetricSnapshotFactory(account=account, cycle=cycle)
    job = factories.JobFactory(organization=org_b, title=f"{MARKER} job")
    group = factories.RuleGroupFactory(job=job, name=f"{MARKER} group")
    rule = factories.ScreeningRuleFactory(
        job=job, metric=f"vendor:{MARKER}", group=group, action="screen_out"
    )
    application = factories.ApplicationFactory(job=job, candidate=candidate, external_id=MARKER)
    from hiring.models import (
        AdverseAction,
        AdverseActionNotice,
        BiasAudit,
        Decision,
        Dispute,
        Screening,
        ScreeningRun,
    )

    now = datetime.now(tz=UTC)
    run = ScreeningRun.objects.create(
        job=job, started_at=now, evaluated_at=now, reason=f"{MARKER} run", actor_label=MARKER
    )
    screening = Screening.objects.create(
        candidate=candidate,
        job=job,
        outcome="below",
        suggestion="reject",
        reasons=[{"reason": MARKER}],
        rule_versions={str(rule.pk): 1},
        evaluated_at=now,
        run=run,
    )
    decision = Decision.objects.create(
        screening=screening,
        candidate=candidate,
        job=job,
        kind="reject",
        reason=f"{MARKER} reason",
        reviewer=member,
        reviewer_label=MARKER,
        decided_at=now,
        machine_outcome="below",
        machine_suggestion="reject",
        follows_machine=True,
    )
    adverse_action = AdverseAction.objects.create(
        decision=decision,
        candidate=candidate,
        job=job,
        status="disputed",
        waiting_business_days=5,
        pre_adverse_sent_at=now,
        waiting_until=now,
        report={"marker": MARKER},
    )
    dispute = Dispute.objects.create(
        adverse_action=adverse_action,
        statement=f"{MARKER} statement",
        opened_at=now,
        due_at=now + timedelta(days=30),
        opened_by_label=MARKER,
    )
    notice = AdverseActionNotice.objects.create(
        adverse_action=adverse_action,
        kind="pre_adverse",
        recipient=f"{MARKER}@globex.example",
        subject=MARKER,
        body_text=MARKER,
        body_html=MARKER,
        sent_at=now,
        sent_by_label=MARKER,
        content_sha256="0" * 64,
    )
    from renown.models import WebhookDelivery, WebhookSubscription

    subscription = WebhookSubscription.objects.create(
        organization=org_b,
        name=f"{MARKER} hook",
        url=f"https://{MARKER}.example/hook",
        events=["score.updated"],
        secret=f"whsec_{MARKER}",
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        organization=org_b,
        event_type="score.updated",
        body=f'{{"marker": "{MARKER}"}}',
        candidate_public_id=candidate.public_id,
    )
    from hiring.privacy.models import RetentionHold

    erased = factories.CandidateFactory(organization=org_b, name=f"Erased {MARKER}")
    hold = RetentionHold.objects.create(
        candidate=erased,
        organization=org_b,
        erased_at=now,
        erased_by_label=MARKER,
        hold_until=now + timedelta(days=365),
        basis=[{"rule": MARKER}],
    )
    from hiring.models import PortalDispute

    portal_dispute = PortalDispute.objects.create(
        candidate=candidate, about=MARKER, statement=f"{MARKER} statement", opened_at=now
    )
    objects: list[Model] = [
        portal_dispute,
        hold,
        subscription,
        delivery,
        member,
        org_b,
        membership,
        candidate,
        account,
        cycle,
        snapshot,
        job,
        rule,
        group,
        application,
        run,
        screening,
        decision,
        adverse_action,
        dispute,
        notice,
        factories.CandidateNoticeFactory(candidate=candidate, source=MARKER),
        factories.ReputationEvidenceFactory(candidate=candidate, title=f"{MARKER} talk"),
        factories.ScoreFactory(candidate=candidate),
        factories.VendorScoreFactory(candidate=candidate, vendor="custom", vendor_name=MARKER),
        # Not published: the public audit page must not show it.
        BiasAudit.objects.create(
            organization=org_b,
            job=job,
            job_title=job.title,
            audited_on=now.date(),
            auditor=MARKER,
            data_source=MARKER,
            report={"individuals": 1},
            published=False,
        ),
    ]
    return {type(obj): obj for obj in objects}


# Pages anyone may open: they show an organisation's name and what it chose to publish.
PUBLIC_PAGES = {"renown:audit-summary"}


def walk(
    patterns: list[Any], namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    """(route, qualified name, pattern) for every pattern in the project."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, ns, prefix + str(entry.pattern))
        else:
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield prefix + str(entry.pattern), name, entry


def parameter_values(name: str, pattern: URLPattern, world: dict[type[Model], Model]) -> list[str]:
    """Values of organisation B for one URL parameter; fails for one it does not know."""
    candidate = world[apps.get_model("renown_candidates", "Candidate")]
    model_admin = getattr(pattern.callback, "model_admin", None)
    if name == "object_id" and model_admin is not None:
        obj = world.get(model_admin.model)
        return [str(obj.pk)] if obj is not None else ["1"]
    if name == "object_id":  # admin:view_on_site
        return [str(candidate.pk)]
    if name == "id":  # the user admin's password form
        return [str(world[apps.get_model("auth", "User")].pk)]
    if name == "content_type_id":
        return [str(ContentType.objects.get_for_model(candidate).pk)]
    if name == "public_id":
        return [str(candidate.public_id)]
    if name == "job_id":
        return [str(world[apps.get_model("renown_hiring", "Job")].pk)]
    # The API's object parameters (api/urls.py).
    if name == "candidate_id":
        return [str(candidate.public_id)]
    if name == "source":
        return [candidate.ats_source or "greenhouse"]
    if name == "external_id":
        return [candidate.external_id or "b-external-1"]
    if name in API_OBJECT_PARAMETERS:
        app_label, model_name = API_OBJECT_PARAMETERS[name]
        return [str(world[apps.get_model(app_label, model_name)].pk)]
    if name == "app_label":
        return ["renown", "renown_candidates", "renown_scoring", "renown_hiring", "auth"]
    if name == "org_slug":  # the ATS endpoint: authenticated by signature, not session
        return [world[apps.get_model("renown", "Organization")].slug]
    if name == "ats":
        return ["greenhouse", "lever", "ashby", "workable"]
    if name == "uidb64":
        return ["MQ"]
    if name == "token":
        return ["set-password"]
    if name == "org_slug":  # the public audit page: only what B chose to publish
        return [world[apps.get_model("renown", "Organization")].slug]  # type: ignore[attr-defined]
    if name == "code":  # a proof code's page is public by design (it shows a handle only)
        return ["renown-aaaaaaaaaa"]
    if name == "url":  # the admin's catch-all
        return [f"candidates/candidate/{candidate.pk}/"]
    raise AssertionError(f"the tenancy walk cannot fill <{name}> in {pattern!r}: teach it")


def concrete_urls(
    route: str, name: str, pattern: URLPattern, world: dict[type[Model], Model]
) -> list[str]:
    """Every URL to try for one pattern, filled with organisation B's objects."""
    params = list(pattern.pattern.regex.groupindex)
    choices = {p: parameter_values(p, pattern, world) for p in params}
    combos: list[dict[str, str]] = [{}]
    for param, options in choices.items():
        combos = [{**c, param: o} for c in combos for o in options]
    if name:
        return [reverse(name, kwargs=combo) for combo in combos]
    urls = []
    for combo in combos:
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, combo=combo: combo[m.group(1)], route)
        url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m, combo=combo: combo[m.group(1)], url)
        urls.append("/" + url.replace("^", "").replace("$", ""))
    return urls


@pytest.mark.django_db
def test_every_url_hides_organisation_b_from_organisation_a(
    org_b_world: dict[type[Model], Model], hr_admin_a: Any, recruiter_a: Any, auditor_a: Any
) -> None:
    object_routes = 0
    requests = 0
    for user in (hr_admin_a, recruiter_a, auditor_a):
        client = Client()
        client.force_login(user)
        for route, name, pattern in walk(get_resolver().url_patterns):
            for url in concrete_urls(route, name, pattern, org_b_world):
                response = client.get(url, follow=True)
                requests += 1
                assert response.status_code < 500, f"{url} answered {response.status_code}"
                raw = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                body = raw.decode(errors="replace").lower()
                if name in PUBLIC_PAGES:  # they name the organisation, and nothing else of it
                    org_b = org_b_world[apps.get_model("renown", "Organization")]
                    body = body.replace(org_b.name.lower(), "")  # type: ignore[attr-defined]
                assert MARKER not in body, f"{user.username} saw organisation B at {url}"
                model_admin = getattr(pattern.callback, "model_admin", None)
                has_b_object = model_admin is None or model_admin.model in org_b_world
                params = ("object_id", "public_id", "id", "job_id", "candidate_id",
                          *API_OBJECT_PARAMETERS)  # fmt: skip
                if any(f"{p}>" in route for p in params) and has_b_object:
                    object_routes += 1
                    sent_to_login = (
                        bool(response.redirect_chain)
                        and "/login/" in response.redirect_chain[-1][0]
                    )
                    # A URL that takes no GET (the API's upsert) answers 405 to anyone;
                    # tests/api/test_role_matrix.py sends it its own method.
                    no_get = response.status_code == 405 and "GET" not in response.get("Allow", "")
                    assert response.status_code in {403, 404} or sent_to_login or no_get, (
                        f"{user.username} got {response.status_code} for B's object at {url}"
                    )
    assert object_routes > 30  # every admin change/history/delete page and the candidate page
    assert requests > 100


@pytest.mark.django_db
def test_changing_organisation_b_objects_by_post_is_404(
    org_b_world: dict[type[Model], Model], hr_admin_a: Any
) -> None:
    client = Client()
    client.force_login(hr_admin_a)
    candidate = org_b_world[apps.get_model("renown_candidates", "Candidate")]
    response = client.post(
        f"/admin/renown_candidates/candidate/{candidate.pk}/change/", {"name": "hijacked"}
    )
    assert response.status_code == 404
    response = client.post(
        f"/admin/renown_candidates/candidate/{candidate.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 404
    candidate.refresh_from_db()
    assert candidate.name != "hijacked"
