"""Shared validators for API input: strict, with messages a client can act on."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.utils import timezone
from rest_framework import serializers

from candidates.jurisdictions import validate_country_code, validate_region_code
from candidates.names import validate_person_name

SOURCE_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,49}$")
EXTERNAL_ID_RE = re.compile(r"^[\x21-\x7e]{1,100}$")  # printable ASCII, no spaces
EARLIEST_DATE = date(1900, 1, 1)


def validate_name(value: str) -> str:
    """A candidate's name: stripped, not blank, visible, no bidi controls (candidates.names)."""
    value = value.strip()
    if not value:
        raise serializers.ValidationError("A candidate has a name.")
    try:
        validate_person_name(value)
    except ValueError as exc:
        raise serializers.ValidationError(str(exc)) from None
    return value


def validate_country(value: str) -> str:
    """An assigned ISO 3166-1 alpha-2 code, upper-cased; blank for none."""
    value = value.strip().upper()
    if value:
        try:
            validate_country_code(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
    return value


def validate_region(value: str) -> str:
    value = value.strip().upper()
    if not value:
        return value
    try:
        validate_region_code(value)
    except ValueError as exc:
        raise serializers.ValidationError(str(exc)) from None
    return value


def validate_source(value: str) -> str:
    value = value.strip().lower()
    if value and not SOURCE_RE.match(value):
        raise serializers.ValidationError(
            "An ATS source is 1-50 lower-case letters, digits, '.', '_' or '-', e.g. greenhouse."
        )
    return value


def validate_external_id(value: str) -> str:
    value = value.strip()
    if value and not EXTERNAL_ID_RE.match(value):
        raise serializers.ValidationError(
            "An external id is 1-100 printable characters without spaces."
        )
    return value


def validate_past_date(value: date) -> None:
    """A date that happened: not before 1900, not after today."""
    if value < EARLIEST_DATE:
        raise serializers.ValidationError("Dates before 1900 are not plausible here.")
    if value > timezone.now().date():
        raise serializers.ValidationError("This date is in the future.")


def validate_past_datetime(value: datetime) -> None:
    """A moment that happened: not before 1900, at most a few minutes ahead (clock skew)."""
    if value.date() < EARLIEST_DATE:
        raise serializers.ValidationError("Dates before 1900 are not plausible here.")
    if value > timezone.now() + timedelta(minutes=5):
        raise serializers.ValidationError("This time is in the future.")
