"""Jobs and the applications to them."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.validators import UniqueTogetherValidator

from candidates.jurisdictions import validate_jurisdiction
from hiring.api import fields
from hiring.models import (
    Application,
    InfluenceRelevance,
    Job,
)
from renown.api.serializers import ApiModelSerializer

JURISDICTIONS_HELP = "Where the job hires: ISO 3166-1 (DE), ISO 3166-2 (US-CA), US-NY-NYC."


class JobSerializer(ApiModelSerializer[Job]):
    """A job as the API shows it.

    ``jurisdictions`` is empty for a job an ATS created without saying where it
    hires (a Greenhouse delivery names the job, not its location): the fairness
    checks then warn that the legal checks could not run, until someone sets it.
    """

    jurisdictions = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=f"{JURISDICTIONS_HELP} Empty when an ATS created the job without saying.",
    )

    class Meta:
        model = Job
        fields = [
            "id", "title", "external_id", "jurisdictions", "influence_relevance",
            "relevance_justification", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class JobWriteSerializer(ApiModelSerializer[Job]):
    """A job as a client sends it: a client that sets where the job hires names a place."""

    title = serializers.CharField(max_length=200)
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    jurisdictions = serializers.ListField(
        child=serializers.CharField(max_length=10),
        min_length=1,
        max_length=50,
        help_text=JURISDICTIONS_HELP,
    )
    influence_relevance = serializers.ChoiceField(
        choices=InfluenceRelevance.choices, required=False
    )
    relevance_justification = serializers.CharField(
        max_length=5000, required=False, allow_blank=True
    )

    class Meta:
        model = Job
        ref_name = "Job"  # the request bodies of Job: JobRequest, PatchedJobRequest
        fields = [
            "title", "external_id", "jurisdictions", "influence_relevance",
            "relevance_justification",
        ]  # fmt: skip
        validators: list[
            UniqueTogetherValidator
        ] = []  # the (organisation, external id) check is the model's

    def validate_external_id(self, value: str) -> str:
        return fields.validate_external_id(value)

    def validate_jurisdictions(self, value: list[str]) -> list[str]:
        codes = [code.strip().upper() for code in value]
        for code in codes:
            try:
                validate_jurisdiction(code)
            except ValueError as exc:
                raise serializers.ValidationError(str(exc)) from None
        return codes


class ApplicationSerializer(ApiModelSerializer[Application]):
    candidate = serializers.UUIDField(source="candidate.public_id")
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True)

    class Meta:
        model = Application
        fields = ["id", "candidate", "external_id", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_external_id(self, value: str) -> str:
        return fields.validate_external_id(value)
