"""One organisation's worth of API objects, for the role matrix and schemathesis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hiring.models import Screening, ScreeningRule
from tests import factories


@dataclass
class World:
    candidate: Any
    other_candidate: Any
    account: Any
    evidence: Any
    notice: Any
    score: Any
    job: Any
    live_rule: Any
    draft_rule: Any
    screen_out_draft: Any
    klout_draft: Any
    screening: Any
    cycle: Any
    subscription: Any = None
    delivery: Any = None


def build_world(org: Any, *, author: Any, marker: str = "") -> World:
    """Objects of every kind the API serves, in ``org``; ``author`` wrote the draft rules."""
    now = datetime.now(tz=UTC)
    candidate = factories.CandidateFactory(organization=org, name=f"Cand {marker}".strip())
    other_candidate = factories.CandidateFactory(organization=org)
    account = factories.SocialAccountFactory(candidate=candidate)
    evidence = factories.ReputationEvidenceFactory(candidate=candidate, title=f"Talk {marker}")
    notice = factories.CandidateNoticeFactory(
        candidate=candidate, kind="gdpr_notice", lawful_basis="consent",
        given_at=now - timedelta(days=2),
    )  # fmt: skip
    score = factories.ScoreFactory(candidate=candidate)
    factories.VendorScoreFactory(candidate=candidate)
    job = factories.JobFactory(organization=org, title=f"Job {marker}".strip())
    # Version 1 (superseded) and 2 (live) of one rule: something to roll back to.
    v1 = factories.ScreeningRuleFactory(job=job, threshold=Decimal(30), active=False,
                                        status="superseded")  # fmt: skip
    live_rule = factories.ScreeningRuleFactory(job=job, lineage=v1.lineage, version=2)
    draft_rule = factories.ScreeningRuleFactory(job=job, active=False, metric="reputation")
    screen_out_draft = factories.ScreeningRuleFactory(
        job=job, active=False, action="screen_out", created_by=author, threshold=Decimal(20)
    )
    # Klout closed in 2018: a draft with a serious fairness warning to acknowledge.
    klout_draft = factories.ScreeningRuleFactory(
        job=job, active=False, metric="vendor:klout", created_by=author, max_data_age_days=3650
    )
    screened = [candidate] + [factories.CandidateFactory(organization=org) for _ in range(5)]
    screening = None
    for person in screened:
        factories.ApplicationFactory(job=job, candidate=person)
        made = Screening.objects.create(
            candidate=person, job=job, outcome="below", suggestion="review",
            reasons=[{"rule": live_rule.pk, "outcome": "below"}],
            rule_versions={str(live_rule.pk): 2}, evaluated_at=now,
        )  # fmt: skip
        screening = screening or made
    assert screening is not None
    cycle = factories.RefreshCycleFactory(organization=org, label=f"cycle {marker}".strip())
    assert ScreeningRule.objects.filter(lineage=v1.lineage).count() == 2
    from renown.models import ApiToken, WebhookDelivery, WebhookSubscription

    # Owned by the organisation's write token when it has one: a token manages its own.
    subscription = WebhookSubscription.objects.create(
        organization=org,
        name=f"Hook {marker}".strip(),
        url="https://hooks.example/renown",
        events=["score.updated"],
        secret="whsec_world",
        # Made before Standard Webhooks: it signs Renown-Signature until switched.
        signature_scheme="renown-v1",
        api_token=ApiToken.objects.filter(organization=org, scope="write").first(),
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        organization=org,
        event_type="score.updated",
        body=f'{{"marker": "{marker}"}}',
        status="failed",
    )
    return World(
        subscription=subscription,
        delivery=delivery,
        candidate=candidate,
        other_candidate=other_candidate,
        account=account,
        evidence=evidence,
        notice=notice,
        score=score,
        job=job,
        live_rule=live_rule,
        draft_rule=draft_rule,
        screen_out_draft=screen_out_draft,
        klout_draft=klout_draft,
        screening=screening,
        cycle=cycle,
    )
