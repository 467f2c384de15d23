"""Jobs, the screening rules set on them, and the screenings those rules produce."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from candidates.models import Candidate
from hiring.jurisdictions import validate_jurisdiction
from renown.models import Organization, TimeStampedModel
from scoring.models import RefreshCycle


def validate_jurisdictions(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError('Give a list of jurisdiction codes, e.g. ["US-NY-NYC", "DE"].')
    for code in value:
        try:
            validate_jurisdiction(code)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class InfluenceRelevance(models.TextChoices):
    NONE = "none", "None: the job does not need online influence"
    SUPPORTING = "supporting", "Supporting"
    CORE = "core", "Core to the job"


class Job(TimeStampedModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="jobs")
    title = models.CharField(max_length=200)
    external_id = models.CharField(max_length=100, blank=True, help_text="The job's id in the ATS.")
    jurisdictions = models.JSONField(
        default=list,
        validators=[validate_jurisdictions],
        help_text="Where it hires: ISO 3166-1 (DE), ISO 3166-2 (US-CA), US-NY-NYC for New York City.",
    )
    influence_relevance = models.CharField(
        max_length=20,
        choices=InfluenceRelevance.choices,
        default=InfluenceRelevance.NONE,
    )
    relevance_justification = models.TextField(
        blank=True,
        help_text="Why online influence matters for this job (29 CFR 1607.5).",
    )
    ll144_notice_posted_on = models.DateField(
        null=True,
        blank=True,
        verbose_name="NYC LL144 notice posted on",
        help_text="For a job in New York City: the day the notice of the tool's use was posted "
        "on the employment section of the website (6 RCNY 5-304). Empty: Renown uses the day "
        "the candidate notices on record reached every candidate.",
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="job_unique_external_id_per_org",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Application(TimeStampedModel):
    """A candidate being considered for a job: the population a job's rules screen.

    The candidate and the job belong to the same organisation (checked by
    ``hiring.services.application_add`` and the admin form).
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="applications")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="applications")
    external_id = models.CharField(
        max_length=100, blank=True, help_text="The application's id in the ATS."
    )

    class Meta:
        ordering = ["job", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "candidate"], name="application_unique_job_candidate"
            ),
        ]
        indexes = [models.Index(fields=["candidate"], name="application_candidate")]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.job}"


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


class Outcome(models.TextChoices):
    MEETS = "meets", "Meets"
    BELOW = "below", "Below"
    NEAR_THRESHOLD = "near_threshold", "Near threshold"
    INSUFFICIENT_DATA = "insufficient_data", "Insufficient data"
    FLAGGED = "flagged", "Flagged"


class Suggestion(models.TextChoices):
    """What the machine suggests to the person who decides."""

    NONE = "", "Nothing (advisory rules only)"
    ADVANCE = "advance", "Advance (meets every rule that decides)"
    REVIEW = "review", "Review (near the line, unmeasured, flagged or below a review rule)"
    REJECT = "reject", "Reject (below an approved screen-out rule; a person decides)"


class ScreeningRun(models.Model):
    """One evaluation of a job's live rules over its candidates (or some of them).

    Keeps the rule definitions it used, the counts per outcome and a SHA-256 over
    the screenings it wrote, so that a run can be explained and its results
    checked later.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="screening_runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    evaluated_at = models.DateTimeField(help_text="The time the rules were evaluated at.")
    reason = models.CharField(max_length=100, blank=True, help_text="What started it.")
    actor_label = models.CharField(max_length=200, blank=True)
    rules = models.JSONField(default=list, help_text="The rule versions used, in full.")
    rule_versions = models.JSONField(default=dict, help_text="{rule id: version} used.")
    candidates = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, help_text="{outcome: candidates}.")
    digest = models.CharField(max_length=64, blank=True)
    engine = models.CharField(max_length=20, blank=True, help_text="sql or python.")

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["job", "-started_at"], name="screeningrun_job_time")]

    def __str__(self) -> str:
        return f"{self.job} · {self.started_at:%Y-%m-%d %H:%M} · {self.candidates} candidates"


class Screening(models.Model):
    """The latest outcome of a job's rules for one candidate, with reasons per rule.

    ``reasons`` holds, per rule version, the value used, the outcome and the
    explanation; ``rule_versions`` the versions. A decision copies both, so it can
    be explained after the screening is run again. Every run rewrites the rows in
    place: on PostgreSQL the table keeps half of each page free (migration 0006) so
    that the rewrite is a HOT update.
    """

    # Indexed by the unique (candidate, job) and (job, outcome) below: fewer indexes to
    # update when a run rewrites 100,000 screenings.
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="screenings", db_index=False
    )
    job = models.ForeignKey(
        Job, on_delete=models.CASCADE, related_name="screenings", db_index=False
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    suggestion = models.CharField(
        max_length=10, choices=Suggestion.choices, blank=True, default=Suggestion.NONE
    )
    reasons = models.JSONField(default=list)
    rule_versions = models.JSONField(default=dict, help_text="{rule id: version} used.")
    evaluated_at = models.DateTimeField()
    run = models.ForeignKey(
        ScreeningRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="screenings",
        # No index and no database constraint: the run is written in the same transaction
        # as its screenings, and checking 100,000 rows against it at commit is pure cost.
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["-evaluated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "job"], name="screening_unique_candidate_job"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="screening_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(suggestion__in=Suggestion.values), name="screening_suggestion_valid"
            ),
            # Only a below can suggest a rejection.
            models.CheckConstraint(
                condition=~Q(suggestion="reject") | Q(outcome="below"),
                name="screening_reject_only_below",
            ),
        ]
        indexes = [
            models.Index(fields=["job", "outcome"], name="screening_job_outcome"),
            models.Index(fields=["job", "suggestion"], name="screening_job_suggestion"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.job} · {self.get_outcome_display()}"

    @property
    def needs_review(self) -> bool:
        return self.suggestion in (Suggestion.REVIEW, Suggestion.REJECT)


# --- Human review ------------------------------------------------------------------


class DecisionKind(models.TextChoices):
    ADVANCE = "advance", "Advance"
    REJECT = "reject", "Reject"
    HOLD = "hold", "Hold"


class Decision(models.Model):
    """A person's decision on a screening, with the reason, and what the machine said then.

    Append-only in practice: a new decision on the same screening supersedes the
    previous one, which stays. ``follows_machine`` is None when the machine
    suggested no decision; ``review_seconds`` is the time from opening the review
    page to deciding (None when the decision did not come through it).
    """

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="decisions")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="decisions")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=10, choices=DecisionKind.choices)
    reason = models.TextField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewer_label = models.CharField(max_length=200)
    decided_at = models.DateTimeField()
    review_started_at = models.DateTimeField(null=True, blank=True)
    review_seconds = models.FloatField(null=True, blank=True)
    machine_outcome = models.CharField(max_length=20, choices=Outcome.choices)
    machine_suggestion = models.CharField(max_length=10, choices=Suggestion.choices, blank=True)
    follows_machine = models.BooleanField(null=True, blank=True)
    screening_snapshot = models.JSONField(
        default=dict, help_text="The screening as the reviewer saw it: reasons and versions."
    )

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DecisionKind.values), name="decision_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="decision_has_reason"),
            models.CheckConstraint(
                condition=Q(review_seconds__isnull=True) | Q(review_seconds__gte=0),
                name="decision_review_seconds_gte_0",
            ),
            # A rejection rests on a below of an approved screen-out rule, nothing else.
            models.CheckConstraint(
                condition=~Q(kind="reject") | Q(machine_suggestion="reject"),
                name="decision_reject_needs_screen_out",
            ),
        ]
        indexes = [
            models.Index(fields=["job", "reviewer", "-decided_at"], name="decision_job_reviewer"),
            models.Index(fields=["screening", "-decided_at"], name="decision_screening_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.candidate} · {self.job}"

    @property
    def is_override(self) -> bool:
        """The person decided against what the machine suggested."""
        return self.follows_machine is False


# --- FCRA adverse action -----------------------------------------------------------


class AdverseActionStatus(models.TextChoices):
    PENDING = "pending", "Rejection recorded; pre-adverse notice not sent yet"
    PRE_ADVERSE_SENT = "pre_adverse_sent", "Pre-adverse notice sent; waiting period"
    DISPUTED = "disputed", "Disputed; reinvestigation open"
    FINAL_SENT = "final_sent", "Final adverse-action notice sent"
    WITHDRAWN = "withdrawn", "Withdrawn (the rejection no longer stands)"

    @classmethod
    def open(cls) -> list[str]:
        return [cls.PENDING, cls.PRE_ADVERSE_SENT, cls.DISPUTED]


class AdverseAction(TimeStampedModel):
    """The FCRA adverse-action workflow of one rejection that used Renown's data.

    pending → pre_adverse_sent (waiting period) → [disputed → pre_adverse_sent]
    → final_sent; withdrawn from any open state (the decision changed, or a
    dispute corrected the data). ``report`` is the copy of the data sent with the
    pre-adverse notice (15 U.S.C. 1681b(b)(3)(A)).
    """

    decision = models.OneToOneField(
        Decision, on_delete=models.CASCADE, related_name="adverse_action"
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="adverse_actions"
    )
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="adverse_actions")
    status = models.CharField(
        max_length=20, choices=AdverseActionStatus.choices, default=AdverseActionStatus.PENDING
    )
    waiting_business_days = models.PositiveSmallIntegerField()
    pre_adverse_sent_at = models.DateTimeField(null=True, blank=True)
    waiting_until = models.DateTimeField(null=True, blank=True)
    final_sent_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AdverseActionStatus.values),
                name="adverseaction_status_valid",
            ),
            # One open workflow per candidate and job.
            models.UniqueConstraint(
                fields=["candidate", "job"],
                condition=Q(status__in=["pending", "pre_adverse_sent", "disputed"]),
                name="adverseaction_one_open_per_candidate_job",
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | Q(status="withdrawn")
                | (Q(pre_adverse_sent_at__isnull=False) & Q(waiting_until__isnull=False)),
                name="adverseaction_notice_before_waiting",
            ),
            # The final notice only after the pre-adverse notice and its waiting period.
            models.CheckConstraint(
                condition=Q(final_sent_at__isnull=True)
                | (Q(pre_adverse_sent_at__isnull=False) & Q(final_sent_at__gte=F("waiting_until"))),
                name="adverseaction_final_after_waiting",
            ),
            models.CheckConstraint(
                condition=~Q(status="final_sent") | Q(final_sent_at__isnull=False),
                name="adverseaction_final_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="adverseaction_withdrawn_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Adverse action · {self.candidate} · {self.job} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in AdverseActionStatus.open()


class NoticeKind(models.TextChoices):
    PRE_ADVERSE = "pre_adverse", "Pre-adverse action notice (1681b(b)(3))"
    FINAL = "final", "Adverse action notice (1681m(a))"
    DISPUTE_RESULT = "dispute_result", "Result of the reinvestigation (1681i(a)(6))"


class Dispute(TimeStampedModel):
    """The candidate disputes the data: a reinvestigation (re-fetch, re-score, re-screen).

    Resolved within ``RENOWN_FCRA_REINVESTIGATION_DAYS`` (30) of opening
    (15 U.S.C. 1681i(a)(1)): ``confirmed`` (the data stand) or ``corrected`` (they
    changed: the rejection is withdrawn).
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    class Resolution(models.TextChoices):
        NONE = "", "Not resolved yet"
        CONFIRMED = "confirmed", "Confirmed: the data were accurate and the result stands"
        CORRECTED = "corrected", "Corrected: the data changed and the rejection is withdrawn"

    adverse_action = models.ForeignKey(
        AdverseAction, on_delete=models.CASCADE, related_name="disputes"
    )
    statement = models.TextField(help_text="What the candidate says is wrong or incomplete.")
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField()
    opened_by_label = models.CharField(max_length=200)
    refresh_cycle = models.ForeignKey(
        RefreshCycle,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The re-fetch of the candidate's accounts.",
    )
    reinvestigated_at = models.DateTimeField(null=True, blank=True)
    rescreen = models.JSONField(
        null=True, blank=True, help_text="The screening after re-fetching and re-scoring."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(
        max_length=10, choices=Resolution.choices, blank=True, default=Resolution.NONE
    )
    resolution_note = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["adverse_action"],
                condition=Q(status="open"),
                name="dispute_one_open_per_adverse_action",
            ),
            models.CheckConstraint(condition=~Q(statement=""), name="dispute_has_statement"),
            models.CheckConstraint(
                condition=Q(due_at__gt=F("opened_at")), name="dispute_due_after_opening"
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(resolution="") & Q(resolved_at__isnull=True))
                | (Q(status="resolved") & ~Q(resolution="") & Q(resolved_at__isnull=False)),
                name="dispute_resolution_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"Dispute · {self.adverse_action.candidate} · {self.get_status_display()}"


class AdverseActionNotice(models.Model):
    """A notice as it was rendered and delivered (text and HTML), kept as sent."""

    adverse_action = models.ForeignKey(
        AdverseAction, on_delete=models.CASCADE, related_name="notices"
    )
    dispute = models.ForeignKey(
        Dispute, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    recipient = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField()
    sent_at = models.DateTimeField()
    sent_by_label = models.CharField(max_length=200)
    content_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["adverse_action", "kind"],
                condition=Q(kind__in=["pre_adverse", "final"]),
                name="notice_one_pre_adverse_and_final",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NoticeKind.values), name="notice_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="dispute_result") | Q(dispute__isnull=False),
                name="notice_dispute_result_names_dispute",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.sent_at:%Y-%m-%d}"


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
    exclusions = models.JSONField(
        default=list,
        blank=True,
        help_text="Categories under 2% left out of the impact ratios, each with the reason.",
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


# Models of hiring's sub-packages, registered with the app (Django imports ``hiring.models``).
from hiring.ats.models import (  # noqa: E402, F401  isort: skip
    Ats,
    AtsSecret,
    CandidateLink,
    InboundDelivery,
    LinkKind,
)
from hiring.privacy.models import RetentionHold  # noqa: E402, F401  isort: skip
