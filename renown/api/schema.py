"""OpenAPI: every operation documents its problem responses, its auth, its Idempotency-Key."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import models
from django_filters import filters
from django_filters.filterset import FilterSet
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import Direction, OpenApiParameter, PolymorphicProxySerializer
from drf_spectacular.utils import _SchemaType as SchemaType
from drf_spectacular.utils import _SerializerType as SerializerType
from drf_spectacular.utils import extend_schema as spectacular_extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from renown.api.filters import INT64_MAX, INT64_MIN, integer_column
from renown.api.incremental import UPDATED_AFTER, IncrementalListMixin, TombstoneSerializer
from renown.api.problems import PROBLEM_CONTENT_TYPE
from renown.json_types import JSONMapping

PROBLEM_STATUSES = {
    "400": "Invalid input: the fields at fault are listed in errors.",
    "401": "No credentials, or a bad token.",
    "403": "Your role or token scope does not allow this.",
    "404": "No such object in your organisation (or no such URL).",
    "406": "The Accept header asks for a format the API does not speak (JSON only).",
    "409": "The request conflicts with the object's state (e.g. a rule is no longer a draft).",
    "413": "The request body is over the limit.",
    "415": "The body is not JSON.",
    "422": "warning-not-acknowledged: a serious fairness warning needs acknowledging.",
    "429": "Too many requests: wait for Retry-After seconds.",
}


# Operations that honour Idempotency-Key (POSTs of renown.api.views.ApiViewSet) say more.
IDEMPOTENT_PROBLEM_STATUSES = {
    "400": PROBLEM_STATUSES["400"]
    + " idempotency-key-invalid: the Idempotency-Key is over 255 characters.",
    "409": PROBLEM_STATUSES["409"]
    + " idempotency-key-in-progress: a request with the same Idempotency-Key and body is "
    "still running, so this one did not run; ask again after Retry-After seconds with the "
    "same key to get its response.",
    "422": "idempotency-key-reused: the Idempotency-Key went with another request. "
    + PROBLEM_STATUSES["422"],
}
RETRY_AFTER_HEADER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before asking again (idempotency-key-in-progress).",
    }
}
# draft-ietf-httpapi-ratelimit-headers-06, on every answer to a caller the throttle counts
# (renown.api.throttling): not on 401, where nobody is counted.
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Requests a window allows (RENOWN_API_THROTTLE_RATE).",
    },
    "RateLimit-Remaining": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Requests left in the window now.",
    },
    "RateLimit-Reset": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Seconds until the window frees a request (0: none is counted).",
    },
    "RateLimit-Policy": {
        "schema": {"type": "string"},
        "description": "The limit and its window in seconds, e.g. 1200;w=60.",
    },
}
THROTTLED_HEADERS = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."},
    **RATE_LIMIT_HEADERS,
}
LINK_HEADER = {
    "Link": {
        "schema": {"type": "string"},
        "description": 'When a next page exists: <its URL>; rel="next" (as the body\'s next).',
    }
}
UPDATED_AFTER_DESCRIPTION = (
    "Only what changed at or after this time (ISO 8601; without an offset UTC, a date "
    "alone its midnight UTC), in (updated_at, id) order, paged by a keyset cursor "
    "(forward only; without ordering). Erased candidates appear as tombstones "
    '{"id", "erased": true, "updated_at"} in the same order, for as long as the '
    "deployment keeps them (RENOWN_ERASURE_TOMBSTONE_DAYS, 90 days by default)."
)


class FieldErrorSchema(serializers.Serializer[dict[str, str]]):
    field = serializers.CharField(help_text="Dotted path into the body; empty for the whole body.")
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer[object]):  # schema only: it holds no instance
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


# The preprocessing hook of Renown's own document (renown.api.docs.SCHEMA_SETTINGS).
ENDPOINTS_HOOK_PATH = "renown.api.docs.renown_endpoints"


def generating_renowns_document() -> bool:
    """Whether the schema being generated is Renown's (its settings are in force)."""
    return any(
        f"{hook.__module__}.{hook.__qualname__}" == ENDPOINTS_HOOK_PATH
        for hook in spectacular_settings.PREPROCESSING_HOOKS
    )


class ApiAutoSchema(AutoSchema):
    def is_excluded(self) -> bool:
        # Renown's API is documented by Renown's schema view, with Renown's settings: a
        # host's own schema (and drf-spectacular's `check --deploy` of it) leaves it out.
        if not generating_renowns_document():
            return True
        return bool(super().is_excluded())

    def _get_response_bodies(self, direction: Direction = "response") -> SchemaType:
        responses = super()._get_response_bodies(direction)
        component = self.resolve_serializer(ProblemSerializer, "response")
        idempotent = self._honours_idempotency_key()
        counted = bool(getattr(self.view, "throttle_classes", None))
        for code, description in PROBLEM_STATUSES.items():
            response = {
                "description": IDEMPOTENT_PROBLEM_STATUSES.get(code, description)
                if idempotent
                else description,
                "content": {PROBLEM_CONTENT_TYPE: {"schema": component.ref}},
            }
            if idempotent and code == "409":
                response["headers"] = RETRY_AFTER_HEADER
            if code == "429":
                response["headers"] = THROTTLED_HEADERS
            responses.setdefault(code, response)
        for code, response in responses.items():
            if not (counted and code.startswith("2")):
                continue
            headers = dict(RATE_LIMIT_HEADERS)
            if self._is_paginated_list():
                headers.update(LINK_HEADER)
            response["headers"] = {**headers, **response.get("headers", {})}
        return responses

    def _is_paginated_list(self) -> bool:
        return (
            self.method == "GET"
            and getattr(self.view, "pagination_class", None) is not None
            and self._is_list_view()
        )

    def _is_incremental_list(self) -> bool:
        return getattr(self.view, "action", None) == "list" and isinstance(
            self.view, IncrementalListMixin
        )

    def get_response_serializers(self) -> SerializerType | None:
        serializers_ = super().get_response_serializers()
        if not (self._is_incremental_list() and getattr(self.view, "reports_erasures", False)):
            return serializers_
        # The rows, or tombstones of erased candidates (only in updated_after reads).
        assert isinstance(self.view, GenericAPIView)  # noqa: S101 - IncrementalListMixin's views
        row = self.view.get_serializer_class()
        assert issubclass(row, serializers.Serializer)  # noqa: S101 - a row's serializer
        return PolymorphicProxySerializer(
            component_name=f"{self._component_name(row)}OrErased",
            serializers=[row, TombstoneSerializer],
            resource_type_field_name=None,
            many=True,
        )

    def _component_name(self, serializer_class: type[serializers.Serializer[JSONMapping]]) -> str:
        return str(self._get_serializer_name(serializer_class(), "response"))

    def _honours_idempotency_key(self) -> bool:
        return self.method == "POST" and bool(getattr(self.view, "honours_idempotency_key", False))

    def get_override_parameters(self) -> list[OpenApiParameter | SerializerType]:
        parameters = list(super().get_override_parameters())
        if self._is_incremental_list():
            parameters.append(
                OpenApiParameter(
                    UPDATED_AFTER,
                    {"type": "string", "format": "date-time"},
                    OpenApiParameter.QUERY,
                    required=False,
                    description=UPDATED_AFTER_DESCRIPTION,
                )
            )
        if self._honours_idempotency_key():
            parameters.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    {"type": "string", "maxLength": 255},
                    OpenApiParameter.HEADER,
                    required=False,
                    description="Retry safely: one request per key runs. The same key and body "
                    "replay its response (Idempotent-Replayed: true), or answer 409 with "
                    "Retry-After while it still runs; the same key with another body answers "
                    "422. Kept for 24 hours; a 5xx is not kept, so a retry runs.",
                )
            )
        return parameters


P = ParamSpec("P")
F = TypeVar("F", bound=Callable[..., object])


def _on_api_auto_schema(
    spectacular: Callable[P, Callable[[F], F]],
) -> Callable[P, Callable[[F], F]]:
    """``spectacular`` (drf-spectacular's ``extend_schema``), with its parameters, made to
    build the schema of a decorated method on ``ApiAutoSchema``."""

    def extend_schema(*args: P.args, **kwargs: P.kwargs) -> Callable[[F], F]:
        """drf-spectacular's ``extend_schema`` for the methods of Renown's API views.

        Decorating a method, drf-spectacular builds the operation's schema class on the
        host's ``DEFAULT_SCHEMA_CLASS`` (DRF's own AutoSchema unless the host chose
        drf-spectacular's), which it cannot combine with ``ApiAutoSchema`` later
        ("AutoSchema.get_operation() takes 3 positional arguments"). Here it is built on
        ``ApiAutoSchema``, the way drf-spectacular carries a schema on an ``@action``.
        """
        decorate = spectacular(*args, **kwargs)

        def apply(function: F) -> F:
            if inspect.isfunction(function) and getattr(function, "schema", None) is None:
                function.__dict__.setdefault("kwargs", {}).setdefault("schema", ApiAutoSchema)
            return decorate(function)

        return apply

    return extend_schema


extend_schema = _on_api_auto_schema(spectacular_extend_schema)


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "renown.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token: python manage.py create_api_token --org SLUG "
            "--name NAME --scope read|write.",
        }


class ApiFilterSchema(DjangoFilterExtension):  # type: ignore[no-untyped-call]
    """The query parameters as ``renown.api.filters.ApiFilterBackend`` reads them.

    A number filter on an id (``?job=``) is a 64-bit integer there, not any number.
    """

    target_class = "renown.api.filters.ApiFilterBackend"
    priority = 1

    def resolve_filter_field(
        self,
        auto_schema: AutoSchema,
        model: type[models.Model],
        filterset_class: type[FilterSet],
        field_name: str,
        filter_field: filters.Filter,
    ) -> list[SchemaType]:
        parameters: list[SchemaType] = super().resolve_filter_field(  # type: ignore[no-untyped-call]
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


__all__ = [
    "ApiAutoSchema",
    "ApiFilterSchema",
    "BearerTokenScheme",
    "ProblemSerializer",
    "extend_schema",
]
