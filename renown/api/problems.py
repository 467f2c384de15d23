"""One error format for the whole API: RFC 9457 problem details (``application/problem+json``).

``{"type", "title", "status", "detail", "instance"}`` and, for field errors,
``errors: [{"field", "message"}]`` where ``field`` is a dotted path into the body
(``items.3.email``; ``""`` for the body as a whole). DRF's exceptions, Django's
(Http404, PermissionDenied, ValidationError), the services' refusals, the body
limit, crashes (``renown.api.views.ApiView``) and unknown URLs all answer in this shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import cast

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from renown.exceptions import (
    ApplicationError,
    NotPermitted,
    StatementRequired,
    WarningNotAcknowledged,
)
from renown.json_types import JSONObject

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_type(slug: str) -> str:
    """The problem's ``type`` URI: a URN naming the kind of problem."""
    return f"urn:renown:problem:{slug}"


def problem_body(
    *,
    status_code: int,
    detail: str,
    instance: str,
    slug: str | None = None,
    title: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> JSONObject:
    """The problem document as plain data."""
    phrase = HTTPStatus(status_code).phrase
    body: JSONObject = {
        "type": problem_type(slug or phrase.lower().replace(" ", "-").replace("'", "")),
        "title": title or phrase,
        "status": status_code,
        "detail": detail,
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(
    request: HttpRequest,
    status_code: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> HttpResponse:
    """A plain Django response holding a problem (for views outside DRF)."""
    body = problem_body(
        status_code=status_code,
        detail=detail,
        instance=request.path,
        slug=slug,
        title=title,
        errors=errors,
    )
    return HttpResponse(json.dumps(body), status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def flatten_errors(detail: object, prefix: str = "") -> Iterator[dict[str, str]]:
    """DRF/Django error details as ``[{"field", "message"}]`` with dotted field paths."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            # DRF names the body's own errors by NON_FIELD_ERRORS_KEY, which a host may set.
            whole_body = key in ("non_field_errors", "__all__", api_settings.NON_FIELD_ERRORS_KEY)
            name = "" if whole_body else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            yield from flatten_errors(value, path)
    elif isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            for item in detail:
                yield {"field": prefix, "message": str(item)}
        else:
            for index, item in enumerate(detail):
                if item:  # a list of per-item errors: {} marks an item without errors
                    yield from flatten_errors(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield {"field": prefix, "message": str(detail)}


def django_validation_detail(exc: DjangoValidationError) -> dict[str, list[str]] | list[str]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return [str(m) for m in exc.messages]


def _problem(
    exc: Exception, context: Mapping[str, object]
) -> tuple[int, str, str | None, list[dict[str, str]] | None] | None:
    """(status, detail, slug, errors) for an exception DRF has no answer for; None if unknown."""
    if isinstance(exc, DjangoValidationError):
        errors = list(flatten_errors(django_validation_detail(exc)))
        return 400, "The request has invalid fields.", "validation-error", errors
    if isinstance(exc, RequestDataTooBig):
        return 413, "The request body is too large.", None, None
    if isinstance(exc, NotPermitted):
        return 403, exc.message, None, None
    if isinstance(exc, WarningNotAcknowledged):
        return 422, exc.message, "warning-not-acknowledged", None
    if isinstance(exc, StatementRequired):
        errors = [{"field": "statement", "message": exc.message}]
        return 422, exc.message, "statement-required", errors
    if isinstance(exc, ApplicationError):
        return 409, exc.message, "refused", None
    return None


def exception_handler(exc: Exception, context: dict[str, object]) -> Response | None:
    """DRF's handler, answering every error as a problem (``ApiView.get_exception_handler``).

    Returns None for an exception it does not know: the view answers that as a crash.
    """
    request = context["request"]
    instance = request.path if isinstance(request, HttpRequest | Request) else ""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied) and not isinstance(exc, NotPermitted):
        exc = exceptions.PermissionDenied(str(exc) or "You may not do this.")
    response = drf_exception_handler(exc, context)
    if response is not None:
        exc = cast("exceptions.APIException", exc)
        errors = None
        slug = None
        if isinstance(exc, exceptions.ValidationError):
            errors = list(flatten_errors(exc.detail))
            detail = "The request has invalid fields."
            slug = "validation-error"
        elif isinstance(exc.detail, dict | list):
            errors = list(flatten_errors(exc.detail))
            detail = errors[0]["message"] if errors else str(exc.default_detail)
        else:
            detail = str(exc.detail)
        if isinstance(exc, exceptions.Throttled):
            slug = "rate-limited"
        response.data = problem_body(
            status_code=response.status_code,
            detail=detail,
            instance=instance,
            slug=slug,
            errors=errors,
        )
        response.content_type = PROBLEM_CONTENT_TYPE
        return response
    problem = _problem(exc, context)
    if problem is None:
        return None
    status_code, detail, slug, errors = problem
    body = problem_body(
        status_code=status_code, detail=detail, instance=instance, slug=slug, errors=errors
    )
    if isinstance(exc, WarningNotAcknowledged | StatementRequired):
        # The serious fairness warnings to acknowledge (send a statement in words).
        return Response(
            {**body, "warnings": exc.warnings},
            status=status_code,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


@csrf_exempt
def not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """Any ``/api/`` URL that names no endpoint."""
    return problem_response(request, 404, "No endpoint at this URL.")
