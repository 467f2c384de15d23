"""Rule groups: the rules of a job that combine with ALL or ANY (HR admins, audited)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from hiring.models import Combinator, Job, RuleGroup
from hiring.permissions import RULE_ROLES, require_role
from hiring.services.rules import screening_schedule
from renown.models import AuditEventType
from renown.trail import audit_record


def rule_group_create(
    *, job: Job, actor: AbstractBaseUser, combinator: str = Combinator.ALL, name: str = ""
) -> RuleGroup:
    """A group on the job in which rules combine with ALL or ANY."""
    require_role(user=actor, organization=job.organization, roles=RULE_ROLES, action="group rules")
    group = RuleGroup(job=job, combinator=combinator, name=name.strip())
    group.full_clean()
    with transaction.atomic():
        group.save()
        audit_record(
            organization=job.organization,
            actor=actor,
            event_type=AuditEventType.RULE_GROUP_CHANGED,
            subject=group,
            after={"job": job.pk, "name": group.name, "combinator": group.combinator},
        )
    return group


def rule_group_update(
    *, group: RuleGroup, actor: AbstractBaseUser, combinator: str, name: str | None = None
) -> RuleGroup:
    """Change how a group combines (or its name); live rules in it are screened again."""
    job = group.job
    require_role(user=actor, organization=job.organization, roles=RULE_ROLES, action="group rules")
    before = {"name": group.name, "combinator": group.combinator}
    group.combinator = combinator
    if name is not None:
        group.name = name.strip()
    group.full_clean()
    with transaction.atomic():
        group.save()
        audit_record(
            organization=job.organization,
            actor=actor,
            event_type=AuditEventType.RULE_GROUP_CHANGED,
            subject=group,
            before=before,
            after={"job": job.pk, "name": group.name, "combinator": group.combinator},
        )
        if before["combinator"] != combinator and group.rules.filter(active=True).exists():
            screening_schedule(job, f"group {group.pk} now {combinator}")
    return group
