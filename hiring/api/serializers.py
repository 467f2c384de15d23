"""Serializers of the API: what goes in (strictly validated) and what comes out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from candidates.handles import InvalidHandle, normalize_handle
from candidates.jurisdictions import validate_jurisdiction
from candidates.models import (
    AccountVerification,
    Candidate,
    CandidateNotice,
    EvidenceKind,
    LawfulBasis,
    Network,
    NoticeKind,
    ReputationEvidence,
    SocialAccount,
)
from hiring.api import fields
from hiring.models import (
    Aggregation,
    Application,
    Decision,
    DecisionKind,
    InfluenceRelevance,
    Job,
    MissingDataPolicy,
    NearBandSource,
    Operator,
    RuleAction,
    Screening,
    ScreeningRule,
)
from renown.api.serializers import ApiModelSerializer, DateField, DateTimeField, DecimalField
from scoring.models import Score, Vendor, VendorScore
from scoring.vendors import VENDOR_SCALES

MAX_BULK_ITEMS = 1000
_DATETIME = DateTimeField()


# --- candidates ------------------------------------------------------------------------


class CandidateWriteSerializer(serializers.Serializer[Any]):
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

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
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


class LatestScoresSerializer(serializers.Serializer[Any]):
    influence = DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    reputation = DecimalField(max_digits=8, decimal_places=2, allow_null=True)


class LatestScreeningSerializer(serializers.Serializer[Any]):
    job = serializers.IntegerField()
    outcome = serializers.CharField()
    suggestion = serializers.CharField()
    evaluated_at = DateTimeField()


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

    def to_representation(self, instance: Candidate) -> dict[str, Any]:
        """The declared fields, built directly: a page of 50 is the API's hottest path.

        ``tests/api/test_candidates.py`` holds it equal to DRF's generic rendering.
        """
        as_text = _DATETIME.to_representation
        return {
            "id": str(instance.public_id),
            "name": instance.name,
            "email": instance.email,
            "ats_source": instance.ats_source,
            "external_id": instance.external_id,
            "country": instance.country,
            "region": instance.region,
            "created_at": as_text(instance.created_at),
            "updated_at": as_text(instance.updated_at),
            "latest_scores": self.get_latest_scores(instance),
            "latest_screening": self.get_latest_screening(instance),
        }

    def generic_representation(self, instance: Candidate) -> dict[str, Any]:
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
    def get_latest_screening(self, candidate: Candidate) -> dict[str, Any] | None:
        outcome = getattr(candidate, "latest_outcome", None)
        if outcome is None:
            return None
        evaluated_at = candidate.latest_evaluated_at  # type: ignore[attr-defined]
        return {
            "job": candidate.latest_job_id,  # type: ignore[attr-defined]
            "outcome": outcome,
            "suggestion": candidate.latest_suggestion,  # type: ignore[attr-defined]
            "evaluated_at": _DATETIME.to_representation(evaluated_at),
        }


class BulkRequestSerializer(serializers.Serializer[Any]):
    """The envelope; each item is validated on its own (a bad one keeps its neighbours)."""

    items = serializers.ListField(
        child=serializers.JSONField(), min_length=1, max_length=MAX_BULK_ITEMS
    )


class BulkRequestSchemaSerializer(serializers.Serializer[Any]):
    """What the schema documents for the bulk body."""

    items = serializers.ListField(
        child=CandidateWriteSerializer(), min_length=1, max_length=MAX_BULK_ITEMS
    )


class FieldErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    message = serializers.CharField()


class BulkItemResultSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "updated", "error"])
    id = serializers.UUIDField(required=False)
    errors = FieldErrorSerializer(many=True, required=False)  # type: ignore[assignment]


class BulkResultSerializer(serializers.Serializer[Any]):
    results = BulkItemResultSerializer(many=True)


# --- what is held on a candidate --------------------------------------------------------


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

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
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

    class Meta:
        model = ReputationEvidence
        fields = [
            "id", "kind", "title", "venue", "date", "url", "verification", "verified_at",
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

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        merged = {
            f: attrs.get(f, getattr(self.instance, f, None))
            for f in ("kind", "given_at", "lawful_basis", "withdrawn_at")
        }
        if merged["kind"] == NoticeKind.GDPR_NOTICE and not merged["lawful_basis"]:
            raise serializers.ValidationError(
                {"lawful_basis": "A GDPR notice records its lawful basis (Art. 6(1))."}
            )
        withdrawn, given = merged["withdrawn_at"], merged["given_at"]
        if withdrawn is not None and given is not None and withdrawn < given:
            raise serializers.ValidationError(
                {"withdrawn_at": "A notice is withdrawn after it was given."}
            )
        return attrs


class NoticeWithdrawSerializer(serializers.Serializer[Any]):
    withdrawn_at = DateTimeField(validators=[fields.validate_past_datetime])


class ScoreComponentSerializer(serializers.Serializer[Any]):
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

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        vendor, value, as_of = attrs["vendor"], attrs["value"], attrs["as_of"]
        known = VENDOR_SCALES.get(vendor)
        if known is not None:
            for name, fixed in (("scale_min", known.minimum), ("scale_max", known.maximum)):
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


# --- jobs, rules, screenings, decisions ---------------------------------------------------


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
        validators: list[Any] = []  # the (organisation, external id) check is the model's

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


class RuleSerializer(ApiModelSerializer[ScreeningRule]):
    """One version of a rule, as stored (a change is a new version)."""

    acknowledgement_pending = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        read_only=True,
        help_text="Serious fairness warnings (code, subject, message) that a change of the "
        "job gave this live version and no HR admin has acknowledged yet (POST "
        "acknowledge): until then a screen-out version only suggests review.",
    )

    class Meta:
        model = ScreeningRule
        fields = [
            "id", "job", "lineage", "version", "status", "active", "group", "metric",
            "operator", "threshold", "aggregation", "window_days", "max_data_age_days",
            "missing_data_policy", "near_band", "near_band_source", "action", "change_note",
            "rolled_back_from", "approved_at", "status_changed_at", "created_at",
            "acknowledgement_pending",
        ]  # fmt: skip
        read_only_fields = fields


class RuleDefinitionSerializer(serializers.Serializer[Any]):
    """What a rule says: the fields a new version may change."""

    metric = serializers.CharField(max_length=60)
    operator = serializers.ChoiceField(choices=Operator.choices, default=Operator.GTE)
    threshold = DecimalField(max_digits=12, decimal_places=2)
    aggregation = serializers.ChoiceField(choices=Aggregation.choices, default=Aggregation.LATEST)
    window_days = serializers.IntegerField(min_value=1, max_value=3650, default=90)
    max_data_age_days = serializers.IntegerField(min_value=1, max_value=3650, default=30)
    missing_data_policy = serializers.ChoiceField(
        choices=MissingDataPolicy.choices, default=MissingDataPolicy.REVIEW
    )
    near_band = DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), default=Decimal(0)
    )
    near_band_source = serializers.ChoiceField(
        choices=NearBandSource.choices, default=NearBandSource.FIXED
    )
    action = serializers.ChoiceField(choices=RuleAction.choices, default=RuleAction.NEEDS_REVIEW)
    group = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class RuleWriteSerializer(RuleDefinitionSerializer):
    activate = serializers.BooleanField(
        default=True,
        help_text="Go live at once (not a screen-out rule: a second HR admin approves it).",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    acknowledgement = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required in words when missing data would count as failing.",
    )


class RulePatchSerializer(RuleWriteSerializer):
    """A new version: only the definition fields sent change."""

    metric = serializers.CharField(max_length=60, required=False)
    operator = serializers.ChoiceField(choices=Operator.choices, required=False)
    threshold = DecimalField(max_digits=12, decimal_places=2, required=False)
    aggregation = serializers.ChoiceField(choices=Aggregation.choices, required=False)
    window_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)
    max_data_age_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)
    missing_data_policy = serializers.ChoiceField(choices=MissingDataPolicy.choices, required=False)
    near_band = DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0), required=False)
    near_band_source = serializers.ChoiceField(choices=NearBandSource.choices, required=False)
    action = serializers.ChoiceField(choices=RuleAction.choices, required=False)
    group = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class RuleNoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RuleApprovalSerializer(serializers.Serializer[Any]):
    acknowledgement = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Your words, when a serious fairness warning is not yet acknowledged "
        "(e.g. one that appeared since the author acknowledged the others).",
    )


class RuleAcknowledgementSerializer(serializers.Serializer[Any]):
    acknowledgement = serializers.CharField(
        max_length=2000,
        help_text="Why the draft should go live despite its serious fairness warnings, in words.",
    )


class RuleRollbackSerializer(serializers.Serializer[Any]):
    to_version = serializers.IntegerField(min_value=1, max_value=1_000_000)
    activate = serializers.BooleanField(default=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    acknowledgement = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


class FairnessWarningSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    severity = serializers.CharField()
    message = serializers.CharField()
    figure = serializers.JSONField()
    source = serializers.CharField()  # type: ignore[assignment]
    subject = serializers.CharField(allow_null=True)
    restricted = serializers.BooleanField()


class RulePreviewRequestSerializer(RuleDefinitionSerializer):
    replaces = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Preview a new version of this rule (it replaces the live one).",
    )


class AlternativeSerializer(serializers.Serializer[Any]):
    description = serializers.CharField()
    rules = serializers.ListField(child=serializers.CharField())
    passes = serializers.IntegerField()
    kept = serializers.IntegerField()
    kept_share = serializers.FloatField(allow_null=True)
    lowest_impact_ratio = serializers.FloatField(allow_null=True)
    lowest_impact_ratio_exact = serializers.CharField(allow_null=True)
    lowest_category = serializers.CharField(allow_blank=True)
    suggested = serializers.BooleanField()


class RulePreviewSerializer(serializers.Serializer[Any]):
    rule = serializers.CharField(help_text="The rule as people read it, e.g. influence ≥ 35.")
    candidates = serializers.IntegerField(help_text="The job's candidates the preview read.")
    outcomes = serializers.DictField(child=serializers.IntegerField())
    suggestions = serializers.DictField(child=serializers.IntegerField())
    warnings = FairnessWarningSerializer(many=True)
    as_drafted = AlternativeSerializer()
    alternatives = AlternativeSerializer(many=True, help_text="Suggested ones first.")


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


class ScreeningTriggerSerializer(serializers.Serializer[Any]):
    """``job``: screen the job's candidates; ``candidate``: every job the candidate is
    considered for; both: that one screening, at once."""

    job = serializers.IntegerField(min_value=1, required=False)
    candidate = serializers.UUIDField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("job") and not attrs.get("candidate"):
            raise serializers.ValidationError("Give a job, a candidate, or both.")
        return attrs


class ScreeningQueuedSerializer(serializers.Serializer[Any]):
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
        ]  # fmt: skip
        read_only_fields = fields


class DecisionWriteSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=DecisionKind.choices)
    reason = serializers.CharField(max_length=5000)


class AuditRowSerializer(serializers.Serializer[Any]):
    category = serializers.DictField(child=serializers.CharField())
    count = serializers.IntegerField()
    favourable = serializers.IntegerField()
    rate = serializers.FloatField()
    impact_ratio = serializers.FloatField(allow_null=True)
    below_four_fifths = serializers.BooleanField()
    share = serializers.FloatField()
    under_two_percent = serializers.BooleanField()
    fisher_p = serializers.FloatField(allow_null=True)
    z = serializers.FloatField(allow_null=True)


class AuditTablesSerializer(serializers.Serializer[Any]):
    sex = AuditRowSerializer(many=True)
    race_ethnicity = AuditRowSerializer(many=True)
    intersectional = AuditRowSerializer(many=True)


class AuditReportSerializer(serializers.Serializer[Any]):
    mode = serializers.CharField()
    median = serializers.FloatField(allow_null=True)
    unknown = serializers.IntegerField()
    unknown_by_table = serializers.DictField(child=serializers.IntegerField())
    tables = AuditTablesSerializer()


class BiasAuditSerializer(serializers.Serializer[Any]):
    job = serializers.IntegerField()
    screened = serializers.IntegerField()
    report = AuditReportSerializer()
