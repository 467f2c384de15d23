"""A strict Content-Security-Policy that Renown's own views set on their own responses.

The recruiter pages carry no inline script or style and load nothing from another
origin (charts are server-rendered SVG, scripts are static files), so the policy can
forbid both: an injected ``<script>`` or ``onerror=`` that got past escaping would
still not run. So does Swagger UI at ``api/docs/`` (``renown.api.docs``: its start-up
script is a same-origin file, not inline). No nonce or hash: nothing inline is needed.

Per view, not per site: a host that mounts Renown keeps its own pages' headers, so
Renown adds no middleware. Every Renown page view is wrapped in :func:`renown_csp`
(``tests/renown/test_host_mount.py`` walks them with no middleware at all). The admin
pages Renown adds are Django's admin templates and are left to the host's policy.
The standalone site sets the same policy on its own pages (log-in, password reset,
error pages) with ``renown_site.middleware``, which never replaces one a view set.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.http import HttpResponseBase

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADER = "Content-Security-Policy"

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def renown_csp(view: Callable[P, R]) -> Callable[P, R]:
    """Set Renown's policy on every response of ``view`` that has none of its own.

    For function views (outermost decorator, so redirects and 405s carry it too) and
    for ``SomeView.as_view(...)``; ``functools.wraps`` keeps the attributes Django and
    DRF read from a view (``csrf_exempt``, ``view_class``, ``cls``).
    """

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        response = view(*args, **kwargs)
        response.headers.setdefault(HEADER, POLICY)
        return response

    wrapper.renown_csp = True  # type: ignore[attr-defined]
    return wrapper
