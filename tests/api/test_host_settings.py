"""Renown's API answers the same whatever the host's REST_FRAMEWORK and SPECTACULAR_SETTINGS say.

The site sets neither (it is a host like any other), so the rest of the suite
already runs on DRF's defaults; here a hostile host sets everything it can.
"""

from __future__ import annotations

import importlib
import inspect
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings
from rest_framework import serializers
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.views import APIView

from hiring.api.schema import openapi_schema
from renown.api.serializers import HOST_DEPENDENT_FIELDS
from renown.api.views import API_SETTINGS, ApiView
from tests import factories

pytestmark = pytest.mark.django_db


def host_exception_handler(exc: Exception, context: dict[str, Any]) -> Any:
    from rest_framework.response import Response

    return Response({"host": True}, status=418)


HOSTILE_REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.BasicAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 2,
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.FormParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": "1/day", "user": "1/day", "api": "1/day"},
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.QueryParameterVersioning",
    "ALLOWED_VERSIONS": ["2"],
    "EXCEPTION_HANDLER": "tests.api.test_host_settings.host_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "NON_FIELD_ERRORS_KEY": "host_errors",
    "LIST_SERIALIZER_ERRORS_AS_DICT": True,
    "COERCE_DECIMAL_TO_STRING": False,
    "COERCE_BIGINT_TO_STRING": True,
    "DATETIME_FORMAT": "%d/%m/%Y %H:%M",
    "DATETIME_INPUT_FORMATS": ["%d/%m/%Y %H:%M"],
    "DATE_FORMAT": "%d/%m/%Y",
    "DATE_INPUT_FORMATS": ["%d/%m/%Y"],
    "URL_FORMAT_OVERRIDE": "as",
    "ORDERING_PARAM": "sort",
    "URL_FIELD_NAME": "id",
    "VIEW_NAME_FUNCTION": "tests.api.test_host_settings.host_view_name",
    "UNICODE_JSON": False,
    "COMPACT_JSON": False,
    "STRICT_JSON": False,
}


def host_view_name(view: Any) -> str:
    return "The host's name for it"


@pytest.fixture
def world(org_a: Any) -> dict[str, Any]:
    """Candidates with scores, vendor scores, notices and a job: decimals, dates, big ids."""
    candidates = [
        factories.CandidateFactory(organization=org_a, name=name, country="FR")
        for name in ("Zoé Ångström", "Bo", "Cy")
    ]
    for candidate in candidates:
        factories.ScoreFactory(candidate=candidate, value=Decimal("61.5"))
        factories.VendorScoreFactory(candidate=candidate)
    job = factories.JobFactory(organization=org_a)
    return {"candidate": str(candidates[0].public_id), "job": job.pk}


# (name, method, path, body, what a second run creates anew)
CASES = [
    ("list", "get", "/api/v1/candidates/", None, ()),
    ("list ordered", "get", "/api/v1/candidates/?ordering=name", None, ()),
    ("list page", "get", "/api/v1/candidates/?page_size=1", None, ()),
    ("detail", "get", "/api/v1/candidates/{candidate}/", None, ()),
    ("scores", "get", "/api/v1/candidates/{candidate}/scores/", None, ()),
    ("vendor scores", "get", "/api/v1/candidates/{candidate}/vendor-scores/", None, ()),
    ("notices", "get", "/api/v1/candidates/{candidate}/notices/", None, ()),
    ("jobs", "get", "/api/v1/jobs/", None, ()),
    ("job", "get", "/api/v1/jobs/{job}/", None, ()),
    ("format", "get", "/api/v1/jobs/?format=json", None, ()),
    ("unknown format", "get", "/api/v1/jobs/?format=xml", None, ()),
    ("options", "options", "/api/v1/jobs/", None, ()),
    ("404", "get", "/api/v1/candidates/00000000-0000-4000-8000-000000000000/", None, ()),
    ("no such url", "get", "/api/v1/nothing-here/", None, ()),
    ("400 field", "post", "/api/v1/candidates/", {"name": ""}, ()),
    ("400 whole body", "post", "/api/v1/screenings/run/", {}, ()),
    ("400 NaN", "post", "/api/v1/candidates/", '{"name": NaN}', ()),
    ("400 bulk items", "post", "/api/v1/candidates/bulk/", {"items": [{"name": ""}, {}]}, ()),
    ("405", "put", "/api/v1/candidates/", {}, ()),
    ("201 ISO dates in", "post", "/api/v1/candidates/{candidate}/vendor-scores/",
     {"vendor": "kred", "value": "500", "as_of": "2020-01-01"}, ("id", "imported_at")),
    ("201 ISO times in", "post", "/api/v1/candidates/{candidate}/notices/",
     {"kind": "collection", "given_at": "2024-05-01T09:30:00Z"}, ("id", "created_at")),
]  # fmt: skip


def _answer(client: APIClient, method: str, path: str, body: Any, fresh: tuple[str, ...]) -> Any:
    with transaction.atomic():  # each run sees the same data: a create creates anew
        if isinstance(body, str):
            response = getattr(client, method)(path, body, content_type="application/json")
        else:
            response = getattr(client, method)(path, body, format="json")
        transaction.set_rollback(True)
    content = response.content.decode()
    try:
        data = json.loads(content)
    except ValueError:
        data = content
    if isinstance(data, dict):
        data = {key: value for key, value in data.items() if key not in fresh}
    return (
        response.status_code,
        response.get("Content-Type"),
        response.get("WWW-Authenticate"),
        data,
    )


@pytest.mark.parametrize(
    ("method", "path", "body", "fresh"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_hostile_host_changes_no_answer(
    write_client: APIClient,
    world: dict[str, Any],
    method: str,
    path: str,
    body: Any,
    fresh: tuple[str, ...],
) -> None:
    path = path.format(**world)
    alone = _answer(write_client, method, path, body, fresh)
    with override_settings(REST_FRAMEWORK=HOSTILE_REST_FRAMEWORK):
        assert api_settings.PAGE_SIZE == 2  # DRF reloaded: the host's settings are in force
        hosted = _answer(write_client, method, path, body, fresh)
    assert hosted == alone
    assert alone[0] < 500


def test_anonymous_is_401_bearer_under_a_hostile_host(world: dict[str, Any]) -> None:
    with override_settings(REST_FRAMEWORK=HOSTILE_REST_FRAMEWORK):
        response = APIClient().get("/api/v1/candidates/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_answers_keep_renowns_formats(write_client: APIClient, world: dict[str, Any]) -> None:
    """What the comparison above keeps equal is the documented JSON, not just any JSON."""
    with override_settings(REST_FRAMEWORK=HOSTILE_REST_FRAMEWORK):
        page = write_client.get("/api/v1/candidates/").json()
        scores = write_client.get(f"/api/v1/candidates/{world['candidate']}/scores/").json()
        job = write_client.get(f"/api/v1/jobs/{world['job']}/").json()
        invalid = write_client.post("/api/v1/screenings/run/", {}, format="json").json()
    assert set(page) == {"next", "previous", "results"}  # cursor pages, no count
    assert len(page["results"]) == 3
    assert page["results"][0]["latest_scores"]["influence"] == "61.50"
    assert "Zoé Ångström" in json.dumps(page, ensure_ascii=False)
    score = scores["results"][0]
    assert score["value"] == "61.50"
    assert score["as_of"].endswith("Z")
    assert job["id"] == world["job"]  # a number, not "12"
    assert invalid["errors"] == [{"field": "", "message": "Give a job, a candidate, or both."}]


# --- every API view and serializer carries its own DRF behaviour ---------------------------

# What APIView, GenericAPIView and drf-spectacular's views take from the host's settings
# when they are imported: a Renown class must set each one.
VIEW_ATTRIBUTES = [
    "authentication_classes",
    "permission_classes",
    "throttle_classes",
    "parser_classes",
    "renderer_classes",
    "content_negotiation_class",
    "metadata_class",
    "versioning_class",
    "settings",
    "schema",
]
GENERIC_VIEW_ATTRIBUTES = ["pagination_class", "filter_backends"]
OURS = ("renown.", "hiring.")


def _views(patterns: list[Any]) -> Iterator[type[APIView]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None)
            if isinstance(view, type) and issubclass(view, APIView):
                yield view


def _where_set(view: type, attribute: str) -> str:
    owner = next(klass for klass in view.__mro__ if attribute in vars(klass))
    return owner.__module__


def test_every_api_view_sets_its_own_drf_classes() -> None:
    views = set(_views(get_resolver().url_patterns))
    assert len(views) > 15  # the API's viewsets, the Greenhouse receiver, schema and docs
    for view in views:
        assert issubclass(view, ApiView), view
        attributes = VIEW_ATTRIBUTES
        if hasattr(view, "pagination_class"):
            attributes = [*VIEW_ATTRIBUTES, *GENERIC_VIEW_ATTRIBUTES]
        for attribute in attributes:
            assert _where_set(view, attribute).startswith(OURS), (view, attribute)
        assert view.settings is API_SETTINGS
        assert view().get_exception_handler().__module__ == "renown.api.problems"


def _serializer_classes() -> Iterator[type[serializers.BaseSerializer[Any]]]:
    modules = [
        "hiring.api.serializers",
        "hiring.api.webhook_serializers",
        "hiring.api.views.refresh",
        "renown.api.schema",
    ]
    for name in modules:
        for _, value in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if issubclass(value, serializers.Serializer) and value.__module__ == name:
                yield value


def _fields(field: Any) -> Iterator[Any]:
    yield field
    if isinstance(field, serializers.ListSerializer):
        yield from _fields(field.child)
    elif isinstance(field, serializers.Serializer):
        for child in field.fields.values():
            yield from _fields(child)
    elif isinstance(field, serializers.ListField | serializers.DictField):
        yield from _fields(field.child)


def test_no_serializer_field_takes_its_format_from_the_host() -> None:
    checked = 0
    for serializer in _serializer_classes():
        for field in _fields(serializer()):
            for drf_field, ours in HOST_DEPENDENT_FIELDS.items():
                if isinstance(field, drf_field):
                    assert isinstance(field, ours), (serializer, field)
                    checked += 1
    assert checked > 10


# --- the schema and its docs ---------------------------------------------------------------


@pytest.fixture
def host_spectacular_settings() -> Iterator[None]:
    """A host's SPECTACULAR_SETTINGS (drf-spectacular reads them once: patched here)."""
    spectacular_settings.apply_patches(
        {
            "TITLE": "Host API",
            "CAMELIZE_NAMES": True,
            "COMPONENT_SPLIT_REQUEST": False,
            "SCHEMA_PATH_PREFIX": "/",
            "SWAGGER_UI_DIST": "https://cdn.example.com/swagger-ui",
            "ENUM_NAME_OVERRIDES": {},
        }
    )
    try:
        host = SchemaGenerator().get_schema(request=None, public=True)  # the host's, first
        assert host["paths"] == {}  # the site has no API of its own; Renown's are not its
        yield
    finally:
        spectacular_settings.clear_patches()


@pytest.mark.usefixtures("host_spectacular_settings")
def test_the_schema_and_docs_ignore_the_hosts_spectacular_settings(client: Any) -> None:
    served = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert served["info"]["title"] == "Renown API"
    assert "OutcomeEnum" in served["components"]["schemas"]  # ENUM_NAME_OVERRIDES, not cached
    assert "CandidateWriteRequest" in served["components"]["schemas"]  # COMPONENT_SPLIT_REQUEST
    operation = served["paths"]["/api/v1/candidates/"]["get"]
    assert operation["operationId"] == "candidates_list"
    assert spectacular_settings.TITLE == "Host API"  # and the host's are in force again
    assert openapi_schema() == served
    docs = client.get("/api/docs/").content.decode()
    assert "cdn.example.com" not in docs
    assert "drf_spectacular_sidecar" in docs


def test_the_schema_lists_renowns_operations_only() -> None:
    paths = openapi_schema()["paths"]
    assert paths
    assert all(path.startswith("/api/v1/") for path in paths)
    assert not any("schema" in path or "docs" in path for path in paths)
