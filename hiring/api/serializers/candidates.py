"""Candidates as clients send them (one or in bulk) and as the API shows them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db.models import Manager
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from candidates.models import (
    Candidate,
)
from hiring.api import fields
from renown.api.serializers import DateTimeField, DecimalField
from renown.json_types import JSONMapping, JSONObject

MAX_BULK_ITEMS = 1000
_DATETIME = DateTimeField()


# --- candidates ------------------------------------------------------------------------


class CandidateWriteSerializer(serializers.Serializer[None]):
    """A candidate as a client sends it (create, update, upsert, bulk item)."""

    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    ats_source = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default="", validators=[]
    )
    external_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    region = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")

    def validate_name(self, value: str) -> str:
        return fields.validate_name(value)

    def validate_ats_source(self, value: str) -> str:
        return fields.validate_source(value)

    def validate_external_id(self, value: str) -> str:
        return fields.validate_external_id(value)

    def validate_country(self, value: str) -> str:
        return fields.validate_country(value)

    def validate_region(self, value: str) -> str:
        return fields.validate_region(value)

    def validate(self, attrs: dict[str, str]) -> dict[str, str]:
        region, country = attrs.get("region", ""), attrs.get("country", "")
        if region and country and not region.startswith(f"{country}-"):
            raise serializers.ValidationError({"region": f"{region} is not in {country}."})
        if attrs.get("external_id") and not attrs.get("ats_source"):
            raise serializers.ValidationError(
                {"ats_source": "An external id needs the ATS it comes from."}
            )
        return attrs


class CandidatePatchSerializer(CandidateWriteSerializer):
    """Partial update: only the fields sent change."""

    name = serializers.CharField(max_length=200, required=False)


class LatestScoresSerializer(serializers.Serializer[JSONMapping]):
    influence = DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    reputation = DecimalField(max_digits=8, decimal_places=2, allow_null=True)


class LatestScreeningSerializer(serializers.Serializer[JSONMapping]):
    job = serializers.IntegerField()
    outcome = serializers.CharField()
    suggestion = serializers.CharField()
    evaluated_at = DateTimeField()


def _zone() -> tzinfo | None:
    """The zone DRF's DateTimeField shows dates in (``default_timezone``)."""
    return timezone.get_current_timezone() if settings.USE_TZ else None


def _iso(value: datetime, zone: tzinfo | None) -> str | None:
    """``DateTimeField().to_representation(value)`` with the time zone looked up once a page.

    An aware value in a zone is the fast path (every stored date); anything else, or
    a conversion that overflows, goes to the field itself.
    """
    if zone is None or value.utcoffset() is None:
        return _DATETIME.to_representation(value)
    try:
        text = value.astimezone(zone).isoformat()
    except OverflowError:
        return _DATETIME.to_representation(value)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class CandidateListSerializer(serializers.ListSerializer[Candidate]):
    """A page of candidates, each through ``CandidateSerializer.row`` (one zone lookup)."""

    def to_representation(  # type: ignore[override]
        self, data: Manager[Candidate] | Iterable[Candidate]
    ) -> list[JSONObject]:
        rows = data.all() if isinstance(data, Manager) else data
        child = cast("CandidateSerializer", self.child)
        zone = _zone()
        return [child.row(candidate, zone) for candidate in rows]


class CandidateSerializer(serializers.Serializer[Candidate]):
    """A candidate as the API shows it: never self-identification."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True, help_text="An email address, or empty.")
    ats_source = serializers.CharField(read_only=True)
    external_id = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    region = serializers.CharField(read_only=True)
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)
    latest_scores = serializers.SerializerMethodField()
    latest_screening = serializers.SerializerMethodField()

    class Meta:
        list_serializer_class = CandidateListSerializer

    def to_representation(self, instance: Candidate) -> JSONObject:
        """The declared fields, built directly: a page of 50 is the API's hottest path.

        ``tests/api/test_candidates.py`` holds it equal to DRF's generic rendering.
        """
        return self.row(instance, _zone())

    def row(self, instance: Candidate, zone: tzinfo | None) -> JSONObject:
        """``to_representation`` with the current time zone given (a page looks it up once)."""
        return {
            "id": str(instance.public_id),
            "name": instance.name,
            "email": instance.email,
            "ats_source": instance.ats_source,
            "external_id": instance.external_id,
            "country": instance.country,
            "region": instance.region,
            "created_at": _iso(instance.created_at, zone),
            "updated_at": _iso(instance.updated_at, zone),
            "latest_scores": self.get_latest_scores(instance),
            "latest_screening": self._screening(instance, zone),
        }

    def generic_representation(self, instance: Candidate) -> JSONObject:
        """DRF's field-by-field rendering of the same fields (the reference)."""
        return dict(super().to_representation(instance))

    @extend_schema_field(LatestScoresSerializer)
    def get_latest_scores(self, candidate: Candidate) -> dict[str, str | None]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else f"{Decimal(value):.2f}"

        return {
            "influence": text(getattr(candidate, "latest_influence", None)),
            "reputation": text(getattr(candidate, "latest_reputation", None)),
        }

    @extend_schema_field(LatestScreeningSerializer(allow_null=True))
    def get_latest_screening(self, candidate: Candidate) -> JSONObject | None:
        return self._screening(candidate, _zone())

    def _screening(self, candidate: Candidate, zone: tzinfo | None) -> JSONObject | None:
        outcome = getattr(candidate, "latest_outcome", None)
        if outcome is None:
            return None
        return {
            "job": candidate.latest_job_id,  # type: ignore[attr-defined]
            "outcome": outcome,
            "suggestion": candidate.latest_suggestion,  # type: ignore[attr-defined]
            "evaluated_at": _iso(candidate.latest_evaluated_at, zone),  # type: ignore[attr-defined]
        }


class BulkRequestSerializer(serializers.Serializer[None]):
    """The envelope; each item is validated on its own (a bad one keeps its neighbours)."""

    items = serializers.ListField(
        child=serializers.JSONField(), min_length=1, max_length=MAX_BULK_ITEMS
    )


class BulkRequestSchemaSerializer(serializers.Serializer[None]):
    """What the schema documents for the bulk body."""

    items = serializers.ListField(
        child=CandidateWriteSerializer(), min_length=1, max_length=MAX_BULK_ITEMS
    )


class FieldErrorSerializer(serializers.Serializer[JSONMapping]):
    field = serializers.CharField()
    message = serializers.CharField()


class BulkItemResultSerializer(serializers.Serializer[JSONMapping]):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "updated", "error"])
    id = serializers.UUIDField(required=False)
    errors = FieldErrorSerializer(many=True, required=False)  # type: ignore[assignment]


class BulkResultSerializer(serializers.Serializer[JSONMapping]):
    results = BulkItemResultSerializer(many=True)
