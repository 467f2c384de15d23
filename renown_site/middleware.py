"""The site's own pages get the policy Renown's views set on theirs (``renown.csp``).

Renown's pages, API docs and schema set ``Content-Security-Policy`` themselves
(``renown.csp.renown_csp``), as they do in any host; this middleware covers what the
site adds around them: log-in, log-out and password reset, the health check, error
pages and the API's JSON answers. It never replaces a header a view already set. The
admin (Django's own templates) is left to its defaults.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from renown.csp import HEADER, POLICY


class ContentSecurityPolicyMiddleware:
    """Adds Renown's ``Content-Security-Policy`` to every response outside the admin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        exempt = getattr(settings, "RENOWN_CSP_EXEMPT_PREFIXES", ("/admin/",))
        if not request.path.startswith(tuple(exempt)):
            response.headers.setdefault(HEADER, POLICY)
        return response
