"""Serializer fields whose output is Renown's, not the host's ``REST_FRAMEWORK``'s.

DRF's number and date fields read their format from the global API settings each
time they run (``COERCE_DECIMAL_TO_STRING``, ``COERCE_BIGINT_TO_STRING``,
``DATETIME_FORMAT``, ``DATE_INPUT_FORMATS``...), so a host that sets one would
change Renown's documented JSON. These fields carry DRF's defaults as their own,
and ``ApiModelSerializer`` generates them from model fields. The API's serializers
use them instead of ``rest_framework.serializers``' (``tests/api/test_host_settings.py``
walks every serializer to check).
"""

from __future__ import annotations

from typing import TypeAlias, TypeVar

from django.db import models
from rest_framework import ISO_8601, serializers
from rest_framework.fields import BigIntegerField as DRFBigIntegerField  # type: ignore[attr-defined]

_MT = TypeVar("_MT", bound=models.Model)


class DecimalField(serializers.DecimalField):
    """Decimals as strings (``"35.00"``): no float rounding in any client."""

    coerce_to_string = True


class BigIntegerField(DRFBigIntegerField):  # type: ignore[misc]  # (not in the stubs yet)
    """Big integers (the ids of ``BigAutoField`` models) as JSON numbers."""

    coerce_to_string = False


class DateTimeField(serializers.DateTimeField):
    """ISO 8601 in and out (``2024-05-01T09:30:00Z``)."""

    format = ISO_8601
    input_formats = [ISO_8601]


class DateField(serializers.DateField):
    """ISO 8601 in and out (``2024-05-01``)."""

    format = ISO_8601
    input_formats = [ISO_8601]


# DRF's field -> Renown's; a serializer of the API holds no bare instance of a key.
# (DRF's BigIntegerField is an IntegerField.)
HostDependentField: TypeAlias = (
    serializers.DecimalField
    | serializers.IntegerField
    | serializers.DateTimeField
    | serializers.DateField
)
HOST_DEPENDENT_FIELDS: dict[type[HostDependentField], type[HostDependentField]] = {
    serializers.DecimalField: DecimalField,
    DRFBigIntegerField: BigIntegerField,
    serializers.DateTimeField: DateTimeField,
    serializers.DateField: DateField,
}


# A ModelSerializer whose generated number and date fields are the ones above. (A comment,
# not a docstring: the schema would describe every subclass without its own by it.)
class ApiModelSerializer(serializers.ModelSerializer[_MT]):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BigAutoField: BigIntegerField,
        models.BigIntegerField: BigIntegerField,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
        models.DecimalField: DecimalField,
    }
