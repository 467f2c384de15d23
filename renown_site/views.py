"""The site's own views: the health check and the password reset that lifts a login lockout."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from renown_site import login_throttle
from renown_site.celery import app

logger = logging.getLogger(__name__)


def _broker_state() -> str:
    if not settings.CELERY_BROKER_URL:
        return "embedded"
    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # kombu raises many transport-specific errors; any means down
        logger.warning("healthz: broker unreachable", exc_info=True)
        return "down"
    return "ok"


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on pages that name no icon (the admin's):
    Renown's own icon. A temporary redirect, since the static file's name changes with
    its content in production (hashed names); browsers keep it for a day."""
    response = HttpResponseRedirect(static("renown/favicon.svg"))
    patch_cache_control(response, public=True, max_age=86400)
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the state of the database and broker; 503 when the database is down.

    A broker outage alone keeps 200: the web app still serves, and the body says so.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        logger.exception("healthz: database unreachable")
        database = "down"
    body = {"database": database, "broker": _broker_state()}
    return JsonResponse(body, status=200 if database == "ok" else 503)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset-by-email link, which also lifts the login lockout for that account.

    The lockout message says a reset lifts it (``renown_site.login_throttle``).
    """

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        response = super().form_valid(form)
        login_throttle.password_reset_record(username=form.user.get_username())
        return response
