"""Jobs and the applications to them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from candidates.models import Candidate
from hiring.jurisdictions import validate_jurisdiction
from renown.models import Organization, TimeStampedModel


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
