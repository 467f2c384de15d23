"""Screening rules: versions, four-eyes approval of screen-out rules, deactivation, rollback.

A rule row is one version and is never edited: ``rule_update`` and
``rule_rollback`` write a new version (same lineage, next number). A version
goes live at once when it cannot reject anyone (advisory, needs review) and the
author asks for it; a screen-out version waits as a draft until a *second* HR
admin of the organisation approves it (``rule_approve``). The live version it
replaces stays live until then. Every change writes its audit event in the same
transaction, and a change to what is live re-runs the job's screening after commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hiring import selectors
from hiring.fairness import FairnessWarning
from hiring.models import (
    RULE_DEFINITION_FIELDS,
    Job,
    MissingDataPolicy,
    RuleAction,
    RuleGroup,
    RuleStatus,
    ScreeningRule,
)
from hiring.permissions import RULE_ROLES, require_role
from hiring.screening import metrics
from hiring.screening.spec import rule_definition
from renown.exceptions import (
    ApplicationError,
    FourEyesViolation,
    InvalidTransition,
    StatementRequired,
    WarningNotAcknowledged,
)
from renown.models import AuditEventType
from renown.queue import enqueue_on_commit
from renown.trail import audit_record

SERIOUS_MISSING_DATA_FAIL = (
    "Missing data treated as failing: people Renown cannot measure (no online presence, "
    "a break, an account it may not fetch) would count as below the line. Acknowledge "
    "this in words to save the rule."
)


def screening_schedule(job: Job, reason: str) -> None:
    """Screen the job again once the caller's transaction commits (a rule or group changed)."""
    from hiring.tasks import screening_run_task

    job_id = job.pk
    enqueue_on_commit(screening_run_task, job_id, reason)


def _as_stored(rule: ScreeningRule) -> None:
    """Read the decimals back as stored (35 reads back 35.00): a warning's subject is the
    rule's line, and the acknowledgement must name it as every later reader of the row
    sees it. Only these fields: the cached job stays the caller's."""
    rule.refresh_from_db(fields=["threshold", "near_band"])


def _validate(rule: ScreeningRule, *, previous: ScreeningRule | None, acknowledgement: str) -> None:
    try:
        metrics.metric_source(rule.metric)
    except ValueError as exc:
        raise ValidationError({"metric": str(exc)}) from None
    if rule.group_id is not None and rule.group is not None and rule.group.job_id != rule.job_id:
        raise ValidationError({"group": "The group belongs to another job."})
    rule.full_clean(exclude=["lineage"], validate_constraints=False)
    newly_failing = rule.missing_data_policy == MissingDataPolicy.FAIL and (
        previous is None or previous.missing_data_policy != MissingDataPolicy.FAIL
    )
    if newly_failing and not acknowledgement.strip():
        raise WarningNotAcknowledged(SERIOUS_MISSING_DATA_FAIL)


def serious_warnings(rule: ScreeningRule, *, job: Job | None = None) -> list[FairnessWarning]:
    """The serious fairness warnings this version would carry live, on today's candidates
    of its job (``hiring.fairness.preview``: the same list the admin and the API show).

    ``job``: the rule's job as it would be (unsaved changes), instead of ``rule.job``.
    """
    from hiring.fairness.preview import rule_preview, rules_with_draft

    job = job if job is not None else rule.job
    rules = rules_with_draft(job, rule)
    approved = rule.approved_by_id is not None if rule.needs_second_approval else None
    serious = rule_preview(job, rules, four_eyes_approved=approved).serious
    # A warning about one of the job's other rules was that rule's to acknowledge when it
    # went live; this version answers for itself and for what the rules do together.
    mine = next(r.line for r in rules if r.draft)
    others = {r.line for r in rules if not r.draft} - {mine}
    return [w for w in serious if w.subject not in others]


def _acknowledged(rule: ScreeningRule) -> set[tuple[str, str]]:
    """The (code, subject) of every warning acknowledged in words for this version."""
    found: set[tuple[str, str]] = set()
    for event in selectors.rule_acknowledgements(rule=rule):
        for warning in (event.after or {}).get("warnings", []):
            found.add((warning.get("code", ""), warning.get("subject", "")))
    return found


def unacknowledged_warnings(rule: ScreeningRule) -> list[FairnessWarning]:
    """The serious warnings of this version (``serious_warnings``) that nobody has
    acknowledged in words yet: what still blocks it from going live."""
    acknowledged = _acknowledged(rule)
    return [w for w in serious_warnings(rule) if (w.code, w.subject) not in acknowledged]


def _require_acknowledged(rule: ScreeningRule) -> None:
    """Refuse to put a version live (or up for approval) with a serious warning that
    nobody acknowledged in words (29 CFR 1607.3(B); EU AI Act Art. 14; the issue's
    "acknowledge before it goes live")."""
    missing = unacknowledged_warnings(rule)
    if missing:
        reasons = " ".join(f"({i}) {w.message}" for i, w in enumerate(missing, 1))
        raise WarningNotAcknowledged(
            f"{len(missing)} serious fairness warning{'s' if len(missing) > 1 else ''} "
            f"must be acknowledged in words before {rule} goes live: {reasons}",
            warnings=[dict(w.as_dict()) for w in missing],
        )


def _acknowledge(rule: ScreeningRule, actor: AbstractBaseUser, acknowledgement: str) -> None:
    """Record the acknowledgement with every serious warning it answers (in the trail)."""
    if acknowledgement.strip():
        audit_record(
            organization=rule.job.organization,
            actor=actor,
            event_type=AuditEventType.WARNING_ACKNOWLEDGED,
            subject=rule,
            after={
                "warning": SERIOUS_MISSING_DATA_FAIL
                if rule.missing_data_policy == MissingDataPolicy.FAIL
                else "",
                "warnings": [
                    {"code": w.code, "subject": w.subject, "message": w.message}
                    for w in serious_warnings(rule)
                ],
                "rule": str(rule),
                "version": rule.version,
            },
            note=acknowledgement.strip(),
        )


def _go_live(
    rule: ScreeningRule, *, approver: AbstractBaseUser | None = None, statement: str = ""
) -> ScreeningRule:
    """Make a draft version live, superseding the live one (call inside a transaction).

    Raises WarningNotAcknowledged when a serious fairness warning was not acknowledged.
    """
    _require_acknowledged(rule)
    now = timezone.now()
    # Supersede first: at most one live version per lineage (a unique constraint).
    ScreeningRule.objects.filter(lineage=rule.lineage, status=RuleStatus.LIVE).exclude(
        pk=rule.pk
    ).update(status=RuleStatus.SUPERSEDED, active=False, status_changed_at=now)
    changes: dict[str, object] = {
        "status": RuleStatus.LIVE,
        "active": True,
        "status_changed_at": now,
    }
    if approver is not None:
        changes |= {
            "approved_by_id": approver.pk,
            "approved_at": now,
            "approval_statement": statement,
        }
    # Claim the draft: a second, concurrent approval finds nothing to claim.
    if not ScreeningRule.objects.filter(pk=rule.pk, status=RuleStatus.DRAFT).update(**changes):
        raise InvalidTransition("This version is no longer a draft.")
    rule.refresh_from_db()
    screening_schedule(rule.job, f"rule {rule.lineage} v{rule.version} live")
    return rule


def rule_create(
    *,
    job: Job,
    actor: AbstractBaseUser,
    metric: str,
    threshold: Decimal,
    operator: str = "gte",
    aggregation: str = "latest",
    window_days: int = 90,
    max_data_age_days: int = 30,
    missing_data_policy: str = MissingDataPolicy.REVIEW,
    near_band: Decimal = Decimal(0),
    near_band_source: str = "fixed",
    action: str = "needs_review",
    group: RuleGroup | None = None,
    activate: bool = True,
    note: str = "",
    acknowledgement: str = "",
) -> ScreeningRule:
    """Create version 1 of a rule on the job; live at once if ``activate`` and not screen-out.

    A screen-out rule is saved as a draft that a second HR admin approves
    (``rule_approve``). Raises NotPermitted unless ``actor`` is an HR admin of the
    job's organisation, ValidationError for a bad field, WarningNotAcknowledged
    when missing data would count as failing and no acknowledgement is given.
    """
    require_role(user=actor, organization=job.organization, roles=RULE_ROLES, action="create rules")
    rule = ScreeningRule(
        job=job,
        group=group,
        metric=metric.strip(),
        operator=operator,
        threshold=threshold,
        aggregation=aggregation,
        window_days=window_days,
        max_data_age_days=max_data_age_days,
        missing_data_policy=missing_data_policy,
        near_band=near_band,
        near_band_source=near_band_source,
        action=action,
        status=RuleStatus.DRAFT,
        active=False,
        version=1,
        change_note=note,
        created_by_id=actor.pk,
        status_changed_at=timezone.now(),
    )
    _validate(rule, previous=None, acknowledgement=acknowledgement)
    with transaction.atomic():
        rule.save()
        _as_stored(rule)
        _acknowledge(rule, actor, acknowledgement)
        went_live = activate and not rule.needs_second_approval
        if went_live:
            _go_live(rule)
        elif activate:
            _require_acknowledged(rule)  # before a second HR admin is asked to approve it
        # One event for the call: what the rule says and whether it went live with it.
        audit_record(
            organization=job.organization,
            actor=actor,
            event_type=AuditEventType.RULE_CREATED,
            subject=rule,
            after=rule_definition(rule) | {"went_live": went_live},
            note=note,
        )
    return rule


def _audit_live(rule: ScreeningRule, actor: AbstractBaseUser, event_type: str) -> None:
    audit_record(
        organization=rule.job.organization,
        actor=actor,
        event_type=event_type,
        subject=rule,
        before={"status": RuleStatus.DRAFT},
        after=rule_definition(rule),
    )


def rule_update(
    *,
    rule: ScreeningRule,
    actor: AbstractBaseUser,
    changes: Mapping[str, object],
    activate: bool = True,
    note: str = "",
    acknowledgement: str = "",
) -> ScreeningRule:
    """Write the next version of the rule with ``changes`` (definition fields only).

    ``rule`` must be the newest version (else InvalidTransition: someone changed it
    meanwhile). A draft of the rule that was waiting is superseded. The new version
    goes live as ``rule_create`` says; the live one stays until it does.
    """
    organization = rule.job.organization
    require_role(user=actor, organization=organization, roles=RULE_ROLES, action="change rules")
    unknown = set(changes) - set(RULE_DEFINITION_FIELDS)
    if unknown:
        raise ValueError(f"not definition fields: {sorted(unknown)}")
    latest = selectors.rule_latest_version(rule=rule)
    if latest.pk != rule.pk:
        raise InvalidTransition(
            f"Version {rule.version} is not the newest: version {latest.version} is. "
            "Change the newest version."
        )
    new = _next_version(rule, latest, actor, note)
    for field, value in changes.items():
        setattr(new, field, value)
    if all(
        getattr(new, f"{f}_id" if f == "group" else f)
        == getattr(rule, f"{f}_id" if f == "group" else f)
        for f in RULE_DEFINITION_FIELDS
    ):
        raise ApplicationError("Nothing changed: the new version would be the same as this one.")
    _validate(new, previous=rule, acknowledgement=acknowledgement)
    return _save_version(
        new, previous=rule, actor=actor, event_type=AuditEventType.RULE_CHANGED, note=note,
        acknowledgement=acknowledgement, activate=activate,
    )  # fmt: skip


def _save_version(
    new: ScreeningRule,
    *,
    previous: ScreeningRule,
    actor: AbstractBaseUser,
    event_type: str,
    note: str,
    acknowledgement: str,
    activate: bool,
    after_extra: dict[str, object] | None = None,
) -> ScreeningRule:
    """Store a new version of a rule, audit it, and put it live if allowed (one transaction)."""
    with transaction.atomic():
        _supersede_drafts(previous)
        new.save()
        _as_stored(new)
        _acknowledge(new, actor, acknowledgement)
        went_live = activate and not new.needs_second_approval
        if went_live:
            _go_live(new)
        elif activate:
            _require_acknowledged(new)  # before a second HR admin is asked to approve it
        # One event for the call: the new version and whether it went live with it.
        audit_record(
            organization=new.job.organization,
            actor=actor,
            event_type=event_type,
            subject=new,
            before=rule_definition(previous),
            after=rule_definition(new) | (after_extra or {}) | {"went_live": went_live},
            note=note,
        )
    return new


def _next_version(
    source: ScreeningRule, latest: ScreeningRule, actor: AbstractBaseUser, note: str
) -> ScreeningRule:
    new = ScreeningRule(
        job_id=source.job_id,
        lineage=source.lineage,
        version=latest.version + 1,
        status=RuleStatus.DRAFT,
        active=False,
        created_by_id=actor.pk,
        change_note=note,
        status_changed_at=timezone.now(),
    )
    for field in RULE_DEFINITION_FIELDS:
        setattr(new, field, getattr(source, field))
    return new


def _supersede_drafts(rule: ScreeningRule) -> None:
    ScreeningRule.objects.filter(lineage=rule.lineage, status=RuleStatus.DRAFT).update(
        status=RuleStatus.SUPERSEDED, status_changed_at=timezone.now()
    )


def _require_statement(statement: str, *, rule: ScreeningRule, doing: str) -> str:
    """The statement without surrounding whitespace; StatementRequired (the API's 422)
    when there is none, with the serious warnings it would answer."""
    words = statement.strip()
    if not words:
        raise StatementRequired(
            f"Say in words why {rule} (v{rule.version}) {doing}: a statement is required.",
            warnings=[dict(w.as_dict()) for w in unacknowledged_warnings(rule)]
            if rule.status == RuleStatus.DRAFT
            else [dict(w) for w in rule.acknowledgement_pending],
        )
    return words


def rule_acknowledge(
    *, rule: ScreeningRule, actor: AbstractBaseUser, statement: str
) -> ScreeningRule:
    """Acknowledge in words the serious fairness warnings of a draft, as it stands, or of
    a live version that a change of its job left awaiting acknowledgement.

    No new version is written: the statement goes to the audit trail
    (``warning.acknowledged``, subject this version) with the codes of the serious
    warnings the version carries now (``serious_warnings``), so that a draft can go
    live, or a second HR admin can approve it; a live version waiting since its job
    changed (``ScreeningRule.acknowledgement_pending``, see ``job_update``) stops
    waiting, and a screen-out one screens out again (the job is screened again).
    Raises NotPermitted unless ``actor`` is an HR admin of the organisation,
    InvalidTransition when the version is neither a draft nor a live one awaiting
    acknowledgement, or is a draft with no serious warning to acknowledge,
    StatementRequired when the statement is missing, empty or only whitespace.
    """
    organization = rule.job.organization
    require_role(
        user=actor, organization=organization, roles=RULE_ROLES, action="acknowledge warnings"
    )
    # It may have gone live, been replaced, or been acknowledged meanwhile.
    rule.refresh_from_db(fields=["status", "acknowledgement_pending"])
    if rule.status == RuleStatus.LIVE and rule.acknowledgement_pending:
        words = _require_statement(statement, rule=rule, doing="should stay live anyway")
        return _acknowledge_live(rule, actor, words)
    if rule.status != RuleStatus.DRAFT:
        raise InvalidTransition(
            f"Version {rule.version} is {rule.get_status_display().lower()}: only a draft's "
            "warnings are acknowledged on their own; change the rule to write a new version."
        )
    words = _require_statement(statement, rule=rule, doing="should go live anyway")
    if not serious_warnings(rule):
        raise InvalidTransition(f"{rule} (v{rule.version}) has no serious warning to acknowledge.")
    with transaction.atomic():
        _acknowledge(rule, actor, words)
    return rule


def _acknowledge_live(
    rule: ScreeningRule, actor: AbstractBaseUser, statement: str
) -> ScreeningRule:
    with transaction.atomic():
        # Claim the row: a second, concurrent acknowledgement finds nothing waiting.
        row = ScreeningRule.objects.select_for_update().filter(pk=rule.pk).first()
        if row is None or row.status != RuleStatus.LIVE or not row.acknowledgement_pending:
            raise InvalidTransition("The version changed meanwhile; reload it.")
        rule.acknowledgement_pending = row.acknowledgement_pending
        ScreeningRule.objects.filter(pk=rule.pk).update(acknowledgement_pending=[])
        audit_record(
            organization=rule.job.organization,
            actor=actor,
            event_type=AuditEventType.WARNING_ACKNOWLEDGED,
            subject=rule,
            after={
                "warning": "",
                # What waited, and what the version carries now (the job may have moved on).
                "warnings": _unique(
                    [
                        {
                            "code": w.get("code", ""),
                            "subject": w.get("subject", ""),
                            "message": w.get("message", ""),
                        }
                        for w in rule.acknowledgement_pending
                    ]
                    + [
                        {"code": w.code, "subject": w.subject, "message": w.message}
                        for w in serious_warnings(rule)
                    ]
                ),
                "rule": str(rule),
                "version": rule.version,
                "after_job_change": True,
            },
            note=statement,
        )
        rule.acknowledgement_pending = []
        if rule.action == RuleAction.SCREEN_OUT:
            screening_schedule(rule.job, f"rule {rule.lineage} v{rule.version} acknowledged")
    return rule


def _unique(warnings: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for w in warnings:
        if (w["code"], w["subject"]) not in seen:
            seen.add((w["code"], w["subject"]))
            kept.append(w)
    return kept


def rule_activate(
    *, rule: ScreeningRule, actor: AbstractBaseUser, acknowledgement: str = ""
) -> ScreeningRule:
    """Make a draft that cannot screen anyone out live (any HR admin, the author too).

    Raises FourEyesViolation for a screen-out draft (``rule_approve`` is the way),
    InvalidTransition when the version is not a draft, WarningNotAcknowledged when a
    serious fairness warning has no acknowledgement (give one in ``acknowledgement``).
    """
    organization = rule.job.organization
    require_role(user=actor, organization=organization, roles=RULE_ROLES, action="make rules live")
    if rule.needs_second_approval:
        raise FourEyesViolation(
            "A screen-out rule goes live only when a second HR admin approves it."
        )
    if rule.status != RuleStatus.DRAFT:
        raise InvalidTransition(f"Version {rule.version} is {rule.get_status_display().lower()}.")
    with transaction.atomic():
        _acknowledge(rule, actor, acknowledgement)
        _go_live(rule)
        _audit_live(rule, actor, AuditEventType.RULE_ACTIVATED)
    return rule


def rule_approve(
    *, rule: ScreeningRule, approver: AbstractBaseUser, statement: str
) -> ScreeningRule:
    """A second HR admin approves a draft version, in words, and it goes live (four eyes).

    The approver's statement is saved with the version (``approval_statement``) and on
    the ``rule.approved`` audit event (its note); when serious warnings appeared since
    the author's acknowledgement (or were never acknowledged), the same statement
    acknowledges them (a ``warning.acknowledged`` event under the approver's name).
    Raises NotPermitted unless ``approver`` is an HR admin of the rule's organisation,
    FourEyesViolation when the approver wrote this version, InvalidTransition when the
    version is not a draft, StatementRequired when the statement is missing, empty or
    only whitespace.
    """
    organization = rule.job.organization
    require_role(user=approver, organization=organization, roles=RULE_ROLES, action="approve rules")
    if rule.created_by_id is not None and rule.created_by_id == approver.pk:
        raise FourEyesViolation(
            "You wrote this version: a second HR admin of the organisation must approve it."
        )
    if rule.status != RuleStatus.DRAFT:
        raise InvalidTransition(f"Version {rule.version} is {rule.get_status_display().lower()}.")
    words = _require_statement(statement, rule=rule, doing="should go live")
    with transaction.atomic():
        if unacknowledged_warnings(rule):
            _acknowledge(rule, approver, words)
        _go_live(rule, approver=approver, statement=words)
        audit_record(
            organization=organization,
            actor=approver,
            event_type=AuditEventType.RULE_APPROVED,
            subject=rule,
            before={"status": RuleStatus.DRAFT, "created_by": rule.created_by_id},
            after=rule_definition(rule) | {"approved_by": approver.pk, "statement": words},
            note=words,
        )
    return rule


def rule_deactivate(
    *, rule: ScreeningRule, actor: AbstractBaseUser, note: str = ""
) -> ScreeningRule:
    """Take a live version (or a draft) out of use; the job is screened again without it."""
    organization = rule.job.organization
    require_role(user=actor, organization=organization, roles=RULE_ROLES, action="deactivate rules")
    was = rule.status
    if was not in (RuleStatus.LIVE, RuleStatus.DRAFT):
        raise InvalidTransition(f"Version {rule.version} is {rule.get_status_display().lower()}.")
    with transaction.atomic():
        changed = ScreeningRule.objects.filter(pk=rule.pk, status=was).update(
            status=RuleStatus.DEACTIVATED, active=False, status_changed_at=timezone.now()
        )
        if not changed:
            raise InvalidTransition("The version changed meanwhile; reload it.")
        rule.refresh_from_db()
        audit_record(
            organization=organization,
            actor=actor,
            event_type=AuditEventType.RULE_DEACTIVATED,
            subject=rule,
            before={"status": was},
            after=rule_definition(rule),
            note=note,
        )
        if was == RuleStatus.LIVE:
            screening_schedule(rule.job, f"rule {rule.lineage} v{rule.version} deactivated")
    return rule


def rule_rollback(
    *,
    rule: ScreeningRule,
    actor: AbstractBaseUser,
    to_version: int,
    activate: bool = True,
    note: str = "",
    acknowledgement: str = "",
) -> ScreeningRule:
    """Restore an earlier version's definition as the rule's next version.

    The history stays whole: version 5 restoring version 2 is a new row. It goes
    live as any new version does (a screen-out rule needs a second approval
    again: restoring it is a new decision). Raises InvalidTransition when
    ``to_version`` is not an earlier version of the rule.
    """
    organization = rule.job.organization
    require_role(user=actor, organization=organization, roles=RULE_ROLES, action="roll rules back")
    latest = selectors.rule_latest_version(rule=rule)
    target = ScreeningRule.objects.filter(lineage=rule.lineage, version=to_version).first()
    if target is None or to_version >= latest.version:
        raise InvalidTransition(
            f"Roll back to an earlier version (1 to {latest.version - 1}), not {to_version}."
        )
    new = _next_version(target, latest, actor, note or f"Rolled back to version {to_version}.")
    new.rolled_back_from = to_version
    _validate(new, previous=latest, acknowledgement=acknowledgement)
    return _save_version(
        new, previous=latest, actor=actor, event_type=AuditEventType.RULE_ROLLED_BACK, note=note,
        acknowledgement=acknowledgement, activate=activate, after_extra={"rolled_back_from": to_version},
    )  # fmt: skip
