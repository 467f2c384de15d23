"""``/api/v1/``: one router; add a ``router.register`` line for a new endpoint.

Object URL parameters have names of their own (``candidate_id``, ``job_id``, ...):
``tests/test_tenancy.py`` fills each with another organisation's objects.
"""

from __future__ import annotations

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from api.problems import not_found
from api.views.candidates import CandidateViewSet

app_name = "api"

router = SimpleRouter()
router.register("candidates", CandidateViewSet, basename="candidate")

urlpatterns = [
    *router.urls,
    # Anything else under /api/v1/ is a problem+json 404, not an HTML page.
    re_path(r"^.*$", not_found),
]
