"""What is held on a candidate: accounts, evidence, notices, scores, vendor scores."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal, TypedDict

from rest_framework import serializers

from candidates.handles import InvalidHandle, normalize_handle
from candidates.models import (
    AccountVerification,
    CandidateNotice,
    EvidenceKind,
    LawfulBasis,
    Network,
    NoticeKind,
    ReputationEvidence,
    SocialAccount,
)
from hiring.api import fields
from renown.api.serializers import ApiModelSerializer, DateField, DateTimeField, DecimalField
from renown.json_types import JSONMapping
from scoring.models import Score, Vendor, VendorScore
from scoring.vendors import VENDOR_SCALES


class SocialAccountSerializer(ApiModelSerializer[SocialAccount]):
    """An account as the API shows it: ``verified`` once proven (the admin, the recruiter UI)."""

    network = serializers.ChoiceField(choices=Network.choices, read_only=True)
    verification = serializers.ChoiceField(choices=AccountVerification.choices, read_only=True)

    class Meta:
        model = SocialAccount
        fields = [
            "id", "network", "handle", "verification", "verified_at", "status",
            "last_fetched_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class SocialAccountWriteSerializer(ApiModelSerializer[SocialAccount]):
    """An account the candidate gave (or a recruiter matched); the handle is checked per network."""

    network = serializers.ChoiceField(choices=Network.choices)
    handle = serializers.CharField(max_length=255)
    verification = serializers.ChoiceField(
        choices=[AccountVerification.CLAIMED, AccountVerification.MATCHED],
        default=AccountVerification.CLAIMED,
        help_text="claimed (by the candidate) or matched (by a recruiter); 'verified' is "
        "set by proof, not through the API.",
    )

    class Meta:
        model = SocialAccount
        ref_name = "SocialAccount"  # the request body of SocialAccount: SocialAccountRequest
        fields = ["network", "handle", "verification"]

    def validate(self, attrs: dict[str, str]) -> dict[str, str]:
        try:
            attrs["handle"] = normalize_handle(attrs["network"], attrs["handle"])
        except InvalidHandle as exc:
            raise serializers.ValidationError({"handle": str(exc)}) from None
        return attrs


class EvidenceSerializer(ApiModelSerializer[ReputationEvidence]):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    title = serializers.CharField(max_length=500)
    venue = serializers.CharField(max_length=300, required=False, allow_blank=True)
    date = DateField(required=False, allow_null=True, validators=[fields.validate_past_date])
    url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    reference = serializers.CharField(max_length=300, required=False, allow_blank=True)

    class Meta:
        model = ReputationEvidence
        fields = [
            "id", "kind", "title", "venue", "date", "url", "reference", "verification", "verified_at",
            "source", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "verification", "verified_at", "source", "created_at"]

    def validate_url(self, value: str) -> str:
        if value and not value.lower().startswith(("https://", "http://")):
            raise serializers.ValidationError("Give an http(s) address.")
        return value


class NoticeSerializer(ApiModelSerializer[CandidateNotice]):
    """A notice given or an authorisation signed (FCRA, NYC LL144, GDPR)."""

    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    given_at = DateTimeField(validators=[fields.validate_past_datetime])
    lawful_basis = serializers.ChoiceField(
        choices=LawfulBasis.choices, required=False, allow_blank=True, default=""
    )
    document_version = serializers.CharField(max_length=100, required=False, allow_blank=True)
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=50, required=False, allow_blank=True
    )
    withdrawn_at = DateTimeField(
        required=False, allow_null=True, validators=[fields.validate_past_datetime]
    )

    class Meta:
        model = CandidateNotice
        fields = [
            "id", "kind", "given_at", "lawful_basis", "document_version", "source",
            "withdrawn_at", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at"]

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        merged = {
            f: attrs.get(f, getattr(self.instance, f, None))
            for f in ("kind", "given_at", "lawful_basis", "withdrawn_at")
        }
        if merged["kind"] == NoticeKind.GDPR_NOTICE and not merged["lawful_basis"]:
            raise serializers.ValidationError(
                {"lawful_basis": "A GDPR notice records its lawful basis (Art. 6(1))."}
            )
        withdrawn, given = merged["withdrawn_at"], merged["given_at"]
        if isinstance(withdrawn, datetime) and isinstance(given, datetime) and withdrawn < given:
            raise serializers.ValidationError(
                {"withdrawn_at": "A notice is withdrawn after it was given."}
            )
        return attrs


class NoticeWithdrawSerializer(serializers.Serializer[None]):
    withdrawn_at = DateTimeField(validators=[fields.validate_past_datetime])


class ScoreComponentSerializer(serializers.Serializer[JSONMapping]):
    name = serializers.CharField()
    points = serializers.FloatField()
    detail = serializers.CharField()


class ScoreSerializer(ApiModelSerializer[Score]):
    """A score with its explanation: ``components`` add up to ``value``."""

    components = ScoreComponentSerializer(many=True, read_only=True)

    class Meta:
        model = Score
        fields = [
            "id", "scorer", "scorer_version", "value", "scale_min", "scale_max", "components",
            "as_of", "computed_at",
        ]  # fmt: skip
        read_only_fields = fields


class VendorScoreData(TypedDict, total=False):
    """A vendor score as validated: what ``vendor_score_record`` is given."""

    vendor: str
    vendor_name: str
    value: Decimal
    scale_min: Decimal
    scale_max: Decimal
    as_of: date


class VendorScoreSerializer(ApiModelSerializer[VendorScore]):
    """A vendor's score on its native scale (a known vendor's scale is fixed; custom declares one)."""

    vendor = serializers.ChoiceField(choices=Vendor.choices)
    vendor_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    value = DecimalField(max_digits=8, decimal_places=2)
    scale_min = DecimalField(max_digits=8, decimal_places=2, required=False)
    scale_max = DecimalField(max_digits=8, decimal_places=2, required=False)
    as_of = DateField(validators=[fields.validate_past_date])

    class Meta:
        model = VendorScore
        fields = [
            "id", "vendor", "vendor_name", "value", "scale_min", "scale_max", "as_of", "source",
            "imported_at",
        ]  # fmt: skip
        read_only_fields = ["id", "source", "imported_at"]

    def validate(self, attrs: VendorScoreData) -> VendorScoreData:
        vendor, value, as_of = attrs["vendor"], attrs["value"], attrs["as_of"]
        known = VENDOR_SCALES.get(vendor)
        if known is not None:
            scale: tuple[tuple[Literal["scale_min", "scale_max"], Decimal], ...] = (
                ("scale_min", known.minimum),
                ("scale_max", known.maximum),
            )
            for name, fixed in scale:
                if name in attrs and attrs[name] != fixed:
                    raise serializers.ValidationError(
                        {name: f"{vendor} scores are on {known.minimum}-{known.maximum}."}
                    )
            attrs["scale_min"], attrs["scale_max"] = known.minimum, known.maximum
            if attrs.get("vendor_name"):
                raise serializers.ValidationError(
                    {"vendor_name": "Only a custom vendor has a name."}
                )
            attrs["vendor_name"] = ""
            if known.closed_on is not None and as_of > known.closed_on:
                raise serializers.ValidationError(
                    {"as_of": f"{vendor} closed on {known.closed_on}; no score can be dated later."}
                )
        elif vendor == Vendor.CUSTOM:
            if not attrs.get("vendor_name", "").strip():
                raise serializers.ValidationError({"vendor_name": "Name the custom vendor."})
            if "scale_min" not in attrs or "scale_max" not in attrs:
                raise serializers.ValidationError(
                    {"scale_min": "A custom vendor declares its scale (scale_min, scale_max)."}
                )
            if not attrs["scale_min"] < attrs["scale_max"]:
                raise serializers.ValidationError(
                    {"scale_max": "scale_max must be above scale_min."}
                )
        else:
            raise serializers.ValidationError(
                {"vendor": f"No known scale for {vendor}; send it as custom with its scale."}
            )
        if not attrs["scale_min"] <= value <= attrs["scale_max"]:
            raise serializers.ValidationError(
                {
                    "value": f"{value} is outside the scale {attrs['scale_min']}-{attrs['scale_max']}."
                }
            )
        return attrs
