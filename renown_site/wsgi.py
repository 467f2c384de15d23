"""WSGI entry point (gunicorn renown_site.wsgi)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renown_site.settings")
application = get_wsgi_application()
