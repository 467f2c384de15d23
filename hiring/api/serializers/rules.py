"""Screening rules: versions, changes, approvals, rollbacks and previews."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from hiring.fairness.alternatives import ALTERNATIVE_KINDS
from hiring.models import (
    Aggregation,
    MissingDataPolicy,
    NearBandSource,
    Operator,
    RuleAction,
    ScreeningRule,
)
from renown.api.serializers import ApiModelSerializer, DecimalField
from renown.json_types import JSONMapping
from scoring import styles
from scoring.models import StatsWindow


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
            "rolled_back_from", "approved_at", "approval_statement", "status_changed_at",
            "created_at", "acknowledgement_pending",
        ]  # fmt: skip
        read_only_fields = fields


WINDOW_CHOICE = (
    '"{input}" is not a window Renown keeps: choose 7, 30, 90, 180 or 365 days '
    "(a rule with another window keeps it until a new version changes it)."
)


class RuleDefinitionSerializer(serializers.Serializer[None]):
    """What a rule says: the fields a new version may change."""

    metric = serializers.CharField(max_length=60)
    operator = serializers.ChoiceField(choices=Operator.choices, default=Operator.GTE)
    threshold = DecimalField(max_digits=12, decimal_places=2)
    aggregation = serializers.ChoiceField(choices=Aggregation.choices, default=Aggregation.LATEST)
    window_days = serializers.ChoiceField(
        choices=StatsWindow.choices,
        default=90,
        error_messages={"invalid_choice": WINDOW_CHOICE},
        help_text="The days a median, maximum or minimum reads: 7, 30, 90, 180 or 365.",
    )
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

    def validate_metric(self, value: str) -> str:
        # Styles are descriptive only (scoring.styles); the services refuse them too.
        if styles.names_a_style(value):
            raise serializers.ValidationError(styles.refusal(value))
        return value


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
    window_days = serializers.ChoiceField(
        choices=StatsWindow.choices,
        required=False,
        error_messages={"invalid_choice": WINDOW_CHOICE},
    )
    max_data_age_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)
    missing_data_policy = serializers.ChoiceField(choices=MissingDataPolicy.choices, required=False)
    near_band = DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0), required=False)
    near_band_source = serializers.ChoiceField(choices=NearBandSource.choices, required=False)
    action = serializers.ChoiceField(choices=RuleAction.choices, required=False)
    group = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class RuleNoteSerializer(serializers.Serializer[None]):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RuleActivateSerializer(serializers.Serializer[None]):
    acknowledgement = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Your words, when a serious fairness warning is not yet acknowledged.",
    )


STATEMENT_HELP = {
    "acknowledge": "Why the draft should go live despite its serious fairness warnings, in "
    "your words (saved on the audit trail with the warnings it answers).",
    "approve": "Why you approve this version, in your words: saved with the version "
    "(approval_statement) and on the audit trail; it also acknowledges any serious "
    "warning that appeared since the author's acknowledgement.",
}


class RuleStatementSerializer(serializers.Serializer[None]):
    """``{"statement": "..."}`` for acknowledge and approve. Missing, empty or whitespace
    reaches the service as "", which refuses it (422 statement-required): one place
    decides, for the API and the admin alike. ``acknowledgement`` is the older name,
    read only when ``statement`` is not sent."""

    statement = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True, help_text="Your words."
    )
    acknowledgement = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Deprecated: the former name of statement, read when statement is absent.",
    )

    def validate(self, attrs: dict[str, str | None]) -> dict[str, str]:
        statement = attrs["statement"] if "statement" in attrs else attrs.get("acknowledgement")
        return {"statement": statement or ""}


# The two bodies as the schema documents them: statement required and not empty, the
# contract the service holds to (``RuleStatementSerializer`` reads the requests).
class RuleAcknowledgeSerializer(RuleStatementSerializer):
    """The author's (or an HR admin's) acknowledgement of a draft's serious warnings."""

    statement = serializers.CharField(
        max_length=2000, min_length=1, help_text=STATEMENT_HELP["acknowledge"]
    )


class RuleApproveSerializer(RuleStatementSerializer):
    """A second HR admin's approval of a draft, in their words."""

    statement = serializers.CharField(
        max_length=2000, min_length=1, help_text=STATEMENT_HELP["approve"]
    )


class RuleRollbackSerializer(serializers.Serializer[None]):
    to_version = serializers.IntegerField(min_value=1, max_value=1_000_000)
    activate = serializers.BooleanField(default=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    acknowledgement = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


class WarningGroupSerializer(serializers.Serializer[JSONMapping]):
    """One group a warning concerns (``hiring.fairness.warning.GroupDict``)."""

    label = serializers.CharField(help_text="The group, e.g. 'Asian Female'.")  # type: ignore[assignment]
    n = serializers.IntegerField(
        allow_null=True, help_text="People in the group; null when fewer than 5 (masked)."
    )
    selected = serializers.IntegerField(
        allow_null=True, help_text="Of them, selected by the rules; null when masked."
    )
    rate = serializers.FloatField(allow_null=True, help_text="selected / n; null when masked.")
    ratio = serializers.FloatField(
        allow_null=True,
        help_text="Impact ratio against the table's reference group; null when undefined.",
    )
    fisher_p = serializers.FloatField(
        allow_null=True,
        help_text="Two-sided Fisher exact p against the reference group; null when none.",
    )
    too_small = serializers.BooleanField(
        help_text="Fewer than 5 people or under 2 % of the table's known total: never the "
        "reference, never flagged below four-fifths on its own."
    )


class FairnessWarningSerializer(serializers.Serializer[JSONMapping]):
    """A fairness warning of the preview: one per code and table, serious first."""

    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["serious", "warning", "info"])
    table = serializers.ChoiceField(
        choices=["", "sex", "race_ethnicity", "intersectional"],
        help_text="The table the warning is about; empty when it is not about groups.",
    )
    message = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    groups = WarningGroupSerializer(
        many=True, help_text="The groups it concerns with their figures; empty when none."
    )


class RulePreviewRequestSerializer(RuleDefinitionSerializer):
    replaces = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Preview a new version of this rule (it replaces the live one).",
    )


class AlternativeSerializer(serializers.Serializer[JSONMapping]):
    description = serializers.CharField()
    rules = serializers.ListField(child=serializers.CharField())
    passes = serializers.IntegerField()
    kept = serializers.IntegerField()
    kept_share = serializers.FloatField(allow_null=True)
    lowest_impact_ratio = serializers.FloatField(allow_null=True)
    lowest_impact_ratio_exact = serializers.CharField(allow_null=True)
    lowest_category = serializers.CharField(allow_blank=True)
    suggested = serializers.BooleanField()
    kind = serializers.ChoiceField(
        choices=list(ALTERNATIVE_KINDS),
        help_text="What the alternative changes: no rule at all, offline reputation instead "
        "of the draft's metric (the line passing about as many), the draft OR offline "
        "reputation, a nearby threshold, another window.",
    )


class RulePreviewSerializer(serializers.Serializer[JSONMapping]):
    rule = serializers.CharField(help_text="The rule as people read it, e.g. influence ≥ 35.")
    candidates = serializers.IntegerField(help_text="The job's candidates the preview read.")
    outcomes = serializers.DictField(child=serializers.IntegerField())
    suggestions = serializers.DictField(child=serializers.IntegerField())
    warnings = FairnessWarningSerializer(many=True)
    as_drafted = AlternativeSerializer()
    alternatives = AlternativeSerializer(many=True, help_text="Suggested ones first.")
