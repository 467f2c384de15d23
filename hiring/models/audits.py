"""Bias audits of a job's rules, as recorded and published (NYC LL144)."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from django.conf import settings
from django.db import models

from hiring.models.jobs import Job
from renown.models import Organization


class Exclusion(TypedDict):
    """A category the independent auditor left out of the impact ratios
    (``BiasAudit.exclusions``, 6 RCNY 5-301(d)): the written justification, who made it
    and when (``hiring.services.audits.bias_audit_exclude``), and the category's count,
    which is still reported with its rate."""

    category: str
    reason: str
    count: int
    table: NotRequired[str]
    by: NotRequired[str]  # who excluded it, as the audit trail names them
    by_id: NotRequired[int | None]
    at: NotRequired[str]  # ISO 8601


class BiasAudit(models.Model):
    """A bias audit of a job's rules, as recorded (6 RCNY 5-301) and, if chosen, published
    (5-303). ``report`` is ``hiring.fairness.bias_audit.audit_report``'s JSON plus the outcome classes;
    the public page shows it with categories under 5 people masked."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="bias_audits"
    )
    job = models.ForeignKey(
        Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="bias_audits"
    )
    job_title = models.CharField(max_length=200, help_text="The job, as it was called.")
    audited_on = models.DateField(help_text="The date of the bias audit.")
    auditor = models.CharField(max_length=200, help_text="Who carried out the audit.")
    auditor_independent = models.BooleanField(
        default=False,
        help_text="The auditor is independent of the employer and of the tool's vendor "
        "(6 RCNY 5-300 'Independent Auditor').",
    )
    data_source = models.TextField(
        help_text="Where the data came from: the employer's own historical data, or test "
        "data and why (6 RCNY 5-301(b), 5-303(a)).",
    )
    distributed_on = models.DateField(
        null=True, blank=True, help_text="The tool's distribution date (5-303(a))."
    )
    published = models.BooleanField(
        default=False, help_text="Shown on the organisation's public audit page."
    )
    rules = models.JSONField(default=list, help_text="The rule versions audited.")
    exclusions: models.JSONField[list[Exclusion], list[Exclusion]] = models.JSONField(
        default=list,
        blank=True,
        help_text="Categories under 2% the auditor left out of the impact ratios, each with "
        "the justification, who and when; changed only before publication.",
    )
    report = models.JSONField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-audited_on", "-recorded_at"]
        indexes = [models.Index(fields=["organization", "-audited_on"], name="biasaudit_org_date")]

    def __str__(self) -> str:
        return f"Bias audit of {self.job_title} on {self.audited_on}"
