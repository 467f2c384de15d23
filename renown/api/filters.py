"""The filter backends every API list uses (``renown.api.views.ApiGenericView``).

django-filter reads ``?job=9223372036854775808`` as a Decimal and hands it to the
database, which cannot hold it (OverflowError: a 500); ``?active=maybe`` was
read as "no filter". Here each filterset, declared or generated from
``filterset_fields``, is tightened before its form is built:

- a number filter on an integer column (ids, foreign keys) takes whole numbers
  within a 64-bit integer, the widest column any supported database has;
- a yes/no filter takes true/false (or 1/0), nothing else;
- a time filter reads ISO 8601 and hands the database UTC: PostgreSQL refuses an offset
  beyond ±15:59 that Python accepts (``-18:28``, a 500 before), and a time that UTC
  would put past year 9999 is refused here.

Anything else answers 400 problem+json naming the parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import QuerySet
from django_filters import filters
from django_filters.fields import IsoDateTimeField
from django_filters.filterset import BaseFilterSet
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import get_model_field
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.views import APIView

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class StrictBooleanField(forms.NullBooleanField):
    """true/false/1/0 (any case); empty means no filter; anything else is an error."""

    widget = forms.TextInput  # the text as sent: the select widgets read "maybe" as unset

    def to_python(self, value: object) -> bool | None:  # type: ignore[override]
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError("Give true or false.", code="invalid")

    def validate(self, value: object) -> None:
        pass


class UtcIsoDateTimeField(IsoDateTimeField):  # type: ignore[misc]
    """An ISO 8601 time, converted to UTC before any query sees it."""

    def to_python(self, value: object) -> datetime | None:
        found: datetime | None = super().to_python(value)
        if found is None or found.tzinfo is None:
            return found
        try:
            return found.astimezone(UTC)
        except OverflowError:
            raise ValidationError("Out of range.", code="invalid") from None


def integer_column(model: type[models.Model], field_name: str) -> bool:
    try:
        field = get_model_field(model, field_name)
    except FieldDoesNotExist:
        return False
    if field is not None and field.is_relation:
        field = field.target_field
    return isinstance(field, models.IntegerField)


def tighten(filterset: BaseFilterSet) -> None:
    """Give the filterset's number and yes/no filters strict form fields (see the module)."""
    model = filterset.queryset.model
    for filter_ in filterset.filters.values():
        if isinstance(filter_, filters.NumberFilter) and integer_column(model, filter_.field_name):
            filter_.field_class = forms.IntegerField
            filter_.extra.setdefault("min_value", INT64_MIN)
            filter_.extra.setdefault("max_value", INT64_MAX)
        elif isinstance(filter_, filters.BooleanFilter):
            filter_.field_class = StrictBooleanField
            filter_.extra.pop("widget", None)
        elif isinstance(filter_, filters.IsoDateTimeFilter):
            filter_.field_class = UtcIsoDateTimeField
        else:
            continue
        filter_.__dict__.pop("_field", None)  # built before (e.g. by the schema): build anew


class ApiFilterBackend(DjangoFilterBackend):  # type: ignore[misc]
    """django-filter with ``tighten`` applied to every filterset it builds."""

    def get_filterset(
        self, request: Request, queryset: QuerySet[models.Model], view: APIView
    ) -> BaseFilterSet | None:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            tighten(filterset)
        return filterset

    def filter_queryset(
        self, request: Request, queryset: QuerySet[models.Model], view: APIView
    ) -> QuerySet[models.Model]:
        # With no parameter any filter reads, the filterset filters nothing and accepts
        # anything: building it (a form class and a form a request) is skipped.
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not _reads_any(request, filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)  # type: ignore[no-any-return]


def _reads_any(request: Request, names: Iterable[str]) -> bool:
    """Whether the query string holds a parameter of one of these filters.

    A filter whose widget has several inputs reads ``<name>_<suffix>`` (``_min``,
    ``_after``...): a parameter starting with a filter's name and ``_`` counts too.
    """
    sent = list(request.query_params)
    if not sent:
        return False
    return any(key == name or key.startswith(f"{name}_") for name in names for key in sent)


class ApiOrderingFilter(OrderingFilter):
    """``?ordering=``: DRF reads the parameter's name from the host's ORDERING_PARAM."""

    ordering_param = "ordering"
