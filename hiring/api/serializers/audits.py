"""Bias audits: the report and its tables."""

from __future__ import annotations

from rest_framework import serializers

from renown.json_types import JSONMapping


class AuditRowSerializer(serializers.Serializer[JSONMapping]):
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
    excluded = serializers.BooleanField(
        help_text="Left out of the impact ratios by the auditor (6 RCNY 5-301(d)): count "
        "and rate still reported, no impact ratio, never the reference."
    )


class AuditTablesSerializer(serializers.Serializer[JSONMapping]):
    sex = AuditRowSerializer(many=True)
    race_ethnicity = AuditRowSerializer(many=True)
    intersectional = AuditRowSerializer(many=True)


class AuditReportSerializer(serializers.Serializer[JSONMapping]):
    mode = serializers.CharField()
    median = serializers.FloatField(allow_null=True)
    unknown = serializers.IntegerField()
    unknown_by_table = serializers.DictField(child=serializers.IntegerField())
    tables = AuditTablesSerializer()


class BiasAuditSerializer(serializers.Serializer[JSONMapping]):
    job = serializers.IntegerField()
    screened = serializers.IntegerField()
    report = AuditReportSerializer()
