"""Screenings, the requests that trigger them, and the decisions on them."""

from __future__ import annotations

from rest_framework import serializers

from hiring.models import (
    Decision,
    DecisionKind,
    Screening,
)
from hiring.review.decisions import OUTSIDE_RENOWN_ATTESTATION
from renown.api.serializers import ApiModelSerializer
from renown.json_types import JSONMapping


class ScreeningSerializer(ApiModelSerializer[Screening]):
    """A candidate's latest outcome for a job, with a reason per rule version."""

    candidate = serializers.UUIDField(source="candidate.public_id", read_only=True)
    reasons = serializers.ListField(child=serializers.DictField(), read_only=True)
    rule_versions = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Screening
        fields = [
            "id", "job", "candidate", "outcome", "suggestion", "reasons", "rule_versions",
            "evaluated_at", "run",
        ]  # fmt: skip
        read_only_fields = fields


class ScreeningTriggerSerializer(serializers.Serializer[None]):
    """``job``: screen the job's candidates; ``candidate``: every job the candidate is
    considered for; both: that one screening, at once."""

    job = serializers.IntegerField(min_value=1, required=False)
    candidate = serializers.UUIDField(required=False)

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        if not attrs.get("job") and not attrs.get("candidate"):
            raise serializers.ValidationError("Give a job, a candidate, or both.")
        return attrs


class ScreeningQueuedSerializer(serializers.Serializer[JSONMapping]):
    status = serializers.ChoiceField(choices=["queued"])
    job = serializers.IntegerField(allow_null=True)
    candidate = serializers.UUIDField(allow_null=True)


class DecisionSerializer(ApiModelSerializer[Decision]):
    candidate = serializers.UUIDField(source="candidate.public_id", read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id", "screening", "candidate", "job", "kind", "reason", "reviewer_label",
            "decided_at", "machine_outcome", "machine_suggestion", "follows_machine",
            "outside_renown", "attestation",
        ]  # fmt: skip
        read_only_fields = fields


class DecisionWriteSerializer(serializers.Serializer[None]):
    kind = serializers.ChoiceField(choices=DecisionKind.choices)
    reason = serializers.CharField(max_length=5000)
    outside_renown = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A rejection for reasons that are not Renown's data: no FCRA adverse-action "
        "steps follow. Needs `attested`.",
    )
    attested = serializers.BooleanField(
        required=False,
        default=False,
        help_text=f"With `outside_renown`: the reviewer attests “{OUTSIDE_RENOWN_ATTESTATION}”",
    )
