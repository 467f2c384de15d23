"""The site's URLs plus the host's own applicant page (tests that set this ROOT_URLCONF)."""

from __future__ import annotations

from django.urls import path

from renown_site.urls import urlpatterns as site_urlpatterns
from tests.hostapp import views

urlpatterns = [
    path("applicants/<int:pk>/", views.applicant_detail, name="applicant-detail"),
    *site_urlpatterns,
]
