"""Recorded LL144 bias audits: the independent auditor's exclusions (6 RCNY 5-301(d)).

An auditor may leave a category under 2 % of the data out of the impact-ratio
calculations, with a written justification; the category's count and rate are still
reported (``hiring.fairness.bias_audit.audit_counts``, ``excluded``). Renown offers the
exclusion and never makes it by default: only these services change
``BiasAudit.exclusions``, only an auditor of the organisation may call them, only before
the audit is published, and each change is on the audit trail (who, when, why). The
stored report is recomputed from the audit's own counts, so the admin, the CSV and the
public summary read the same figures.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from hiring.fairness import live_bias_audit
from hiring.models import BiasAudit
from hiring.models.audits import Exclusion
from hiring.permissions import AUDIT_REPORT_ROLES, require_role
from renown.exceptions import ApplicationError, InvalidTransition
from renown.models import AuditEventType
from renown.trail import audit_actor_label, audit_record


class ExclusionRefused(ApplicationError):
    """The exclusion is not one 6 RCNY 5-301(d) allows (see the message)."""


def _claim_unpublished(audit: BiasAudit, doing: str) -> BiasAudit:
    row = BiasAudit.objects.select_for_update().filter(pk=audit.pk).first()
    if row is None:
        raise InvalidTransition("The bias audit is gone.")
    if row.published:
        raise InvalidTransition(
            f"The bias audit of {row.job_title} on {row.audited_on} is published: its "
            f"exclusions are final (record a new audit to {doing})."
        )
    return row


def _save(row: BiasAudit, exclusions: list[Exclusion]) -> None:
    row.exclusions = exclusions
    recomputed = live_bias_audit.recorded_audit(row)
    if recomputed is not None:
        row.report = {**row.report, **live_bias_audit.recorded_report(recomputed)}
    row.save(update_fields=["exclusions", "report"])


def bias_audit_exclude(
    *, audit: BiasAudit, actor: AbstractBaseUser, category: str, justification: str
) -> BiasAudit:
    """Exclude ``category`` (a row's label, e.g. "Native Hawaiian or Pacific Islander
    Female") from the audit's impact-ratio calculations, with the auditor's written
    justification. Its count and rate stay in the report; it is no longer compared
    and never the reference. Audited as ``bias_audit.category_excluded``.

    Raises NotPermitted unless ``actor`` is an auditor of the organisation,
    InvalidTransition once the audit is published, ExclusionRefused when the category
    is not in the audit, is 2 % or more of its table, is excluded already, or the
    justification is blank.
    """
    require_role(
        user=actor,
        organization=audit.organization,
        roles=AUDIT_REPORT_ROLES,
        action="exclude a category from a bias audit",
    )
    with transaction.atomic():
        row = _claim_unpublished(audit, "change them")
        current = list(row.exclusions or [])
        name = category.strip()
        if any(e["category"] == name for e in current):
            raise ExclusionRefused(f"{name} is excluded already.")
        plain = live_bias_audit.recorded_audit(row, exclusions=[])
        if plain is None:
            raise InvalidTransition("The audit's job is gone: its figures cannot be recomputed.")
        try:
            checked = live_bias_audit.check_exclusion(
                plain.result, {"category": name, "reason": justification}
            )
        except live_bias_audit.ExclusionError as exc:
            raise ExclusionRefused(str(exc)) from None
        checked["by"] = audit_actor_label(actor)
        checked["by_id"] = actor.pk
        checked["at"] = timezone.now().isoformat()
        _save(row, [*current, checked])
        audit_record(
            organization=row.organization,
            actor=actor,
            event_type=AuditEventType.BIAS_AUDIT_CATEGORY_EXCLUDED,
            subject=row,
            # No count: the trail is read by HR admins, who never see counts under 5.
            after={"category": checked["category"], "table": checked.get("table", "")},
            note=checked["reason"],
        )
    audit.refresh_from_db()
    return audit


def bias_audit_exclusion_withdraw(
    *, audit: BiasAudit, actor: AbstractBaseUser, category: str, note: str = ""
) -> BiasAudit:
    """Put an excluded category back into the audit's impact-ratio calculations.

    Audited as ``bias_audit.category_included`` with the justification it withdraws.
    Raises NotPermitted unless ``actor`` is an auditor of the organisation,
    InvalidTransition once the audit is published, ExclusionRefused when the category
    is not excluded.
    """
    require_role(
        user=actor,
        organization=audit.organization,
        roles=AUDIT_REPORT_ROLES,
        action="change a bias audit's exclusions",
    )
    with transaction.atomic():
        row = _claim_unpublished(audit, "change them")
        current = list(row.exclusions or [])
        name = category.strip()
        withdrawn = next((e for e in current if e["category"] == name), None)
        if withdrawn is None:
            raise ExclusionRefused(f"{name} is not excluded.")
        _save(row, [e for e in current if e is not withdrawn])
        audit_record(
            organization=row.organization,
            actor=actor,
            event_type=AuditEventType.BIAS_AUDIT_CATEGORY_INCLUDED,
            subject=row,
            before={"category": name, "justification": withdrawn["reason"]},
            after={"category": name},
            note=note.strip(),
        )
    audit.refresh_from_db()
    return audit
