"""A strict Content-Security-Policy for the recruiter pages.

The recruiter UI carries no inline script or style and loads nothing from
another origin (charts are server-rendered SVG, scripts are static files), so
the policy can forbid both: an injected ``<script>`` or ``onerror=`` that got
past escaping would still not run. So does Swagger UI at ``/api/docs/``
(``renown.api.docs``: its start-up script is a same-origin file, not inline). The
admin (Django's own templates) is left to its defaults.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Adds ``Content-Security-Policy`` to every response outside the admin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        exempt = getattr(settings, "RENOWN_CSP_EXEMPT_PREFIXES", ("/admin/",))
        if not request.path.startswith(tuple(exempt)):
            response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
