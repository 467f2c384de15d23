"""Screening runs and the screenings they produce: one per candidate and job."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from candidates.models import Candidate
from hiring.models.jobs import Job


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
    # No database constraint on the job: every screening is written by a run, in the
    # transaction that writes the run's own row, whose constraint checks the job once;
    # checking 100,000 screenings against the same job at commit cost a first run 0.4 s.
    # Deleting a job deletes its screenings all the same (Django cascades).
    job = models.ForeignKey(
        Job,
        on_delete=models.CASCADE,
        related_name="screenings",
        db_index=False,
        db_constraint=False,
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
