"""Human review: decisions on screenings, FCRA adverse actions, disputes and notices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from candidates.models import Candidate
from hiring.models.jobs import Job
from hiring.models.screenings import Outcome, Screening, Suggestion
from renown.models import TimeStampedModel
from scoring.models import RefreshCycle


class DecisionKind(models.TextChoices):
    ADVANCE = "advance", "Advance"
    REJECT = "reject", "Reject"
    HOLD = "hold", "Hold"


class Decision(models.Model):
    """A person's decision on a screening, with the reason, and what the machine said then.

    Append-only in practice: a new decision on the same screening supersedes the
    previous one, which stays. ``follows_machine`` is None when the machine
    suggested no decision (or the rejection was outside Renown); ``review_seconds``
    is the time from opening the review page to deciding (None when the decision did
    not come through it).

    ``outside_renown``: a rejection for reasons that are not Renown's data (an
    interview, references, the candidate withdrew), with the reviewer's attestation
    that Renown's data played no part; ``attestation`` keeps the words attested, as
    they read then. The FCRA adverse-action steps are for a rejection based "in whole
    or in part" on the report (15 U.S.C. 1681b(b)(3)(A), 1681m(a)): such a rejection
    opens none.
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
    outside_renown = models.BooleanField(
        default=False,
        help_text="A rejection for reasons outside Renown: no FCRA adverse-action steps.",
    )
    attestation = models.TextField(
        blank=True, help_text="The words the reviewer attested for a rejection outside Renown."
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
            # A rejection through Renown rests on a below of an approved screen-out rule,
            # nothing else; a rejection outside Renown rests on none of its data.
            models.CheckConstraint(
                condition=~Q(kind="reject")
                | Q(machine_suggestion="reject")
                | Q(outside_renown=True),
                name="decision_reject_needs_screen_out",
            ),
            # Outside Renown: a rejection only, and always with the words attested.
            models.CheckConstraint(
                condition=(Q(outside_renown=False) & Q(attestation=""))
                | (Q(outside_renown=True) & Q(kind="reject") & ~Q(attestation="")),
                name="decision_outside_renown_attested",
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


class ReviewAssignment(models.Model):
    """Who works a screening in the review queue ("assign to me", "my queue").

    One per screening; a screening run rewrites its screening in place, so the
    assignment stays with the candidate's place in the job's queue.
    """

    screening = models.OneToOneField(Screening, on_delete=models.CASCADE, related_name="assignment")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["assignee"], name="assignment_assignee")]

    def __str__(self) -> str:
        return f"{self.screening} · {self.assignee}"


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
