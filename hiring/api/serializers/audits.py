"""Bias audits: the report and its tables."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


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
