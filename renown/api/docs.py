"""``api/schema/`` and ``api/docs/``: the OpenAPI document of Renown's API and its Swagger UI.

Both carry their drf-spectacular settings (``SCHEMA_SETTINGS``, applied per request
with drf-spectacular's ``custom_settings``) instead of reading the host's
``SPECTACULAR_SETTINGS``, and the document lists Renown's operations only, at the
paths where the host mounted them (``/renown/api/v1/...`` under ``/renown/``).

The docs page runs under a strict Content-Security-Policy: drf-spectacular's default
page starts Swagger UI with an inline ``<script>`` and sets a few rules in an inline
``<style>``, which such a policy refuses, so the page stayed blank. Here the start-up
script is drf-spectacular's own "split" variant, served by this same view at
``?script`` (a same-origin script that ``script-src 'self'`` allows), and the page's
rules come from a static stylesheet: no nonce, hash or ``'unsafe-inline'`` needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from drf_spectacular import plumbing
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import SPECTACULAR_DEFAULTS, patched_settings
from drf_spectacular.utils import _SchemaType as SchemaType
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from renown.api.views import ApiView

TITLE = "Renown API"

# Every drf-spectacular setting at its default, then Renown's: the host's
# SPECTACULAR_SETTINGS (title, hooks, camelised names...) never reach this document.
# (The SERVE_* settings and the generator are attributes of the views instead.)
SCHEMA_SETTINGS: dict[str, object] = {
    **{
        name: value
        for name, value in SPECTACULAR_DEFAULTS.items()
        if not name.startswith("SERVE_") and name != "DEFAULT_GENERATOR_CLASS"
    },
    "TITLE": TITLE,
    "DESCRIPTION": "The REST API for ATS integrations. Errors are RFC 9457 problem details.",
    "VERSION": "1.0.0",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from the drf-spectacular-sidecar package: no CDN, no network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Only Renown's operations, wherever the host's URLconf puts them.
    "PREPROCESSING_HOOKS": ["renown.api.docs.renown_endpoints"],
    # Operation ids and tags are named from the path after ".../api/v1" whatever the
    # mount (candidates_list at /api/v1/candidates/ and at /renown/api/v1/candidates/).
    "SCHEMA_PATH_PREFIX": r"^(?:/[^/]+)*?/api/v1(?=/)",
}


# What drf-spectacular's preprocessing hooks take: (path, path regex, method, view callback).
Endpoint = tuple[str, str, str, Callable[..., object]]


def renown_endpoints(endpoints: list[Endpoint]) -> list[Endpoint]:
    """drf-spectacular preprocessing hook: keep the operations of Renown's API views only."""
    return [endpoint for endpoint in endpoints if _is_operation(endpoint[3])]


def _is_operation(callback: Callable[..., object]) -> bool:
    view = getattr(callback, "cls", None)
    return (
        isinstance(view, type)
        and issubclass(view, ApiView)
        and not issubclass(view, (ApiSchemaView, ApiDocsView))
    )


@contextmanager
def _enum_names_of_these_settings() -> Iterator[None]:
    # drf-spectacular caches ENUM_NAME_OVERRIDES from whichever settings were in force
    # first (tfranzel/drf-spectacular#1244): the host's schema and Renown's must not
    # share that cache.
    plumbing._load_enum_name_overrides.cache_clear()
    try:
        yield
    finally:
        plumbing._load_enum_name_overrides.cache_clear()


class ApiSchemaView(ApiView, SpectacularAPIView):
    """The OpenAPI document (YAML, or JSON with ``Accept: application/vnd.oai.openapi+json``).

    Public, like the docs page: it says what the API takes, never what it holds.
    Subclasses add to ``custom_settings`` (e.g. ``ENUM_NAME_OVERRIDES``).
    """

    renderer_classes = SpectacularAPIView.renderer_classes
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    generator_class = SchemaGenerator
    serve_public = True
    urlconf = None
    custom_settings: dict[str, object] = SCHEMA_SETTINGS

    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        with _enum_names_of_these_settings():
            return super().get(request, *args, **kwargs)  # type: ignore[no-untyped-call,no-any-return]

    @classmethod
    def generate(cls, request: Request | None = None) -> SchemaType:
        """The document as the view serves it (without a request: as data, e.g. for tests)."""
        with patched_settings(cls.custom_settings), _enum_names_of_these_settings():
            generator = cls.generator_class(urlconf=cls.urlconf, patterns=cls.patterns)  # type: ignore[no-untyped-call]
            return generator.get_schema(request=request, public=cls.serve_public)  # type: ignore[no-untyped-call,no-any-return]


class ApiDocsView(ApiView, SpectacularSwaggerSplitView):
    """Swagger UI with no inline script or style (``renown/api/swagger_ui.html``)."""

    template_name = "renown/api/swagger_ui.html"
    title = TITLE
    renderer_classes = [TemplateHTMLRenderer]
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    custom_settings: dict[str, object] = SCHEMA_SETTINGS

    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        with patched_settings(self.custom_settings):  # the Swagger UI assets and settings
            return super().get(request, *args, **kwargs)  # type: ignore[no-untyped-call,no-any-return]

    def _get_schema_auth_names(self) -> list[str]:
        return []  # the schema is public: Swagger UI fetches it without credentials
