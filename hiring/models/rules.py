"""The screening rules set on a job, alone or in ALL/ANY groups, and their versions."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from hiring.models.jobs import Job
from renown.models import TimeStampedModel


class Operator(models.TextChoices):
    GTE = "gte", "≥"
    GT = "gt", ">"
    LTE = "lte", "≤"
    LT = "lt", "<"


class Aggregation(models.TextChoices):
    LATEST = "latest", "Latest value"
    MEDIAN = "median", "Median over the window"
    MAX = "max", "Maximum over the window"
    MIN = "min", "Minimum over the window"


class MissingDataPolicy(models.TextChoices):
    REVIEW = "review", "Send to human review"
    PASS = "pass", "Treat as meeting the rule"
    FAIL = "fail", "Treat as failing the rule (serious warning)"


class RuleAction(models.TextChoices):
    ADVISORY = "advisory", "Advisory only"
    NEEDS_REVIEW = "needs_review", "Needs review"
    SCREEN_OUT = "screen_out", "Screen out (a person still decides)"


class NearBandSource(models.TextChoices):
    FIXED = "fixed", "The band set on the rule"
    VOLATILITY = "volatility", "The candidate's measured day-to-day noise (at least the band set)"


class RuleStatus(models.TextChoices):
    DRAFT = "draft", "Draft (not live; a screen-out rule waits for a second HR admin)"
    LIVE = "live", "Live"
    SUPERSEDED = "superseded", "Superseded by a later version"
    DEACTIVATED = "deactivated", "Deactivated"


class Combinator(models.TextChoices):
    ALL = "all", "ALL: every rule must hold"
    ANY = "any", "ANY: one rule is enough"


class RuleGroup(TimeStampedModel):
    """Rules that combine with ALL or ANY, e.g. "influence ≥ 40 OR reputation ≥ 30".

    A job's groups must all hold; a rule outside any group is a group of its own.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="rule_groups")
    name = models.CharField(max_length=200, blank=True)
    combinator = models.CharField(max_length=3, choices=Combinator.choices, default=Combinator.ALL)

    class Meta:
        ordering = ["job", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(combinator__in=Combinator.values), name="rulegroup_combinator_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_combinator_display().split(':')[0]} group #{self.pk}"


# The fields that define what a rule does: a new version copies and changes them.
RULE_DEFINITION_FIELDS = (
    "group",
    "metric",
    "operator",
    "threshold",
    "aggregation",
    "window_days",
    "max_data_age_days",
    "missing_data_policy",
    "near_band",
    "near_band_source",
    "action",
)


class ScreeningRule(TimeStampedModel):
    """One version of one condition on one metric, e.g. ``influence ≥ 35`` (latest, ≤ 30 days old).

    ``metric`` names a scorer (``influence``, ``reputation``), a vendor score on its
    native scale (``vendor:klout``) or a canonical metric summed over the
    candidate's accounts from the latest snapshots (``metric:followers``).

    A row is one version and its definition never changes once written: a change
    is a new row with the same ``lineage`` and the next ``version``
    (``hiring.services.rule_update``), so a screening that names a rule row can be
    explained forever. At most one version of a rule is live (``active``) and at
    most one is a draft; a live screen-out version was approved by a second HR
    admin (the constraints below hold it even against a stray UPDATE).
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="rules")
    lineage = models.UUIDField(
        default=uuid.uuid4, editable=False, help_text="Shared by every version of the rule."
    )
    group = models.ForeignKey(
        RuleGroup,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="rules",
        help_text="Rules in a group combine with its ALL/ANY; no group: the rule must hold.",
    )
    metric = models.CharField(max_length=60)
    operator = models.CharField(max_length=3, choices=Operator.choices, default=Operator.GTE)
    threshold = models.DecimalField(max_digits=12, decimal_places=2)
    aggregation = models.CharField(
        max_length=10, choices=Aggregation.choices, default=Aggregation.LATEST
    )
    window_days = models.PositiveIntegerField(
        default=90,
        validators=[MinValueValidator(1)],
        help_text="Window for median/max/min.",
    )
    max_data_age_days = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(1)],
        help_text="Older data counts as missing.",
    )
    missing_data_policy = models.CharField(
        max_length=10,
        choices=MissingDataPolicy.choices,
        default=MissingDataPolicy.REVIEW,
    )
    near_band = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Values this close to the threshold are 'near threshold' and go to review.",
    )
    near_band_source = models.CharField(
        max_length=10, choices=NearBandSource.choices, default=NearBandSource.FIXED
    )
    action = models.CharField(
        max_length=20, choices=RuleAction.choices, default=RuleAction.NEEDS_REVIEW
    )
    status = models.CharField(max_length=12, choices=RuleStatus.choices, default=RuleStatus.DRAFT)
    # Kept beside ``status`` (a constraint ties them): ``active`` means live.
    active = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    change_note = models.TextField(blank=True, help_text="Why this version.")
    rolled_back_from = models.PositiveIntegerField(
        null=True, blank=True, help_text="The earlier version this one restores."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # The approver's own words (hiring.services.rule_approve), saved with the version they
    # approved; the same words are on the rule.approved audit event.
    approval_statement = models.TextField(blank=True, editable=False)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The serious fairness warnings a change of the job (where it hires, how much influence
    # matters) gave this live version and nobody has acknowledged yet (code, subject,
    # message): until an HR admin does, a screen-out version only suggests review.
    # Written by hiring.services.job_update, cleared by rule_acknowledge.
    acknowledgement_pending = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["job", "id"]
        indexes = [
            models.Index(fields=["job", "active"], name="rule_job_active"),
            models.Index(fields=["lineage", "-version"], name="rule_lineage_version"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lineage", "version"], name="rule_unique_lineage_version"
            ),
            models.UniqueConstraint(
                fields=["lineage"],
                condition=Q(status="live"),
                name="rule_one_live_version",
            ),
            models.UniqueConstraint(
                fields=["lineage"],
                condition=Q(status="draft"),
                name="rule_one_draft_version",
            ),
            models.CheckConstraint(
                condition=(Q(active=True) & Q(status="live"))
                | (Q(active=False) & ~Q(status="live")),
                name="rule_active_iff_live",
            ),
            models.CheckConstraint(
                condition=~(Q(status="live") & Q(action="screen_out"))
                | Q(approved_at__isnull=False),
                name="rule_live_screen_out_is_approved",
            ),
            # Four eyes: nobody approves their own rule.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(created_by__isnull=True)
                | ~Q(approved_by=F("created_by")),
                name="rule_approver_is_not_author",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="rule_version_gte_1"),
            models.CheckConstraint(
                condition=Q(operator__in=Operator.values), name="rule_operator_valid"
            ),
            models.CheckConstraint(
                condition=Q(aggregation__in=Aggregation.values), name="rule_aggregation_valid"
            ),
            models.CheckConstraint(
                condition=Q(missing_data_policy__in=MissingDataPolicy.values),
                name="rule_missing_data_policy_valid",
            ),
            models.CheckConstraint(
                condition=Q(near_band_source__in=NearBandSource.values),
                name="rule_near_band_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(action__in=RuleAction.values), name="rule_action_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RuleStatus.values), name="rule_status_valid"
            ),
            models.CheckConstraint(condition=Q(near_band__gte=0), name="rule_near_band_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.get_operator_display()} {self.threshold}"

    @property
    def needs_second_approval(self) -> bool:
        """A screen-out version goes live only when a second HR admin approves it."""
        return self.action == RuleAction.SCREEN_OUT

    @property
    def acting_action(self) -> str:
        """What the version does in a screening now: a screen-out version whose job changed
        under it into a serious fairness warning nobody acknowledged suggests review only."""
        if self.action == RuleAction.SCREEN_OUT and self.acknowledgement_pending:
            return str(RuleAction.NEEDS_REVIEW)
        return self.action
