"""``/api/docs/``: Swagger UI under the site's strict Content-Security-Policy.

drf-spectacular's default page starts Swagger UI with an inline ``<script>`` and sets
a few rules in an inline ``<style>``; the policy (``renown_site.middleware``) refuses both,
so the page stayed blank. Here the start-up script is drf-spectacular's own
"split" variant, served by this same view at ``?script`` (a same-origin script that
``script-src 'self'`` allows), and the page's rules come from a static stylesheet.
The policy is the site's, unchanged: no nonce, hash or ``'unsafe-inline'`` needed.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with no inline script or style (``templates/api/swagger_ui.html``)."""

    template_name = "renown/api/swagger_ui.html"
