"""One object of every model a Renown admin shows, in a given organisation.

``BUILDERS`` is keyed by the model's ``label_lower``; the admin tests iterate Django's
admin registry and fail for a registered Renown model that has no builder here, so a
new admin cannot escape them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Model

from tests import factories

# The apps whose admins these tests hold to the rules (by AppConfig.name's first part).
RENOWN_APPS = frozenset({"renown", "candidates", "scoring", "hiring"})


def _now() -> datetime:
    return datetime.now(tz=UTC)


def _run(org: Any) -> Any:
    from hiring.models import ScreeningRun

    job = factories.JobFactory(organization=org)
    return ScreeningRun.objects.create(
        job=job, started_at=_now(), evaluated_at=_now(), reason="test", actor_label="test"
    )


def _screening(org: Any) -> Any:
    from hiring.models import Screening

    rule = factories.ScreeningRuleFactory(job=factories.JobFactory(organization=org))
    candidate = factories.CandidateFactory(organization=org)
    return Screening.objects.create(
        candidate=candidate,
        job=rule.job,
        outcome="below",
        suggestion="reject",
        reasons=[{"reason": "test"}],
        rule_versions={str(rule.pk): 1},
        evaluated_at=_now(),
    )


def _decision(org: Any) -> Any:
    from hiring.models import Decision

    screening = _screening(org)
    return Decision.objects.create(
        screening=screening,
        candidate=screening.candidate,
        job=screening.job,
        kind="reject",
        reason="test",
        reviewer_label="test",
        decided_at=_now(),
        machine_outcome="below",
        machine_suggestion="reject",
        follows_machine=True,
    )


def _adverse_action(org: Any) -> Any:
    from hiring.models import AdverseAction

    decision = _decision(org)
    return AdverseAction.objects.create(
        decision=decision,
        candidate=decision.candidate,
        job=decision.job,
        status="disputed",
        waiting_business_days=5,
        pre_adverse_sent_at=_now(),
        waiting_until=_now(),
        report={"test": True},
    )


def _dispute(org: Any) -> Any:
    from hiring.models import Dispute

    return Dispute.objects.create(
        adverse_action=_adverse_action(org),
        statement="test",
        opened_at=_now(),
        due_at=_now() + timedelta(days=30),
        opened_by_label="test",
    )


def _adverse_action_notice(org: Any) -> Any:
    from hiring.models import AdverseActionNotice

    return AdverseActionNotice.objects.create(
        adverse_action=_adverse_action(org),
        kind="pre_adverse",
        recipient="person@example.test",
        subject="test",
        body_text="test",
        body_html="test",
        sent_at=_now(),
        sent_by_label="test",
        content_sha256="0" * 64,
    )


def _bias_audit(org: Any) -> Any:
    from hiring.models import BiasAudit

    job = factories.JobFactory(organization=org)
    return BiasAudit.objects.create(
        organization=org,
        job=job,
        job_title=job.title,
        audited_on=_now().date(),
        auditor="Independent Auditors LLP",
        data_source="test",
        report={"individuals": 1},
        published=False,
    )


def _retention_hold(org: Any) -> Any:
    from hiring.privacy.models import RetentionHold

    return RetentionHold.objects.create(
        candidate=factories.CandidateFactory(organization=org),
        organization=org,
        erased_at=_now(),
        erased_by_label="test",
        hold_until=_now() + timedelta(days=365),
        basis=[{"rule": "test"}],
    )


def _subscription(org: Any) -> Any:
    from renown.models import WebhookSubscription

    return WebhookSubscription.objects.create(
        organization=org,
        name=f"Hook {org.slug}",
        url="http://127.0.0.1:9/hook",
        events=["score.updated"],
        secret="whsec_test",
    )


def _delivery(org: Any) -> Any:
    from renown.models import WebhookDelivery

    return WebhookDelivery.objects.create(
        subscription=_subscription(org),
        organization=org,
        event_type="score.updated",
        body='{"test": true}',
        status="failed",
    )


def _token(org: Any) -> Any:
    from renown.api.tokens import api_token_create

    return api_token_create(organization=org, name=f"ATS {org.slug}", scope="write")[0]


def _membership(org: Any) -> Any:
    return factories.MembershipFactory(organization=org, role="recruiter")


def _candidate_view(org: Any) -> Any:
    from candidates.models import CandidateView

    return CandidateView.objects.create(
        candidate=factories.CandidateFactory(organization=org),
        viewer_label="test",
        viewed_at=_now(),
    )


def _audit_event(org: Any) -> Any:
    from renown.trail import audit_record

    return audit_record(
        organization=org, actor=None, event_type="rule.changed", subject=("test.thing", "1")
    )


BUILDERS: dict[str, Callable[[Any], Model]] = {
    "renown.organization": lambda org: org,
    "renown.membership": _membership,
    "renown.apitoken": _token,
    "renown.webhooksubscription": _subscription,
    "renown.webhookdelivery": _delivery,
    "renown.auditevent": _audit_event,
    "renown_candidates.candidate": lambda org: factories.CandidateFactory(organization=org),
    "renown_candidates.candidatenotice": lambda org: factories.CandidateNoticeFactory(
        candidate=factories.CandidateFactory(organization=org, notices=False)
    ),
    "renown_candidates.socialaccount": lambda org: factories.SocialAccountFactory(
        candidate__organization=org
    ),
    "renown_candidates.reputationevidence": lambda org: factories.ReputationEvidenceFactory(
        candidate__organization=org
    ),
    "renown_candidates.candidateview": _candidate_view,
    "renown_scoring.refreshcycle": lambda org: factories.RefreshCycleFactory(organization=org),
    "renown_scoring.metricsnapshot": lambda org: factories.MetricSnapshotFactory(
        account__candidate__organization=org, cycle__organization=org
    ),
    "renown_scoring.score": lambda org: factories.ScoreFactory(candidate__organization=org),
    "renown_scoring.vendorscore": lambda org: factories.VendorScoreFactory(
        candidate__organization=org
    ),
    "renown_hiring.job": lambda org: factories.JobFactory(organization=org),
    "renown_hiring.screeningrule": lambda org: factories.ScreeningRuleFactory(
        job__organization=org
    ),
    "renown_hiring.rulegroup": lambda org: factories.RuleGroupFactory(job__organization=org),
    "renown_hiring.application": lambda org: factories.ApplicationFactory(job__organization=org),
    "renown_hiring.screening": _screening,
    "renown_hiring.screeningrun": _run,
    "renown_hiring.decision": _decision,
    "renown_hiring.adverseaction": _adverse_action,
    "renown_hiring.dispute": _dispute,
    "renown_hiring.adverseactionnotice": _adverse_action_notice,
    "renown_hiring.biasaudit": _bias_audit,
    "renown_hiring.retentionhold": _retention_hold,
}


def renown_admin_labels() -> list[str]:
    """The ``label_lower`` of every model a Renown app registered in the default admin site."""
    from django.contrib import admin

    return sorted(
        model._meta.label_lower
        for model in admin.site._registry
        if model._meta.app_config.name.split(".")[0] in RENOWN_APPS
    )


def admin_url(obj: Model, view: str) -> str:
    from django.urls import reverse

    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def changelist_url(label: str) -> str:
    from django.apps import apps
    from django.urls import reverse

    opts = apps.get_model(label)._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
