"""The standalone Renown site: a Django project that hosts the Renown apps.

Settings, the root URLconf, wsgi/asgi, the Celery app, site-wide middleware, login
throttling, admin branding and the demo live here; the apps (``hiring``,
``candidates``, ``scoring``, ``api``, ``webhooks``, ``privacy``) never import it.
"""

from __future__ import annotations

from renown_site.celery import app as celery_app

__all__ = ["celery_app"]
