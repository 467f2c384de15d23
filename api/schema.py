"""OpenAPI: every operation documents its problem responses, its auth, its Idempotency-Key."""

from __future__ import annotations

from typing import Any, Literal

from django_filters import filters
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from api.filters import INT64_MAX, INT64_MIN, integer_column
from api.problems import PROBLEM_CONTENT_TYPE

PROBLEM_STATUSES = {
    "400": "Invalid input: the fields at fault are listed in errors.",
    "401": "No credentials, or a bad token.",
    "403": "Your role or token scope does not allow this.",
    "404": "No such object in your organisation (or no such URL).",
    "406": "The Accept header asks for a format the API does not speak (JSON only).",
    "409": "The request conflicts with the object's state (e.g. a rule is no longer a draft).",
    "413": "The request body is over the limit.",
    "415": "The body is not JSON.",
    "422": "The Idempotency-Key was used with another request, or a warning needs acknowledging.",
    "429": "Too many requests: wait for Retry-After seconds.",
}


class FieldErrorSchema(serializers.Serializer[Any]):
    field = serializers.CharField(help_text="Dotted path into the body; empty for the whole body.")
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer[Any]):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    errors = FieldErrorSchema(many=True, required=False)  # type: ignore[assignment]
    warnings = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="On 422 warning-not-acknowledged: the serious fairness warnings to answer.",
    )

    class Meta:
        ref_name = "Problem"


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        component = self.resolve_serializer(ProblemSerializer, "response")
        for code, description in PROBLEM_STATUSES.items():
            responses.setdefault(
                code,
                {
                    "description": description,
                    "content": {PROBLEM_CONTENT_TYPE: {"schema": component.ref}},
                },
            )
        return responses

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description="Retry safely: the same key and body replay the first response; "
                    "the same key with another body answers 422. Kept for 24 hours.",
                )
            )
        return parameters


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token: python manage.py create_api_token --org SLUG "
            "--name NAME --scope read|write.",
        }


class ApiFilterSchema(DjangoFilterExtension):  # type: ignore[no-untyped-call]
    """The query parameters as ``api.filters.ApiFilterBackend`` reads them.

    A number filter on an id (``?job=``) is a 64-bit integer there, not any number.
    """

    target_class = "api.filters.ApiFilterBackend"
    priority = 1

    def resolve_filter_field(
        self, auto_schema: Any, model: Any, filterset_class: Any, field_name: str, filter_field: Any
    ) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().resolve_filter_field(  # type: ignore[no-untyped-call]
            auto_schema, model, filterset_class, field_name, filter_field
        )
        if isinstance(filter_field, filters.NumberFilter) and integer_column(
            model, filter_field.field_name
        ):
            for parameter in parameters:
                parameter["schema"] = {
                    "type": "integer",
                    "format": "int64",
                    "minimum": INT64_MIN,
                    "maximum": INT64_MAX,
                }
        return parameters


__all__ = ["ApiAutoSchema", "ApiFilterSchema", "BearerTokenScheme", "ProblemSerializer"]
