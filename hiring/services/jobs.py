"""Jobs: the one way a job is created or changed (API, Greenhouse, admin).

Each call validates the job (``full_clean``), writes it and records one audit event
(``job.created``, ``job.changed`` with the before and after of what changed) in the
same transaction. The webhooks-out catalogue (``renown.models.EventType``) has no
event for jobs, so nothing is sent out.

Where a job hires and how much online influence matters for it decide fairness
warnings of its rules (NYC Local Law 144, job-relatedness). A change to those
facts recomputes the warnings of the job's live rules; a warning that the change
makes serious, and that nobody acknowledged for the rule, puts the rule on hold
(``ScreeningRule.acknowledgement_pending``): a screen-out rule then only suggests
review until an HR admin acknowledges it (``rule_acknowledge``).

Who may call is the caller's to check (the API's access map, the admin's
permissions, the ATS signature): ``actor`` is who is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import transaction

from hiring import selectors
from hiring.models import InfluenceRelevance, Job, RuleAction, ScreeningRule
from hiring.services.rules import _acknowledged, screening_schedule, serious_warnings
from renown.models import AuditEventType, Organization
from renown.trail import AuditActor, audit_record

JOB_FIELDS = (
    "title",
    "external_id",
    "jurisdictions",
    "influence_relevance",
    "relevance_justification",
    "ll144_notice_posted_on",
)
# What the fairness warnings of the job's rules read from the job (hiring.fairness.preview.rule_context).
FAIRNESS_FIELDS = frozenset(
    {"jurisdictions", "influence_relevance", "relevance_justification", "ll144_notice_posted_on"}
)
# What the rule and job pages say of a live rule on hold (ScreeningRule.acknowledgement_pending).
AWAITS_ACKNOWLEDGEMENT = (
    "awaits acknowledgement: a change of its job gave it a new serious fairness warning "
    "(a screen-out rule only suggests review until an HR admin acknowledges it)"
)


def _clean(job: Job) -> None:
    # A job an ATS created may hire nowhere yet ([]): the fairness checks then warn that the
    # legal checks could not run, until someone says where it hires.
    job.full_clean(exclude=[] if job.jurisdictions else ["jurisdictions"])


def _values(job: Job, fields: Iterable[str]) -> dict[str, object]:
    return {field: getattr(job, field) for field in fields}


def job_create(
    *,
    organization: Organization,
    actor: AuditActor,
    title: str,
    external_id: str = "",
    jurisdictions: list[str] | None = None,
    influence_relevance: str = InfluenceRelevance.NONE,
    relevance_justification: str = "",
    ll144_notice_posted_on: date | None = None,
) -> Job:
    """Create a job of ``organization`` and record ``job.created`` (one event).

    ``actor``: a user, or a label for what is not one (``"token:7 Greenhouse sync"``,
    ``"ats:greenhouse"``). ``jurisdictions`` may be empty only for a job an ATS
    created without saying where it hires. Raises ValidationError for a bad field
    or an external id the organisation already uses.
    """
    job = Job(
        organization=organization,
        title=title,
        external_id=external_id,
        jurisdictions=list(jurisdictions or []),
        influence_relevance=influence_relevance,
        relevance_justification=relevance_justification,
        ll144_notice_posted_on=ll144_notice_posted_on,
    )
    _clean(job)
    with transaction.atomic():
        job.save()
        audit_record(
            organization=organization,
            actor=actor,
            event_type=AuditEventType.JOB_CREATED,
            subject=job,
            after=_values(job, JOB_FIELDS),
        )
    return job


def _awaiting(before: Job, after: Job) -> list[tuple[ScreeningRule, list[dict[str, str]]]]:
    """The live rules to which the change from ``before`` to ``after`` gives a serious
    warning they did not have, that nobody acknowledged for them and that is not already
    waiting; with those warnings."""
    found = []
    for rule in selectors.rule_list_active(job=after):
        was = {(w.code, w.subject) for w in serious_warnings(rule, job=before)}
        waiting = {(w.get("code", ""), w.get("subject", "")) for w in rule.acknowledgement_pending}
        known = was | waiting | _acknowledged(rule)
        new = [
            {"code": w.code, "subject": w.subject, "message": w.message}
            for w in serious_warnings(rule, job=after)
            if (w.code, w.subject) not in known
        ]
        if new:
            found.append((rule, new))
    return found


def job_update(*, job: Job, actor: AuditActor, changes: Mapping[str, object]) -> Job:
    """Change the job's fields in ``changes`` and record ``job.changed`` (one event).

    The event holds the before and after of the fields that changed; nothing changed
    records nothing. When a field the fairness warnings read changed (``FAIRNESS_FIELDS``)
    the live rules' warnings are recomputed: each rule the change gives a new serious
    warning awaits acknowledgement (listed in the event under
    ``rules_awaiting_acknowledgement``); a screen-out one suggests review only until an
    HR admin acknowledges it (``rule_acknowledge``), and the job is screened again.
    Raises ValueError for a field that is not a job's, ValidationError for a bad value.
    """
    unknown = set(changes) - set(JOB_FIELDS)
    if unknown:
        raise ValueError(f"not job fields: {sorted(unknown)}")
    stored = Job.objects.get(pk=job.pk)  # the job as it is, whatever the caller's copy holds
    changed = [f for f in JOB_FIELDS if f in changes and changes[f] != getattr(stored, f)]
    for field, value in changes.items():
        setattr(job, field, value)
    if "jurisdictions" in changes:
        job.full_clean()  # a client that says where the job hires names a place
    else:
        _clean(job)
    if not changed:
        return job
    awaiting = _awaiting(stored, job) if FAIRNESS_FIELDS & set(changed) else []
    after = _values(job, changed)
    if awaiting:
        after["rules_awaiting_acknowledgement"] = [
            {"rule": rule.pk, "version": rule.version, "line": str(rule), "warnings": warnings}
            for rule, warnings in awaiting
        ]
    with transaction.atomic():
        job.save()
        for rule, warnings in awaiting:
            # Read again under lock: an acknowledgement may have cleared it meanwhile.
            row = ScreeningRule.objects.select_for_update().filter(pk=rule.pk).first()
            if row is not None:
                ScreeningRule.objects.filter(pk=rule.pk).update(
                    acknowledgement_pending=[*row.acknowledgement_pending, *warnings]
                )
        audit_record(
            organization=job.organization,
            actor=actor,
            event_type=AuditEventType.JOB_CHANGED,
            subject=job,
            before=_values(stored, changed),
            after=after,
        )
        if any(rule.action == RuleAction.SCREEN_OUT for rule, _ in awaiting):
            screening_schedule(job, "job changed: screen-out rules await acknowledgement")
    return job
